/*
 * The module with the emulator's other accounts: the relying party logging
 * in by App-Authentication, IMPLICIT approval on the phone, credentials that
 * are revoked, expired or out of signatures, OTP codes through a
 * context-specific login, and PIN lockout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator_fixture.h"
#include "p11_helpers.h"

static rssp_emu emu;
static CK_FUNCTION_LIST_3_0 *f;

static int setup(void **state)
{
    (void)state;
    if (rssp_emu_start(NULL, &emu) != 0)
        return -1;
    char cache[1100];
    snprintf(cache, sizeof cache, "%s/xdg-cache", emu.root);
    setenv("XDG_CACHE_HOME", cache, 1);
    return (f = p11t_load()) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    p11t_unload();
    rssp_emu_stop(&emu);
    return 0;
}

/*
 * The configuration that logs alice in with the other credential kind: the
 * relying party by App-Authentication (RSSP), OAuth 2.0 client credentials (CSC).
 */
static const char *other_login_config(void)
{
    return rssp_emu_protocol_rssp(&emu) ? "appsign.conf" : "oauth2.conf";
}

/* Initialise the module with a configuration of the protocol under test; return the slot count. */
static CK_ULONG use_config(const char *rel, CK_SLOT_ID *slots)
{
    char path[PATH_MAX];
    rssp_emu_config(&emu, rel, path, sizeof path);
    setenv("RSSP_PKCS11_CONF", path, 1);
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_ULONG n = 16;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    return n;
}

static CK_SESSION_HANDLE open_session(CK_SLOT_ID slot)
{
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    return s;
}

static CK_RV sign_once(CK_SESSION_HANDLE s)
{
    return p11t_sign_once(f, s);
}

static void test_appsign_login(void **state)
{
    (void)state;
    CK_SLOT_ID slots[16];
    CK_ULONG n = use_config(other_login_config(), slots);
    assert_int_equal(n, 4); /* alice's four credentials, through AppSign or OAuth 2.0 */
    for (CK_ULONG i = 0; i < n; i++) {
        CK_SESSION_HANDLE s = open_session(slots[i]);
        assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
        assert_int_equal(sign_once(s), CKR_OK);
        f->C_CloseSession(s);
    }
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

typedef struct {
    CK_SESSION_HANDLE s;
    int sign; /* 0: C_Login with a protected path, 1: a signature */
    CK_RV rv;
} phone_call;

static void *call_and_wait(void *p)
{
    phone_call *c = p;
    c->rv = c->sign ? sign_once(c->s) : f->C_Login(c->s, CKU_USER, NULL, 0);
    return NULL;
}

/* Run the call in a thread while the test answers on the "phone". */
static CK_RV with_phone(CK_SESSION_HANDLE s, int sign, const char *credential, bool approve)
{
    phone_call c = {s, sign, CKR_GENERAL_ERROR};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, call_and_wait, &c), 0);
    assert_int_equal(rssp_emu_approve(&emu, credential, approve, 20.0), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    return c.rv;
}

static void test_implicit_phone_approval(void **state)
{
    (void)state;
    CK_SLOT_ID slots[16];
    char log[1100];
    /* The module never prints; a wait for the phone is logged at info. */
    rssp_emu_path(&emu, "implicit.log", log, sizeof log);
    setenv("RSSP_PKCS11_LOG", "info", 1);
    setenv("RSSP_PKCS11_LOG_FILE", log, 1);
    CK_ULONG n = use_config("owners/carol.conf", slots);
    assert_int_equal(n, 2);
    CK_TOKEN_INFO ti;
    CK_SLOT_ID scal1 = slots[0], scal2 = slots[1];
    assert_int_equal(f->C_GetTokenInfo(scal1, &ti), CKR_OK);
    assert_true(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH);
    assert_memory_equal(ti.serialNumber, "30001", 5);

    /* SCAL 1: the login is approved once; signatures then need no phone. */
    CK_SESSION_HANDLE s = open_session(scal1);
    assert_int_equal(with_phone(s, 0, "30001", false), CKR_FUNCTION_REJECTED);
    assert_int_equal(with_phone(s, 0, "30001", true), CKR_OK);
    char text[8192] = "";
    FILE *lf = fopen(log, "r");
    assert_non_null(lf);
    size_t got = fread(text, 1, sizeof text - 1, lf);
    text[got] = '\0';
    fclose(lf);
    assert_non_null(strstr(text, "credential 30001: waiting for approval on the phone (at most"));
    assert_non_null(strstr(text, "credential 30001: phone did not approve after"));
    assert_non_null(strstr(text, "credential 30001: phone approved after"));
    unsetenv("RSSP_PKCS11_LOG");
    unsetenv("RSSP_PKCS11_LOG_FILE");
    assert_int_equal(sign_once(s), CKR_OK);
    assert_int_equal(sign_once(s), CKR_OK);
    f->C_CloseSession(s);

    /* A login waiting for the phone can be abandoned with C_SessionCancel. */
    CK_SESSION_HANDLE waiting = open_session(scal1);
    /* closing the token's last session above ended the login */
    assert_int_equal(f->C_Logout(waiting), CKR_USER_NOT_LOGGED_IN);
    phone_call c = {waiting, 0, CKR_GENERAL_ERROR};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, call_and_wait, &c), 0);
    char *pending = NULL;
    for (int i = 0; i < 200; i++) { /* wait until the request is held by the service */
        free(pending);
        pending = NULL;
        assert_int_equal(rssp_emu_admin(&emu, "GET", "pending", NULL, &pending), 200);
        if (pending != NULL && strstr(pending, "30001") != NULL)
            break;
        usleep(50 * 1000);
    }
    assert_non_null(strstr(pending, "30001"));
    free(pending);
    assert_int_equal(f->C_SessionCancel(waiting, CKF_SIGN), CKR_OK);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(c.rv, CKR_FUNCTION_CANCELED);
    f->C_CloseSession(waiting);

    /* SCAL 2: every signature is approved on the phone; a denial fails that signature only. */
    s = open_session(scal2);
    assert_int_equal(f->C_Login(s, CKU_USER, NULL, 0), CKR_OK);
    assert_int_equal(with_phone(s, 1, "30002", true), CKR_OK);
    assert_int_equal(with_phone(s, 1, "30002", false), CKR_FUNCTION_REJECTED);
    assert_int_equal(with_phone(s, 1, "30002", true), CKR_OK);
    f->C_CloseSession(s);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void test_unusable_credentials(void **state)
{
    (void)state;
    CK_SLOT_ID slots[16];
    /* dave: one revoked, one expired (not offered), one with 3 signatures left. */
    CK_ULONG n = use_config("owners/dave.conf", slots);
    assert_int_equal(n, 1);
    CK_SESSION_HANDLE s = open_session(slots[0]);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sign_once(s), CKR_OK);
    assert_int_equal(sign_once(s), CKR_KEY_FUNCTION_NOT_PERMITTED);
    f->C_CloseSession(s);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* Sign with an OTP token: code NULL = no context-specific login, "outbox" = the code sent. */
