/* rssp-tool: talk to an RSSP by hand (docs/tool.md). Dispatches to cmd_*.c. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tool/cmd_appsign.h"
#include "tool/cmd_doctor.h"
#include "tool/cmd_register.h"
#include "tool/cmd_service.h"
#include "tool/cmd_setup.h"
#include "tool/cmd_sign.h"
#include "tool/tool.h"

typedef struct {
    const char *name;
    int (*run)(tool_ctx *ctx, int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
#ifndef _WIN32 /* the keyring, NSS databases and Linux places: docs/windows.md */
    {"setup", cmd_setup, "first run: your account, password into the keyring, a login check"},
#endif
    {"info", cmd_info, "show the service description"},
    {"login", cmd_login, "check that the configured relying party and account can log in"},
    {"list", cmd_list, "list the credentials"},
    {"cert", cmd_cert, "print a credential's certificate chain (PEM)"},
    {"authorize", cmd_authorize, "authorize a credential (PIN, OTP or phone) and report"},
    {"sign", cmd_sign, "sign a file's hash with a credential"},
    {"revoke", cmd_revoke, "log in and revoke the tokens (log out)"},
    {"appsign", cmd_appsign, "make or verify an App-Authentication sign"},
#ifndef _WIN32
    {"register", cmd_register, "add the module to Firefox, Thunderbird, Chromium or an NSS db"},
    {"unregister", cmd_unregister, "remove the module from their NSS databases"},
    {"doctor", cmd_doctor, "check the configuration, the service, the certificates and more"},
#endif
};

static void usage(FILE *f)
{
    fputs("Usage: rssp-tool [-c FILE] [-v] COMMAND [OPTIONS] [ARGS]\n"
          "Talk to a remote signing service (RSSP) by hand.\n"
          "\nCommands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n" TOOL_COMMON_HELP "      --version      print the version\n"
          "\n'rssp-tool COMMAND --help' describes a command. Exit codes: 0 ok, 1 usage,\n"
          "2 configuration, 3 transport, 4 refused by the service, 5 verification failed,\n"
          "6 internal error, 7 an NSS database was not changed (docs/tool.md).\n",
          f);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        TOOL_COMMON_LONG_OPTIONS,
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    tool_ctx ctx;
    int c;

    memset(&ctx, 0, sizeof ctx);
    /* '+': stop at the command; its options are parsed by the command. */
    while ((c = getopt_long(argc, argv, "+" TOOL_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            ctx.config_path = optarg;
            break;
        case 'v':
            ctx.verbose = true;
            break;
        case 'h':
            usage(stdout);
            return TOOL_EXIT_OK;
        case 'V':
            printf("rssp-tool %s\n", RSSP_VERSION);
            return TOOL_EXIT_OK;
        default:
            usage(stderr);
            return TOOL_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *name = argv[optind];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            int rc = commands[i].run(&ctx, argc - optind, argv + optind);
            tool_finish(&ctx);
            return rc;
        }
    }
    fprintf(stderr, "rssp-tool: unknown command '%s'\n", name);
    usage(stderr);
    return TOOL_EXIT_USAGE;
}
