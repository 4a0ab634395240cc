/*
 * The client over HTTP against a scripted loopback server: headers, keep-alive
 * reuse, relogin once on 3005/3006, refresh-token login with fallback on 3004,
 * proactive renewal, single-flight login, HTTP errors, body size limit,
 * rssp-entity-name handling, no repeat of signHash on a dead connection,
 * cancellation, timeouts, logout, the observer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client_internal.h"
#include "rssp/client.h"
#include "script_server.h"
#include "test_util.h"

/* A small configurable service. Tests change cfg with SET (the handler runs on other threads). */
typedef struct {
    int expires_in;
    bool issue_refresh;
    bool refresh_invalid;
    int login_delay_ms;
    int reject_code;
    int list_status; /* non-zero: answer list with this status and list_body */
    const char *list_body;
    size_t list_padding;
    const char *entity_header; /* extra header line(s) on authorize */
    const char *extend_header;
    int authorize_delay_ms;
    bool singular_sign;
} svc_config;

typedef struct {
    pthread_mutex_t lock;
    svc_config cfg;
    atomic_int logins;
    atomic_int rejects; /* answer this many bearer calls with cfg.reject_code */
    atomic_int drop_list;
    atomic_int drop_sign;
} svc;

#define SET(f, field, value)                                                                       \
    do {                                                                                           \
        pthread_mutex_lock(&(f)->service.lock);                                                    \
        (f)->service.cfg.field = (value);                                                          \
        pthread_mutex_unlock(&(f)->service.lock);                                                  \
    } while (0)

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char *printf_body(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printf_body(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    char *out = malloc((size_t)n + 1);
    assert_non_null(out);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

static void handle(void *ctx, const ts_request *rq, ts_response *resp)
{
    svc *service = ctx;
    pthread_mutex_lock(&service->lock);
    svc_config cfg = service->cfg;
    pthread_mutex_unlock(&service->lock);
    const svc_config *s = &cfg;
    if (ends_with(rq->path, "/auth/login")) {
        resp->delay_ms = s->login_delay_ms;
        if (strncmp(rq->authorization, "Bearer ", 7) == 0 && s->refresh_invalid) {
            resp->body = ts_body("{\"responseCode\":3004,\"responseMessage\":\"refresh token "
                                 "invalid\",\"billCode\":\"B\"}");
            return;
        }
        int n = atomic_fetch_add(&service->logins, 1) + 1;
        if (s->issue_refresh)
            resp->body = printf_body("{\"responseCode\":0,\"billCode\":\"B-%d\",\"accessToken\":"
                                     "\"at-%d\",\"refreshToken\":\"rt-%d\",\"expiresIn\":%d}",
                                     n, n, n, s->expires_in);
        else
            resp->body = printf_body("{\"responseCode\":0,\"billCode\":\"B-%d\",\"accessToken\":"
                                     "\"at-%d\",\"expiresIn\":%d}",
                                     n, n, s->expires_in);
        return;
    }
    if (ends_with(rq->path, "/info")) {
        resp->body = printf_body("{\"version\":\"1.0.0\",\"name\":\"scripted\",\"languages\":"
                                 "[\"EN\"],\"authTypes\":[\"SSL2\"],\"methods\":[\"%s\"]}",
                                 s->singular_sign ? "signature/signHash" : "signatures/signHash");
        return;
    }
    /* every other method needs the current bearer token */
    char expected[64];
    snprintf(expected, sizeof expected, "Bearer at-%d", atomic_load(&service->logins));
    if (strcmp(rq->authorization, expected) != 0 && !ends_with(rq->path, "/auth/revoke")) {
        resp->body = ts_body("{\"responseCode\":3006,\"responseMessage\":\"invalid token\"}");
        return;
    }
    if (atomic_load(&service->rejects) > 0) {
        atomic_fetch_sub(&service->rejects, 1);
        resp->body =
            printf_body("{\"responseCode\":%d,\"responseMessage\":\"token\"}", s->reject_code);
        return;
    }
    if (ends_with(rq->path, "/credentials/list")) {
        if (atomic_load(&service->drop_list) > 0) {
            atomic_fetch_sub(&service->drop_list, 1);
            resp->action = TS_DROP;
            return;
        }
        if (s->list_status != 0) {
            resp->status = s->list_status;
            resp->body = ts_body(s->list_body);
            return;
        }
        char *pad = calloc(1, s->list_padding + 1);
        assert_non_null(pad);
        memset(pad, 'p', s->list_padding);
        resp->body = printf_body("{\"responseCode\":0,\"pad\":\"%s\",\"certificates\":[]}", pad);
        free(pad);
        return;
    }
    if (ends_with(rq->path, "/credentials/authorize")) {
        resp->delay_ms = s->authorize_delay_ms;
        if (s->entity_header != NULL)
            snprintf(resp->extra_headers, sizeof resp->extra_headers, "%s", s->entity_header);
        resp->body = ts_body("{\"responseCode\":0,\"SAD\":\"SAD-1\",\"expiresIn\":300,"
                             "\"remainingCounter\":5}");
        return;
    }
    if (ends_with(rq->path, "/credentials/extendTransaction")) {
        if (s->extend_header != NULL)
            snprintf(resp->extra_headers, sizeof resp->extra_headers, "%s", s->extend_header);
        resp->body = ts_body("{\"responseCode\":0,\"SAD\":\"SAD-2\",\"expiresIn\":200}");
        return;
    }
    if (ends_with(rq->path, "/signHash")) {
        if (atomic_load(&service->drop_sign) > 0) {
            atomic_fetch_sub(&service->drop_sign, 1);
            resp->action = TS_DROP;
            return;
        }
        resp->body = ts_body("{\"responseCode\":0,\"signatures\":[\"AAEC\"],"
                             "\"remainingSigningCounter\":7}");
        return;
    }
    resp->body = ts_body("{\"responseCode\":0,\"responseMessage\":\"Successfully\"}");
}

typedef struct {
    svc service;
    ts_server *server;
    rssp_client_config cfg;
    rssp_client *client;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    pthread_mutex_init(&f->service.lock, NULL);
    f->service.cfg.expires_in = 3600;
    f->service.cfg.reject_code = 3006;
    f->server = ts_start(handle, &f->service);
    f->cfg = (rssp_client_config){
        .base_url = ts_url(f->server),
        .relying_party = "DEMO-RP",
        .rp_username = "rpuser",
        .rp_password = "rppass",
        .rp_signature = "c2ln",
        .rp_key_file = tu_data("rp-key.pem"),
        .username = "alice",
        .password = "secret",
        .timeout_ms = 10000,
    };
    *state = f;
    return 0;
}

/* Create the client from f->cfg (tests adjust cfg first). */
static rssp_client *client(fixture *f)
{
    rssp_status st;
    assert_int_equal(rssp_client_new(&f->cfg, &f->client, &st), RSSP_OK);
    return f->client;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rssp_client_free(f->client);
    ts_stop(f->server);
    pthread_mutex_destroy(&f->service.lock);
    free(f);
    return 0;
}

static void list_ok(rssp_client *c)
{
    rssp_credential_list l;
    rssp_status st;
    rssp_err err = rssp_credentials_list(c, NULL, &l, &st);
    if (err != RSSP_OK)
        print_error("list: %s\n", st.message);
    assert_int_equal(err, RSSP_OK);
    rssp_credential_list_clear(&l);
}

/* Observer: counts calls and checks that no status carries a token. */
typedef struct {
    atomic_int calls;
    atomic_int logins;
    atomic_int leaks;
} observed;

static void observer(void *ctx, const char *method, long duration_ms, const rssp_status *st)
{
    observed *o = ctx;
    atomic_fetch_add(&o->calls, 1);
    if (strcmp(method, "auth/login") == 0)
        atomic_fetch_add(&o->logins, 1);
    if (duration_ms < 0 || strstr(st->message, "at-") != NULL ||
        strstr(st->message, "SAD-") != NULL)
        atomic_fetch_add(&o->leaks, 1);
}

static void test_headers_and_reuse(void **state)
{
    fixture *f = *state;
    rssp_client *c = client(f);
    observed o = {0};
    rssp_client_set_observer(c, observer, &o);
    for (int i = 0; i < 5; i++)
        list_ok(c);
    assert_true(rssp_logged_in(c));

    assert_int_equal(ts_request_count(f->server), 6);
    const ts_request *login = ts_request_at(f->server, 0);
    assert_string_equal(login->path, "/rssp/v1/auth/login");
    assert_int_equal(strncmp(login->authorization, "SSL2 ", 5), 0);
    assert_non_null(strstr(login->authorization, ", Basic VVNFUk5BTUU6YWxpY2U6c2VjcmV0"));
    assert_string_equal(login->content_type, "application/json; charset=UTF-8");
    cJSON *body = tu_json(login->body);
    cJSON *expected =
        tu_json("{\"relyingParty\":\"DEMO-RP\",\"rememberMe\":false,\"language\":\"EN\"}");
    assert_true(cJSON_Compare(body, expected, 1));
    cJSON_Delete(body);
    cJSON_Delete(expected);
    for (size_t i = 1; i < 6; i++) {
        const ts_request *rq = ts_request_at(f->server, i);
        assert_string_equal(rq->path, "/rssp/v1/credentials/list");
        assert_string_equal(rq->authorization, "Bearer at-1");
        assert_string_equal(rq->entity_name, "");
    }
    /* one TCP connection for all six requests */
    assert_int_equal(ts_connections(f->server), 1);
    assert_int_equal(rssp_http_connections(c->http), 1);
    assert_int_equal(atomic_load(&o.calls), 6);
    assert_int_equal(atomic_load(&o.logins), 1);
    assert_int_equal(atomic_load(&o.leaks), 0);
}

static void test_relogin_once(void **state)
{
    fixture *f = *state;
    rssp_client *c = client(f);
    list_ok(c);
    /* the service forgets the token: one relogin, then the call is repeated */
    atomic_store(&f->service.rejects, 1);
    list_ok(c);
    assert_int_equal(atomic_load(&f->service.logins), 2);
    size_t n = ts_request_count(f->server);
    assert_int_equal(n, 5);
    assert_string_equal(ts_request_at(f->server, 2)->authorization, "Bearer at-1");
    assert_true(ends_with(ts_request_at(f->server, 3)->path, "/auth/login"));
    assert_string_equal(ts_request_at(f->server, 4)->authorization, "Bearer at-2");

    /* always rejected: exactly one relogin, then the error comes back */
    SET(f, reject_code, 3005);
    atomic_store(&f->service.rejects, 100);
    rssp_credential_list l;
    rssp_status st;
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3005);
    assert_int_equal(atomic_load(&f->service.logins), 3);
    assert_int_equal(ts_request_count(f->server), n + 3);

    /* other service errors are not retried */
    SET(f, reject_code, 3008);
    atomic_store(&f->service.rejects, 1);
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3008);
    /* the rejected token was dropped: this call logs in first */
    assert_int_equal(ts_request_count(f->server), n + 3 + 2);
}

