/*
 * rssp-tool setup: write the user's configuration (the account; the service
 * and relying party too when the organisation has installed no system file
 * and hands out a provider file instead), put the password in the desktop
 * keyring (or a 0600 file without one), log in once and list the
 * certificates found. Interactive on a terminal; flags for scripts.
 */
#include "tool/cmd_setup.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/secmem.h"
#include "config/config.h"
#include "config/config_keyring.h"
#include "tool/secret_input.h"
#include "tool/setup_files.h"

static const char usage[] =
    "Usage: rssp-tool setup [OPTIONS]\n"
    "Write your configuration (~/.config/rssp-pkcs11/rssp-pkcs11.conf), keep the password in\n"
    "the desktop keyring (or a 0600 file without one), log in once and list your certificates.\n"
    "On a terminal it asks for what the options do not give.\n"
    "\n"
    "  --provider FILE     the provider file your organisation handed out (needed when\n"
    "                      /etc/rssp-pkcs11.conf does not name the service)\n"
    "  --url URL           the service URL, replacing the provider file's\n"
    "  --account NAME      your user name at the service\n"
    "  --password-stdin    read the password from the first line of standard input\n"
    "  --no-keyring        keep the password in a 0600 file instead of the keyring\n"
    "  --force             replace an existing configuration\n"
    "  --no-login          write the files only\n"
    "  -v, --verbose       log each RSSP call\n"
    "  -h, --help          this help\n";

typedef struct {
    const char *provider;
    const char *url;
    const char *account;
    bool password_stdin;
    bool no_keyring;
    bool force;
    bool no_login;
} setup_opts;

/* Read a line typed on the terminal (echoed); false when stdin is not a terminal or empty. */
static bool ask(const char *prompt, char *buf, size_t cap)
{
    if (!isatty(STDIN_FILENO))
        return false;
    fputs(prompt, stderr);
    fflush(stderr);
    if (fgets(buf, (int)cap, stdin) == NULL)
        return false;
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] != '\0';
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Does the system file name the service (the organisation's keys)? -1 if it is broken. */
static int system_sets_service(char *url, size_t url_cap)
{
    rssp_config_files files = {0};
    files.system = (char *)rssp_config_system_path();
    files.partial = true;
    if (!exists(files.system))
        return 0;
    rssp_config cfg;
    char err[1024];
    if (rssp_config_load_files(&files, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "rssp-tool: the organisation's configuration is broken: %s\n", err);
        return -1;
    }
    int locked = cfg.org_locked ? 1 : 0;
    snprintf(url, url_cap, "%s", cfg.url != NULL ? cfg.url : "");
    rssp_config_clear(&cfg);
    return locked;
}

static int parse_options(tool_ctx *ctx, int argc, char **argv, setup_opts *o)
{
    static const struct option opts[] = {
        {"provider", required_argument, NULL, 'p'},
        {"url", required_argument, NULL, 'u'},
        {"account", required_argument, NULL, 'a'},
        {"password-stdin", no_argument, NULL, 's'},
        {"no-keyring", no_argument, NULL, 'k'},
        {"force", no_argument, NULL, 'f'},
        {"no-login", no_argument, NULL, 'n'},
        TOOL_COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, TOOL_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            o->provider = optarg;
            break;
        case 'u':
            o->url = optarg;
            break;
        case 'a':
            o->account = optarg;
            break;
        case 's':
            o->password_stdin = true;
            break;
        case 'k':
            o->no_keyring = true;
            break;
        case 'f':
            o->force = true;
            break;
        case 'n':
            o->no_login = true;
            break;
        default: {
            int rc = tool_common_option(ctx, c, optarg, usage);
            if (rc != TOOL_CONTINUE)
                return rc;
        }
        }
    }
    if (optind < argc)
        return tool_usage_error("setup", "unexpected argument '%s'", argv[optind]);
    if (ctx->config_path != NULL)
        return tool_usage_error("setup", "setup writes your configuration; --config is not for it");
    return TOOL_CONTINUE;
}

/* An account name goes into the file and the keyring attributes: no spaces or controls. */
static bool plain_name(const char *s)
{
    if (s[0] == '\0' || strlen(s) > 128)
        return false;
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s <= ' ' || *s == ';' || *s == '#' || *s == 0x7f)
            return false;
    }
    return true;
}

