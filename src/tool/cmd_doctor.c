#include "tool/cmd_doctor.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tool/doctor_cache.h"
#include "tool/doctor_certs.h"
#include "tool/doctor_net.h"
#include "tool/doctor_places.h"
#include "tool/doctor_report.h"
#include "tool/paths.h"

enum { OPT_MODULE = 256, OPT_NAME, OPT_ASCII };

static const char doctor_usage[] =
    "Usage: rssp-tool doctor [OPTIONS]\n"
    "Check, in order, and print one line per check with what to do when it fails:\n"
    "the configuration; the service's host name, TCP port and TLS certificate;\n"
    "the service; the relying-party login; the account login; the credential\n"
    "list; each certificate's status, dates and chain; the credential cache;\n"
    "the module file and where it is registered (Firefox, Thunderbird and\n"
    "Chromium NSS databases, p11-kit). A check that needs a failed one is shown\n"
    "as skipped. Exit code 0 when every check passes, else that of the first\n"
    "failure: 2 configuration or cache, 3 network, TLS or service, 4 a login or\n"
    "the list refused, 5 a certificate, 7 registration.\n"
    "\n"
    "      --module PATH  the module (default: the installed one)\n"
    "      --name NAME    its NSS entry's name (default \"RSSP remote signing\")\n"
    "      --ascii        marks as [ok] [FAIL] even on a UTF-8 terminal\n" TOOL_COMMON_HELP;

/* The checks after the configuration that depend on each other, in order. */
enum { C_DNS, C_TCP, C_TLS, C_SERVICE, C_RP, C_ACCOUNT, C_LIST, C_CERTS, C_COUNT };
static const char *const check_names[C_COUNT] = {
    "DNS",           "TCP",         "TLS",          "service", "relying-party login",
    "account login", "credentials", "certificates",
};

static void skip_from(doctor_report *r, int first, const char *needs)
{
    for (int i = first; i < C_COUNT; i++)
        doctor_skip(r, check_names[i], needs);
}

/* A file read must not be writable by others: they could redirect the module. */
static bool check_file_mode(doctor_report *r, const char *path)
{
    struct stat sb;
    if (path == NULL || stat(path, &sb) != 0 || (sb.st_mode & 022) == 0)
        return true;
    char fix[4200];
    snprintf(fix, sizeof fix, "chmod go-w %s", path);
    doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_CONFIG, "configuration", fix,
                "%s can be changed by other users (mode %04o): they could point the module at "
                "another service",
                path, (unsigned)(sb.st_mode & 07777));
    return false;
}

/* "system file /etc/rssp-pkcs11.conf + user file ~/…", and the secrets from the keyring. */
static void describe_sources(const rssp_config_files *files, const rssp_config *c, char *out,
                             size_t len)
{
    size_t used = 0;
    if (files->file != NULL) {
        used = (size_t)snprintf(out, len, "%s", files->file);
    } else {
        if (files->system != NULL)
            used = (size_t)snprintf(out, len, "system file %s", files->system);
        if (files->user != NULL && used < len)
            used += (size_t)snprintf(out + used, len - used, "%suser file %s",
                                     used > 0 ? " + " : "", files->user);
    }
    rssp_config_origin o;
    bool first = true;
    for (size_t i = 0; rssp_config_origin_at(c, i, &o) == 0 && used < len; i++) {
        size_t n = strlen(o.key);
        if (o.source == RSSP_CFG_FROM_DEFAULT || n < 8 || strcmp(o.key + n - 8, "_keyring") != 0)
            continue;
        used +=
            (size_t)snprintf(out + used, len - used, "%s[%s] %.*s",
                             first ? "; from the keyring: " : ", ", o.section, (int)(n - 8), o.key);
        first = false;
    }
}