static void test_refresh_token(void **state)
{
    fixture *f = *state;
    SET(f, issue_refresh, true);
    f->cfg.remember_me = true;
    rssp_client *c = client(f);
    list_ok(c);
    cJSON *body = tu_json(ts_request_at(f->server, 0)->body);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(body, "rememberMe")));
    cJSON_Delete(body);

    /* 3005: log in with the refresh token */
    SET(f, reject_code, 3005);
    atomic_store(&f->service.rejects, 1);
    list_ok(c);
    const ts_request *relogin = ts_request_at(f->server, 3);
    assert_true(ends_with(relogin->path, "/auth/login"));
    assert_string_equal(relogin->authorization, "Bearer rt-1");
    assert_string_equal(ts_request_at(f->server, 4)->authorization, "Bearer at-2");

    /* the refresh token is refused (3004): fall back to SSL2 + Basic */
    SET(f, refresh_invalid, true);
    atomic_store(&f->service.rejects, 1);
    list_ok(c);
    assert_int_equal(ts_request_count(f->server), 9);
    assert_string_equal(ts_request_at(f->server, 6)->authorization, "Bearer rt-2");
    assert_int_equal(strncmp(ts_request_at(f->server, 7)->authorization, "SSL2 ", 5), 0);
    assert_string_equal(ts_request_at(f->server, 8)->authorization, "Bearer at-3");

    /* rssp_login always uses the credentials */
    rssp_status st;
    assert_int_equal(rssp_login(c, &st), RSSP_OK);
    assert_int_equal(strncmp(ts_request_at(f->server, 9)->authorization, "SSL2 ", 5), 0);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_proactive_renewal(void **state)
{
    fixture *f = *state;
    SET(f, expires_in, 1); /* renewal margin: half of it */
    rssp_client *c = client(f);
    list_ok(c);
    list_ok(c);
    assert_int_equal(atomic_load(&f->service.logins), 1);
    sleep_ms(700);
    list_ok(c);
    assert_int_equal(atomic_load(&f->service.logins), 2);
    /* the token was renewed before use, never rejected */
    for (size_t i = 0; i < ts_request_count(f->server); i++)
        assert_true(ends_with(ts_request_at(f->server, i)->path, "/auth/login") ||
                    strcmp(ts_request_at(f->server, i)->authorization, "Bearer at-1") == 0 ||
                    strcmp(ts_request_at(f->server, i)->authorization, "Bearer at-2") == 0);
    sleep_ms(1100);
    assert_false(rssp_logged_in(c)); /* past expiresIn */
}

