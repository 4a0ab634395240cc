/*
 * The module against a fresh emulator: tokens, objects, login, every signing
 * mechanism (each signature checked with plain OpenSSL against the token's
 * certificate), verification, digests, the length convention, sessions, SAD
 * renewal, the cache, and the error returns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "emulator_fixture.h"
#include "p11_helpers.h"

#define PIN "123456"

static rssp_emu emu;
static CK_FUNCTION_LIST_3_0 *f;
static char cache_dir[1100];

typedef struct {
    CK_SLOT_ID slot;
    int is_ec;
    int scal2;
} token_kind;
static token_kind tokens[16];
static CK_ULONG n_tokens;
/* Calls of the cold start (no cache): credentials/list and credentials/info. */
static long cold_list, cold_info;

static int setup(void **state)
{
    (void)state;
    if (rssp_emu_start(NULL, &emu) != 0)
        return -1;
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", emu.root);
    setenv("RSSP_PKCS11_CONF", emu.demo_config, 1);
    setenv("XDG_CACHE_HOME", cache_dir, 1);
    if ((f = p11t_load()) == NULL)
        return -1;
    if (f->C_Initialize(NULL) != CKR_OK)
        return -1;
    CK_SLOT_ID slots[16];
    n_tokens = 16;
    if (f->C_GetSlotList(CK_TRUE, slots, &n_tokens) != CKR_OK)
        return -1;
    cold_list = p11t_served(&emu, "credentials/list");
    cold_info = p11t_served(&emu, "credentials/info");
    for (CK_ULONG i = 0; i < n_tokens; i++) {
        CK_TOKEN_INFO ti;
        CK_MECHANISM_INFO mi;
        if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            return -1;
        tokens[i].slot = slots[i];
        tokens[i].is_ec = f->C_GetMechanismInfo(slots[i], CKM_ECDSA, &mi) == CKR_OK;
        tokens[i].scal2 = memcmp(ti.model, "RSSP SCAL2", 10) == 0;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (f != NULL)
        f->C_Finalize(NULL);
    p11t_unload();
    rssp_emu_stop(&emu);
    return 0;
}

/*
 * A cold start costs one credentials/list; credentials/info follows for each
 * credential only where the list cannot describe it (RSSP, CSC v1): CSC v2
 * returns chains and authorization data in the list itself.
 */
static void test_cold_start_calls(void **state)
{
    (void)state;
    bool v2 = strcmp(emu.protocol, "csc-v2") == 0;
    print_message("cold start (%s): %ld credentials/list, %ld credentials/info for %lu tokens\n",
                  emu.protocol, cold_list, cold_info, (unsigned long)n_tokens);
    assert_int_equal(n_tokens, 4);
    assert_int_equal(cold_list, 1);
    assert_int_equal(cold_info, v2 ? 0 : 4);
}

static CK_SESSION_HANDLE open_session(CK_SLOT_ID slot)
{
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    return s;
}

static CK_SESSION_HANDLE login_session(CK_SLOT_ID slot)
{
    CK_SESSION_HANDLE s = open_session(slot);
    CK_RV rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, strlen(PIN));
    assert_true(rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN);
    return s;
}

static const token_kind *first(int is_ec, int scal2)
{
    for (CK_ULONG i = 0; i < n_tokens; i++) {
        if (tokens[i].is_ec == is_ec && (scal2 < 0 || tokens[i].scal2 == scal2))
            return &tokens[i];
    }
    fail_msg("no token with ec=%d scal2=%d", is_ec, scal2);
    return NULL;
}

static void test_tokens(void **state)
{
    (void)state;
    assert_true(n_tokens >= 4);
    first(0, 0);
    first(0, 1);
    first(1, 0);
    first(1, 1);
    CK_TOKEN_INFO a, b;
    for (CK_ULONG i = 0; i < n_tokens; i++) {
        assert_int_equal(f->C_GetTokenInfo(tokens[i].slot, &a), CKR_OK);
        CK_FLAGS want = CKF_WRITE_PROTECTED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED |
                        CKF_TOKEN_INITIALIZED;
        assert_int_equal(a.flags & want, want);
        assert_memory_equal(a.manufacturerID, "rssp-pkcs11", 11);
        for (CK_ULONG j = i + 1; j < n_tokens; j++) {
            assert_int_equal(f->C_GetTokenInfo(tokens[j].slot, &b), CKR_OK);
            assert_memory_not_equal(a.label, b.label, sizeof a.label);
        }
        CK_SLOT_INFO si;
        assert_int_equal(f->C_GetSlotInfo(tokens[i].slot, &si), CKR_OK);
        assert_true(si.flags & CKF_TOKEN_PRESENT);
    }
    CK_ULONG n = 0;
    CK_SLOT_ID one;
    if (n_tokens > 1) {
        n = 1;
        assert_int_equal(f->C_GetSlotList(CK_FALSE, &one, &n), CKR_BUFFER_TOO_SMALL);
        assert_int_equal(n, n_tokens);
    }
    assert_int_equal(f->C_GetTokenInfo(9999, &a), CKR_SLOT_ID_INVALID);
}