static CK_RV sign_with_code(CK_SESSION_HANDLE s, const char *credential, const char *code)
{
    static const unsigned char data[] = "otp";
    CK_OBJECT_HANDLE priv = p11t_find(f, s, CKO_PRIVATE_KEY);
    CK_OBJECT_HANDLE cert = p11t_find(f, s, CKO_CERTIFICATE);
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
    CK_MECHANISM_INFO mi;
    CK_SESSION_INFO si;
    assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
    if (f->C_GetMechanismInfo(si.slotID, CKM_ECDSA, &mi) == CKR_OK)
        m.mechanism = CKM_ECDSA_SHA256;
    assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK); /* sends the code */
    char otp[7];
    if (code != NULL && strcmp(code, "outbox") == 0) {
        assert_int_equal(rssp_emu_last_otp(&emu, credential, otp), 0);
        code = otp;
    }
    if (code != NULL)
        assert_int_equal(f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)code, strlen(code)),
                         CKR_OK);
    unsigned char sig[512];
    CK_ULONG len = 0;
    assert_int_equal(f->C_Sign(s, (CK_BYTE_PTR)data, sizeof data, NULL, &len), CKR_OK);
    len = sizeof sig;
    CK_RV rv = f->C_Sign(s, (CK_BYTE_PTR)data, sizeof data, sig, &len);
    if (rv == CKR_OK) {
        size_t cert_len;
        unsigned char *der = p11t_attr(f, s, cert, CKA_VALUE, &cert_len);
        assert_non_null(der);
        assert_true(
            p11t_openssl_verify(der, cert_len, m.mechanism, NULL, data, sizeof data, sig, len));
        free(der);
    }
    return rv;
}