typedef struct {
    rssp_client *client;
    atomic_int failures;
} thread_arg;

static void *lister(void *p)
{
    thread_arg *a = p;
    for (int i = 0; i < 20; i++) {
        rssp_credential_list l;
        rssp_status st;
        if (rssp_credentials_list(a->client, NULL, &l, &st) != RSSP_OK)
            atomic_fetch_add(&a->failures, 1);
        rssp_credential_list_clear(&l);
    }
    return NULL;
}

static void test_single_flight_login(void **state)
{
    fixture *f = *state;
    SET(f, login_delay_ms, 200);
    rssp_client *c = client(f);
    thread_arg a = {.client = c};
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, lister, &a), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&a.failures), 0);
    assert_int_equal(atomic_load(&f->service.logins), 1);
    assert_int_equal(ts_count_method(f->server, "/credentials/list"), 160);
    /* connections are pooled: at most one per concurrent thread */
    assert_true(ts_connections(f->server) <= 8);
}

static void test_http_errors(void **state)
{
    fixture *f = *state;
    rssp_client *c = client(f);
    list_ok(c);
    rssp_credential_list l;
    rssp_status st;

    SET(f, list_status, 503);
    SET(f, list_body, "busy");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_TRANSPORT);
    assert_int_equal(st.http_status, 503);
    assert_true(st.maybe_sent);
    assert_non_null(strstr(st.message, "503"));
    assert_int_equal(ts_count_method(f->server, "/credentials/list"), 2); /* not repeated */

    SET(f, list_status, 500);
    SET(f, list_body,
        "{\"responseCode\":9000,\"responseMessage\":\"internal\","
        "\"billCode\":\"B-9\"}");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 9000);
    assert_int_equal(st.http_status, 500);
    assert_string_equal(st.bill_code, "B-9");

    SET(f, list_status, 200);
    SET(f, list_body, "{\"responseCode\":0,\"certificates\":");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_PROTOCOL);
    assert_int_equal(l.count, 0);
}

