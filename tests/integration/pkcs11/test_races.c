/*
 * Calls racing each other across threads (issue 10, defects 2 and 3):
 * C_Finalize, C_CloseSession, C_CloseAllSessions and C_Logout while other
 * threads are inside C_Sign. Built with -DRSSP_ASAN=ON or -DRSSP_TSAN=ON this
 * test is the use-after-free and data-race check of those paths.
 *
 * "Slow signHash" is the emulator's latency fault (applied before the service
 * looks at the request). The oracle for "abandoned promptly" is the CK_RV the
 * signing thread gets: a call that was waited for instead would come back
 * CKR_OK once the delay is over. Durations are printed, never asserted.
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

#include "emulator_fixture.h"
#include "p11_helpers.h"

#define SLOW_SIGN "{\"method\":\"signatures/signHash\",\"latencyMs\":5000}"
#define THREADS 6

static rssp_emu emu;
static CK_FUNCTION_LIST_3_0 *f;

static int setup(void **state)
{
    (void)state;
    static const char *const edits[][2] = {{"cache_ttl", "cache_ttl = 0"}, {NULL, NULL}};
    if (rssp_emu_start(NULL, &emu) != 0 || p11t_demo_config(&emu, "races.conf", edits) != 0)
        return -1;
    return (f = p11t_load()) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    p11t_unload();
    rssp_emu_stop(&emu);
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void fault(const char *json)
{
    assert_int_equal(rssp_emu_admin(&emu, "POST", "faults", json, NULL), 200);
}

static void no_faults(void)
{
    assert_int_equal(rssp_emu_admin(&emu, "DELETE", "faults", NULL, NULL), 200);
}

/* Wait until the emulator has received n more signHash requests than before. */
static void await_signs(long before, long n)
{
    for (int i = 0; i < 2000 && p11t_served(&emu, "signatures/signHash") < before + n; i++)
        sleep_ms(5);
    assert_int_equal(p11t_served(&emu, "signatures/signHash"), before + n);
}

static CK_SESSION_HANDLE open_session(CK_SLOT_ID slot)
{
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    return s;
}

static void login(CK_SESSION_HANDLE s)
{
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
}

/* A signing thread: its session and key, how many signatures, and every CK_RV seen. */
typedef struct {
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE key;
    int max;         /* signatures to make at most (0 = until a call fails) */
    CK_RV last;      /* the CK_RV that ended the loop, or CKR_OK */
    int ok;          /* signatures made */
    long long ended; /* now_ms() when the thread ended */
} signer;

static void *sign_loop(void *p)
{
    signer *a = p;
    static const unsigned char data[] = "racing";
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
    a->last = CKR_OK;
    for (int i = 0; a->max == 0 || i < a->max; i++) {
        unsigned char sig[512];
        CK_ULONG len = sizeof sig;
        CK_RV rv = f->C_SignInit(a->s, &m, a->key);
        if (rv == CKR_OK)
            rv = f->C_Sign(a->s, (CK_BYTE_PTR)data, sizeof data, sig, &len);
        if (rv != CKR_OK) {
            a->last = rv;
            break;
        }
        a->ok++;
    }
    a->ended = now_ms();
    return NULL;
}

static void start_signer(pthread_t *t, signer *a, CK_SESSION_HANDLE s, int max)
{
    memset(a, 0, sizeof *a);
    a->s = s;
    a->key = p11t_find(f, s, CKO_PRIVATE_KEY);
    a->max = max;
    assert_true(a->key != 0);
    assert_int_equal(pthread_create(t, NULL, sign_loop, a), 0);
}

/*
 * Defect 2: C_Finalize while THREADS threads are inside a slow C_Sign.
 * Before the fix: a use-after-free of the module lock and of curl handles in
 * flight (SIGSEGV). Now C_Finalize abandons the calls, waits for them, and
 * they answer CKR_CRYPTOKI_NOT_INITIALIZED.
 */
static void test_finalize_while_signing(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s0 = open_session(0);
    login(s0);
    pthread_t t[THREADS];
    signer a[THREADS];
    fault(SLOW_SIGN);
    long before = p11t_served(&emu, "signatures/signHash");
    for (int i = 0; i < THREADS; i++)
        start_signer(&t[i], &a[i], open_session(0), 0);
    await_signs(before, THREADS);
    long long t0 = now_ms();
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    long long t1 = now_ms();
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(a[i].ok, 0);
        assert_int_equal(a[i].last, CKR_CRYPTOKI_NOT_INITIALIZED);
        assert_true(a[i].ended <= t1);
    }
    print_message("C_Finalize with %d signatures in flight: %lld ms\n", THREADS, t1 - t0);
    no_faults();
}

/* Defect 2 without a delay: signing at full speed, C_Finalize at some point; three rounds. */
static void test_finalize_during_fast_signing(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(f->C_Initialize(NULL), CKR_OK);
        CK_SESSION_HANDLE s0 = open_session(0);
        login(s0);
        pthread_t t[THREADS];
        signer a[THREADS];
        for (int i = 0; i < THREADS; i++)
            start_signer(&t[i], &a[i], open_session(0), 0);
        sleep_ms(50 + 100 * round);
        assert_int_equal(f->C_Finalize(NULL), CKR_OK);
        int total = 0;
        for (int i = 0; i < THREADS; i++) {
            pthread_join(t[i], NULL);
            assert_int_equal(a[i].last, CKR_CRYPTOKI_NOT_INITIALIZED);
            total += a[i].ok;
        }
        print_message("round %d: %d signatures before C_Finalize\n", round, total);
    }
}

