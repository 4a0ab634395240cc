/*
 * The module when the service misbehaves: HTTP errors, dropped connections,
 * malformed, truncated and oversized bodies, a service error code, and an
 * answer slower than the timeout. Each fault gives a clean CK_RV (never a
 * PIN error, never a crash), and the next call works again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator_fixture.h"
#include "p11_helpers.h"

static rssp_emu emu;
static CK_FUNCTION_LIST_3_0 *f;

/* The demo configuration with a short total timeout and no cache. */
static int write_config(void)
{
    static const char *const edits[][2] = {
        {"timeout_ms", "timeout_ms = 1500"},
        {"cache_ttl", "cache_ttl = 0"}, /* every start-up asks the service */
        {NULL, NULL},
    };
    return p11t_demo_config(&emu, "faults.conf", edits);
}

static int setup(void **state)
{
    (void)state;
    if (rssp_emu_start(NULL, &emu) != 0 || write_config() != 0)
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

static void fault(const char *json)
{
    assert_int_equal(rssp_emu_admin(&emu, "POST", "faults", json, NULL), 200);
}

static void no_faults(void)
{
    assert_int_equal(rssp_emu_admin(&emu, "DELETE", "faults", NULL, NULL), 200);
}

static CK_ULONG slot_count(void)
{
    CK_ULONG n = 0;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    return n;
}

static void test_start_up_with_failing_list(void **state)
{
    (void)state;
    fault("{\"method\":\"credentials/list\",\"httpStatus\":503,\"count\":1}");
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    assert_int_equal(slot_count(), 0);
    assert_int_equal(slot_count(), 0); /* inside the back-off: no second attempt */
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    no_faults();
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    assert_int_equal(slot_count(), 4);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void test_login_transport_failure_is_not_a_pin_error(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    assert_int_equal(slot_count(), 4);
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    fault("{\"method\":\"credentials/authorize\",\"httpStatus\":500,\"count\":1}");
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_DEVICE_ERROR);
    fault("{\"method\":\"credentials/authorize\",\"drop\":true,\"count\":1}");
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_DEVICE_ERROR);
    no_faults();
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    f->C_CloseSession(s);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void test_signing_faults(void **state)
{
    (void)state;
    static const char *const faults[] = {
        "{\"method\":\"signatures/signHash\",\"httpStatus\":503,\"count\":1}",
        "{\"method\":\"signatures/signHash\",\"drop\":true,\"count\":1}",
        "{\"method\":\"signatures/signHash\",\"malformed\":true,\"count\":1}",
        "{\"method\":\"signatures/signHash\",\"truncated\":true,\"count\":1}",
        "{\"method\":\"signatures/signHash\",\"oversized\":true,\"count\":1}",
        "{\"method\":\"signatures/signHash\",\"responseCode\":9001,\"count\":1}",
        "{\"method\":\"signatures/signHash\",\"latencyMs\":4000,\"count\":1}",
    };
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID slots[8];
    CK_ULONG n = 8;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    for (CK_ULONG t = 0; t < n; t++) { /* SCAL 1 and SCAL 2, RSA and EC */
        CK_SESSION_HANDLE s;
        assert_int_equal(f->C_OpenSession(slots[t], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
        assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
        for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
            fault(faults[i]);
            CK_RV rv = p11t_sign_once(f, s);
            if (rv != CKR_DEVICE_ERROR)
                fail_msg("slot %lu, fault %s: CK_RV 0x%lx", slots[t], faults[i], rv);
            no_faults();
            assert_int_equal(p11t_sign_once(f, s), CKR_OK); /* and the module recovers */
        }
        f->C_CloseSession(s);
    }
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* Login and one signature on the first token; the session stays open. */
static void login_and_sign(void)
{
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    assert_int_equal(slot_count(), 4);
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    assert_int_equal(p11t_sign_once(f, s), CKR_OK);
}

/* C_Finalize revokes the SAD and the tokens, unless the service just proved unreachable. */
static void test_finalize_revokes_only_when_reachable(void **state)
{
    (void)state;
    login_and_sign();
    long before = p11t_served(&emu, "auth/revoke");
    assert_true(before >= 0);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    /* SAD and access token; CSC has no SAD revocation: the access token only */
    assert_true(p11t_served(&emu, "auth/revoke") >=
                before + (rssp_emu_protocol_rssp(&emu) ? 2 : 1));

    login_and_sign();
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    fault("{\"method\":\"signatures/signHash\",\"drop\":true,\"count\":1}");
    assert_int_equal(p11t_sign_once(f, s), CKR_DEVICE_ERROR);
    before = p11t_served(&emu, "auth/revoke");
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    assert_int_equal(p11t_served(&emu, "auth/revoke"), before);
    no_faults();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_up_with_failing_list),
        cmocka_unit_test(test_login_transport_failure_is_not_a_pin_error),
        cmocka_unit_test(test_signing_faults),
        cmocka_unit_test(test_finalize_revokes_only_when_reachable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
