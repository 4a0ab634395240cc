/*
 * The module behind the fault proxy (tests/support/fault_proxy.h): bounded
 * waits at exit and at start-up, one credential's failure kept to that
 * credential. The oracles are the proxy's counters (how many requests, how
 * many at once) and the emulator's /_emulator/stats, not the clock; times
 * are printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emulator_fixture.h"
#include "fault_proxy.h"
#include "p11_helpers.h"

static rssp_emu emu;
static rssp_proxy *proxy;
static CK_FUNCTION_LIST_3_0 *f;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The demo configuration through the proxy, no cache, short timeouts. */
static int write_config(void)
{
    char url[256], line[300];
    if (rssp_proxy_url(proxy, emu.url, url, sizeof url) != 0)
        return -1;
    snprintf(line, sizeof line, "url = %s", url);
    const char *const edits[][2] = {
        {"url", line},
        {"timeout_ms", "timeout_ms = 5000\nrevoke_budget_ms = 2000"},
        {"cache_ttl", "cache_ttl = 0"}, /* every start is a cold start */
        {NULL, NULL},
    };
    return p11t_demo_config(&emu, "reliability.conf", edits);
}

static int setup(void **state)
{
    (void)state;
    if (rssp_emu_start(NULL, &emu) != 0 ||
        rssp_proxy_start(emu.dir, rssp_proxy_url_port(emu.url), &proxy) != 0 || write_config() != 0)
        return -1;
    return (f = p11t_load()) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    p11t_unload();
    rssp_proxy_stop(proxy);
    rssp_emu_stop(&emu);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    f->C_Finalize(NULL); /* after a failed test; CKR_CRYPTOKI_NOT_INITIALIZED otherwise */
    rssp_proxy_set_rule(proxy, NULL);
    rssp_proxy_set_conn_mode(proxy, RSSP_PROXY_CONN_PASS);
    rssp_proxy_reset_stats(proxy);
    return rssp_emu_admin(&emu, "DELETE", "faults", NULL, NULL) == 200 ? 0 : -1;
}

static void fault(const char *json)
{
    assert_int_equal(rssp_emu_admin(&emu, "POST", "faults", json, NULL), 200);
}

static CK_ULONG slots(CK_SLOT_ID *list, CK_ULONG max)
{
    CK_ULONG n = max;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, list, &n), CKR_OK);
    return n;
}

/*
 * Defect 4 of issue 10 and issue 13: C_Finalize with the service's
 * auth/revoke stalled. The SADs are revoked all at once (the proxy saw
 * them in flight together), and C_Finalize returns after the budget
 * instead of a time-out per token.
 */
