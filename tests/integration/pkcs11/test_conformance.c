/*
 * Our own PKCS#11 conformance table (issue 10): every entry point walked
 * through the error cases the base specification (2.40 §5, 3.0 §5) fixes,
 * and every deliberate deviation of docs/module.md ("Deviations") asserted
 * as one.
 *
 * Rules checked, from the specification's text:
 * - before C_Initialize (and after C_Finalize) every function but
 *   C_Initialize, C_GetFunctionList and the 3.0 interface functions answers
 *   CKR_CRYPTOKI_NOT_INITIALIZED (§5.4);
 * - an unknown session handle gives CKR_SESSION_HANDLE_INVALID, an unknown
 *   slot CKR_SLOT_ID_INVALID;
 * - a NULL pointer argument gives CKR_ARGUMENTS_BAD, before the function's
 *   own refusal ("not supported", "not initialised", write protection);
 * - C_Sign, C_Verify, C_Digest (and their Final) end the active operation
 *   unless they answer CKR_BUFFER_TOO_SMALL or a length query (§5.2, §5.12);
 * - the length convention: NULL buffer = length with CKR_OK, small buffer =
 *   CKR_BUFFER_TOO_SMALL with the length;
 * - session state: login twice, logout when not logged in, private key use
 *   without login, an operation started twice, find without init.
 * The 3.0 message-based functions are stubs answering
 * CKR_FUNCTION_NOT_SUPPORTED whatever the state (§5.1: "even unsupported
 * functions should have a stub").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator_fixture.h"
#include "p11_helpers.h"

static rssp_emu emu;
static CK_FUNCTION_LIST_3_0 *f;

#define BAD_SESSION 0x7fffff0UL
#define BAD_SLOT 999UL

static int setup(void **state)
{
    (void)state;
    static const char *const edits[][2] = {{"cache_ttl", "cache_ttl = 0"}, {NULL, NULL}};
    if (rssp_emu_start(NULL, &emu) != 0 || p11t_demo_config(&emu, "conformance.conf", edits) != 0)
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

/* ---- the table: one row per entry point ---- */

/*
 * ok: the call with well-formed arguments on session h / slot sl.
 * null: the same call with a NULL pointer where the specification wants one
 * (NULL when the function takes no pointer that must be set).
 */
typedef struct {
    const char *name;
    CK_RV (*ok)(CK_SESSION_HANDLE h, CK_SLOT_ID sl);
    CK_RV (*null)(CK_SESSION_HANDLE h, CK_SLOT_ID sl);
    enum { ON_NONE, ON_SESSION, ON_SLOT } target;
} row;

static CK_BYTE buf[512];
static CK_ULONG buf_len;
static CK_MECHANISM sha256_rsa = {CKM_SHA256_RSA_PKCS, NULL, 0};
static CK_MECHANISM sha256 = {CKM_SHA256, NULL, 0};
static CK_MECHANISM aes = {CKM_AES_KEY_GEN, NULL, 0};
static CK_ATTRIBUTE tmpl[1] = {{CKA_LABEL, buf, 4}};
static CK_OBJECT_HANDLE obj_out, obj_out2;
static CK_ULONG count_out;
static CK_SESSION_HANDLE session_out;

/* ROW(name, ok-expression, null-expression or 0, target); h and sl are in scope. */
#define ROW(fn, ok_expr, null_expr, tgt)                                                           \
    static CK_RV ok_##fn(CK_SESSION_HANDLE h, CK_SLOT_ID sl)                                       \
    {                                                                                              \
        (void)h, (void)sl;                                                                         \
        buf_len = sizeof buf;                                                                      \
        return ok_expr;                                                                            \
    }                                                                                              \
    static CK_RV null_##fn(CK_SESSION_HANDLE h, CK_SLOT_ID sl)                                     \
    {                                                                                              \
        (void)h, (void)sl;                                                                         \
        buf_len = sizeof buf;                                                                      \
        return null_expr;                                                                          \
    }
#define NONE CKR_OK /* no NULL variant */

ROW(GetInfo, f->C_GetInfo((CK_INFO_PTR)buf), f->C_GetInfo(NULL), ON_NONE)
ROW(GetSlotList, f->C_GetSlotList(CK_TRUE, NULL, &count_out), f->C_GetSlotList(CK_TRUE, NULL, NULL),
    ON_NONE)