static void test_body_limit(void **state)
{
    fixture *f = *state;
    f->cfg.max_response_bytes = 4096;
    rssp_client *c = client(f);
    /* {"responseCode":0,"pad":"","certificates":[]} is 45 bytes */
    SET(f, list_padding, 4096 - 45);
    list_ok(c);
    SET(f, list_padding, 4096 - 44);
    rssp_credential_list l;
    rssp_status st;
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_PROTOCOL);
    assert_non_null(strstr(st.message, "larger"));
    SET(f, list_padding, 3 * 1024 * 1024);
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_PROTOCOL);
    /* the client still works afterwards */
    SET(f, list_padding, 0);
    list_ok(c);
}

static rssp_err authorize_with(rssp_client *c, const char *code, const atomic_int *cancel,
                               rssp_sad *sad, rssp_status *st)
{
    rssp_authorize_request req = {
        .credential_id = "84902",
        .num_signatures = 2,
        .authorize_code = code,
        .cancel = cancel,
    };
    return rssp_authorize(c, &req, sad, st);
}

/* With the PIN. */
static rssp_err authorize(rssp_client *c, const atomic_int *cancel, rssp_sad *sad, rssp_status *st)
{
    return authorize_with(c, "123456", cancel, sad, st);
}

/* Without a code: the service waits for the phone (IMPLICIT). */
static rssp_err authorize_implicit(rssp_client *c, const atomic_int *cancel, rssp_sad *sad,
                                   rssp_status *st)
{
    return authorize_with(c, NULL, cancel, sad, st);
}

