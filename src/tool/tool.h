/*
 * What rssp-tool's subcommands share: exit codes, the options every
 * subcommand takes, loading the configuration, the client with its -v
 * observer, and reporting failures (docs/tool.md).
 */
#ifndef RSSP_TOOL_H
#define RSSP_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#include "common/attributes.h"
#include "config/config.h"
#include "rssp/client.h"

/* Exit codes (docs/tool.md). */
enum {
    TOOL_EXIT_OK = 0,
    TOOL_EXIT_USAGE = 1,
    TOOL_EXIT_CONFIG = 2,
    TOOL_EXIT_TRANSPORT = 3,
    TOOL_EXIT_REFUSED = 4,
    TOOL_EXIT_VERIFY = 5,
    TOOL_EXIT_INTERNAL = 6,
    TOOL_EXIT_NSSDB = 7, /* register: an NSS database was not changed */
};
/* Returned by tool_common_option when parsing goes on. */
#define TOOL_CONTINUE (-1)

typedef struct {
    const char *config_path; /* --config, NULL = search (config.h) */
    bool verbose;            /* -v: one line per RSSP call on stderr */
    rssp_config cfg;
    bool have_cfg;
    rssp_client *client;
} tool_ctx;

/* Long options every subcommand accepts, and their short forms. */
/* clang-format off */
#define TOOL_COMMON_LONG_OPTIONS                  \
    {"config", required_argument, NULL, 'c'},     \
    {"verbose", no_argument, NULL, 'v'},          \
    {"help", no_argument, NULL, 'h'}
/* clang-format on */
#define TOOL_COMMON_SHORT_OPTIONS "c:vh"
/* Text for the common options in a subcommand's --help. */
#define TOOL_COMMON_HELP                                                                           \
    "  -c, --config FILE  configuration file (default: see docs/configuration.md)\n"               \
    "  -v, --verbose      log each RSSP call (method, duration, responseCode, billCode)\n"         \
    "  -h, --help         this help\n"

/*
 * Handle a getopt_long result for a common option (or '?'). usage is the
 * subcommand's help text. Returns TOOL_CONTINUE when parsing goes on, else
 * the exit code to end with (0 after --help).
 */
int tool_common_option(tool_ctx *ctx, int opt, const char *arg, const char *usage);

/* Print "Try 'rssp-tool CMD --help'." after a usage error; returns TOOL_EXIT_USAGE. */
int tool_usage_error(const char *cmd, const char *fmt, ...) RSSP_PRINTF_LIKE(2, 3);

/* Load the configuration (--config or the search) and open its log. */
int tool_load_config(tool_ctx *ctx);
/* Load the configuration and create the client (with the -v observer). */
int tool_connect(tool_ctx *ctx);
/* With -v, log client c's calls like the main client's. */
void tool_observe(tool_ctx *ctx, rssp_client *c);
/* Log out if logged in, free the client and the configuration. */
void tool_finish(tool_ctx *ctx);

/* The exit code for a failed client call; reports it on stderr. */
int tool_report(const char *what, rssp_err err, const rssp_status *st);

/* Write text from the service with control characters replaced by '?'. */
void tool_print_untrusted(FILE *f, const char *s);

/* Parse a whole number in [min, max] given to option name; usage error otherwise. */
int tool_parse_long_option(const char *cmd, const char *name, const char *arg, long min, long max,
                           long *out);

#endif
