/*
 * The client library behind the fault proxy (tests/support/fault_proxy.h):
 * what a flaky network does to a call, with the emulator's /_emulator/stats
 * and the proxy's counters as the oracles of what the service saw.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/sha.h>

#include "emulator_fixture.h"
#include "fault_proxy.h"
#include "rssp/client.h"

typedef struct {
    rssp_emu emu;
    rssp_proxy *proxy;
    char url[256]; /* the service through the proxy */
    cJSON *fixture;
    const char *rp_name, *rp_username, *rp_password, *rp_signature, *rp_key_file, *rp_key_password;
} env;

static env E;

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(m) ? m->valuestring : NULL;
}

static int group_setup(void **state)
{
    (void)state;
    memset(&E, 0, sizeof E);
    if (rssp_emu_start(NULL, &E.emu) != 0)
        return -1;
    if (rssp_proxy_start(E.emu.dir, rssp_proxy_url_port(E.emu.url), &E.proxy) != 0 ||
        rssp_proxy_url(E.proxy, E.emu.url, E.url, sizeof E.url) != 0)
        return -1;
    FILE *f = fopen(E.emu.fixture_json, "rb");
    if (f == NULL)
        return -1;
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    E.fixture = cJSON_Parse(text);
    const cJSON *rp = cJSON_GetArrayItem(cJSON_GetObjectItem(E.fixture, "relyingParties"), 0);
    E.rp_name = json_str(rp, "name");
    E.rp_username = json_str(rp, "username");
    E.rp_password = json_str(rp, "password");
    E.rp_signature = json_str(rp, "signature");
    E.rp_key_file = json_str(rp, "keyFile");
    E.rp_key_password = json_str(rp, "keyPassword");
    return E.rp_name != NULL && E.rp_key_file != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    rssp_proxy_stop(E.proxy);
    cJSON_Delete(E.fixture);
    return rssp_emu_stop(&E.emu) == 0 ? 0 : -1;
}

/* Every test starts with a proxy that passes everything and fresh counters. */
static int reset_proxy(void **state)
{
    (void)state;
    rssp_proxy_set_conn_mode(E.proxy, RSSP_PROXY_CONN_PASS);
    rssp_proxy_set_rule(E.proxy, NULL);
    rssp_proxy_reset_next(E.proxy, 0);
    rssp_proxy_set_slow(E.proxy, 0, 0);
    rssp_proxy_reset_stats(E.proxy);
    return rssp_emu_admin(&E.emu, "DELETE", "faults", NULL, NULL) == 200 ? 0 : -1;
}

/* alice (SSL2 + Basic) through the proxy. */
static rssp_client_config alice_config(void)
{
    return (rssp_client_config){
        .base_url = E.url,
        .ca_file = E.emu.ca_file,
        .relying_party = E.rp_name,
        .rp_username = E.rp_username,
        .rp_password = E.rp_password,
        .rp_signature = E.rp_signature,
        .rp_key_file = E.rp_key_file,
        .rp_key_password = E.rp_key_password,
        .username = "alice",
        .password = "alice-pass",
        .client_mac = "02:00:00:00:00:01",
    };
}

static rssp_client *new_client(const rssp_client_config *cfg)
{
    rssp_client *c = NULL;
    rssp_status st;
    rssp_err err = rssp_client_new(cfg, &c, &st);
    if (err != RSSP_OK)
        print_error("client: %s\n", st.message);
    assert_int_equal(err, RSSP_OK);
    return c;
}

/* The emulator's request counter of method. */
static long served(const char *method)
{
    char *body = NULL;
    assert_int_equal(rssp_emu_admin(&E.emu, "GET", "stats", NULL, &body), 200);
    cJSON *j = cJSON_Parse(body);
    free(body);
    assert_non_null(j);
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "requests"), method);
    long n = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
    cJSON_Delete(j);
    return n;
}

static rssp_proxy_stats proxy_stats(void)
{
    rssp_proxy_stats s;
    rssp_proxy_get_stats(E.proxy, &s);
    return s;
}