static void test_mechanisms(void **state)
{
    (void)state;
    const token_kind *rsa = first(0, -1), *ec = first(1, -1);
    CK_MECHANISM_TYPE list[64];
    CK_ULONG n = 64;
    assert_int_equal(f->C_GetMechanismList(rsa->slot, list, &n), CKR_OK);
    assert_int_equal(n, 17); /* 12 RSA + 5 digests */
    n = 64;
    assert_int_equal(f->C_GetMechanismList(ec->slot, list, &n), CKR_OK);
    assert_int_equal(n, 11); /* 6 ECDSA + 5 digests */
    CK_MECHANISM_INFO mi;
    assert_int_equal(f->C_GetMechanismInfo(rsa->slot, CKM_SHA256_RSA_PKCS_PSS, &mi), CKR_OK);
    assert_true(mi.ulMinKeySize >= 2048 && mi.ulMinKeySize == mi.ulMaxKeySize);
    assert_true(mi.flags & CKF_SIGN);
    assert_int_equal(f->C_GetMechanismInfo(rsa->slot, CKM_ECDSA, &mi), CKR_MECHANISM_INVALID);
    assert_int_equal(f->C_GetMechanismInfo(ec->slot, CKM_ECDSA, &mi), CKR_OK);
    assert_true(mi.flags & CKF_EC_NAMEDCURVE);
    assert_int_equal(f->C_GetMechanismInfo(rsa->slot, CKM_RSA_PKCS_KEY_PAIR_GEN, &mi),
                     CKR_MECHANISM_INVALID);
}