static rssp_err sign(rssp_client *c, const rssp_sad *sad, rssp_signatures *out, rssp_status *st)
{
    unsigned char hash[32] = {1, 2, 3};
    rssp_buf h = {.data = hash, .len = sizeof hash};
    rssp_sign_request req = {
        .credential_id = "84902",
        .sad = sad,
        .hash_alg = RSSP_HASH_SHA256,
        .hashes = &h,
        .n_hashes = 1,
        .sign_algo_oid = "1.2.840.113549.1.1.1",
    };
    return rssp_sign_hash(c, &req, out, st);
}

static void test_entity_name(void **state)
{
    fixture *f = *state;
    SET(f, entity_header, "rssp-entity-name: emu-node-3\r\n");
    f->cfg.client_mac = "00:11:22:33:44:55";
    rssp_client *c = client(f);
    rssp_sad sad;
    rssp_status st;
    long long before = rssp_monotonic_ms();
    assert_int_equal(authorize(c, NULL, &sad, &st), RSSP_OK);
    assert_string_equal(sad.sad, "SAD-1");
    assert_string_equal(sad.entity_name, "emu-node-3");
    assert_int_equal(sad.expires_in, 300);
    assert_int_equal(sad.remaining_counter, 5);
    assert_true(sad.obtained_ms >= before && sad.obtained_ms <= rssp_monotonic_ms());

    rssp_signatures sigs;
    assert_int_equal(sign(c, &sad, &sigs, &st), RSSP_OK);
    assert_int_equal(sigs.count, 1);
    assert_memory_equal(sigs.items[0].data, "\x00\x01\x02", 3);
    assert_int_equal(sigs.remaining_signing_counter, 7);
    assert_int_equal(st.remaining_signing_counter, 7);
    rssp_signatures_clear(&sigs);
    size_t n = ts_request_count(f->server);
    const ts_request *sign_rq = ts_request_at(f->server, n - 1);
    assert_string_equal(sign_rq->path, "/rssp/v1/signatures/signHash");
    assert_string_equal(sign_rq->entity_name, "emu-node-3");
    cJSON *body = tu_json(sign_rq->body);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(body, "clientInfo"), "macAddr")->valuestring,
        "00:11:22:33:44:55");
    cJSON_Delete(body);

    /* extend without a header keeps the name; with one, replaces it (any case) */
    assert_int_equal(rssp_extend_transaction(c, "84902", &sad, RSSP_HASH_NONE, NULL, 0, &st),
                     RSSP_OK);
    assert_string_equal(sad.sad, "SAD-2");
    assert_string_equal(sad.entity_name, "emu-node-3");
    assert_int_equal(sad.expires_in, 200);
    assert_string_equal(ts_request_at(f->server, n)->entity_name, "emu-node-3");
    SET(f, extend_header, "RSSP-Entity-Name:   node-4  \r\n");
    assert_int_equal(rssp_extend_transaction(c, "84902", &sad, RSSP_HASH_NONE, NULL, 0, &st),
                     RSSP_OK);
    assert_string_equal(sad.entity_name, "node-4");
    rssp_sad_clear(&sad);

    /* invalid values are refused */
    const char *bad[] = {
        "rssp-entity-name: two words\r\n",
        "rssp-entity-name: caf\xc3\xa9\r\n",
        "rssp-entity-name: "
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SET(f, entity_header, bad[i]);
        assert_int_equal(authorize(c, NULL, &sad, &st), RSSP_ERR_PROTOCOL);
        assert_null(sad.sad);
        assert_null(sad.entity_name);
    }
    /* exactly 128 is fine; absent is NULL */
    SET(f, entity_header,
        "rssp-entity-name: "
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n");
    assert_int_equal(authorize(c, NULL, &sad, &st), RSSP_OK);
    assert_int_equal(strlen(sad.entity_name), 128);
    rssp_sad_clear(&sad);
    SET(f, entity_header, NULL);
    assert_int_equal(authorize(c, NULL, &sad, &st), RSSP_OK);
    assert_null(sad.entity_name);
    rssp_sad_clear(&sad);
}