/* The proxy itself: relays, counts, and each fault does what it says. */
static void test_proxy(void **state)
{
    (void)state;
    rssp_client_config cfg = alice_config();
    cfg.connect_timeout_ms = 500;
    rssp_client *c = new_client(&cfg);
    rssp_status st;
    rssp_info_result info;
    long infos = served("info");
    assert_int_equal(rssp_info(c, &info, &st), RSSP_OK);
    rssp_info_result_clear(&info);
    assert_int_equal(served("info"), infos + 1);
    rssp_proxy_stats s = proxy_stats();
    assert_int_equal(s.requests, 1);
    assert_int_equal(s.connections, 1);
    assert_int_equal(s.max_in_flight, 1);

    /* drop: the service never sees the request */
    rssp_proxy_rule drop = {.action = RSSP_PROXY_REQ_DROP, .match = "info", .count = 1};
    rssp_proxy_set_rule(E.proxy, &drop);
    rssp_proxy_set_conn_mode(E.proxy, RSSP_PROXY_CONN_STALL);
    assert_int_equal(rssp_info(c, &info, &st), RSSP_ERR_TRANSPORT);
    assert_int_equal(served("info"), infos + 1);
    assert_int_equal(proxy_stats().faults, 1);
    rssp_proxy_set_conn_mode(E.proxy, RSSP_PROXY_CONN_PASS);

    /* no_answer on a kept-alive connection: the service handled it, the client got nothing */
    assert_int_equal(rssp_info(c, &info, &st), RSSP_OK);
    rssp_info_result_clear(&info);
    rssp_proxy_rule quiet = {.action = RSSP_PROXY_REQ_NO_ANSWER,
                             .match = "info",
                             .count = 1,
                             .reused_only = true,
                             .reset_next = 5};
    rssp_proxy_set_rule(E.proxy, &quiet); /* and every reconnect fails */
    assert_int_equal(rssp_info(c, &info, &st), RSSP_ERR_TRANSPORT);
    assert_int_equal(served("info"), infos + 3);
    assert_true(proxy_stats().resets >= 1);
    rssp_proxy_reset_next(E.proxy, 0);

    /* refused: nothing listens for a while */
    rssp_proxy_close_all(E.proxy);
    rssp_proxy_refuse(E.proxy, 1000);
    assert_int_equal(rssp_info(c, &info, &st), RSSP_ERR_TRANSPORT);
    assert_false(st.maybe_sent);
    assert_int_equal(served("info"), infos + 3);

    /* slow bytes still arrive */
    rssp_proxy_refuse(E.proxy, 0);
    rssp_proxy_set_slow(E.proxy, 64, 1);
    long long t0 = rssp_monotonic_ms();
    /* the acceptor binds the port again within a few ms */
    for (int i = 0; i < 100 && rssp_info(c, &info, &st) != RSSP_OK; i++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (st.err != RSSP_OK)
        print_error("info: %s\n", st.message);
    assert_int_equal(st.err, RSSP_OK);
    rssp_info_result_clear(&info);
    printf("# info in 64-byte chunks every 1 ms: %lld ms\n", rssp_monotonic_ms() - t0);
    rssp_client_free(c);
}

#define EC_OID "1.2.840.10045.2.1"
#define SIGNERS 16
#define SIGNS_EACH 3

typedef struct {
    rssp_client *c;
    const rssp_sad *sad;
    pthread_barrier_t *armed;
    int ok;
    int failed_sent; /* failures that say the request may have been processed */
} signer;

static bool sign_once(signer *w, int i)
{
    rssp_client *c = w->c;
    const rssp_sad *sad = w->sad;
    unsigned char d[32];
    char text[32];
    snprintf(text, sizeof text, "signature %d", i);
    SHA256((const unsigned char *)text, strlen(text), d);
    rssp_buf h = {.data = d, .len = sizeof d};
    rssp_sign_request req = {.credential_id = "10003",
                             .sad = sad,
                             .hash_alg = RSSP_HASH_SHA256,
                             .hashes = &h,
                             .n_hashes = 1,
                             .sign_algo_oid = EC_OID};
    rssp_signatures sigs;
    rssp_status st;
    rssp_err err = rssp_sign_hash(c, &req, &sigs, &st);
    rssp_signatures_clear(&sigs);
    if (err != RSSP_OK) {
        printf("# signature %d failed: %s (maybe sent: %s)\n", i, st.message,
               st.maybe_sent ? "yes" : "no");
        w->failed_sent += st.maybe_sent;
    }
    return err == RSSP_OK;
}

static void *sign_thread(void *arg)
{
    signer *w = arg;
    /* one signature each first, so that every connection in the pool is a kept-alive one */
    w->ok += sign_once(w, 0);
    pthread_barrier_wait(w->armed);
    pthread_barrier_wait(w->armed);
    for (int i = 1; i <= SIGNS_EACH; i++)
        w->ok += sign_once(w, i);
    return NULL;
}

/*
 * Defect 1 of issue 10: a kept-alive connection carries a signHash, the
 * service signs, the connection closes without an answer and the reconnect
 * fails. libcurl reports the failed reconnect as a connect/TLS error; the
 * request must still count as sent and never be repeated: the service's
 * signHash count equals the number of successful signatures.
 */
/* Counts the exchanges of one method the client attempted (observer). */
typedef struct {
    const char *method;
    atomic_long n;
} exchange_count;

static void count_exchanges(void *ctx, const char *method, long ms, const rssp_status *st)
{
    (void)ms;
    (void)st;
    exchange_count *x = ctx;
    if (strcmp(method, x->method) == 0)
        atomic_fetch_add(&x->n, 1);
}

static void test_sign_never_twice(void **state)
{
    (void)state;
    rssp_client_config cfg = alice_config();
    rssp_client *c = new_client(&cfg);
    exchange_count sends = {.method = "signatures/signHash"};
    rssp_client_set_observer(c, count_exchanges, &sends);
    rssp_status st;
    rssp_authorize_request ar = {
        .credential_id = "10003", .num_signatures = 100, .authorize_code = "123456"};
    rssp_sad sad;
    assert_int_equal(rssp_authorize(c, &ar, &sad, &st), RSSP_OK);
    long before = served("signatures/signHash");

    pthread_barrier_t armed;
    pthread_barrier_init(&armed, NULL, SIGNERS + 1);
    signer w[SIGNERS];
    pthread_t t[SIGNERS];
    for (int i = 0; i < SIGNERS; i++) {
        w[i] = (signer){.c = c, .sad = &sad, .armed = &armed};
        assert_int_equal(pthread_create(&t[i], NULL, sign_thread, &w[i]), 0);
    }
    pthread_barrier_wait(&armed);
    rssp_proxy_rule rule = {.action = RSSP_PROXY_REQ_NO_ANSWER,
                            .match = "signHash",
                            .count = 1,
                            .reused_only = true,
                            .reset_next = 1};
    rssp_proxy_set_rule(E.proxy, &rule);
    pthread_barrier_wait(&armed);
    int ok = 0, maybe = 0;
    for (int i = 0; i < SIGNERS; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        maybe += w[i].failed_sent;
    }
    pthread_barrier_destroy(&armed);
    rssp_proxy_stats ps = proxy_stats();
    long signed_by_service = served("signatures/signHash") - before;
    const int calls = SIGNERS * (SIGNS_EACH + 1);
    printf("# %d of %d signHash calls succeeded, %d failed saying the request may have been "
           "processed; the client sent %ld, the service signed %ld; proxy: %ld fault, %ld reset\n",
           ok, calls, maybe, atomic_load(&sends.n), signed_by_service, ps.faults, ps.resets);
    assert_int_equal(ps.faults, 1);
    assert_int_equal(ps.resets, 1);
    /*
     * The oracle: the service signed exactly once per successful call and
     * once per failure that admits it may have been processed — never a
     * second time for one call, never for a failure that says "not sent".
     */
    assert_int_equal(signed_by_service, ok + maybe);
    assert_true(maybe >= 1); /* the faulted request */
    assert_true(ok >= calls - 2);
    rssp_sad_clear(&sad);
    rssp_client_free(c);
}

/*
 * Defect 5 of issue 10: a service that accepts TCP and never completes TLS
 * costs one connect timeout per call, not two (no silent second connect).
 */
static void test_connect_timeout_bounds_tls(void **state)
{
    (void)state;
    rssp_client_config cfg = alice_config();
    cfg.connect_timeout_ms = 1000;
    rssp_client *c = new_client(&cfg);
    rssp_proxy_set_conn_mode(E.proxy, RSSP_PROXY_CONN_STALL);
    rssp_status st;
    rssp_credential_list l;
    long long t0 = rssp_monotonic_ms();
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_TRANSPORT);
    long long took = rssp_monotonic_ms() - t0;
    rssp_proxy_stats ps = proxy_stats();
    printf("# TLS never answered, connect_timeout_ms 1000: the call failed after %lld ms, "
           "%ld connection(s): %s\n",
           took, ps.connections, st.message);
    assert_false(st.maybe_sent);
    assert_int_equal(ps.connections, 1);
    assert_int_equal(ps.requests, 0);
    rssp_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_proxy, reset_proxy),
        cmocka_unit_test_setup(test_sign_never_twice, reset_proxy),
        cmocka_unit_test_setup(test_connect_timeout_bounds_tls, reset_proxy),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
