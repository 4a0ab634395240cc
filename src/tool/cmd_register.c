#include "tool/cmd_register.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool/nss_moddb.h"
#include "tool/nss_targets.h"
#include "tool/paths.h"

#define DEFAULT_MODULE_NAME "RSSP remote signing"

enum { OPT_MODULE = 256, OPT_NAME };

static const char register_usage[] =
    "Usage: rssp-tool register [OPTIONS] firefox|thunderbird|chromium\n"
    "       rssp-tool register [OPTIONS] nss-db DIR\n"
    "Add the module to every NSS database of the program for the current user:\n"
    "  firefox      each profile of ~/.mozilla/firefox/profiles.ini\n"
    "  thunderbird  each profile of ~/.thunderbird/profiles.ini\n"
    "  chromium     ~/.pki/nssdb (Chromium and Google Chrome; made if missing)\n"
    "  nss-db DIR   the NSS database in DIR\n"
    "The module's certificates are registered as public (NSS's publicCerts or\n"
    "FRIENDLY flag), so the program asks for a PIN only for the certificate a\n"
    "person picks. Registering again leaves one entry. Close the program first:\n"
    "a profile in use is not touched.\n"
    "\n"
    "      --module PATH  the module to register (default: the installed one,\n"
    "                     <libdir>/pkcs11/rssp-pkcs11.so)\n"
    "      --name NAME    the name programs show (default \"" DEFAULT_MODULE_NAME
    "\")\n" TOOL_COMMON_HELP;

static const char unregister_usage[] =
    "Usage: rssp-tool unregister [OPTIONS] firefox|thunderbird|chromium\n"
    "       rssp-tool unregister [OPTIONS] nss-db DIR\n"
    "Remove the module from every NSS database of the program (see 'rssp-tool\n"
    "register --help'): every entry with the name, with the module's path, or\n"
    "whose library file is called rssp-pkcs11.so. Close the program first.\n"
    "\n"
    "      --module PATH  the module's path (default: the installed one)\n"
    "      --name NAME    the entry's name (default \"" DEFAULT_MODULE_NAME
    "\")\n" TOOL_COMMON_HELP;

typedef struct {
    bool unregister;
    const char *module;
    const char *name;
    nss_program program;
    const char *dir;
} register_options;

static int parse_options(tool_ctx *ctx, int argc, char **argv, const char *usage,
                         register_options *o)
{
    static const struct option opts[] = {
        TOOL_COMMON_LONG_OPTIONS,
        {"module", required_argument, NULL, OPT_MODULE},
        {"name", required_argument, NULL, OPT_NAME},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, TOOL_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
        if (c == OPT_MODULE) {
            o->module = optarg;
        } else if (c == OPT_NAME) {
            o->name = optarg;
            if (optarg[0] == '\0' || strpbrk(optarg, "\"\n\r") != NULL)
                return tool_usage_error(argv[0], "--name must be a non-empty name without "
                                                 "quotes or line breaks");
        } else {
            int rc = tool_common_option(ctx, c, optarg, usage);
            if (rc != TOOL_CONTINUE)
                return rc;
        }
    }
    if (optind >= argc)
        return tool_usage_error(argv[0], "name the program: firefox, thunderbird, chromium or "
                                         "nss-db DIR");
    if (nss_program_parse(argv[optind], &o->program) != 0)
        return tool_usage_error(argv[0], "unknown program '%s'", argv[optind]);
    int operands = o->program == NSS_PROGRAM_DIR ? 2 : 1;
    if (argc - optind != operands)
        return tool_usage_error(argv[0], o->program == NSS_PROGRAM_DIR
                                             ? "nss-db needs the database folder"
                                             : "too many operands");
    if (o->program == NSS_PROGRAM_DIR)
        o->dir = argv[optind + 1];
    return TOOL_CONTINUE;
}

/* Chromium's database is made when missing, as Chromium itself would. */
static int make_chromium_db(const nss_target *t, char *err, size_t err_len)
{
    char *parent = strdup(t->dir);
    char *slash = parent != NULL ? strrchr(parent, '/') : NULL;
    int rc = 0;
    if (slash == NULL) {
        snprintf(err, err_len, "out of memory");
        rc = -1;
    } else {
        *slash = '\0'; /* ~/.pki */
        if ((mkdir(parent, 0700) != 0 && errno != EEXIST) ||
            (mkdir(t->dir, 0700) != 0 && errno != EEXIST)) {
            snprintf(err, err_len, "cannot make %s: %s", t->dir, strerror(errno));
            rc = -1;
        }
    }
    free(parent);
    return rc;
}

