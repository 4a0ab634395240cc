#include "emulator/serve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "common/secmem.h"
#include "emulator/approvals.h"
#include "emulator/confwrite.h"
#include "emulator/faults.h"
#include "emulator/fsutil.h"
#include "emulator/hsm.h"
#include "emulator/httpauth.h"
#include "emulator/outbox.h"
#include "emulator/server.h"
#include "emulator/sessions.h"

#define TOKEN_LABEL "rssp-emulator"
#define ERRLEN 512

typedef struct {
    emu_ctx ctx;
    char *cert_pem, *key_pem;
    char err[ERRLEN];
} serve_env;

static int read_in(const char *dir, const char *rel, char **out, serve_env *e)
{
    char *path = emu_path_join(dir, rel);
    int rc = path == NULL ? -1 : emu_read_file(path, 1 << 20, out, NULL);
    if (rc != 0)
        snprintf(e->err, sizeof(e->err), "cannot read %s/%s: %s", dir, rel, strerror(errno));
    free(path);
    return rc;
}

static int open_hsm(const emu_serve_options *o, serve_env *e)
{
    emu_ctx *ctx = &e->ctx;
    char *pin = NULL, *conf = emu_path_join(o->dir, "softhsm2.conf");
    int rc = -1;
    if (conf == NULL || read_in(o->dir, "secrets/hsm-user-pin", &pin, e) != 0)
        goto out;
    if (emu_hsm_open(o->hsm_module, conf, &ctx->hsm, e->err, sizeof(e->err)) != 0 ||
        emu_hsm_login(ctx->hsm, TOKEN_LABEL, pin, e->err, sizeof(e->err)) != 0)
        goto out;
    for (size_t i = 0; i < ctx->st->n_credentials; i++) {
        emu_credential *c = &ctx->st->credentials[i];
        if (emu_hsm_find_key(ctx->hsm, c->id, &c->hsm_key, e->err, sizeof(e->err)) != 0)
            goto out;
    }
    rc = 0;
out:
    rssp_str_free_secret(pin);
    free(conf);
    return rc;
}

static int setup(const emu_serve_options *o, serve_env *e)
{
    emu_ctx *ctx = &e->ctx;
    char *outbox = emu_path_join(o->dir, "outbox");
    int rc = -1;
    ctx->rules = o->rules;
    ctx->protocol = o->protocol;
    if (emu_state_load(o->dir, &ctx->st, e->err, sizeof(e->err)) != 0 || open_hsm(o, e) != 0)
        goto out;
    ctx->sessions = emu_sessions_new();
    ctx->approvals = emu_approvals_new(o->rules.auto_approve_ms);
    ctx->outbox = outbox == NULL ? NULL : emu_outbox_new(outbox);
    ctx->faults = emu_faults_new();
    if (ctx->sessions == NULL || ctx->approvals == NULL || ctx->outbox == NULL ||
        ctx->faults == NULL) {
        snprintf(e->err, sizeof(e->err), "out of memory");
        goto out;
    }
    for (size_t i = 0; i < o->n_faults; i++) {
        char *method = NULL;
        emu_fault f;
        if (emu_faults_parse_spec(o->faults[i], &method, &f, e->err, sizeof(e->err)) != 0)
            goto out;
        int set = emu_faults_set(ctx->faults, method, &f);
        free(method);
        if (set != 0) {
            snprintf(e->err, sizeof(e->err), "out of memory");
            goto out;
        }
    }
    if (rssp_appsign_verifier_new(emu_appsign_lookup, ctx->st, NULL, &ctx->appsign) !=
        RSSP_APPSIGN_OK) {
        snprintf(e->err, sizeof(e->err), "cannot create the App-Authentication verifier");
        goto out;
    }
    if (read_in(o->dir, "tls/server-cert.pem", &e->cert_pem, e) != 0 ||
        read_in(o->dir, "tls/server-key.pem", &e->key_pem, e) != 0)
        goto out;
    rc = 0;
out:
    free(outbox);
    return rc;
}