ROW(GetSlotInfo, f->C_GetSlotInfo(sl, (CK_SLOT_INFO_PTR)buf), f->C_GetSlotInfo(sl, NULL), ON_SLOT)
ROW(GetTokenInfo, f->C_GetTokenInfo(sl, (CK_TOKEN_INFO_PTR)buf), f->C_GetTokenInfo(sl, NULL),
    ON_SLOT)
ROW(GetMechanismList, f->C_GetMechanismList(sl, NULL, &count_out),
    f->C_GetMechanismList(sl, NULL, NULL), ON_SLOT)
ROW(GetMechanismInfo, f->C_GetMechanismInfo(sl, CKM_SHA256_RSA_PKCS, (CK_MECHANISM_INFO_PTR)buf),
    f->C_GetMechanismInfo(sl, CKM_SHA256_RSA_PKCS, NULL), ON_SLOT)
ROW(InitToken, f->C_InitToken(sl, buf, 4, buf), f->C_InitToken(sl, buf, 4, NULL), ON_SLOT)
ROW(InitPIN, f->C_InitPIN(h, buf, 4), f->C_InitPIN(h, NULL, 4), ON_SESSION)
ROW(SetPIN, f->C_SetPIN(h, buf, 4, buf, 4), f->C_SetPIN(h, buf, 4, NULL, 4), ON_SESSION)
ROW(OpenSession, f->C_OpenSession(sl, CKF_SERIAL_SESSION, NULL, NULL, &session_out),
    f->C_OpenSession(sl, CKF_SERIAL_SESSION, NULL, NULL, NULL), ON_SLOT)
ROW(CloseAllSessions, f->C_CloseAllSessions(sl), NONE, ON_SLOT)
ROW(GetSessionInfo, f->C_GetSessionInfo(h, (CK_SESSION_INFO_PTR)buf), f->C_GetSessionInfo(h, NULL),
    ON_SESSION)
ROW(GetOperationState, f->C_GetOperationState(h, buf, &buf_len),
    f->C_GetOperationState(h, buf, NULL), ON_SESSION)
ROW(SetOperationState, f->C_SetOperationState(h, buf, 4, 0, 0),
    f->C_SetOperationState(h, NULL, 4, 0, 0), ON_SESSION)
ROW(Logout, f->C_Logout(h), NONE, ON_SESSION)
ROW(CreateObject, f->C_CreateObject(h, tmpl, 1, &obj_out), f->C_CreateObject(h, tmpl, 1, NULL),
    ON_SESSION)
ROW(CopyObject, f->C_CopyObject(h, 1, tmpl, 1, &obj_out), f->C_CopyObject(h, 1, tmpl, 1, NULL),
    ON_SESSION)
ROW(DestroyObject, f->C_DestroyObject(h, 1), NONE, ON_SESSION)
ROW(GetObjectSize, f->C_GetObjectSize(h, 1, &count_out), f->C_GetObjectSize(h, 1, NULL), ON_SESSION)
ROW(GetAttributeValue, f->C_GetAttributeValue(h, 1, tmpl, 1), f->C_GetAttributeValue(h, 1, NULL, 1),
    ON_SESSION)
ROW(SetAttributeValue, f->C_SetAttributeValue(h, 1, tmpl, 1), f->C_SetAttributeValue(h, 1, NULL, 1),
    ON_SESSION)
ROW(FindObjectsInit, f->C_FindObjectsInit(h, tmpl, 1), f->C_FindObjectsInit(h, NULL, 1), ON_SESSION)
ROW(FindObjects, f->C_FindObjects(h, &obj_out, 1, &count_out),
    f->C_FindObjects(h, &obj_out, 1, NULL), ON_SESSION)
ROW(FindObjectsFinal, f->C_FindObjectsFinal(h), NONE, ON_SESSION)
ROW(EncryptInit, f->C_EncryptInit(h, &sha256_rsa, 1), f->C_EncryptInit(h, NULL, 1), ON_SESSION)
ROW(Encrypt, f->C_Encrypt(h, buf, 4, buf, &buf_len), f->C_Encrypt(h, buf, 4, buf, NULL), ON_SESSION)
ROW(EncryptUpdate, f->C_EncryptUpdate(h, buf, 4, buf, &buf_len),
    f->C_EncryptUpdate(h, NULL, 4, buf, &buf_len), ON_SESSION)