/* Register or unregister in one database. 0 done, -1 refused or failed (reported). */
static int change_one(const register_options *o, const char *module, nss_target *t)
{
    char err[1024], why[PATH_MAX + 128];
    const char *cmd = o->unregister ? "unregister" : "register";

    if (!t->exists && !o->unregister && o->program == NSS_PROGRAM_CHROMIUM) {
        if (make_chromium_db(t, err, sizeof err) != 0) {
            fprintf(stderr, "rssp-tool %s: %s\n", cmd, err);
            return -1;
        }
        t->exists = true;
    }
    if (!t->exists) {
        if (o->unregister || o->program != NSS_PROGRAM_DIR) {
            printf("%s (%s): no such folder; skipped\n", t->label, t->dir);
            return o->program == NSS_PROGRAM_DIR ? -1 : 0;
        }
        fprintf(stderr, "rssp-tool %s: %s: no such folder\n", cmd, t->dir);
        return -1;
    }
    if (nss_target_in_use(o->program, t, why, sizeof why)) {
        const char *title =
            o->program == NSS_PROGRAM_DIR ? "the program using it" : nss_program_title(o->program);
        fprintf(stderr,
                "rssp-tool %s: %s (%s) is in use (%s): close %s and run the command again; "
                "it was not changed\n",
                cmd, t->label, t->dir, why, title);
        return -1;
    }

    if (o->unregister) {
        size_t removed = 0;
        if (nss_moddb_unregister(t->dir, module, o->name, &removed, err, sizeof err) != 0) {
            fprintf(stderr, "rssp-tool unregister: %s\n", err);
            return -1;
        }
        if (removed == 0)
            printf("not registered in %s (%s)\n", t->label, t->dir);
        else
            printf("removed %zu module entr%s from %s (%s)\n", removed, removed == 1 ? "y" : "ies",
                   t->label, t->dir);
        return 0;
    }
    bool changed = false;
    if (nss_moddb_register(t->dir, module, o->name, &changed, err, sizeof err) != 0) {
        fprintf(stderr, "rssp-tool register: %s\n", err);
        return -1;
    }
    printf("%s \"%s\" (%s) in %s (%s)\n", changed ? "registered" : "already registered", o->name,
           module, t->label, t->dir);
    return 0;
}

static int run(tool_ctx *ctx, int argc, char **argv, bool unregister)
{
    register_options o = {.unregister = unregister, .name = DEFAULT_MODULE_NAME};
    const char *usage = unregister ? unregister_usage : register_usage;
    int rc = parse_options(ctx, argc, argv, usage, &o);
    if (rc != TOOL_CONTINUE)
        return rc;

    char err[1024];
    char *module = NULL;
    char *default_module = o.module == NULL ? tool_default_module_path() : NULL;
    const char *wanted = o.module != NULL ? o.module : default_module;
    if (wanted == NULL) {
        fprintf(stderr, "rssp-tool %s: out of memory\n", argv[0]);
        return TOOL_EXIT_INTERNAL;
    }
    if (unregister) {
        /* The module need not be there any more; only its path matters. */
        module = strdup(wanted);
    } else {
        module = tool_check_module(wanted, err, sizeof err);
        if (module == NULL) {
            fprintf(stderr, "rssp-tool register: %s%s\n", err,
                    o.module == NULL ? "; give the module's path with --module PATH" : "");
            free(default_module);
            return TOOL_EXIT_USAGE;
        }
    }
    free(default_module);
    if (module == NULL) {
        fprintf(stderr, "rssp-tool %s: out of memory\n", argv[0]);
        return TOOL_EXIT_INTERNAL;
    }

    nss_target_list targets;
    if (nss_targets_find(o.program, o.dir, &targets, err, sizeof err) != 0) {
        fprintf(stderr, "rssp-tool %s: %s\n", argv[0], err);
        free(module);
        return TOOL_EXIT_NSSDB;
    }
    rc = TOOL_EXIT_OK;
    if (targets.count == 0) {
        if (unregister) {
            printf("%s; nothing to do\n", err);
        } else {
            fprintf(stderr, "rssp-tool register: %s\n", err);
            rc = TOOL_EXIT_NSSDB;
        }
    }
    for (size_t i = 0; i < targets.count; i++) {
        if (change_one(&o, module, &targets.items[i]) != 0)
            rc = TOOL_EXIT_NSSDB;
    }
    nss_target_list_clear(&targets);
    free(module);
    return rc;
}

int cmd_register(tool_ctx *ctx, int argc, char **argv)
{
    return run(ctx, argc, argv, false);
}

int cmd_unregister(tool_ctx *ctx, int argc, char **argv)
{
    return run(ctx, argc, argv, true);
}