static void test_finalize_revocations_bounded(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID list[8];
    CK_ULONG n = slots(list, 8);
    assert_int_equal(n, 4);
    for (CK_ULONG i = 0; i < n; i++) {
        CK_SESSION_HANDLE s;
        assert_int_equal(f->C_OpenSession(list[i], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
        assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    }
    /* the SCAL 1 tokens (10001, 10003) hold a SAD; SCAL 2 ones authorize per signature */
    rssp_proxy_rule hold = {.action = RSSP_PROXY_REQ_HOLD, .match = "auth/revoke", .count = -1};
    rssp_proxy_set_rule(proxy, &hold);
    rssp_proxy_reset_stats(proxy);
    long long t0 = now_ms();
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    long long took = now_ms() - t0;
    rssp_proxy_stats ps;
    rssp_proxy_get_stats(proxy, &ps);
    printf("# C_Finalize with auth/revoke stalled (revoke_budget_ms 2000, timeout_ms 5000): "
           "%lld ms; %ld revocation(s) sent, %ld at once\n",
           took, ps.matched, ps.max_in_flight);
    if (rssp_emu_protocol_rssp(&emu)) {
        assert_int_equal(ps.matched, 2);       /* both SADs; the session waits for them */
        assert_int_equal(ps.max_in_flight, 2); /* at once */
    } else {
        assert_int_equal(ps.matched, 1); /* CSC revokes no SAD: the session only */
    }
    rssp_proxy_close_all(proxy);
}

/*
 * Issue 13: a cold start (no cache) with 100 ms added to every call and
 * 400 ms to credentials/info. The four credentials/info calls go out at
 * once: the proxy saw them in flight together (all four unless the machine
 * is too loaded to finish four TLS handshakes in 400 ms; one after the
 * other would be one), and the start costs about three round trips.
 */
static void test_cold_start_concurrent(void **state)
{
    (void)state;
    fault("{\"method\":\"*\",\"latencyMs\":100}");
    fault("{\"method\":\"credentials/info\",\"latencyMs\":400}");
    rssp_proxy_rule count = {.action = RSSP_PROXY_REQ_PASS, .match = "credentials/info"};
    rssp_proxy_set_rule(proxy, &count);
    long long t0 = now_ms();
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID list[8];
    assert_int_equal(slots(list, 8), 4);
    long long took = now_ms() - t0;
    rssp_proxy_stats ps;
    rssp_proxy_get_stats(proxy, &ps);
    printf("# cold start with 100 ms per call, 400 ms per credentials/info: %lld ms for %ld "
           "requests (%ld credentials/info, "
           "%ld at once)\n",
           took, ps.requests, ps.matched, ps.max_in_flight);
    if (strcmp(emu.protocol, "csc-v2") == 0) {
        assert_int_equal(ps.matched, 0); /* the list described every credential */
    } else {
        assert_int_equal(ps.matched, 4);
        assert_true(ps.max_in_flight >= 2);
    }
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/*
 * Defect 9 of issue 10: one credentials/info failing (HTTP 500 once) hides
 * that credential's token only; after the back-off it is tried again and
 * its token appears after the others.
 */
static void test_one_info_failure_hides_one_token(void **state)
{
    (void)state;
    if (strcmp(emu.protocol, "csc-v2") == 0)
        skip(); /* a CSC v2 cold start makes no credentials/info call */
    fault("{\"method\":\"credentials/info\",\"httpStatus\":500,\"count\":1}");
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID list[8];
    assert_int_equal(slots(list, 8), 3);
    CK_TOKEN_INFO before;
    assert_int_equal(f->C_GetTokenInfo(list[0], &before), CKR_OK);
    assert_int_equal(slots(list, 8), 3);       /* inside the back-off: not yet */
    struct timespec ts = {10, 500 * 1000000L}; /* discovery.c: P11_LOAD_RETRY_MS */
    nanosleep(&ts, NULL);
    assert_int_equal(slots(list, 8), 4);
    CK_TOKEN_INFO after;
    assert_int_equal(f->C_GetTokenInfo(list[0], &after), CKR_OK);
    assert_memory_equal(before.label, after.label, sizeof before.label); /* slot 0 unchanged */
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(list[3], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    assert_int_equal(p11t_sign_once(f, s), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/*
 * Issue 13: the exit of a one-shot program with 100 ms added to every
 * auth/revoke: the two SADs together, then the session — two round trips,
 * where one after the other made three. Counted by the proxy: three
 * revocations, two of them at once.
 */
static void test_finalize_round_trips(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID list[8];
    CK_ULONG n = slots(list, 8);
    for (CK_ULONG i = 0; i < n; i++) {
        CK_SESSION_HANDLE s;
        assert_int_equal(f->C_OpenSession(list[i], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
        assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    }
    fault("{\"method\":\"auth/revoke\",\"latencyMs\":100}");
    rssp_proxy_rule count = {.action = RSSP_PROXY_REQ_PASS, .match = "auth/revoke"};
    rssp_proxy_set_rule(proxy, &count);
    rssp_proxy_reset_stats(proxy);
    long long t0 = now_ms();
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    long long took = now_ms() - t0;
    rssp_proxy_stats ps;
    rssp_proxy_get_stats(proxy, &ps);
    printf("# C_Finalize, 2 SADs and the session, 100 ms per auth/revoke: %lld ms; %ld "
           "revocations, %ld at once\n",
           took, ps.matched, ps.max_in_flight);
    if (rssp_emu_protocol_rssp(&emu)) {
        assert_int_equal(ps.matched, 3);
        assert_int_equal(ps.max_in_flight, 2);
    } else {
        assert_int_equal(ps.matched, 1); /* CSC revokes no SAD: one round trip, the session */
    }
}

/*
 * Issue 13: a one-shot program's exit (one SAD, then the session) goes over
 * the connection it signed on: two revocations, no new connection (each
 * would cost a TCP and a TLS round trip more on a real network).
 */
static void test_finalize_reuses_connection(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID list[8];
    assert_true(slots(list, 8) > 0);
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(list[0], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    assert_int_equal(p11t_sign_once(f, s), CKR_OK);
    rssp_proxy_rule count = {.action = RSSP_PROXY_REQ_PASS, .match = "auth/revoke"};
    rssp_proxy_set_rule(proxy, &count);
    rssp_proxy_reset_stats(proxy);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    rssp_proxy_stats ps;
    rssp_proxy_get_stats(proxy, &ps);
    printf("# C_Finalize after one signature: %ld revocations over %ld new connections\n",
           ps.matched, ps.connections);
    assert_int_equal(ps.matched, rssp_emu_protocol_rssp(&emu) ? 2 : 1);
    assert_int_equal(ps.connections, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_finalize_revocations_bounded, reset),
        cmocka_unit_test_setup(test_finalize_round_trips, reset),
        cmocka_unit_test_setup(test_finalize_reuses_connection, reset),
        cmocka_unit_test_setup(test_cold_start_concurrent, reset),
        cmocka_unit_test_setup(test_one_info_failure_hides_one_token, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