ROW(EncryptFinal, f->C_EncryptFinal(h, buf, &buf_len), f->C_EncryptFinal(h, buf, NULL), ON_SESSION)
ROW(DecryptInit, f->C_DecryptInit(h, &sha256_rsa, 1), f->C_DecryptInit(h, NULL, 1), ON_SESSION)
ROW(Decrypt, f->C_Decrypt(h, buf, 4, buf, &buf_len), f->C_Decrypt(h, NULL, 4, buf, &buf_len),
    ON_SESSION)
ROW(DecryptUpdate, f->C_DecryptUpdate(h, buf, 4, buf, &buf_len),
    f->C_DecryptUpdate(h, buf, 4, buf, NULL), ON_SESSION)
ROW(DecryptFinal, f->C_DecryptFinal(h, buf, &buf_len), f->C_DecryptFinal(h, buf, NULL), ON_SESSION)
ROW(DigestInit, f->C_DigestInit(h, &sha256), f->C_DigestInit(h, NULL), ON_SESSION)
ROW(Digest, f->C_Digest(h, buf, 4, buf, &buf_len), f->C_Digest(h, buf, 4, buf, NULL), ON_SESSION)
ROW(DigestUpdate, f->C_DigestUpdate(h, buf, 4), f->C_DigestUpdate(h, NULL, 4), ON_SESSION)
ROW(DigestKey, f->C_DigestKey(h, 1), NONE, ON_SESSION)
ROW(DigestFinal, f->C_DigestFinal(h, buf, &buf_len), f->C_DigestFinal(h, buf, NULL), ON_SESSION)
ROW(SignInit, f->C_SignInit(h, &sha256_rsa, 1), f->C_SignInit(h, NULL, 1), ON_SESSION)
ROW(Sign, f->C_Sign(h, buf, 4, buf, &buf_len), f->C_Sign(h, buf, 4, buf, NULL), ON_SESSION)
ROW(SignUpdate, f->C_SignUpdate(h, buf, 4), f->C_SignUpdate(h, NULL, 4), ON_SESSION)
ROW(SignFinal, f->C_SignFinal(h, buf, &buf_len), f->C_SignFinal(h, buf, NULL), ON_SESSION)
ROW(SignRecoverInit, f->C_SignRecoverInit(h, &sha256_rsa, 1), f->C_SignRecoverInit(h, NULL, 1),
    ON_SESSION)
ROW(SignRecover, f->C_SignRecover(h, buf, 4, buf, &buf_len), f->C_SignRecover(h, buf, 4, buf, NULL),
    ON_SESSION)
ROW(VerifyInit, f->C_VerifyInit(h, &sha256_rsa, 1), f->C_VerifyInit(h, NULL, 1), ON_SESSION)
ROW(Verify, f->C_Verify(h, buf, 4, buf, 4), NONE, ON_SESSION)
ROW(VerifyUpdate, f->C_VerifyUpdate(h, buf, 4), f->C_VerifyUpdate(h, NULL, 4), ON_SESSION)
ROW(VerifyFinal, f->C_VerifyFinal(h, buf, 4), NONE, ON_SESSION)
ROW(VerifyRecoverInit, f->C_VerifyRecoverInit(h, &sha256_rsa, 1),
    f->C_VerifyRecoverInit(h, NULL, 1), ON_SESSION)
ROW(VerifyRecover, f->C_VerifyRecover(h, buf, 4, buf, &buf_len),
    f->C_VerifyRecover(h, buf, 4, buf, NULL), ON_SESSION)
ROW(DigestEncryptUpdate, f->C_DigestEncryptUpdate(h, buf, 4, buf, &buf_len),
    f->C_DigestEncryptUpdate(h, buf, 4, buf, NULL), ON_SESSION)
ROW(DecryptDigestUpdate, f->C_DecryptDigestUpdate(h, buf, 4, buf, &buf_len),
    f->C_DecryptDigestUpdate(h, buf, 4, buf, NULL), ON_SESSION)
