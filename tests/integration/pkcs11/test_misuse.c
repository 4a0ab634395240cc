/*
 * The module used wrongly on purpose (issue 10): PINs of a length the token
 * refuses never reach the service.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator_fixture.h"
#include "p11_helpers.h"

static rssp_emu emu;
static CK_FUNCTION_LIST_3_0 *f;

static int setup(void **state)
{
    (void)state;
    static const char *const edits[][2] = {{"cache_ttl", "cache_ttl = 0"}, {NULL, NULL}};
    if (rssp_emu_start(NULL, &emu) != 0 || p11t_demo_config(&emu, "misuse.conf", edits) != 0)
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

static CK_FLAGS token_flags(CK_SLOT_ID slot)
{
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    return ti.flags;
}

/*
 * Issue 10, defect 6: a PIN outside ulMinPinLen..ulMaxPinLen, and an empty
 * one, is refused with CKR_PIN_LEN_RANGE and costs no attempt: the service
 * sees no authorize, and its remaining-attempts counter is where it was (the
 * emulator allows 5: the fourth wrong PIN afterwards is the one that leaves
 * the final try).
 */
static void test_pin_length_refused_locally(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
    assert_int_equal(ti.ulMinPinLen, 1);
    assert_int_equal(ti.ulMaxPinLen, 64);
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);

    static unsigned char pin[5000];
    memset(pin, '7', sizeof pin);
    long before = p11t_served(&emu, "credentials/authorize");
    assert_true(before >= 0);
    assert_int_equal(f->C_Login(s, CKU_USER, pin, 65), CKR_PIN_LEN_RANGE);
    assert_int_equal(f->C_Login(s, CKU_USER, pin, sizeof pin), CKR_PIN_LEN_RANGE);
    assert_int_equal(f->C_Login(s, CKU_USER, pin, 0), CKR_PIN_LEN_RANGE);
    assert_int_equal(f->C_Login(s, CKU_USER, NULL, 0), CKR_ARGUMENTS_BAD); /* no protected path */
    assert_int_equal(p11t_served(&emu, "credentials/authorize"), before);
    assert_false(token_flags(0) & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY));

    for (int wrong = 1; wrong <= 4; wrong++) {
        /* A different wrong PIN each time: the module never resends a refused one. */
        char bad[16];
        snprintf(bad, sizeof bad, "9999%02d", wrong);
        assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)bad, (CK_ULONG)strlen(bad)),
                         CKR_PIN_INCORRECT);
        bool final_try = (token_flags(0) & CKF_USER_PIN_FINAL_TRY) != 0;
        /* RSSP says how many tries are left; CSC errors carry no counter: never a final try */
        bool expected = wrong == 4 && rssp_emu_protocol_rssp(&emu);
        if (final_try != expected)
            fail_msg("after %d wrong PINs the final-try flag is %d", wrong, final_try);
    }
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    /* At 64 bytes the PIN goes to the service, which judges it. */
    assert_int_equal(f->C_Logout(s), CKR_OK);
    assert_int_equal(f->C_Login(s, CKU_USER, pin, 64), CKR_PIN_INCORRECT);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    f->C_CloseSession(s);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pin_length_refused_locally),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