/*
 * The user file's text. provider may be NULL (the system file names the
 * service). password_line is "password_keyring = ..." or "password_file = ...".
 */
static char *user_file_text(const setup_provider *provider, const char *url, const char *account,
                            const char *password_line)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    fputs("; rssp-pkcs11 user configuration, written by `rssp-tool setup`.\n"
          "; The organisation's /etc/rssp-pkcs11.conf (if any) is read first; see\n"
          "; rssp-pkcs11.conf(5) and docs/configuration.md.\n\n",
          f);
    if (provider != NULL) {
        setup_provider p = *provider;
        for (size_t i = 0; url != NULL && i < p.count; i++) {
            if (strcmp(p.entries[i].section, "service") == 0 &&
                strcmp(p.entries[i].key, "url") == 0)
                snprintf(p.entries[i].value, sizeof p.entries[i].value, "%s", url);
        }
        setup_provider_write(&p, "account", f);
    }
    fputs("[account]\n", f);
    for (size_t i = 0; provider != NULL && i < provider->count; i++) {
        if (strcmp(provider->entries[i].section, "account") == 0)
            fprintf(f, "%s = %s\n", provider->entries[i].key, provider->entries[i].value);
    }
    fprintf(f, "username = %s\n%s\n", account, password_line);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Put the password where the module finds it; fills password_line. */
