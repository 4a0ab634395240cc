#include "client/call.h"

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "client/dialect.h"
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

static rssp_http_request request_of(const rssp_client *c, const rssp_call_spec *spec,
                                    const char *url, const char *authorization, const char *text,
                                    size_t text_len)
{
    return (rssp_http_request){
        .url = url,
        .body = text,
        .body_len = text_len,
        .content_type = spec->content_type,
        .authorization = authorization,
        .entity_name = spec->entity_name,
        .timeout_ms = spec->timeout_ms > 0 ? spec->timeout_ms : c->timeout_ms,
        .cancel = spec->cancel,
        .replay_safe = spec->read_only,
    };
}

/* After the HTTP exchange: the envelope, then the body (it may hold tokens) is wiped. */
static rssp_err envelope(rssp_client *c, const rssp_call_spec *spec, long long started_ms,
                         rssp_err err, rssp_call_result *res, rssp_status *st)
{
    rssp_envelope_rules rules = spec->rules;
    rules.csc = c->dialect->csc_envelope;
    rules.method = spec->method;
    if (err == RSSP_OK)
        err = rssp_envelope_parse(res->http.body, res->http.body_len, res->http.status, &rules,
                                  &res->root, st);
    if (res->http.body != NULL) {
        OPENSSL_cleanse(res->http.body, res->http.body_len);
        free(res->http.body);
        res->http.body = NULL;
        res->http.body_len = 0;
    }
    observe(c, spec->method, started_ms, st);
    return err;
}

/*
 * Whether to send the request again after this outcome: once a request that
 * provably never left (not when no connection could be made: that would
 * only double the wait), or a read-only one whose kept-alive connection had
 * died; once after logging in again when the token was refused (3005/3006:
 * the service refused before acting).
 */
static bool send_again(rssp_client *c, const rssp_call_spec *spec, rssp_err err,
                       const rssp_status *st, const rssp_http_response *http,
                       unsigned long generation, unsigned long logouts, bool *repeated,
                       bool *relogged)
{
    if (err == RSSP_ERR_TRANSPORT && !*repeated &&
        ((!st->maybe_sent && !http->connect_failed) ||
         (spec->read_only && rssp_http_dead_reused_connection(http)))) {
        *repeated = true;
        return true;
    }
    if (spec->bearer && token_rejected(err, st)) {
        /* A rejected token is never sent again. */
        rssp_session_invalidate(&c->session, generation);
        /* Not after a logout that came while the call was in flight: the 3006 stands. */
        if (spec->relogin && !*relogged && rssp_session_logouts(&c->session) == logouts) {
            *relogged = true;
            return true;
        }
    }
    return false;
}

rssp_err rssp_call_run(rssp_client *c, const rssp_call_spec *spec, const cJSON *body,
                       rssp_call_result *res, rssp_status *st)
{
    memset(res, 0, sizeof *res);
    char *text = NULL;
    size_t text_len = 0;
    rssp_err err = rssp_json_print(body, &text, &text_len, st);
    if (err == RSSP_OK)
        err = rssp_call_run_text(c, spec, text, text_len, res, st);
    rssp_json_text_free(text);
    return err;
}

rssp_err rssp_call_run_text(rssp_client *c, const rssp_call_spec *spec, const char *text,
                            size_t text_len, rssp_call_result *res, rssp_status *st)
{
    memset(res, 0, sizeof *res);
    char *url = spec->url != NULL ? strdup(spec->url) : rssp_method_url(c->base_url, spec->method);
    if (url == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    rssp_err err = RSSP_OK;

    bool relogged = false, repeated = false;
    /* A logout after this point ends the call rather than logging in again. */
    unsigned long logouts = rssp_session_logouts(&c->session);
    for (;;) {
        char *authorization = NULL;
        unsigned long generation = 0;
        rssp_call_result_clear(res);
        if (spec->bearer) {
            err = rssp_session_authorization(c, logouts, &authorization, &generation, st);
            if (err != RSSP_OK)
                break;
        }
        rssp_status_reset(st);
        rssp_http_request rq = request_of(
            c, spec, url, spec->bearer ? authorization : spec->authorization, text, text_len);
        long long started = rssp_monotonic_ms();
        err = rssp_http_post(c->http, &rq, &res->http, st);
        err = envelope(c, spec, started, err, res, st);
        rssp_str_free_secret(authorization);
        if (!send_again(c, spec, err, st, &res->http, generation, logouts, &repeated, &relogged))
            break;
    }
    free(url);
    return err;
}

/* Per item of rssp_call_run_many. */
typedef struct {
    char *url;
    char *text;
    size_t text_len;
    char *authorization;
    unsigned long generation;
    bool relogged, repeated, pending;
} item_state;

void rssp_call_run_many(rssp_client *c, rssp_call_item *items, size_t n, long long deadline_ms)
{
    item_state *s = calloc(n ? n : 1, sizeof *s);
    rssp_http_request *rq = calloc(n ? n : 1, sizeof *rq);
    rssp_http_exchange *xs = calloc(n ? n : 1, sizeof *xs);
    size_t *index = calloc(n ? n : 1, sizeof *index);
    bool nomem = s == NULL || rq == NULL || xs == NULL || index == NULL;
    unsigned long logouts = rssp_session_logouts(&c->session);
    for (size_t i = 0; i < n; i++) {
        rssp_call_item *it = &items[i];
        memset(&it->res, 0, sizeof it->res);
        rssp_status_reset(&it->st);
        it->err = RSSP_OK;
        if (nomem || (s[i].url = rssp_method_url(c->base_url, it->spec->method)) == NULL) {
            it->err = rssp_fail(&it->st, RSSP_ERR_NOMEM, "out of memory");
            continue;
        }
        it->err = rssp_json_print(it->body, &s[i].text, &s[i].text_len, &it->st);
        s[i].pending = it->err == RSSP_OK;
    }
    /* At most three rounds: the first, a repeat, a repeat after a new login. */
    for (int round = 0; !nomem && round < 3; round++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            rssp_call_item *it = &items[i];
            if (!s[i].pending)
                continue;
            rssp_call_result_clear(&it->res);
            if (it->spec->bearer) {
                /* The first item logs in if needed; the others then find the token. */
                it->err = rssp_session_authorization(c, logouts, &s[i].authorization,
                                                     &s[i].generation, &it->st);
                if (it->err != RSSP_OK) {
                    s[i].pending = false;
                    continue;
                }
            }
            rq[m] = request_of(c, it->spec, s[i].url,
                               it->spec->bearer ? s[i].authorization : it->spec->authorization,
                               s[i].text, s[i].text_len);
            xs[m] = (rssp_http_exchange){.rq = &rq[m]};
            index[m++] = i;
        }
        if (m == 0)
            break;
        long long started = rssp_monotonic_ms();
        rssp_http_post_many(c->http, xs, m, deadline_ms);
        for (size_t k = 0; k < m; k++) {
            size_t i = index[k];
            rssp_call_item *it = &items[i];
            it->res.http = xs[k].resp;
            it->st = xs[k].st;
            it->err = envelope(c, it->spec, started, xs[k].err, &it->res, &it->st);
            rssp_str_free_secret(s[i].authorization);
            s[i].authorization = NULL;
            s[i].pending = send_again(c, it->spec, it->err, &it->st, &it->res.http, s[i].generation,
                                      logouts, &s[i].repeated, &s[i].relogged);
        }
    }
    for (size_t i = 0; s != NULL && i < n; i++) {
        rssp_json_text_free(s[i].text);
        free(s[i].url);
    }
    free(s);
    free(rq);
    free(xs);
    free(index);
}