static void teardown(serve_env *e)
{
    emu_ctx *ctx = &e->ctx;
    rssp_appsign_verifier_free(ctx->appsign);
    emu_faults_free(ctx->faults);
    emu_outbox_free(ctx->outbox);
    emu_approvals_free(ctx->approvals);
    emu_sessions_free(ctx->sessions);
    emu_hsm_close(ctx->hsm);
    emu_state_free(ctx->st);
    free(e->cert_pem);
    rssp_str_free_secret(e->key_pem);
}

/* Tell the world where we listen: stdout, DIR/url, the generated configurations. */
static int publish(const emu_serve_options *o, unsigned port, serve_env *e)
{
    char url[128];
    bool v6 = strchr(o->listen, ':') != NULL;
    snprintf(url, sizeof(url), "https://%s%s%s:%u%s", v6 ? "[" : "", o->listen, v6 ? "]" : "", port,
             emu_protocol_prefix(o->protocol));
    snprintf(e->ctx.base_url, sizeof(e->ctx.base_url), "%s", url);
    if (emu_conf_set_url(o->dir,
                         o->protocol == EMU_PROTO_RSSP ? NULL : emu_protocol_name(o->protocol), url,
                         e->err, sizeof(e->err)) != 0)
        return -1;
    char line[140];
    snprintf(line, sizeof(line), "%s\n", url);
    char *path = emu_path_join(o->dir, "url");
    int rc = path == NULL ? -1 : emu_write_atomic(path, line, strlen(line), 0644);
    if (rc != 0)
        snprintf(e->err, sizeof(e->err), "cannot write %s/url: %s", o->dir, strerror(errno));
    free(path);
    if (rc == 0) {
        fputs(line, stdout);
        fflush(stdout);
    }
    return rc;
}

static void remove_in(const char *dir, const char *rel)
{
    char *path = emu_path_join(dir, rel);
    if (path != NULL)
        unlink(path);
    free(path);
}

/* Mark the folder as served, so that it is never used as an init template. */
static int mark_served(const char *dir, serve_env *e)
{
    char *path = emu_path_join(dir, "served");
    int rc = path == NULL ? -1 : emu_write_atomic(path, "", 0, 0600);
    if (rc != 0)
        snprintf(e->err, sizeof(e->err), "cannot write %s/served: %s", dir, strerror(errno));
    free(path);
    return rc;
}

int emu_serve(const emu_serve_options *o)
{
    serve_env e;
    emu_server *server = NULL;
    unsigned port = 0;
    sigset_t stop;
    int sig = 0, rc = 1;
    memset(&e, 0, sizeof(e));

    if (o->log_level != NULL) {
        int level = rssp_log_level_parse(o->log_level);
        if (level < 0) {
            fprintf(stderr, "rssp-emulator serve: unknown log level '%s'\n", o->log_level);
            return 1;
        }
        if (rssp_log_open((rssp_log_level)level, o->log_file) != 0)
            fprintf(stderr, "rssp-emulator serve: cannot open log file %s\n", o->log_file);
    }
    /* A stale url file would send a waiting test to a port that is gone. */
    remove_in(o->dir, "url");
    /* Signals are taken by sigwait below; every thread started from here blocks them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (setup(o, &e) != 0 || mark_served(o->dir, &e) != 0)
        goto out;
    emu_server_config sc = {o->listen, o->port, o->max_connections, e.cert_pem, e.key_pem};
    if (emu_server_start(&e.ctx, &sc, &server, &port, e.err, sizeof(e.err)) != 0 ||
        publish(o, port, &e) != 0)
        goto out;
    rssp_info_log("emulator: serving %s on port %u", o->dir, port);
    if (sigwait(&stop, &sig) != 0)
        goto out;
    rssp_info_log("emulator: signal %d, stopping", sig);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "rssp-emulator serve: %s\n", e.err[0] != '\0' ? e.err : "failed");
    if (e.ctx.approvals != NULL)
        emu_approvals_shutdown(e.ctx.approvals); /* held IMPLICIT requests answer now */
    emu_server_stop(server);
    if (e.ctx.st != NULL && emu_state_save(e.ctx.st) != 0 && rc == 0) {
        fprintf(stderr, "rssp-emulator serve: cannot save the state\n");
        rc = 1;
    }
    remove_in(o->dir, "url");
    teardown(&e);
    rssp_log_close();
    return rc;
}