static int keep_password(const setup_opts *o, const char *dir, const char *account, const char *url,
                         const char *password, char *password_line, size_t line_cap)
{
    char why[1024];
    if (!o->no_keyring) {
        char spec[1100], label[2048];
        snprintf(spec, sizeof spec, "service=rssp-pkcs11 account=%s", account);
        /* The keyring shows the label to people; a very long URL is cut. */
        int n = snprintf(label, sizeof label, "rssp-pkcs11 password for %s at %s", account,
                         url[0] != '\0' ? url : "the service");
        if (n < 0)
            snprintf(label, sizeof label, "rssp-pkcs11 password");
        if (rssp_cfg_keyring_store(spec, label, password, why, sizeof why) == 0) {
            fprintf(stderr, "The password is in your desktop keyring (%s).\n", spec);
            snprintf(password_line, line_cap, "password_keyring = %s", spec);
            return TOOL_EXIT_OK;
        }
        fprintf(stderr, "No desktop keyring to keep the password (%s).\n", why);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/password", dir);
    if (setup_write_file(path, password, strlen(password), 0600, why, sizeof why) != 0) {
        fprintf(stderr, "rssp-tool: %s\n", why);
        return TOOL_EXIT_CONFIG;
    }
    fprintf(stderr, "The password is in %s (readable only by you).\n", path);
    snprintf(password_line, line_cap, "password_file = password");
    return TOOL_EXIT_OK;
}

/* Log in with the configuration just written and list what the account holds. */
static int check_login(tool_ctx *ctx)
{
    int rc = tool_connect(ctx);
    if (rc != TOOL_EXIT_OK)
        return rc;
    rssp_list_request req = {.certificate_info = true, .certificates = RSSP_CERTS_SINGLE};
    rssp_credential_list list;
    rssp_status st;
    rssp_err err = rssp_credentials_list(ctx->client, &req, &list, &st);
    if (err != RSSP_OK) {
        rssp_credential_list_clear(&list);
        return tool_report("credentials/list", err, &st);
    }
    printf("Logged in. %zu certificate%s:\n", list.count, list.count == 1 ? "" : "s");
    for (size_t i = 0; i < list.count; i++) {
        const rssp_credential *c = &list.items[i];
        fputs("  ", stdout);
        tool_print_untrusted(stdout, c->credential_id);
        fputs("  ", stdout);
        tool_print_untrusted(stdout, c->subject_dn != NULL ? c->subject_dn : "-");
        putchar('\n');
    }
    rssp_credential_list_clear(&list);
    return TOOL_EXIT_OK;
}

int cmd_setup(tool_ctx *ctx, int argc, char **argv)
{
    setup_opts o = {0};
    setup_provider provider = {0};
    char provider_path[1024], account[256], org_url[1024], why[1024], password_line[1200];
    char *password = NULL, *text = NULL, *user = NULL, *dir = NULL;

    int rc = parse_options(ctx, argc, argv, &o);
    if (rc != TOOL_CONTINUE)
        return rc;
    rc = TOOL_EXIT_CONFIG;
    user = rssp_config_user_path();
    if (user == NULL || (dir = strdup(user)) == NULL) {
        fprintf(stderr, "rssp-tool: no home folder to write the configuration in\n");
        goto out;
    }
    *strrchr(dir, '/') = '\0';
    if (exists(user) && !o.force) {
        fprintf(stderr, "rssp-tool: %s exists; run with --force to replace it\n", user);
        goto out;
    }

    /* The service: from the organisation's system file, else a provider file. */
    int locked = system_sets_service(org_url, sizeof org_url);
    if (locked < 0)
        goto out;
    if (locked) {
        if (o.provider != NULL || o.url != NULL) {
            fprintf(stderr,
                    "rssp-tool: %s already names the service (%s); setup needs only your "
                    "account\n",
                    rssp_config_system_path(), org_url);
            rc = TOOL_EXIT_USAGE;
            goto out;
        }
        fprintf(stderr, "Service: %s (from %s)\n", org_url, rssp_config_system_path());
    } else {
        if (o.provider == NULL) {
            if (!ask("Provider file from your organisation: ", provider_path,
                     sizeof provider_path)) {
                rc = tool_usage_error("setup",
                                      "%s does not name the service: give the provider file "
                                      "your organisation handed out with --provider FILE",
                                      rssp_config_system_path());
                goto out;
            }
            o.provider = provider_path;
        }
        if (setup_provider_read(o.provider, &provider, why, sizeof why) != 0) {
            fprintf(stderr, "rssp-tool: %s\n", why);
            goto out;
        }
        for (size_t i = 0; i < provider.count; i++) {
            if (strcmp(provider.entries[i].key, "url") == 0)
                snprintf(org_url, sizeof org_url, "%s", provider.entries[i].value);
        }
        if (o.url != NULL)
            snprintf(org_url, sizeof org_url, "%s", o.url);
        fprintf(stderr, "Service: %s (from %s)\n", org_url, o.provider);
    }

    /* The account and its password (never from the command line). */
    if (o.account == NULL) {
        if (!ask("Account (your user name at the service): ", account, sizeof account)) {
            rc = tool_usage_error("setup", "give your user name with --account NAME");
            goto out;
        }
        o.account = account;
    }
    if (!plain_name(o.account)) {
        rc =
            tool_usage_error("setup", "'%s' is not a user name (no spaces, ';' or '#')", o.account);
        goto out;
    }
    char prompt[400];
    snprintf(prompt, sizeof prompt, "Password for %s: ", o.account);
    tool_secret_source src = {.option = "password", .from_stdin = o.password_stdin};
    rc = tool_read_secret(&src, "password", prompt, &password);
    if (rc != TOOL_EXIT_OK)
        goto out;

    rc = TOOL_EXIT_CONFIG;
    if (setup_mkdirs(dir, 0700) != 0) {
        fprintf(stderr, "rssp-tool: cannot create %s: %s\n", dir, strerror(errno));
        goto out;
    }
    if (provider.count > 0 && setup_provider_copy_files(&provider, dir, why, sizeof why) != 0) {
        fprintf(stderr, "rssp-tool: %s\n", why);
        goto out;
    }
    rc = keep_password(&o, dir, o.account, org_url, password, password_line, sizeof password_line);
    if (rc != TOOL_EXIT_OK)
        goto out;
    rc = TOOL_EXIT_CONFIG;
    text = user_file_text(provider.count > 0 ? &provider : NULL, o.url, o.account, password_line);
    if (text == NULL || setup_write_file(user, text, strlen(text), 0600, why, sizeof why) != 0) {
        fprintf(stderr, "rssp-tool: %s\n", text == NULL ? "out of memory" : why);
        goto out;
    }
    fprintf(stderr, "Wrote %s.\n", user);

    rc = o.no_login ? tool_load_config(ctx) : check_login(ctx);
    if (rc == TOOL_EXIT_OK)
        fprintf(stderr,
                "Next: rssp-tool register firefox (or thunderbird, chromium), then sign.\n");
    else
        fprintf(stderr, "The configuration is written; fix the problem above and run "
                        "'rssp-tool doctor', or run setup again with --force.\n");
out:
    rssp_secret_free(password);
    setup_provider_clear(&provider);
    free(text);
    free(user);
    free(dir);
    return rc;
}