static bool check_config(tool_ctx *ctx, doctor_report *r)
{
    char err[1024];
    rssp_config_files files;
    memset(&files, 0, sizeof files);
    if (ctx->config_path != NULL) {
        files.file = strdup(ctx->config_path);
    } else if (rssp_config_locate(NULL, &files, err, sizeof err) != 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_CONFIG, "configuration",
                    "write ~/.config/rssp-pkcs11/rssp-pkcs11.conf (docs/configuration.md), or "
                    "name a file with -c FILE",
                    "%s", err);
        return false;
    }
    bool ok = false;
    if (!check_file_mode(r, files.file) || !check_file_mode(r, files.system) ||
        !check_file_mode(r, files.user)) {
        ok = false;
    } else if ((files.file != NULL
                    ? rssp_config_load(files.file, &ctx->cfg, err, sizeof err)
                    : rssp_config_load_files(&files, &ctx->cfg, err, sizeof err)) != 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_CONFIG, "configuration",
                    "correct it as the message says (docs/configuration.md)", "%s", err);
    } else {
        ctx->have_cfg = true;
        const rssp_config *c = &ctx->cfg;
        char sources[2048];
        describe_sources(&files, c, sources, sizeof sources);
        doctor_line(r, DOCTOR_PASS, 0, "configuration", NULL,
                    "%s: service %s, relying party %s, %s%s", sources, c->url,
                    c->rp_name != NULL ? c->rp_name : "-",
                    c->username != NULL ? "account " : "no account (relying-party agreement)",
                    c->username != NULL ? c->username : "");
        ok = true;
    }
    rssp_config_files_clear(&files);
    return ok;
}

/* DNS, TCP and TLS, each on its own; true when all passed. */
static bool check_network(tool_ctx *ctx, doctor_report *r)
{
    const rssp_config *c = &ctx->cfg;
    char detail[1024];
    doctor_endpoint ep;
    if (doctor_endpoint_parse(c->url, &ep, detail, sizeof detail) != 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_CONFIG, check_names[C_DNS], NULL, "%s", detail);
        skip_from(r, C_TCP, "DNS");
        return false;
    }
    bool ok = false;
    if (doctor_resolve(&ep, detail, sizeof detail) != 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_TRANSPORT, check_names[C_DNS],
                    "check the host name in url, and this computer's network and DNS", "%s",
                    detail);
        skip_from(r, C_TCP, "DNS");
    } else {
        doctor_line(r, DOCTOR_PASS, 0, check_names[C_DNS], NULL, "%s", detail);
        long timeout = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : 5000;
        if (doctor_connect(&ep, timeout, detail, sizeof detail) != 0) {
            doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_TRANSPORT, check_names[C_TCP],
                        "is the service up, and the port in url right? A firewall or a proxy "
                        "may be in the way",
                        "%s", detail);
            skip_from(r, C_TLS, "TCP");
        } else {
            doctor_line(r, DOCTOR_PASS, 0, check_names[C_TCP], NULL, "%s", detail);
            char fix[512];
            if (!ep.https) {
                doctor_line(r, DOCTOR_PASS, 0, check_names[C_TLS], NULL,
                            "not used: plain HTTP, allowed only to this machine");
                ok = true;
            } else if (doctor_tls(&ep, c->ca_file, timeout, detail, sizeof detail, fix,
                                  sizeof fix) != 0) {
                doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_TRANSPORT, check_names[C_TLS],
                            fix[0] != '\0' ? fix : NULL, "%s", detail);
                skip_from(r, C_SERVICE, "TLS");
            } else {
                doctor_line(r, DOCTOR_PASS, 0, check_names[C_TLS], NULL, "%s", detail);
                ok = true;
            }
        }
    }
    doctor_endpoint_clear(&ep);
    return ok;
}

