/*
 * Unit tests of the auth/login Authorization values: SSL2 (checked field by
 * field and verified with the public key), Basic, AppSign, their combination,
 * and loading the relying party key from PEM and PKCS#12.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "client/auth_header.h"
#include "common/secmem.h"
#include "crypto/crypto.h"
#include "rssp/appsign.h"
#include "test_util.h"

#define T_MS 1700000000000LL

static EVP_PKEY *load_key(void)
{
    rssp_status st;
    rssp_status_reset(&st);
    EVP_PKEY *key = NULL;
    assert_int_equal(rssp_rp_key_load(tu_data("rp-key.pem"), NULL, &key, &st), RSSP_OK);
    assert_non_null(key);
    return key;
}

/* X must verify with the key's public half over U||P||S||T with md. */
static void assert_x_verifies(EVP_PKEY *key, const EVP_MD *md, const char *signed_text,
                              const char *x_b64)
{
    rssp_buf sig = {0};
    assert_int_equal(rssp_base64_decode(x_b64, strlen(x_b64), &sig), RSSP_CRYPTO_OK);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, md, NULL, key), 1);
    assert_int_equal(EVP_DigestVerify(ctx, sig.data, sig.len, (const unsigned char *)signed_text,
                                      strlen(signed_text)),
                     1);
    /* and not over anything else */
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, md, NULL, key), 1);
    assert_int_not_equal(
        EVP_DigestVerify(ctx, sig.data, sig.len, (const unsigned char *)"rpuser", 6), 1);
    EVP_MD_CTX_free(ctx);
    rssp_buf_clear(&sig);
}

static void test_ssl2_fields_and_signature(void **state)
{
    (void)state;
    EVP_PKEY *key = load_key();
    rssp_status st;
    rssp_status_reset(&st);
    char *cred = NULL;
    assert_int_equal(
        rssp_ssl2_credential("rpuser", "rppass", "c2ln", T_MS, key, RSSP_HASH_NONE, &cred, &st),
        RSSP_OK);
    char *plain = tu_b64_text(cred, NULL);

    /* U:P:S:T:X */
    char *fields[5] = {0};
    char *save = NULL;
    char *p = strtok_r(plain, ":", &save);
    for (int i = 0; i < 5; i++) {
        assert_non_null(p);
        fields[i] = p;
        p = strtok_r(NULL, ":", &save);
    }
    assert_null(p);
    assert_string_equal(fields[0], "rpuser");
    assert_string_equal(fields[1], "rppass");
    assert_string_equal(fields[2], "c2ln");
    assert_string_equal(fields[3], "1700000000000");
    assert_int_equal(strlen(fields[3]), 13);
    assert_x_verifies(key, EVP_sha1(), "rpuserrppassc2ln1700000000000", fields[4]);

    free(plain);
    rssp_secret_free(cred);
    EVP_PKEY_free(key);
}

static void test_ssl2_sha256_and_colon_in_password(void **state)
{
    (void)state;
    EVP_PKEY *key = load_key();
    rssp_status st;
    rssp_status_reset(&st);
    char *cred = NULL;
    assert_int_equal(
        rssp_ssl2_credential("rpuser", "pa:ss", "c2ln", T_MS, key, RSSP_HASH_SHA256, &cred, &st),
        RSSP_OK);
    char *plain = tu_b64_text(cred, NULL);
    /* As the server splits: U first, S/T/X the last three, P in between. */
    char *first = strchr(plain, ':');
    assert_non_null(first);
    char *x = strrchr(plain, ':');
    *x++ = '\0';
    char *t = strrchr(plain, ':');
    *t++ = '\0';
    char *s = strrchr(plain, ':');
    *s++ = '\0';
    *first = '\0';
    assert_string_equal(plain, "rpuser");
    assert_string_equal(first + 1, "pa:ss");
    assert_string_equal(s, "c2ln");
    assert_string_equal(t, "1700000000000");
    assert_x_verifies(key, EVP_sha256(), "rpuserpa:ssc2ln1700000000000", x);
    free(plain);
    rssp_secret_free(cred);

    /* U and S may not hold ':' */
    assert_int_equal(
        rssp_ssl2_credential("rp:user", "p", "c2ln", T_MS, key, RSSP_HASH_NONE, &cred, &st),
        RSSP_ERR_CONFIG);
    assert_null(cred);
    assert_int_equal(
        rssp_ssl2_credential("rpuser", "p", "c2:ln", T_MS, key, RSSP_HASH_NONE, &cred, &st),
        RSSP_ERR_CONFIG);
    assert_int_equal(
        rssp_ssl2_credential("rpuser", "p", "c2ln", T_MS, NULL, RSSP_HASH_NONE, &cred, &st),
        RSSP_ERR_CONFIG);
    EVP_PKEY_free(key);
}