static void test_otp_context_specific_login(void **state)
{
    (void)state;
    CK_SLOT_ID slots[16];
    /*
     * bob: OTP-SMS (RSA, SCAL 1) and OTP-EMAIL (EC, SCAL 2). OTP-MOBILE is not
     * offered by RSSP; CSC describes it as a generator OTP, a token whose
     * login is refused.
     */
    CK_ULONG n = use_config("owners/bob.conf", slots);
    assert_int_equal(n, rssp_emu_protocol_rssp(&emu) ? 2 : 3);
    if (n == 3) {
        CK_TOKEN_INFO ti;
        assert_int_equal(f->C_GetTokenInfo(slots[2], &ti), CKR_OK);
        assert_memory_equal(ti.serialNumber, "20003", 5);
        assert_false(ti.flags & CKF_USER_PIN_INITIALIZED);
        CK_SESSION_HANDLE s = open_session(slots[2]);
        assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6),
                         CKR_USER_PIN_NOT_INITIALIZED);
        f->C_CloseSession(s);
        n = 2;
    }
    static const char *const ids[] = {"20001", "20002"};
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        assert_int_equal(f->C_GetTokenInfo(slots[i], &ti), CKR_OK);
        assert_memory_equal(ti.serialNumber, ids[i], 5);
        assert_true(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH);
        CK_SESSION_HANDLE s = open_session(slots[i]);
        assert_int_equal(f->C_Login(s, CKU_USER, NULL, 0), CKR_OK);
        CK_BBOOL always = CK_FALSE;
        CK_ATTRIBUTE a = {CKA_ALWAYS_AUTHENTICATE, &always, sizeof always};
        assert_int_equal(f->C_GetAttributeValue(s, p11t_find(f, s, CKO_PRIVATE_KEY), &a, 1),
                         CKR_OK);
        assert_int_equal(always, CK_TRUE);

        assert_int_equal(sign_with_code(s, ids[i], NULL), CKR_USER_NOT_LOGGED_IN);
        assert_int_equal(sign_with_code(s, ids[i], "000000"), CKR_PIN_INCORRECT);
        assert_int_equal(sign_with_code(s, ids[i], "outbox"), CKR_OK);
        assert_int_equal(sign_with_code(s, ids[i], "outbox"), CKR_OK); /* a new code each time */
        f->C_CloseSession(s);
    }
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void test_pin_lockout(void **state)
{
    (void)state;
    CK_SLOT_ID slots[16];
    CK_ULONG n = use_config("owners/erin.conf", slots);
    assert_true(n >= 1);
    CK_SESSION_HANDLE s = open_session(slots[0]);
    CK_TOKEN_INFO ti;
    CK_RV rv = CKR_OK;
    int tries = 0;
    do {
        /* A different wrong PIN each time: the module never resends a refused one. */
        char bad[16];
        snprintf(bad, sizeof bad, "9999%02d", tries);
        rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)bad, (CK_ULONG)strlen(bad));
        tries++;
        assert_int_equal(f->C_GetTokenInfo(slots[0], &ti), CKR_OK);
        /* RSSP says how many tries are left; CSC errors carry no counter */
        if (rv == CKR_PIN_INCORRECT && rssp_emu_protocol_rssp(&emu))
            assert_true(ti.flags & CKF_USER_PIN_COUNT_LOW);
    } while (rv == CKR_PIN_INCORRECT && tries < 10);
    assert_int_equal(rv, CKR_PIN_LOCKED);
    assert_true(ti.flags & CKF_USER_PIN_LOCKED);
    /* Locked: even the right PIN is refused, and says so. */
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_PIN_LOCKED);
    f->C_CloseSession(s);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* The whole content of a file of the emulator's folder, NUL-terminated (malloc'ed). */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* A secret file's value (first line) must not occur in text. */
static void assert_absent(const char *text, const char *secret_rel)
{
    char path[PATH_MAX];
    rssp_emu_path(&emu, secret_rel, path, sizeof path);
    char *secret = slurp(path);
    secret[strcspn(secret, "\r\n")] = '\0';
    assert_true(strlen(secret) >= 6);
    if (strstr(text, secret) != NULL)
        fail_msg("the secret of %s is in the log", secret_rel);
    free(secret);
}

/* Everything logged at debug level for a whole session holds no secret. */
static void test_no_secret_in_the_log(void **state)
{
    (void)state;
    char log[PATH_MAX];
    rssp_emu_path(&emu, "debug.log", log, sizeof log);
    setenv("RSSP_PKCS11_LOG", "debug", 1);
    setenv("RSSP_PKCS11_LOG_FILE", log, 1);
    const char *const configs[] = {"rssp-pkcs11.conf", other_login_config()};
    for (size_t c = 0; c < 2; c++) {
        CK_SLOT_ID slots[16];
        assert_true(use_config(configs[c], slots) >= 1);
        CK_SESSION_HANDLE s = open_session(slots[0]);
        assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "9q8w7e6r", 8),
                         CKR_PIN_INCORRECT);
        assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
        assert_int_equal(sign_once(s), CKR_OK);
        assert_int_equal(f->C_Logout(s), CKR_OK);
        assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    }
    unsetenv("RSSP_PKCS11_LOG");
    unsetenv("RSSP_PKCS11_LOG_FILE");

    char *text = slurp(log);
    /* the log is there and detailed: the calls, their outcomes, billCodes */
    assert_non_null(strstr(text, "C_Login = 0x000000a0")); /* CKR_PIN_INCORRECT */
    assert_non_null(strstr(text, "credentials/authorize"));
    assert_non_null(strstr(text, "signatures/signHash"));
    if (rssp_emu_protocol_rssp(&emu))
        assert_non_null(strstr(text, "billCode DEMO-RP-")); /* CSC has no bill codes */
    /* and no secret: PINs, passwords, key password, App-Authentication secret */
    assert_null(strstr(text, "9q8w7e6r"));
    assert_absent(text, "secrets/owner-alice-password");
    assert_absent(text, "secrets/rp-password");
    assert_absent(text, "secrets/rp-key-password");
    assert_absent(text, "secrets/rp-app-secret");
    assert_null(strstr(text, "Bearer"));
    assert_null(strstr(text, "SSL2 "));
    assert_null(strstr(text, "Basic "));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appsign_login),
        cmocka_unit_test(test_implicit_phone_approval),
        cmocka_unit_test(test_unusable_credentials),
        cmocka_unit_test(test_otp_context_specific_login),
        cmocka_unit_test(test_pin_lockout),
        cmocka_unit_test(test_no_secret_in_the_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