ROW(SignEncryptUpdate, f->C_SignEncryptUpdate(h, buf, 4, buf, &buf_len),
    f->C_SignEncryptUpdate(h, buf, 4, buf, NULL), ON_SESSION)
ROW(DecryptVerifyUpdate, f->C_DecryptVerifyUpdate(h, buf, 4, buf, &buf_len),
    f->C_DecryptVerifyUpdate(h, buf, 4, buf, NULL), ON_SESSION)
ROW(GenerateKey, f->C_GenerateKey(h, &aes, tmpl, 1, &obj_out),
    f->C_GenerateKey(h, &aes, tmpl, 1, NULL), ON_SESSION)
ROW(GenerateKeyPair, f->C_GenerateKeyPair(h, &aes, tmpl, 1, tmpl, 1, &obj_out, &obj_out2),
    f->C_GenerateKeyPair(h, &aes, tmpl, 1, tmpl, 1, &obj_out, NULL), ON_SESSION)
ROW(WrapKey, f->C_WrapKey(h, &aes, 1, 1, buf, &buf_len), f->C_WrapKey(h, &aes, 1, 1, buf, NULL),
    ON_SESSION)
ROW(UnwrapKey, f->C_UnwrapKey(h, &aes, 1, buf, 4, tmpl, 1, &obj_out),
    f->C_UnwrapKey(h, &aes, 1, NULL, 4, tmpl, 1, &obj_out), ON_SESSION)
ROW(DeriveKey, f->C_DeriveKey(h, &aes, 1, tmpl, 1, &obj_out),
    f->C_DeriveKey(h, &aes, 1, tmpl, 1, NULL), ON_SESSION)
ROW(SeedRandom, f->C_SeedRandom(h, buf, 4), f->C_SeedRandom(h, NULL, 1), ON_SESSION)
ROW(GenerateRandom, f->C_GenerateRandom(h, buf, 4), f->C_GenerateRandom(h, NULL, 4), ON_SESSION)
ROW(GetFunctionStatus, f->C_GetFunctionStatus(h), NONE, ON_SESSION)
ROW(CancelFunction, f->C_CancelFunction(h), NONE, ON_SESSION)
ROW(WaitForSlotEvent, f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &sl, NULL),
    f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), ON_NONE)
ROW(Login, f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), f->C_Login(h, CKU_USER, NULL, 6),
    ON_SESSION)
ROW(SessionCancel, f->C_SessionCancel(h, CKF_SIGN), NONE, ON_SESSION)
/* Last: it closes the session it is given. */
ROW(CloseSession, f->C_CloseSession(h), NONE, ON_SESSION)

#define R(fn, tgt, has_null)                                                                       \
    {                                                                                              \
#fn, ok_##fn, has_null ? null_##fn : NULL, tgt                                             \
    }