/* A failed call's line; the fix depends on what the service said. */
static void call_failed(doctor_report *r, int check, rssp_err err, const rssp_status *st,
                        const char *refused_fix)
{
    if (err == RSSP_ERR_SERVICE) {
        char left[64] = "";
        if (st->remaining_counter >= 0)
            snprintf(left, sizeof left, "; %d attempt(s) left", st->remaining_counter);
        else if (st->temporary_lock_time >= 0)
            snprintf(left, sizeof left, "; locked for %d s", st->temporary_lock_time);
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_REFUSED, check_names[check], refused_fix,
                    "refused: code %d, \"%s\"%s", st->response_code, st->message, left);
    } else {
        doctor_line(r, DOCTOR_FAIL, err == RSSP_ERR_CONFIG ? TOOL_EXIT_CONFIG : TOOL_EXIT_TRANSPORT,
                    check_names[check], NULL, "%s: %s", rssp_err_name(err), st->message);
    }
}

/* The relying party alone (SSL2 or App-Authentication, no account). */
static bool check_rp_login(tool_ctx *ctx, doctor_report *r)
{
    rssp_client_config cc;
    rssp_config_client(&ctx->cfg, &cc);
    cc.user_type = NULL;
    cc.username = NULL;
    cc.password = NULL;
    cc.remember_me = false;
    rssp_client *rp = NULL;
    rssp_status st;
    rssp_err err = rssp_client_new(&cc, &rp, &st);
    if (err == RSSP_OK) {
        tool_observe(ctx, rp);
        err = rssp_login(rp, &st);
    }
    if (err != RSSP_OK) {
        call_failed(r, C_RP, err, &st,
                    "the [relying_party] settings (name, auth, username, password, signature, "
                    "key, api key) must be those your provider issued to your organisation");
    } else {
        doctor_line(r, DOCTOR_PASS, 0, check_names[C_RP], NULL, "%s accepted (%s)",
                    ctx->cfg.rp_name,
                    ctx->cfg.rp_auth == RSSP_RP_AUTH_APPSIGN ? "App-Authentication" : "SSL2");
        rssp_status ignored;
        rssp_logout(rp, &ignored);
    }
    rssp_client_free(rp);
    return err == RSSP_OK;
}

static bool check_account_login(tool_ctx *ctx, doctor_report *r)
{
    rssp_status st;
    rssp_err err = rssp_login(ctx->client, &st);
    if (err == RSSP_OK) {
        if (ctx->cfg.username != NULL)
            doctor_line(r, DOCTOR_PASS, 0, check_names[C_ACCOUNT], NULL, "logged in as %s",
                        ctx->cfg.username);
        else
            doctor_line(r, DOCTOR_PASS, 0, check_names[C_ACCOUNT], NULL,
                        "no account: the relying party's agreement %s",
                        ctx->cfg.agreement_uuid != NULL ? ctx->cfg.agreement_uuid : "-");
        return true;
    }
    const char *fix = "check [account] (user_type, username, password)";
    if (err == RSSP_ERR_SERVICE && st.response_code == 3000)
        fix = "the account password is wrong: correct password_file (or the keyring entry)";
    else if (err == RSSP_ERR_SERVICE && st.response_code == 3002)
        fix = "too many wrong passwords: wait until the lock ends, then correct the password";
    else if (err == RSSP_ERR_SERVICE && st.response_code == 3003)
        fix = "the service knows no such account: check username and user_type in [account]";
    call_failed(r, C_ACCOUNT, err, &st, fix);
    return false;
}

static void check_credentials(tool_ctx *ctx, doctor_report *r, rssp_credential_list *live,
                              bool *have_live)
{
    rssp_list_request req = {.certificate_info = true, .certificates = RSSP_CERTS_CHAIN};
    rssp_status st;
    rssp_err err = rssp_credentials_list(ctx->client, &req, live, &st);
    if (err != RSSP_OK) {
        call_failed(r, C_LIST, err, &st, NULL);
        skip_from(r, C_CERTS, "the credential list");
        return;
    }
    *have_live = true;
    if (live->count == 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_REFUSED, check_names[C_LIST],
                    "ask your provider to issue a certificate to this account",
                    "the account has no credential: there is nothing to sign with");
        skip_from(r, C_CERTS, "a credential");
        return;
    }
    char ids[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < live->count && used < sizeof ids; i++)
        used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%s", i > 0 ? ", " : "",
                                 live->items[i].credential_id ? live->items[i].credential_id : "?");
    doctor_line(r, DOCTOR_PASS, 0, check_names[C_LIST], NULL, "%zu: %s", live->count, ids);

    time_t now = time(NULL);
    for (size_t i = 0; i < live->count; i++) {
        const rssp_credential *cred = &live->items[i];
        char what[160], detail[1024], fix[256];
        snprintf(what, sizeof what, "certificate %s",
                 cred->credential_id != NULL ? cred->credential_id : "?");
        bool ok = doctor_check_certificate(cred, now, detail, sizeof detail, fix, sizeof fix);
        doctor_line(r, ok ? DOCTOR_PASS : DOCTOR_FAIL, TOOL_EXIT_VERIFY, what, ok ? NULL : fix,
                    "%s", detail);
    }
}

