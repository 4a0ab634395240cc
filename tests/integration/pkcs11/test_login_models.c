/*
 * The two login models (docs/module.md, "Login models"): the token model
 * (CKF_LOGIN_REQUIRED, private key after C_Login) and the key model (keys
 * visible without login, CKA_ALWAYS_AUTHENTICATE true until the token is
 * logged in, the PIN by a context-specific login), the choice by program
 * name under login_model = auto, and a refused PIN never sent twice.
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

#define PIN "123456"

static rssp_emu emu;
static CK_FUNCTION_LIST_3_0 *f;

static int setup(void **state)
{
    (void)state;
    if (rssp_emu_start(NULL, &emu) != 0)
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

/* Initialise with the demo configuration plus one line in [module]. */
static void init_with(const char *module_line)
{
    char line[256];
    snprintf(line, sizeof line, "[module]\n%s\ncache_ttl = 0", module_line);
    const char *const edits[][2] = {{"[module]", line}, {"cache_ttl", "# cache_ttl"}, {NULL, NULL}};
    assert_int_equal(p11t_demo_config(&emu, "models.conf", edits), 0);
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
}

static CK_FLAGS token_flags(CK_SLOT_ID slot)
{
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    return ti.flags;
}

static CK_SESSION_HANDLE open_session(CK_SLOT_ID slot)
{
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    return s;
}

static CK_BBOOL bool_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
    CK_BBOOL v = 0xAA;
    CK_ATTRIBUTE a = {type, &v, sizeof v};
    assert_int_equal(f->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
    assert_int_equal(a.ulValueLen, sizeof v);
    return v;
}

/* Private keys found with CKA_ALWAYS_AUTHENTICATE = want. */
static CK_ULONG count_always_authenticate(CK_SESSION_HANDLE s, CK_BBOOL want)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ALWAYS_AUTHENTICATE, &want, 1}};
    CK_OBJECT_HANDLE h[4];
    CK_ULONG n = 0;
    assert_int_equal(f->C_FindObjectsInit(s, t, 2), CKR_OK);
    assert_int_equal(f->C_FindObjects(s, h, 4, &n), CKR_OK);
    assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
    return n;
}

static void test_token_model(void **state)
{
    (void)state;
    init_with("login_model = token");
    assert_true(token_flags(0) & CKF_LOGIN_REQUIRED);
    CK_SESSION_HANDLE s = open_session(0);
    assert_int_equal(p11t_find(f, s, CKO_PRIVATE_KEY), 0); /* private until login */
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
    CK_OBJECT_HANDLE key = p11t_find(f, s, CKO_PRIVATE_KEY);
    assert_int_not_equal(key, 0);
    assert_int_equal(bool_attr(s, key, CKA_PRIVATE), CK_TRUE);
    assert_int_equal(bool_attr(s, key, CKA_ALWAYS_AUTHENTICATE), CK_FALSE);
    assert_int_equal(p11t_sign_once(f, s), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void test_key_model(void **state)
{
    (void)state;
    init_with("login_model = key");
    assert_false(token_flags(0) & CKF_LOGIN_REQUIRED);
    CK_SESSION_HANDLE s = open_session(0);

    /* Visible before login, public, and always authenticating. */
    CK_OBJECT_HANDLE key = p11t_find(f, s, CKO_PRIVATE_KEY);
    assert_int_not_equal(key, 0);
    assert_int_equal(bool_attr(s, key, CKA_PRIVATE), CK_FALSE);
    assert_int_equal(bool_attr(s, key, CKA_ALWAYS_AUTHENTICATE), CK_TRUE);
    assert_int_equal(count_always_authenticate(s, CK_TRUE), 1);
    assert_int_equal(count_always_authenticate(s, CK_FALSE), 0);

    /* Without a PIN: C_SignInit works, C_Sign is refused and costs nothing remote. */
    long signed_before = p11t_served(&emu, "signatures/signHash");
    assert_int_equal(p11t_sign_once(f, s), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(p11t_served(&emu, "signatures/signHash"), signed_before);

    /* C_SignInit, the PIN as a context-specific login, C_Sign: what NSS does. */
    static const unsigned char data[] = "key model";
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
    unsigned char sig[512];
    CK_ULONG len = sizeof sig;
    assert_int_equal(f->C_SignInit(s, &m, key), CKR_OK);
    assert_int_equal(f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
    assert_int_equal(f->C_Sign(s, (CK_BYTE_PTR)data, sizeof data, sig, &len), CKR_OK);
    size_t cert_len;
    unsigned char *der = p11t_attr(f, s, p11t_find(f, s, CKO_CERTIFICATE), CKA_VALUE, &cert_len);
    assert_non_null(der);
    assert_true(p11t_openssl_verify(der, cert_len, m.mechanism, NULL, data, sizeof data, sig, len));
    free(der);

    /* The token is logged in now: the key stops asking, later signatures need no PIN. */
    CK_SESSION_INFO si;
    assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
    assert_int_equal(bool_attr(s, key, CKA_ALWAYS_AUTHENTICATE), CK_FALSE);
    assert_int_equal(count_always_authenticate(s, CK_FALSE), 1);
    assert_int_equal(p11t_sign_once(f, s), CKR_OK);

    /* The other tokens still ask, and C_Login(CKU_USER) works there as ever. */
    CK_SESSION_HANDLE s1 = open_session(1);
    CK_OBJECT_HANDLE key1 = p11t_find(f, s1, CKO_PRIVATE_KEY);
    assert_int_equal(bool_attr(s1, key1, CKA_ALWAYS_AUTHENTICATE), CK_TRUE);
    assert_int_equal(f->C_Login(s1, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
    assert_int_equal(bool_attr(s1, key1, CKA_ALWAYS_AUTHENTICATE), CK_FALSE);
    assert_int_equal(p11t_sign_once(f, s1), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* login_model = auto: the key model only for the programs named. */
static void test_auto_by_program_name(void **state)
{
    (void)state;
    init_with("key_login_programs = soffice.bin, test_p11_login_models");
    assert_false(token_flags(0) & CKF_LOGIN_REQUIRED);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);

    init_with("key_login_programs = soffice.bin thunderbird");
    assert_true(token_flags(0) & CKF_LOGIN_REQUIRED);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);

    init_with("# the default list: soffice.bin only");
    assert_true(token_flags(0) & CKF_LOGIN_REQUIRED);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/*
 * A PIN the service refused is not sent again (NSS asks again after
 * CKR_PIN_INCORRECT and LibreOffice answers with the same password): one
 * attempt at the service, CKR_PIN_INVALID for the repeat, and the right PIN
 * still works.
 */
static void test_refused_pin_not_resent(void **state)
{
    (void)state;
    init_with("login_model = token");
    CK_SESSION_HANDLE s = open_session(2);
    long before = p11t_served(&emu, "credentials/authorize");
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "654321", 6), CKR_PIN_INCORRECT);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "654321", 6), CKR_PIN_INVALID);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "654321", 6), CKR_PIN_INVALID);
    assert_int_equal(p11t_served(&emu, "credentials/authorize"), before + 1);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
    assert_int_equal(p11t_sign_once(f, s), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_model),
        cmocka_unit_test(test_key_model),
        cmocka_unit_test(test_auto_by_program_name),
        cmocka_unit_test(test_refused_pin_not_resent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
