#include "tool/tool.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "config/config_values.h"

/* Held while one message is written to stderr: lines of concurrent calls must not interleave. */
static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER;

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "rssp-tool %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'rssp-tool %s --help'.\n", cmd);
    return TOOL_EXIT_USAGE;
}

int tool_common_option(tool_ctx *ctx, int opt, const char *arg, const char *usage)
{
    switch (opt) {
    case 'c':
        ctx->config_path = arg;
        return TOOL_CONTINUE;
    case 'v':
        ctx->verbose = true;
        return TOOL_CONTINUE;
    case 'h':
        fputs(usage, stdout);
        return TOOL_EXIT_OK;
    default:
        /* getopt_long has already said what was wrong. */
        fprintf(stderr, "%s", usage);
        return TOOL_EXIT_USAGE;
    }
}

int tool_parse_long_option(const char *cmd, const char *name, const char *arg, long min, long max,
                           long *out)
{
    if (rssp_cfg_parse_long(arg, min, max, out) != 0)
        return tool_usage_error(cmd, "%s needs a whole number from %ld to %ld, not '%s'", name, min,
                                max, arg);
    return TOOL_CONTINUE;
}

int tool_load_config(tool_ctx *ctx)
{
    char err[1024];

    if (ctx->have_cfg)
        return TOOL_EXIT_OK;
    /* --config names the whole configuration; else the module's search and layers. */
    int rc = ctx->config_path != NULL
                 ? rssp_config_load(ctx->config_path, &ctx->cfg, err, sizeof err)
                 : rssp_config_load_default(NULL, &ctx->cfg, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "rssp-tool: %s\n", err);
        return TOOL_EXIT_CONFIG;
    }
    ctx->have_cfg = true;
    if (rssp_log_open((rssp_log_level)ctx->cfg.log_level, ctx->cfg.log_file) != 0)
        fprintf(stderr, "rssp-tool: cannot open log file '%s'; logging to stderr\n",
                ctx->cfg.log_file);
    return TOOL_EXIT_OK;
}

/* -v: one line per RSSP call. The status never holds a secret (status.h). */
static void log_call(void *unused, const char *method, long duration_ms, const rssp_status *st)
{
    (void)unused;
    char line[512];
    int n = snprintf(line, sizeof line, "method=%s ms=%ld code=%d bill=%s", method, duration_ms,
                     st->response_code, st->bill_code[0] != '\0' ? st->bill_code : "-");
    if (n > 0 && (size_t)n < sizeof line && st->err != RSSP_OK && st->err != RSSP_ERR_SERVICE)
        snprintf(line + n, sizeof line - (size_t)n, " error=\"%s\"", rssp_err_name(st->err));
    pthread_mutex_lock(&stderr_lock);
    tool_print_untrusted(stderr, line);
    fputc('\n', stderr);
    pthread_mutex_unlock(&stderr_lock);
}

int tool_connect(tool_ctx *ctx)
{
    int rc = tool_load_config(ctx);
    if (rc != TOOL_EXIT_OK)
        return rc;
    rssp_client_config cc;
    rssp_status st;
    rssp_config_client(&ctx->cfg, &cc);
    rssp_err err = rssp_client_new(&cc, &ctx->client, &st);
    if (err != RSSP_OK)
        return tool_report("client set-up", err, &st);
    tool_observe(ctx, ctx->client);
    return TOOL_EXIT_OK;
}

void tool_observe(tool_ctx *ctx, rssp_client *c)
{
    if (ctx->verbose)
        rssp_client_set_observer(c, log_call, NULL);
}

void tool_finish(tool_ctx *ctx)
{
    if (ctx->client != NULL) {
        /*
         * The tool keeps no tokens between runs: revoke what this run
         * obtained, within revoke_budget_ms (a stalled service must not
         * hold the terminal for a whole call time-out).
         */
        if (rssp_logged_in(ctx->client)) {
            rssp_status st;
            rssp_err err = rssp_revoke_all(ctx->client, NULL, 0, true, &st);
            if (err != RSSP_OK) {
                fprintf(stderr, "rssp-tool: warning: could not log out: ");
                tool_print_untrusted(stderr, st.message);
                fputc('\n', stderr);
            }
        }
        rssp_client_free(ctx->client);
        ctx->client = NULL;
    }
    if (ctx->have_cfg) {
        rssp_config_clear(&ctx->cfg);
        ctx->have_cfg = false;
    }
    rssp_log_close();
}

void tool_print_untrusted(FILE *f, const char *s)
{
    if (s == NULL)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

int tool_report(const char *what, rssp_err err, const rssp_status *st)
{
    pthread_mutex_lock(&stderr_lock);
    fprintf(stderr, "rssp-tool: %s: ", what);
    int code;
    if (err == RSSP_ERR_SERVICE) {
        fprintf(stderr, "the service refused: code %d, \"", st->response_code);
        tool_print_untrusted(stderr, st->message);
        fputc('"', stderr);
        if (st->remaining_counter >= 0)
            fprintf(stderr, "; %d attempt(s) left", st->remaining_counter);
        if (st->temporary_lock_time >= 0)
            fprintf(stderr, "; locked for %d s", st->temporary_lock_time);
        code = TOOL_EXIT_REFUSED;
    } else {
        fprintf(stderr, "%s: ", rssp_err_name(err));
        tool_print_untrusted(stderr, st->message);
        if (st->http_status != 0)
            fprintf(stderr, " (HTTP %ld)", st->http_status);
        switch (err) {
        case RSSP_ERR_CONFIG:
            code = TOOL_EXIT_CONFIG;
            break;
        case RSSP_ERR_TRANSPORT:
        case RSSP_ERR_PROTOCOL:
            code = TOOL_EXIT_TRANSPORT;
            break;
        default:
            code = TOOL_EXIT_INTERNAL;
            break;
        }
    }
    if (st->bill_code[0] != '\0') {
        fprintf(stderr, " [billCode ");
        tool_print_untrusted(stderr, st->bill_code);
        fputc(']', stderr);
    }
    fputc('\n', stderr);
    pthread_mutex_unlock(&stderr_lock);
    return code;
}