static void test_basic(void **state)
{
    (void)state;
    rssp_status st;
    rssp_status_reset(&st);
    char *b = NULL;
    assert_int_equal(rssp_basic_credential(NULL, "alice", "secret", &b, &st), RSSP_OK);
    /* the protocol's own example: Basic VVNFUk5BTUU6YWxpY2U6c2VjcmV0 */
    assert_string_equal(b, "VVNFUk5BTUU6YWxpY2U6c2VjcmV0");
    rssp_secret_free(b);

    assert_int_equal(rssp_basic_credential("PERSONAL-ID", "079123456789", "a:b", &b, &st), RSSP_OK);
    char *plain = tu_b64_text(b, NULL);
    assert_string_equal(plain, "PERSONAL-ID:079123456789:a:b");
    free(plain);
    rssp_secret_free(b);

    assert_int_equal(rssp_basic_credential(NULL, "al:ice", "x", &b, &st), RSSP_ERR_CONFIG);
    assert_int_equal(rssp_basic_credential(NULL, "alice", NULL, &b, &st), RSSP_ERR_CONFIG);
    assert_null(b);
}

static void test_login_header_ssl2(void **state)
{
    (void)state;
    EVP_PKEY *key = load_key();
    rssp_status st;
    rssp_status_reset(&st);
    rssp_login_material m = {
        .rp_auth = RSSP_RP_AUTH_SSL2,
        .rp_username = "rpuser",
        .rp_password = "rppass",
        .rp_signature = "c2ln",
        .rp_key = key,
    };
    char *h = NULL;
    /* relying party only */
    assert_int_equal(rssp_login_authorization(&m, T_MS, &h, &st), RSSP_OK);
    assert_int_equal(strncmp(h, "SSL2 ", 5), 0);
    assert_null(strchr(h, ','));
    char *expected = NULL;
    assert_int_equal(
        rssp_ssl2_credential("rpuser", "rppass", "c2ln", T_MS, key, RSSP_HASH_NONE, &expected, &st),
        RSSP_OK);
    /* PKCS#1 v1.5 is deterministic: the same inputs give the same header */
    assert_string_equal(h + 5, expected);
    rssp_secret_free(h);
    rssp_secret_free(expected);

    /* with the owner */
    m.username = "alice";
    m.password = "secret";
    assert_int_equal(rssp_login_authorization(&m, T_MS, &h, &st), RSSP_OK);
    char *comma = strstr(h, ", Basic ");
    assert_non_null(comma);
    assert_int_equal(strncmp(h, "SSL2 ", 5), 0);
    assert_string_equal(comma + 8, "VVNFUk5BTUU6YWxpY2U6c2VjcmV0");
    rssp_secret_free(h);
    EVP_PKEY_free(key);
}

static int lookup_secret(void *ctx, const char *api_key, const unsigned char **secret,
                         size_t *secret_len)
{
    (void)ctx;
    if (strcmp(api_key, "app-1") != 0)
        return -1;
    *secret = (const unsigned char *)"app-secret";
    *secret_len = strlen("app-secret");
    return 0;
}

static void assert_appsign_valid(const char *sign, long long now_s)
{
    rssp_appsign_verifier *v = NULL;
    assert_int_equal(rssp_appsign_verifier_new(lookup_secret, NULL, NULL, &v), RSSP_APPSIGN_OK);
    rssp_appsign_fields f;
    assert_int_equal(rssp_appsign_verify(v, sign, now_s, &f), RSSP_APPSIGN_OK);
    assert_string_equal(f.api_key, "app-1");
    assert_int_equal(f.current_time, now_s);
    rssp_appsign_verifier_free(v);
}