static void test_sign_never_repeated(void **state)
{
    fixture *f = *state;
    rssp_client *c = client(f);
    list_ok(c); /* the connection is now established and idle */
    rssp_sad sad = {.sad = "SAD-1", .entity_name = "n"};
    rssp_signatures sigs;
    rssp_status st;
    atomic_store(&f->service.drop_sign, 1);
    assert_int_equal(sign(c, &sad, &sigs, &st), RSSP_ERR_TRANSPORT);
    assert_true(st.maybe_sent);
    assert_null(sigs.items);
    assert_int_equal(ts_count_method(f->server, "/signHash"), 1);

    /* a read-only call whose reused connection died is simply repeated */
    list_ok(c);
    atomic_store(&f->service.drop_list, 1);
    list_ok(c);
    assert_int_equal(ts_count_method(f->server, "/credentials/list"), 4);

    /* and signing works again on a fresh connection */
    assert_int_equal(sign(c, &sad, &sigs, &st), RSSP_OK);
    rssp_signatures_clear(&sigs);
    assert_int_equal(ts_count_method(f->server, "/signHash"), 2);
}

typedef struct {
    atomic_int *flag;
    int after_ms;
} canceller;

static void *cancel_later(void *p)
{
    canceller *k = p;
    sleep_ms(k->after_ms);
    atomic_store(k->flag, 1);
    return NULL;
}

static void test_cancel_and_timeout(void **state)
{
    fixture *f = *state;
    f->cfg.timeout_ms = 500;
    rssp_client *c = client(f);
    list_ok(c);
    SET(f, authorize_delay_ms, 3000);

    /* cancelled from another thread */
    atomic_int flag = 0;
    canceller k = {.flag = &flag, .after_ms = 200};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_later, &k), 0);
    rssp_sad sad;
    rssp_status st;
    long long t0 = rssp_monotonic_ms();
    assert_int_equal(authorize_implicit(c, &flag, &sad, &st), RSSP_ERR_CANCELLED);
    assert_true(rssp_monotonic_ms() - t0 < 2000);
    assert_true(st.maybe_sent);
    pthread_join(t, NULL);
    assert_int_equal(ts_count_method(f->server, "/credentials/authorize"), 1);

    /* waiting for the phone has its own, longer timeout: 500 ms is the ordinary one */
    SET(f, authorize_delay_ms, 800);
    assert_int_equal(authorize_implicit(c, NULL, &sad, &st), RSSP_OK);
    rssp_sad_clear(&sad);
    /* a PIN authorize waits for no person: the ordinary timeout (issue 10, defect 8) */
    assert_int_equal(authorize(c, NULL, &sad, &st), RSSP_ERR_TRANSPORT);
    assert_true(st.maybe_sent);
    assert_int_equal(ts_count_method(f->server, "/credentials/authorize"), 3);

    /* the ordinary timeout applies to the rest; the request was sent */
    SET(f, entity_header, NULL);
    SET(f, list_status, 200);
    SET(f, list_body, "{\"responseCode\":0,\"certificates\":[]}");
    SET(f, login_delay_ms, 0);
    SET(f, authorize_delay_ms, 0);
    rssp_client_free(c);
    f->cfg.authorize_timeout_ms = 300;
    c = client(f);
    SET(f, authorize_delay_ms, 1500);
    t0 = rssp_monotonic_ms();
    assert_int_equal(authorize_implicit(c, NULL, &sad, &st), RSSP_ERR_TRANSPORT);
    assert_true(st.maybe_sent);
    assert_true(rssp_monotonic_ms() - t0 < 1400);
    assert_int_equal(ts_count_method(f->server, "/credentials/authorize"), 4); /* not repeated */
}