static void test_objects_and_login(void **state)
{
    (void)state;
    const token_kind *t = first(0, 0);
    CK_SESSION_HANDLE s = open_session(t->slot);
    assert_int_equal(p11t_find(f, s, CKO_PRIVATE_KEY), 0); /* invisible before login */
    CK_OBJECT_HANDLE cert = p11t_find(f, s, CKO_CERTIFICATE);
    CK_OBJECT_HANDLE pub = p11t_find(f, s, CKO_PUBLIC_KEY);
    assert_true(cert != 0 && pub != 0);

    CK_SESSION_INFO si;
    assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);

    /* Wrong PIN: the service's counter shows in the token flags. */
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "000000", 6), CKR_PIN_INCORRECT);
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(t->slot, &ti), CKR_OK);
    assert_true(ti.flags & CKF_USER_PIN_COUNT_LOW);
    assert_int_equal(f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)PIN, 6), CKR_SESSION_READ_ONLY_EXISTS);
    assert_int_equal(f->C_Login(s, 77, (CK_UTF8CHAR_PTR)PIN, 6), CKR_USER_TYPE_INVALID);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_USER_ALREADY_LOGGED_IN);
    assert_int_equal(f->C_GetTokenInfo(t->slot, &ti), CKR_OK);
    assert_false(ti.flags & CKF_USER_PIN_COUNT_LOW); /* success resets the counter */

    /* A second session shares the login. */
    CK_SESSION_HANDLE s2 = open_session(t->slot);
    assert_int_equal(f->C_GetSessionInfo(s2, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
    CK_OBJECT_HANDLE priv = p11t_find(f, s2, CKO_PRIVATE_KEY);
    assert_true(priv != 0);

    /* Certificate, public and private key share CKA_ID. */
    size_t l1, l2, l3;
    unsigned char *id1 = p11t_attr(f, s, cert, CKA_ID, &l1);
    unsigned char *id2 = p11t_attr(f, s, pub, CKA_ID, &l2);
    unsigned char *id3 = p11t_attr(f, s, priv, CKA_ID, &l3);
    assert_non_null(id1);
    assert_true(l1 == 20 && l2 == 20 && l3 == 20);
    assert_memory_equal(id1, id2, 20);
    assert_memory_equal(id1, id3, 20);
    free(id1);
    free(id2);
    free(id3);

    /* Sensitive and unknown attributes, and the rest of the template still processed. */
    CK_BYTE buf[8];
    CK_BBOOL sign;
    CK_ATTRIBUTE tmpl[] = {{CKA_PRIVATE_EXPONENT, buf, sizeof buf},
                           {CKA_SIGN, &sign, sizeof sign},
                           {0x7fff0001UL, buf, sizeof buf}};
    CK_RV rv = f->C_GetAttributeValue(s, priv, tmpl, 3);
    assert_true(rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID);
    assert_int_equal(tmpl[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(tmpl[1].ulValueLen, 1);
    assert_int_equal(sign, CK_TRUE);
    assert_int_equal(tmpl[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);

    /* Objects are read-only. */
    assert_int_equal(f->C_DestroyObject(s, cert), CKR_ACTION_PROHIBITED);
    assert_int_equal(f->C_SetAttributeValue(s, cert, tmpl, 1), CKR_ACTION_PROHIBITED);
    assert_int_equal(f->C_CreateObject(s, tmpl, 1, &cert), CKR_TOKEN_WRITE_PROTECTED);

    /* Logout hides the private key again. */
    assert_int_equal(f->C_Logout(s2), CKR_OK);
    assert_int_equal(f->C_Logout(s2), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(p11t_find(f, s, CKO_PRIVATE_KEY), 0);
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
    assert_int_equal(f->C_SignInit(s, &m, priv), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(f->C_CloseSession(s2), CKR_OK);
    assert_int_equal(f->C_CloseSession(s), CKR_OK);
    assert_int_equal(f->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);

    /* Closing the last session of the token ends its login (PKCS#11 2.40, C_CloseSession). */
    s = login_session(t->slot);
    assert_int_equal(f->C_CloseSession(s), CKR_OK);
    s = open_session(t->slot);
    assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    assert_int_equal(p11t_find(f, s, CKO_PRIVATE_KEY), 0);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
    assert_int_equal(f->C_CloseAllSessions(t->slot), CKR_OK);
    s = open_session(t->slot);
    assert_int_equal(f->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(f->C_CloseSession(s), CKR_OK);
}

static void test_sessions(void **state)
{
    (void)state;
    const token_kind *t = first(0, -1);
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(t->slot, 0, NULL, NULL, &s),
                     CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    s = open_session(t->slot);
    CK_BYTE out[64];
    CK_ULONG len = sizeof out;
    assert_int_equal(f->C_Sign(s, out, 1, out, &len), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(f->C_Encrypt(s, out, 1, out, &len), CKR_OPERATION_NOT_INITIALIZED);
    CK_MECHANISM sha = {CKM_SHA256, NULL, 0};
    assert_int_equal(f->C_DigestInit(s, &sha), CKR_OK);
    assert_int_equal(f->C_DigestInit(s, &sha), CKR_OPERATION_ACTIVE);
    /* Digest: the length query keeps the operation, then the value matches OpenSSL. */
    len = 0;
    assert_int_equal(f->C_Digest(s, (CK_BYTE_PTR) "abc", 3, NULL, &len), CKR_OK);
    assert_int_equal(len, 32);
    len = 4;
    assert_int_equal(f->C_Digest(s, (CK_BYTE_PTR) "abc", 3, out, &len), CKR_BUFFER_TOO_SMALL);
    len = sizeof out;
    assert_int_equal(f->C_Digest(s, (CK_BYTE_PTR) "abc", 3, out, &len), CKR_OK);
    unsigned char want[32];
    SHA256((const unsigned char *)"abc", 3, want);
    assert_memory_equal(out, want, 32);
    assert_int_equal(f->C_DigestUpdate(s, out, 1), CKR_OPERATION_NOT_INITIALIZED);
    CK_BYTE rnd[32] = {0};
    assert_int_equal(f->C_GenerateRandom(s, rnd, sizeof rnd), CKR_OK);
    assert_int_equal(f->C_SeedRandom(s, rnd, 1), CKR_RANDOM_SEED_NOT_SUPPORTED);
    assert_int_equal(f->C_CloseAllSessions(t->slot), CKR_OK);
    CK_SESSION_INFO si;
    assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_SESSION_HANDLE_INVALID);
}

/*
 * Read-write sessions are accepted by default (OpenSSH opens nothing else)
 * while the token stays write-protected and every object read-only;
 * read_write_sessions = false refuses them (docs/module.md).
 */
static void test_read_write_sessions(void **state)
{
    (void)state;
    const token_kind *t = first(0, 0);
    CK_SESSION_HANDLE rw, ro;
    CK_SESSION_INFO si;
    CK_TOKEN_INFO ti;
    assert_int_equal(
        f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &rw), CKR_OK);
    assert_int_equal(f->C_GetSessionInfo(rw, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
    assert_true(si.flags & CKF_RW_SESSION);
    assert_int_equal(f->C_GetTokenInfo(t->slot, &ti), CKR_OK);
    assert_true(ti.flags & CKF_WRITE_PROTECTED);
    assert_int_equal(ti.ulMaxRwSessionCount, CK_EFFECTIVELY_INFINITE);
    assert_int_equal(ti.ulRwSessionCount, 1);
    /* Only read-write sessions: no read-only one stands in the way, there is just no SO. */
    assert_int_equal(f->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR)PIN, 6), CKR_USER_TYPE_INVALID);
    assert_int_equal(f->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
    assert_int_equal(f->C_GetSessionInfo(rw, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);

    /* Nothing becomes writable. */
    CK_OBJECT_HANDLE cert = p11t_find(f, rw, CKO_CERTIFICATE);
    CK_OBJECT_HANDLE priv = p11t_find(f, rw, CKO_PRIVATE_KEY);
    assert_true(cert != 0 && priv != 0);
    CK_UTF8CHAR label[] = "renamed";
    CK_ATTRIBUTE tmpl[] = {{CKA_LABEL, label, sizeof label - 1}};
    CK_OBJECT_HANDLE made;
    assert_int_equal(f->C_CreateObject(rw, tmpl, 1, &made), CKR_TOKEN_WRITE_PROTECTED);
    assert_int_equal(f->C_SetAttributeValue(rw, cert, tmpl, 1), CKR_ACTION_PROHIBITED);
    assert_int_equal(f->C_DestroyObject(rw, priv), CKR_ACTION_PROHIBITED);
    assert_int_equal(f->C_CopyObject(rw, cert, tmpl, 1, &made), CKR_ACTION_PROHIBITED);
    CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_MECHANISM aes = {CKM_AES_KEY_GEN, NULL, 0};
    CK_OBJECT_HANDLE a, b;
    assert_int_equal(f->C_GenerateKeyPair(rw, &gen, NULL, 0, NULL, 0, &a, &b),
                     CKR_MECHANISM_INVALID);
    assert_int_equal(f->C_GenerateKey(rw, &aes, NULL, 0, &a), CKR_MECHANISM_INVALID);
    assert_int_equal(f->C_SetPIN(rw, (CK_UTF8CHAR_PTR)PIN, 6, (CK_UTF8CHAR_PTR) "654321", 6),
                     CKR_TOKEN_WRITE_PROTECTED);
    assert_int_equal(f->C_InitPIN(rw, (CK_UTF8CHAR_PTR)PIN, 6), CKR_TOKEN_WRITE_PROTECTED);
    assert_int_equal(p11t_sign_once(f, rw), CKR_OK);

    /* A read-only session beside it shares the login and refuses writes its own way. */
    ro = open_session(t->slot);
    assert_int_equal(f->C_GetSessionInfo(ro, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
    assert_int_equal(f->C_SetPIN(ro, (CK_UTF8CHAR_PTR)PIN, 6, (CK_UTF8CHAR_PTR) "654321", 6),
                     CKR_SESSION_READ_ONLY);
    assert_int_equal(f->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR)PIN, 6), CKR_SESSION_READ_ONLY_EXISTS);
    assert_int_equal(f->C_CloseAllSessions(t->slot), CKR_OK);

    /* The strict switch: read-write sessions refused, none announced. */
    static const char *const strict[][2] = {{"sad_signatures", "read_write_sessions = false"},
                                            {NULL, NULL}};
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    assert_int_equal(p11t_demo_config(&emu, "strict.conf", strict), 0);
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID slots[16];
    CK_ULONG n = 16;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    assert_int_equal(n, n_tokens);
    assert_int_equal(
        f->C_OpenSession(slots[0], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &rw),
        CKR_TOKEN_WRITE_PROTECTED);
    assert_int_equal(f->C_GetTokenInfo(slots[0], &ti), CKR_OK);
    assert_int_equal(ti.ulMaxRwSessionCount, 0);
    assert_int_equal(f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
    assert_int_equal(f->C_CloseSession(ro), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    setenv("RSSP_PKCS11_CONF", emu.demo_config, 1);
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    n = 16;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    assert_int_equal(n, n_tokens);
    for (CK_ULONG i = 0; i < n; i++)
        assert_int_equal(slots[i], tokens[i].slot);
}

/* The input a mechanism takes for this data: data, DigestInfo(SHA-256) or a hash. */
static size_t mech_input(CK_MECHANISM_TYPE m, const CK_RSA_PKCS_PSS_PARAMS *pss,
                         const unsigned char *data, size_t len, unsigned char *out)
{
    static const unsigned char sha256_prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                  0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                  0x01, 0x05, 0x00, 0x04, 0x20};
    switch (m) {
    case CKM_RSA_PKCS:
        memcpy(out, sha256_prefix, sizeof sha256_prefix);
        SHA256(data, len, out + sizeof sha256_prefix);
        return sizeof sha256_prefix + 32;
    case CKM_RSA_PKCS_PSS:
        if (pss->hashAlg == CKM_SHA384) {
            SHA384(data, len, out);
            return 48;
        }
        SHA256(data, len, out);
        return 32;
    case CKM_ECDSA:
        SHA384(data, len, out);
        return 48;
    default:
        memcpy(out, data, len);
        return len;
    }
}

/* Sign with mechanism m (one-part, or multi-part when parts > 1) and check with OpenSSL. */
static void sign_and_check(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE m,
                           const CK_RSA_PKCS_PSS_PARAMS *pss, int parts)
{
    static const unsigned char data[] = "rssp-pkcs11 integration test document";
    unsigned char in[128], sig[512];
    size_t in_len = mech_input(m, pss, data, sizeof data - 1, in);
    CK_MECHANISM mech = {m, (CK_VOID_PTR)pss, pss != NULL ? sizeof *pss : 0};
    CK_OBJECT_HANDLE priv = p11t_find(f, s, CKO_PRIVATE_KEY);
    CK_OBJECT_HANDLE cert = p11t_find(f, s, CKO_CERTIFICATE);
    assert_true(priv != 0 && cert != 0);
    size_t cert_len;
    unsigned char *der = p11t_attr(f, s, cert, CKA_VALUE, &cert_len);
    assert_non_null(der);

    assert_int_equal(f->C_SignInit(s, &mech, priv), CKR_OK);
    CK_ULONG sig_len = 0;
    CK_RV rv;
    if (parts > 1) {
        for (size_t off = 0; off < in_len; off += in_len / (size_t)parts + 1) {
            size_t n = in_len - off < in_len / (size_t)parts + 1 ? in_len - off
                                                                 : in_len / (size_t)parts + 1;
            assert_int_equal(f->C_SignUpdate(s, in + off, (CK_ULONG)n), CKR_OK);
        }
        assert_int_equal(f->C_SignFinal(s, NULL, &sig_len), CKR_OK);
        sig_len = sizeof sig;
        rv = f->C_SignFinal(s, sig, &sig_len);
    } else {
        assert_int_equal(f->C_Sign(s, in, (CK_ULONG)in_len, NULL, &sig_len), CKR_OK);
        CK_ULONG want = sig_len;
        sig_len = 1;
        assert_int_equal(f->C_Sign(s, in, (CK_ULONG)in_len, sig, &sig_len), CKR_BUFFER_TOO_SMALL);
        assert_int_equal(sig_len, want);
        sig_len = sizeof sig;
        rv = f->C_Sign(s, in, (CK_ULONG)in_len, sig, &sig_len);
    }
    assert_int_equal(rv, CKR_OK);
    assert_true(p11t_openssl_verify(der, cert_len, m, pss, in, in_len, sig, sig_len));

    /* The module's own verification agrees, and refuses a damaged signature. */
    CK_OBJECT_HANDLE pub = p11t_find(f, s, CKO_PUBLIC_KEY);
    assert_int_equal(f->C_VerifyInit(s, &mech, pub), CKR_OK);
    assert_int_equal(f->C_Verify(s, in, (CK_ULONG)in_len, sig, sig_len), CKR_OK);
    sig[sig_len / 2] ^= 0x01;
    assert_int_equal(f->C_VerifyInit(s, &mech, pub), CKR_OK);
    assert_int_equal(f->C_Verify(s, in, (CK_ULONG)in_len, sig, sig_len), CKR_SIGNATURE_INVALID);
    free(der);
}

static void sign_all_rsa(CK_SESSION_HANDLE s)
{
    static const CK_MECHANISM_TYPE pkcs1[] = {CKM_RSA_PKCS,        CKM_SHA1_RSA_PKCS,
                                              CKM_SHA224_RSA_PKCS, CKM_SHA256_RSA_PKCS,
                                              CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS};
    for (size_t i = 0; i < sizeof pkcs1 / sizeof pkcs1[0]; i++)
        sign_and_check(s, pkcs1[i], NULL, 1);
    static const struct {
        CK_MECHANISM_TYPE m;
        CK_RSA_PKCS_PSS_PARAMS p;
    } pss[] = {
        {CKM_RSA_PKCS_PSS, {CKM_SHA256, CKG_MGF1_SHA256, 32}},
        {CKM_RSA_PKCS_PSS, {CKM_SHA384, CKG_MGF1_SHA384, 20}},
        {CKM_SHA1_RSA_PKCS_PSS, {CKM_SHA_1, CKG_MGF1_SHA1, 20}},
        {CKM_SHA224_RSA_PKCS_PSS, {CKM_SHA224, CKG_MGF1_SHA224, 28}},
        {CKM_SHA256_RSA_PKCS_PSS, {CKM_SHA256, CKG_MGF1_SHA256, 32}},
        {CKM_SHA384_RSA_PKCS_PSS, {CKM_SHA384, CKG_MGF1_SHA384, 0}},
        {CKM_SHA512_RSA_PKCS_PSS, {CKM_SHA512, CKG_MGF1_SHA512, 64}},
    };
    for (size_t i = 0; i < sizeof pss / sizeof pss[0]; i++)
        sign_and_check(s, pss[i].m, &pss[i].p, 1);
    sign_and_check(s, CKM_SHA256_RSA_PKCS, NULL, 3);
    CK_RSA_PKCS_PSS_PARAMS tls = {CKM_SHA256, CKG_MGF1_SHA256, 32};
    sign_and_check(s, CKM_SHA256_RSA_PKCS_PSS, &tls, 4); /* as Firefox does for TLS 1.3 */
}

static void sign_all_ec(CK_SESSION_HANDLE s)
{
    static const CK_MECHANISM_TYPE ms[] = {CKM_ECDSA,        CKM_ECDSA_SHA1,   CKM_ECDSA_SHA224,
                                           CKM_ECDSA_SHA256, CKM_ECDSA_SHA384, CKM_ECDSA_SHA512};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        sign_and_check(s, ms[i], NULL, 1);
    sign_and_check(s, CKM_ECDSA_SHA256, NULL, 2);
}

static void test_sign_rsa_scal1(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s = login_session(first(0, 0)->slot);
    sign_all_rsa(s);
    f->C_CloseSession(s);
}

static void test_sign_rsa_scal2(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s = login_session(first(0, 1)->slot);
    sign_all_rsa(s);
    f->C_CloseSession(s);
}

static void test_sign_ec_scal1(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s = login_session(first(1, 0)->slot);
    sign_all_ec(s);
    f->C_CloseSession(s);
}

static void test_sign_ec_scal2(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s = login_session(first(1, 1)->slot);
    sign_all_ec(s);
    f->C_CloseSession(s);
}

static void test_sign_refusals(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s = login_session(first(0, 0)->slot);
    CK_OBJECT_HANDLE priv = p11t_find(f, s, CKO_PRIVATE_KEY);
    CK_OBJECT_HANDLE pub = p11t_find(f, s, CKO_PUBLIC_KEY);
    CK_OBJECT_HANDLE cert = p11t_find(f, s, CKO_CERTIFICATE);
    unsigned char sig[512];
    CK_ULONG len = sizeof sig;

    /* CKM_RSA_PKCS takes a DigestInfo, nothing else. */
    CK_MECHANISM raw = {CKM_RSA_PKCS, NULL, 0};
    assert_int_equal(f->C_SignInit(s, &raw, priv), CKR_OK);
    assert_int_equal(f->C_Sign(s, (CK_BYTE_PTR) "not a DigestInfo", 16, sig, &len),
                     CKR_DATA_INVALID);
    assert_int_equal(f->C_Sign(s, sig, 1, sig, &len), CKR_OPERATION_NOT_INITIALIZED);

    /* PSS parameters are checked at init. */
    CK_RSA_PKCS_PSS_PARAMS bad = {CKM_SHA384, CKG_MGF1_SHA256, 32};
    CK_MECHANISM pss = {CKM_SHA256_RSA_PKCS_PSS, &bad, sizeof bad};
    assert_int_equal(f->C_SignInit(s, &pss, priv), CKR_MECHANISM_PARAM_INVALID);
    CK_RSA_PKCS_PSS_PARAMS huge = {CKM_SHA256, CKG_MGF1_SHA256, 4096};
    pss.pParameter = &huge;
    assert_int_equal(f->C_SignInit(s, &pss, priv), CKR_MECHANISM_PARAM_INVALID);
    pss.pParameter = NULL;
    pss.ulParameterLen = 0;
    assert_int_equal(f->C_SignInit(s, &pss, priv), CKR_MECHANISM_PARAM_INVALID);

    /*
     * A service may refuse a valid combination: the emulator (SoftHSM2 behind
     * it) offers PSS only with MGF1 over the message hash (docs/protocol.md).
     * The refusal reaches the application as CKR_MECHANISM_INVALID.
     */
    CK_RSA_PKCS_PSS_PARAMS mixed = {CKM_SHA256, CKG_MGF1_SHA1, 32};
    pss.pParameter = &mixed;
    pss.ulParameterLen = sizeof mixed;
    assert_int_equal(f->C_SignInit(s, &pss, priv), CKR_OK);
    len = sizeof sig;
    assert_int_equal(f->C_Sign(s, (CK_BYTE_PTR) "data", 4, sig, &len), CKR_MECHANISM_INVALID);

    /* Wrong key type, wrong object, wrong key for the operation. */
    CK_MECHANISM ecdsa = {CKM_ECDSA, NULL, 0};
    assert_int_equal(f->C_SignInit(s, &ecdsa, priv), CKR_KEY_TYPE_INCONSISTENT);
    CK_MECHANISM sha = {CKM_SHA256_RSA_PKCS, NULL, 0};
    assert_int_equal(f->C_SignInit(s, &sha, cert), CKR_KEY_HANDLE_INVALID);
    assert_int_equal(f->C_SignInit(s, &sha, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
    assert_int_equal(f->C_SignInit(s, &sha, 0xdead), CKR_KEY_HANDLE_INVALID);
    CK_MECHANISM unknown = {CKM_MD5_RSA_PKCS, NULL, 0};
    assert_int_equal(f->C_SignInit(s, &unknown, priv), CKR_MECHANISM_INVALID);

    /* Decryption and key generation do not exist. */
    assert_int_equal(f->C_DecryptInit(s, &raw, priv), CKR_KEY_FUNCTION_NOT_PERMITTED);
    assert_int_equal(f->C_EncryptInit(s, &raw, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
    CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_OBJECT_HANDLE a, b;
    assert_int_equal(f->C_GenerateKeyPair(s, &gen, NULL, 0, NULL, 0, &a, &b),
                     CKR_MECHANISM_INVALID);

    /* One operation at a time. */
    assert_int_equal(f->C_SignInit(s, &sha, priv), CKR_OK);
    assert_int_equal(f->C_SignInit(s, &sha, priv), CKR_OPERATION_ACTIVE);
    assert_int_equal(f->C_SessionCancel(s, CKF_SIGN), CKR_OK);
    assert_int_equal(f->C_SignInit(s, &sha, priv), CKR_OK);
    assert_int_equal(f->C_SignUpdate(s, sig, 10), CKR_OK);
    len = sizeof sig;
    /* C_Sign cannot finish a multi-part operation, and ends it (PKCS#11 §5.12). */
    assert_int_equal(f->C_Sign(s, sig, 10, sig, &len), CKR_OPERATION_ACTIVE);
    assert_int_equal(f->C_SignFinal(s, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
    f->C_CloseSession(s);
}

/* Signing stays correct from 8 threads over two tokens, through one connection pool. */
typedef struct {
    CK_SLOT_ID slot;
    int failures;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *w = p;
    static const unsigned char data[] = "parallel";
    CK_SESSION_HANDLE s;
    if (f->C_OpenSession(w->slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK) {
        w->failures++;
        return NULL;
    }
    CK_OBJECT_HANDLE priv = p11t_find(f, s, CKO_PRIVATE_KEY);
    CK_OBJECT_HANDLE cert = p11t_find(f, s, CKO_CERTIFICATE);
    size_t cert_len = 0;
    unsigned char *der = p11t_attr(f, s, cert, CKA_VALUE, &cert_len);
    CK_MECHANISM_INFO mi;
    CK_MECHANISM_TYPE mt = f->C_GetMechanismInfo(w->slot, CKM_ECDSA, &mi) == CKR_OK
                               ? CKM_ECDSA_SHA256
                               : CKM_SHA256_RSA_PKCS;
    CK_MECHANISM m = {mt, NULL, 0};
    for (int i = 0; i < 10; i++) {
        unsigned char sig[512];
        CK_ULONG len = sizeof sig;
        if (der == NULL || f->C_SignInit(s, &m, priv) != CKR_OK ||
            f->C_Sign(s, (CK_BYTE_PTR)data, sizeof data, sig, &len) != CKR_OK ||
            !p11t_openssl_verify(der, cert_len, mt, NULL, data, sizeof data, sig, len))
            w->failures++;
    }
    free(der);
    f->C_CloseSession(s);
    return NULL;
}

static void test_parallel_signing(void **state)
{
    (void)state;
    CK_SLOT_ID slots[2] = {first(0, 0)->slot, first(1, 0)->slot};
    CK_SESSION_HANDLE logged[2]; /* the login lasts while a session of the token is open */
    for (int i = 0; i < 2; i++)
        logged[i] = login_session(slots[i]);
    pthread_t th[8];
    worker_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (worker_arg){slots[i % 2], 0};
        assert_int_equal(pthread_create(&th[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    for (int i = 0; i < 2; i++)
        f->C_CloseSession(logged[i]);
}

/* After the service expires every access token and SAD, signing renews both, once. */
static void test_renewal_after_expiry(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s = login_session(first(0, 0)->slot);
    sign_and_check(s, CKM_SHA256_RSA_PKCS, NULL, 1);
    assert_int_equal(rssp_emu_admin(&emu, "POST", "expire", NULL, NULL), 200);
    sign_and_check(s, CKM_SHA256_RSA_PKCS, NULL, 1);
    f->C_CloseSession(s);
}

/* A length query never costs a remote signature. */
static void test_length_query_is_local(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s = login_session(first(1, 0)->slot);
    CK_OBJECT_HANDLE priv = p11t_find(f, s, CKO_PRIVATE_KEY);
    CK_MECHANISM m = {CKM_ECDSA_SHA256, NULL, 0};
    unsigned char sig[132];
    CK_ULONG len = sizeof sig;
    /* One signature first: it renews the SAD the previous test expired. */
    assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
    assert_int_equal(f->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &len), CKR_OK);
    long before = p11t_served(&emu, "signatures/signHash");
    assert_true(before >= 0);
    assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
    len = 0;
    for (int i = 0; i < 5; i++)
        assert_int_equal(f->C_Sign(s, (CK_BYTE_PTR) "x", 1, NULL, &len), CKR_OK);
    assert_int_equal(p11t_served(&emu, "signatures/signHash"), before);
    len = sizeof sig;
    assert_int_equal(f->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &len), CKR_OK);
    assert_int_equal(p11t_served(&emu, "signatures/signHash"), before + 1);
    f->C_CloseSession(s);
}

/* With the service gone: a fresh cache still lists the tokens; login says device error. */
static void test_service_down(void **state)
{
    (void)state;
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    assert_int_equal(rssp_emu_stop_server(&emu), 0);
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_ULONG n = 0;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    assert_int_equal(n, n_tokens);
    CK_SESSION_HANDLE s = open_session(tokens[0].slot);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_DEVICE_ERROR);
    f->C_CloseSession(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cold_start_calls),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_mechanisms),
        cmocka_unit_test(test_objects_and_login),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_read_write_sessions),
        cmocka_unit_test(test_sign_rsa_scal1),
        cmocka_unit_test(test_sign_rsa_scal2),
        cmocka_unit_test(test_sign_ec_scal1),
        cmocka_unit_test(test_sign_ec_scal2),
        cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_parallel_signing),
        cmocka_unit_test(test_renewal_after_expiry),
        cmocka_unit_test(test_length_query_is_local),
        cmocka_unit_test(test_service_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