int cmd_doctor(tool_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        TOOL_COMMON_LONG_OPTIONS,
        {"module", required_argument, NULL, OPT_MODULE},
        {"name", required_argument, NULL, OPT_NAME},
        {"ascii", no_argument, NULL, OPT_ASCII},
        {NULL, 0, NULL, 0},
    };
    const char *module = NULL, *name = "RSSP remote signing";
    bool ascii = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, TOOL_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
        if (c == OPT_MODULE) {
            module = optarg;
        } else if (c == OPT_NAME) {
            name = optarg;
        } else if (c == OPT_ASCII) {
            ascii = true;
        } else {
            int rc = tool_common_option(ctx, c, optarg, doctor_usage);
            if (rc != TOOL_CONTINUE)
                return rc;
        }
    }
    if (optind != argc)
        return tool_usage_error(argv[0], "takes no operands");

    doctor_report r;
    doctor_report_init(&r, stdout, !ascii && doctor_locale_is_utf8());
    rssp_credential_list live = {0};
    bool have_live = false;
    if (!check_config(ctx, &r)) {
        skip_from(&r, C_DNS, "the configuration");
        doctor_skip(&r, "cache", "the configuration");
    } else {
        if (check_network(ctx, &r)) {
            rssp_info_result info;
            rssp_status st;
            int rc = tool_connect(ctx);
            rssp_err err = rc == TOOL_EXIT_OK ? rssp_info(ctx->client, &info, &st) : RSSP_ERR_ARGS;
            if (rc != TOOL_EXIT_OK) {
                doctor_line(&r, DOCTOR_FAIL, rc, check_names[C_SERVICE], NULL,
                            "cannot set up the client (see above)");
                skip_from(&r, C_RP, "the service");
            } else if (err != RSSP_OK) {
                call_failed(&r, C_SERVICE, err, &st, NULL);
                skip_from(&r, C_RP, "the service");
            } else {
                doctor_line(&r, DOCTOR_PASS, 0, check_names[C_SERVICE], NULL, "%s %s answers at %s",
                            info.name ? info.name : "?", info.version ? info.version : "?",
                            ctx->cfg.url);
                if (!check_rp_login(ctx, &r))
                    skip_from(&r, C_ACCOUNT, "the relying-party login");
                else if (!check_account_login(ctx, &r))
                    skip_from(&r, C_LIST, "the account login");
                else
                    check_credentials(ctx, &r, &live, &have_live);
            }
            if (rc == TOOL_EXIT_OK)
                rssp_info_result_clear(&info);
        }
        doctor_check_cache(&r, &ctx->cfg, have_live ? &live : NULL);
    }
    rssp_credential_list_clear(&live);

    char *default_module = module == NULL ? tool_default_module_path() : NULL;
    doctor_check_places(&r,
                        module != NULL           ? module
                        : default_module != NULL ? default_module
                                                 : "",
                        name);
    free(default_module);

    if (r.failures == 0)
        printf("\nall checks passed\n");
    else
        printf("\n%u check(s) failed, %u skipped (exit code %d)\n", r.failures, r.skipped,
               r.exit_code);
    return r.exit_code;
}