/*
 * Defect 3: C_CloseSession of a session whose C_Sign waits for a slow
 * signHash returns at once, and that C_Sign is abandoned: CKR_SESSION_CLOSED
 * (before: CKR_OK once the service answered). The token stays logged in
 * through its other session.
 */
static void test_close_session_during_slow_sign(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s0 = open_session(0);
    login(s0);
    pthread_t t;
    signer a;
    fault(SLOW_SIGN);
    long before = p11t_served(&emu, "signatures/signHash");
    start_signer(&t, &a, open_session(0), 1);
    await_signs(before, 1);
    long long t0 = now_ms();
    assert_int_equal(f->C_CloseSession(a.s), CKR_OK);
    long long t1 = now_ms();
    pthread_join(t, NULL);
    print_message("C_CloseSession: %lld ms; the C_Sign in flight returned after %lld ms\n", t1 - t0,
                  a.ended - t0);
    assert_int_equal(a.last, CKR_SESSION_CLOSED);
    CK_SESSION_INFO si;
    assert_int_equal(f->C_GetSessionInfo(s0, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
    no_faults();
    assert_int_equal(p11t_sign_once(f, s0), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/*
 * Nothing of the login stays live on the service: no access or refresh token,
 * and no more SADs than before it (used-up SADs of earlier tests stay counted
 * until they expire).
 */
static void assert_nothing_live(long sads_before)
{
    assert_int_equal(p11t_live_tokens(&emu, "access"), 0);
    assert_int_equal(p11t_live_tokens(&emu, "refresh"), 0);
    /* CSC has no SAD revocation: the login's SAD lives on until it expires */
    if (rssp_emu_protocol_rssp(&emu))
        assert_int_equal(p11t_live_tokens(&emu, "sads"), sads_before);
}

/*
 * Defect 3: C_CloseAllSessions during a slow signHash ends the login; the
 * call is abandoned, and the 3006 its request meets on the service (the
 * tokens were revoked meanwhile) does not log in again: nothing stays live.
 */
static void test_close_all_during_slow_sign(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    long sads = p11t_live_tokens(&emu, "sads");
    CK_SESSION_HANDLE s0 = open_session(0);
    login(s0);
    pthread_t t;
    signer a;
    fault(SLOW_SIGN);
    long before = p11t_served(&emu, "signatures/signHash");
    long logins = p11t_served(&emu, "auth/login");
    start_signer(&t, &a, open_session(0), 1);
    await_signs(before, 1);
    long long t0 = now_ms();
    assert_int_equal(f->C_CloseAllSessions(0), CKR_OK);
    long long t1 = now_ms();
    pthread_join(t, NULL);
    print_message("C_CloseAllSessions: %lld ms; the C_Sign in flight returned after %lld ms\n",
                  t1 - t0, a.ended - t0);
    assert_int_equal(a.last, CKR_SESSION_CLOSED);
    sleep_ms(5500); /* the service has answered the abandoned request by now */
    assert_int_equal(p11t_served(&emu, "auth/login"), logins);
    assert_nothing_live(sads);
    no_faults();
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/*
 * Defect 3: C_Logout from another thread during a slow signHash: the call is
 * abandoned (CKR_FUNCTION_CANCELED), the logged-out token never logs in
 * again, and nothing stays live on the service.
 */
static void test_logout_during_slow_sign(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    long sads = p11t_live_tokens(&emu, "sads");
    CK_SESSION_HANDLE s0 = open_session(0);
    login(s0);
    pthread_t t;
    signer a;
    fault(SLOW_SIGN);
    long before = p11t_served(&emu, "signatures/signHash");
    long logins = p11t_served(&emu, "auth/login");
    start_signer(&t, &a, open_session(0), 1);
    await_signs(before, 1);
    long long t0 = now_ms();
    assert_int_equal(f->C_Logout(s0), CKR_OK);
    long long t1 = now_ms();
    pthread_join(t, NULL);
    print_message("C_Logout: %lld ms; the C_Sign in flight returned after %lld ms\n", t1 - t0,
                  a.ended - t0);
    assert_int_equal(a.last, CKR_FUNCTION_CANCELED);
    sleep_ms(5500);
    assert_int_equal(p11t_served(&emu, "auth/login"), logins);
    assert_nothing_live(sads);
    CK_SESSION_INFO si;
    assert_int_equal(f->C_GetSessionInfo(s0, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    no_faults();
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* After a failed test: finalise, so the next one starts clean. */
static int finalize_quietly(void **state)
{
    (void)state;
    f->C_Finalize(NULL);
    rssp_emu_admin(&emu, "DELETE", "faults", NULL, NULL);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_finalize_while_signing, finalize_quietly),
        cmocka_unit_test_teardown(test_finalize_during_fast_signing, finalize_quietly),
        cmocka_unit_test_teardown(test_close_session_during_slow_sign, finalize_quietly),
        cmocka_unit_test_teardown(test_close_all_during_slow_sign, finalize_quietly),
        cmocka_unit_test_teardown(test_logout_during_slow_sign, finalize_quietly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