static const row rows[] = {
    R(GetInfo, ON_NONE, 1),
    R(GetSlotList, ON_NONE, 1),
    R(GetSlotInfo, ON_SLOT, 1),
    R(GetTokenInfo, ON_SLOT, 1),
    R(GetMechanismList, ON_SLOT, 1),
    R(GetMechanismInfo, ON_SLOT, 1),
    R(InitToken, ON_SLOT, 1),
    R(InitPIN, ON_SESSION, 1),
    R(SetPIN, ON_SESSION, 1),
    R(OpenSession, ON_SLOT, 1),
    R(GetSessionInfo, ON_SESSION, 1),
    R(GetOperationState, ON_SESSION, 1),
    R(SetOperationState, ON_SESSION, 1),
    R(Login, ON_SESSION, 1),
    R(Logout, ON_SESSION, 0),
    R(CreateObject, ON_SESSION, 1),
    R(CopyObject, ON_SESSION, 1),
    R(DestroyObject, ON_SESSION, 0),
    R(GetObjectSize, ON_SESSION, 1),
    R(GetAttributeValue, ON_SESSION, 1),
    R(SetAttributeValue, ON_SESSION, 1),
    R(FindObjectsInit, ON_SESSION, 1),
    R(FindObjects, ON_SESSION, 1),
    R(FindObjectsFinal, ON_SESSION, 0),
    R(EncryptInit, ON_SESSION, 1),
    R(Encrypt, ON_SESSION, 1),
    R(EncryptUpdate, ON_SESSION, 1),
    R(EncryptFinal, ON_SESSION, 1),
    R(DecryptInit, ON_SESSION, 1),
    R(Decrypt, ON_SESSION, 1),
    R(DecryptUpdate, ON_SESSION, 1),
    R(DecryptFinal, ON_SESSION, 1),
    R(DigestInit, ON_SESSION, 1),
    R(Digest, ON_SESSION, 1),
    R(DigestUpdate, ON_SESSION, 1),
    R(DigestKey, ON_SESSION, 0),
    R(DigestFinal, ON_SESSION, 1),
    R(SignInit, ON_SESSION, 1),
    R(Sign, ON_SESSION, 1),
    R(SignUpdate, ON_SESSION, 1),
    R(SignFinal, ON_SESSION, 1),
    R(SignRecoverInit, ON_SESSION, 1),
    R(SignRecover, ON_SESSION, 1),
    R(VerifyInit, ON_SESSION, 1),
    R(Verify, ON_SESSION, 0),
    R(VerifyUpdate, ON_SESSION, 1),
    R(VerifyFinal, ON_SESSION, 0),
    R(VerifyRecoverInit, ON_SESSION, 1),
    R(VerifyRecover, ON_SESSION, 1),
    R(DigestEncryptUpdate, ON_SESSION, 1),
    R(DecryptDigestUpdate, ON_SESSION, 1),
    R(SignEncryptUpdate, ON_SESSION, 1),
    R(DecryptVerifyUpdate, ON_SESSION, 1),
    R(GenerateKey, ON_SESSION, 1),
    R(GenerateKeyPair, ON_SESSION, 1),
    R(WrapKey, ON_SESSION, 1),
    R(UnwrapKey, ON_SESSION, 1),
    R(DeriveKey, ON_SESSION, 1),
    R(SeedRandom, ON_SESSION, 1),
    R(GenerateRandom, ON_SESSION, 1),
    R(GetFunctionStatus, ON_SESSION, 0),
    R(CancelFunction, ON_SESSION, 0),
    R(WaitForSlotEvent, ON_NONE, 1),
    R(SessionCancel, ON_SESSION, 0),
    R(CloseAllSessions, ON_SLOT, 0),
    R(CloseSession, ON_SESSION, 0),
};
#define N_ROWS (sizeof rows / sizeof rows[0])

/* Every disagreement of a table walk is printed; the walk fails at its end if there was one. */
static int disagreements;

static void expect(const char *what, const char *fn, CK_RV got, CK_RV want)
{
    if (got == want)
        return;
    print_error("%s: C_%s answered 0x%lx, the specification wants 0x%lx\n", what, fn, got, want);
    disagreements++;
}

static int finalize_quietly(void **state)
{
    (void)state;
    f->C_Finalize(NULL);
    int n = disagreements;
    disagreements = 0;
    return n == 0 ? 0 : -1;
}