static void test_login_header_appsign(void **state)
{
    (void)state;
    rssp_status st;
    rssp_status_reset(&st);
    rssp_login_material m = {
        .rp_auth = RSSP_RP_AUTH_APPSIGN,
        .app_api_key = "app-1",
        .app_api_secret = "app-secret",
    };
    char *h = NULL;
    assert_int_equal(rssp_login_authorization(&m, T_MS, &h, &st), RSSP_OK);
    assert_int_equal(strncmp(h, "AppSign ", 8), 0);
    assert_null(strchr(h, ','));
    assert_appsign_valid(h + 8, T_MS / 1000);
    rssp_secret_free(h);

    m.username = "alice";
    m.password = "secret";
    m.app_sign_ttl = 60;
    assert_int_equal(rssp_login_authorization(&m, T_MS, &h, &st), RSSP_OK);
    char *comma = strstr(h, ", Basic ");
    assert_non_null(comma);
    assert_string_equal(comma + 8, "VVNFUk5BTUU6YWxpY2U6c2VjcmV0");
    *comma = '\0';
    assert_appsign_valid(h + 8, T_MS / 1000);
    rssp_secret_free(h);

    m.app_api_key = "bad&key";
    assert_int_equal(rssp_login_authorization(&m, T_MS, &h, &st), RSSP_ERR_CONFIG);
    assert_null(h);
}

static void test_bearer(void **state)
{
    (void)state;
    rssp_status st;
    rssp_status_reset(&st);
    char *h = NULL;
    assert_int_equal(rssp_bearer_authorization("at-4Qz0", &h, &st), RSSP_OK);
    assert_string_equal(h, "Bearer at-4Qz0");
    rssp_secret_free(h);
}

static void test_key_loading(void **state)
{
    (void)state;
    rssp_status st;
    rssp_status_reset(&st);
    EVP_PKEY *pem = load_key();
    EVP_PKEY *key = NULL;

    /* PKCS#12 with its password: the same key as the PEM */
    assert_int_equal(rssp_rp_key_load(tu_data("rp-key.p12"), "p12pass", &key, &st), RSSP_OK);
    assert_int_equal(EVP_PKEY_eq(key, pem), 1);
    EVP_PKEY_free(key);
    key = NULL;
    assert_int_equal(rssp_rp_key_load(tu_data("rp-key.p12"), "wrong", &key, &st), RSSP_ERR_CONFIG);
    assert_null(key);
    assert_int_equal(rssp_rp_key_load(tu_data("rp-key.p12"), NULL, &key, &st), RSSP_ERR_CONFIG);

    /* encrypted PEM: needs the password, never prompts */
    assert_int_equal(rssp_rp_key_load(tu_data("rp-key-enc.pem"), "pempass", &key, &st), RSSP_OK);
    assert_int_equal(EVP_PKEY_eq(key, pem), 1);
    EVP_PKEY_free(key);
    key = NULL;
    assert_int_equal(rssp_rp_key_load(tu_data("rp-key-enc.pem"), NULL, &key, &st), RSSP_ERR_CONFIG);

    /* not RSA, missing, garbage */
    assert_int_equal(rssp_rp_key_load(tu_data("ec-key.pem"), NULL, &key, &st), RSSP_ERR_CONFIG);
    assert_non_null(strstr(st.message, "RSA"));
    assert_int_equal(rssp_rp_key_load(tu_data("missing.pem"), NULL, &key, &st), RSSP_ERR_CONFIG);
    assert_int_equal(rssp_rp_key_load(tu_data("README.md"), NULL, &key, &st), RSSP_ERR_CONFIG);
    assert_int_equal(rssp_rp_key_load(NULL, NULL, &key, &st), RSSP_ERR_CONFIG);
    assert_null(key);
    EVP_PKEY_free(pem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssl2_fields_and_signature),
        cmocka_unit_test(test_ssl2_sha256_and_colon_in_password),
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_login_header_ssl2),
        cmocka_unit_test(test_login_header_appsign),
        cmocka_unit_test(test_bearer),
        cmocka_unit_test(test_key_loading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
