#include "client/call.h"

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "client/json.h"
#include "client/session.h"
#include "client/status_internal.h"
#include "client/url.h"
#include "common/secmem.h"

void rssp_call_result_clear(rssp_call_result *res)
{
    rssp_json_delete(res->root);
    rssp_http_response_clear(&res->http);
    memset(res, 0, sizeof *res);
}

static void observe(rssp_client *c, const char *method, long long started_ms, const rssp_status *st)
{
    if (c->observer != NULL)
        c->observer(c->observer_ctx, method, (long)(rssp_monotonic_ms() - started_ms), st);
}

static bool token_rejected(rssp_err err, const rssp_status *st)
{
    return err == RSSP_ERR_SERVICE && (st->response_code == RSSP_RC_ACCESS_TOKEN_EXPIRED ||
                                       st->response_code == RSSP_RC_ACCESS_TOKEN_INVALID);
}

/* One HTTP exchange and its envelope. */
static rssp_err exchange(rssp_client *c, const rssp_call_spec *spec, const char *url,
                         const char *authorization, const char *text, size_t text_len,
                         rssp_call_result *res, rssp_status *st)
{
    rssp_http_request rq = {
        .url = url,
        .body = text,
        .body_len = text_len,
        .authorization = authorization,
        .entity_name = spec->entity_name,
        .timeout_ms = spec->timeout_ms > 0 ? spec->timeout_ms : c->timeout_ms,
        .cancel = spec->cancel,
        .replay_safe = spec->read_only,
    };
    long long started = rssp_monotonic_ms();
    rssp_err err = rssp_http_post(c->http, &rq, &res->http, st);
    if (err == RSSP_OK)
        err = rssp_envelope_parse(res->http.body, res->http.body_len, res->http.status,
                                  &spec->rules, &res->root, st);
    /* The body may hold tokens; it is parsed now and no longer needed. */
    if (res->http.body != NULL) {
        OPENSSL_cleanse(res->http.body, res->http.body_len);
        free(res->http.body);
        res->http.body = NULL;
        res->http.body_len = 0;
    }
    observe(c, spec->method, started, st);
    return err;
}

rssp_err rssp_call_run(rssp_client *c, const rssp_call_spec *spec, const cJSON *body,
                       rssp_call_result *res, rssp_status *st)
{
    memset(res, 0, sizeof *res);
    char *text = NULL;
    size_t text_len = 0;
    char *url = rssp_method_url(c->base_url, spec->method);
    if (url == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    rssp_err err = rssp_json_print(body, &text, &text_len, st);
    if (err != RSSP_OK)
        goto out;

    bool relogged = false, repeated = false;
    for (;;) {
        char *authorization = NULL;
        unsigned long generation = 0;
        rssp_call_result_clear(res);
        if (spec->bearer) {
            err = rssp_session_authorization(c, &authorization, &generation, st);
            if (err != RSSP_OK)
                break;
        }
        rssp_status_reset(st);
        err = exchange(c, spec, url, spec->bearer ? authorization : spec->authorization, text,
                       text_len, res, st);
        rssp_secret_free(authorization);

        if (err == RSSP_ERR_TRANSPORT && !repeated &&
            (!st->maybe_sent ||
             (spec->read_only && rssp_http_dead_reused_connection(&res->http)))) {
            repeated = true;
            continue;
        }
        if (spec->bearer && token_rejected(err, st)) {
            /* A rejected token is never sent again; log in again and repeat once. */
            rssp_session_invalidate(&c->session, generation);
            if (spec->relogin && !relogged) {
                relogged = true;
                continue;
            }
        }
        break;
    }
out:
    rssp_json_text_free(text);
    free(url);
    return err;
}