static void test_info_and_sign_path(void **state)
{
    fixture *f = *state;
    SET(f, singular_sign, true);
    rssp_client *c = client(f);
    rssp_info_result info;
    rssp_status st;
    assert_int_equal(rssp_info(c, &info, &st), RSSP_OK);
    assert_string_equal(info.name, "scripted");
    rssp_info_result_clear(&info);
    const ts_request *rq = ts_request_at(f->server, 0);
    assert_string_equal(rq->path, "/rssp/v1/info");
    assert_string_equal(rq->authorization, ""); /* info is not authenticated */
    assert_string_equal(rq->body, "{}");
    assert_false(rssp_logged_in(c));

    rssp_sad sad = {.sad = "SAD-1"};
    rssp_signatures sigs;
    assert_int_equal(sign(c, &sad, &sigs, &st), RSSP_OK);
    rssp_signatures_clear(&sigs);
    size_t n = ts_request_count(f->server);
    assert_string_equal(ts_request_at(f->server, n - 1)->path, "/rssp/v1/signature/signHash");
    assert_string_equal(ts_request_at(f->server, n - 1)->entity_name, "");
}

static void test_logout(void **state)
{
    fixture *f = *state;
    SET(f, issue_refresh, true);
    f->cfg.remember_me = true;
    rssp_client *c = client(f);
    rssp_status st;
    assert_int_equal(rssp_logout(c, &st), RSSP_OK); /* nothing held: nothing sent */
    assert_int_equal(ts_request_count(f->server), 0);
    list_ok(c);
    assert_int_equal(rssp_logout(c, &st), RSSP_OK);
    assert_false(rssp_logged_in(c));
    const ts_request *rq = ts_request_at(f->server, 2);
    assert_true(ends_with(rq->path, "/auth/revoke"));
    assert_string_equal(rq->authorization, "Bearer at-1");
    cJSON *body = tu_json(rq->body);
    cJSON *expected = tu_json("{\"tokenType\":1,\"token\":\"rt-1\",\"language\":\"EN\"}");
    assert_true(cJSON_Compare(body, expected, 1));
    cJSON_Delete(body);
    cJSON_Delete(expected);

    /* without a refresh token, the access token revokes itself */
    rssp_client_free(c);
    SET(f, issue_refresh, false);
    f->cfg.remember_me = false;
    c = client(f);
    list_ok(c);
    assert_int_equal(rssp_logout(c, &st), RSSP_OK);
    rq = ts_request_at(f->server, ts_request_count(f->server) - 1);
    assert_string_equal(rq->authorization, "Bearer at-2");
    body = tu_json(rq->body);
    expected = tu_json("{\"tokenType\":0,\"token\":\"at-2\",\"language\":\"EN\"}");
    assert_true(cJSON_Compare(body, expected, 1));
    cJSON_Delete(body);
    cJSON_Delete(expected);

    /* the next call logs in again */
    list_ok(c);
    assert_int_equal(atomic_load(&f->service.logins), 3);
}

static void test_appsign_login(void **state)
{
    fixture *f = *state;
    f->cfg.rp_auth = RSSP_RP_AUTH_APPSIGN;
    f->cfg.rp_key_file = NULL;
    f->cfg.app_api_key = "app-1";
    f->cfg.app_api_secret = "app-secret";
    f->cfg.username = NULL;
    rssp_client *c = client(f);
    list_ok(c);
    const char *h = ts_request_at(f->server, 0)->authorization;
    assert_int_equal(strncmp(h, "AppSign ", 8), 0);
    assert_null(strchr(h, ','));
    rssp_client_free(c);

    f->cfg.username = "alice";
    c = client(f);
    list_ok(c);
    h = ts_request_at(f->server, 2)->authorization;
    assert_int_equal(strncmp(h, "AppSign ", 8), 0);
    assert_non_null(strstr(h, ", Basic VVNFUk5BTUU6YWxpY2U6c2VjcmV0"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_headers_and_reuse),  T(test_relogin_once),        T(test_refresh_token),
        T(test_proactive_renewal),  T(test_single_flight_login), T(test_http_errors),
        T(test_body_limit),         T(test_entity_name),         T(test_sign_never_repeated),
        T(test_cancel_and_timeout), T(test_info_and_sign_path),  T(test_logout),
        T(test_appsign_login),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