/* Every entry point: not initialised, before C_Initialize and after C_Finalize. */
static void test_not_initialized(void **state)
{
    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            assert_int_equal(f->C_Initialize(NULL), CKR_OK);
            assert_int_equal(f->C_Finalize(NULL), CKR_OK);
        }
        for (size_t i = 0; i < N_ROWS; i++)
            expect("not initialised", rows[i].name, rows[i].ok(1, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
        expect("not initialised", "Finalize", f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    }
    /* The 3.0 message functions are stubs (§5.1). */
    assert_int_equal(f->C_MessageSignInit(1, &sha256_rsa, 1), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(f->C_SignMessage(1, NULL, 0, buf, 4, buf, &buf_len),
                     CKR_FUNCTION_NOT_SUPPORTED);
}

/* Every function of a session or slot: an unknown handle, and NULL arguments before the rest. */
static void test_bad_handles_and_null_arguments_first(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE h;
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    long authorize = p11t_served(&emu, "credentials/authorize");
    for (size_t i = 0; i < N_ROWS; i++) {
        const row *r = &rows[i];
        if (r->target == ON_SESSION)
            expect("unknown session", r->name, r->ok(BAD_SESSION, 0), CKR_SESSION_HANDLE_INVALID);
        if (r->target == ON_SLOT)
            expect("unknown slot", r->name, r->ok(h, BAD_SLOT), CKR_SLOT_ID_INVALID);
        /* No operation active, not logged in: every other answer would come later. */
        if (r->null != NULL)
            expect("NULL argument", r->name, r->null(h, 0), CKR_ARGUMENTS_BAD);
    }
    assert_int_equal(p11t_served(&emu, "credentials/authorize"), authorize);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static CK_OBJECT_HANDLE key_of(CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls)
{
    CK_OBJECT_HANDLE k = p11t_find(f, h, cls);
    assert_true(k != 0);
    return k;
}

/* C_Sign, C_Verify, C_Digest end the operation after an error, keep it after a length answer. */
static void test_operation_termination(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE h;
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    assert_int_equal(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    CK_OBJECT_HANDLE priv = key_of(h, CKO_PRIVATE_KEY), pub = key_of(h, CKO_PUBLIC_KEY);
    CK_BYTE out[512];
    CK_ULONG len;

    /* Digest: a length query and a small buffer keep it; C_Digest after an update ends it. */
    assert_int_equal(f->C_DigestInit(h, &sha256), CKR_OK);
    assert_int_equal(f->C_Digest(h, buf, 4, NULL, &len), CKR_OK);
    assert_int_equal(len, 32);
    len = 4;
    assert_int_equal(f->C_Digest(h, buf, 4, out, &len), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 32);
    assert_int_equal(f->C_DigestUpdate(h, buf, 4), CKR_OK);
    len = sizeof out;
    assert_true(f->C_Digest(h, buf, 4, out, &len) != CKR_OK);
    assert_int_equal(f->C_DigestFinal(h, out, &len), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_DigestInit(h, &sha256), CKR_OK);
    assert_int_equal(f->C_DigestInit(h, &sha256), CKR_OPERATION_ACTIVE);
    assert_int_equal(f->C_Digest(h, NULL, 4, out, &len), CKR_ARGUMENTS_BAD);
    assert_int_equal(f->C_DigestFinal(h, out, &len), CKR_OPERATION_NOT_INITIALIZED);

    /* Sign: the length answers cost no remote signature; C_Sign after an update ends it. */
    long signs = p11t_served(&emu, "signatures/signHash");
    assert_int_equal(f->C_SignInit(h, &sha256_rsa, priv), CKR_OK);
    assert_int_equal(f->C_SignInit(h, &sha256_rsa, priv), CKR_OPERATION_ACTIVE);
    assert_int_equal(f->C_Sign(h, buf, 4, NULL, &len), CKR_OK);
    assert_int_equal(len, 256);
    len = 8;
    assert_int_equal(f->C_Sign(h, buf, 4, out, &len), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 256);
    assert_int_equal(p11t_served(&emu, "signatures/signHash"), signs);
    assert_int_equal(f->C_SignUpdate(h, buf, 4), CKR_OK);
    len = sizeof out;
    assert_true(f->C_Sign(h, buf, 4, out, &len) != CKR_OK);
    assert_int_equal(f->C_SignFinal(h, out, &len), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_SignInit(h, &sha256_rsa, priv), CKR_OK);
    assert_int_equal(f->C_Sign(h, buf, 4, out, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(f->C_SignFinal(h, out, &len), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(p11t_served(&emu, "signatures/signHash"), signs);

    /* Verify: a wrong signature and C_Verify after an update end it. */
    memset(out, 0, sizeof out);
    assert_int_equal(f->C_VerifyInit(h, &sha256_rsa, pub), CKR_OK);
    assert_int_equal(f->C_Verify(h, buf, 4, out, 256), CKR_SIGNATURE_INVALID);
    assert_int_equal(f->C_VerifyFinal(h, out, 256), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_VerifyInit(h, &sha256_rsa, pub), CKR_OK);
    assert_int_equal(f->C_VerifyUpdate(h, buf, 4), CKR_OK);
    assert_true(f->C_Verify(h, buf, 4, out, 256) != CKR_OK);
    assert_int_equal(f->C_VerifyFinal(h, out, 256), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* The two-call length convention of slot, mechanism and attribute queries. */
static void test_length_queries(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_ULONG n = 0;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    assert_true(n >= 2);
    CK_SLOT_ID slots[1];
    CK_ULONG one = 1;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &one), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(one, n);
    CK_ULONG m = 0;
    assert_int_equal(f->C_GetMechanismList(0, NULL, &m), CKR_OK);
    assert_true(m >= 2);
    CK_MECHANISM_TYPE mt[1];
    one = 1;
    assert_int_equal(f->C_GetMechanismList(0, mt, &one), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(one, m);

    CK_SESSION_HANDLE h;
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    CK_OBJECT_HANDLE cert = key_of(h, CKO_CERTIFICATE);
    CK_ATTRIBUTE a = {CKA_VALUE, NULL, 0};
    assert_int_equal(f->C_GetAttributeValue(h, cert, &a, 1), CKR_OK);
    assert_true(a.ulValueLen > 100);
    CK_BYTE small[8];
    a.pValue = small;
    a.ulValueLen = sizeof small;
    assert_int_equal(f->C_GetAttributeValue(h, cert, &a, 1), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(a.ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* Functions called in the wrong session state. */
static void test_session_state(void **state)
{
    (void)state;
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE h, h2;
    CK_OBJECT_HANDLE found;
    CK_ULONG n;
    assert_int_equal(f->C_OpenSession(0, 0, NULL, NULL, &h), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h2), CKR_OK);
    assert_int_equal(f->C_Logout(h), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(f->C_FindObjects(h, &found, 1, &n), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_FindObjectsFinal(h), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_FindObjectsInit(h, NULL, 0), CKR_OK);
    assert_int_equal(f->C_FindObjectsInit(h, NULL, 0), CKR_OPERATION_ACTIVE);
    assert_int_equal(f->C_FindObjectsFinal(h), CKR_OK);
    /* The private key is invisible until login. */
    assert_int_equal(p11t_find(f, h, CKO_PRIVATE_KEY), 0);
    assert_int_equal(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    assert_int_equal(f->C_Login(h2, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6),
                     CKR_USER_ALREADY_LOGGED_IN); /* the login belongs to the token */
    CK_OBJECT_HANDLE priv = key_of(h, CKO_PRIVATE_KEY);
    assert_int_equal(f->C_Logout(h2), CKR_OK);
    assert_int_equal(f->C_SignInit(h, &sha256_rsa, priv), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(f->C_CloseSession(h2), CKR_OK);
    assert_int_equal(f->C_CloseSession(h2), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/*
 * The deliberate deviations listed in docs/module.md, each asserted as a
 * deviation (what the module does instead of what the text says).
 */
static void test_documented_deviations(void **state)
{
    (void)state;
    /* 1. pReserved of C_Initialize is a configuration path (spec: must be NULL). */
    char path[PATH_MAX];
    rssp_emu_config(&emu, "conformance.conf", path, sizeof path);
    unsetenv("RSSP_PKCS11_CONF");
    CK_C_INITIALIZE_ARGS args = {0};
    args.flags = CKF_OS_LOCKING_OK;
    args.pReserved = path;
    assert_int_equal(f->C_Initialize(&args), CKR_OK); /* spec: CKR_ARGUMENTS_BAD */
    CK_ULONG n = 0;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    assert_true(n >= 2); /* the configuration named there was used */

    /* 2. Read-write sessions on write-protected tokens (spec: CKR_TOKEN_WRITE_PROTECTED). */
    CK_SESSION_HANDLE h;
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h),
                     CKR_OK);
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
    assert_true(ti.flags & CKF_WRITE_PROTECTED);

    /* 3. C_LoginUser ignores the user name: one account per configuration. */
    assert_int_equal(
        f->C_LoginUser(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6, (CK_UTF8CHAR_PTR) "nobody", 6),
        CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    setenv("RSSP_PKCS11_CONF", path, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_not_initialized, finalize_quietly),
        cmocka_unit_test_teardown(test_bad_handles_and_null_arguments_first, finalize_quietly),
        cmocka_unit_test_teardown(test_operation_termination, finalize_quietly),
        cmocka_unit_test_teardown(test_length_queries, finalize_quietly),
        cmocka_unit_test_teardown(test_session_state, finalize_quietly),
        cmocka_unit_test_teardown(test_documented_deviations, finalize_quietly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
