/* Unit tests of src/crypto: local verification (PKCS#1 v1.5, PSS, ECDSA) with test keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/crypto.h"
#include "crypto_test_util.h"

typedef struct {
    EVP_PKEY *rsa;
    rssp_buf rsa_spki;
    EVP_PKEY *ec;
    rssp_buf ec_spki;
} keys;

static int setup(void **state)
{
    keys *k = calloc(1, sizeof(*k));
    assert_non_null(k);
    k->rsa = tu_rsa_key(2048);
    k->rsa_spki = tu_spki(k->rsa);
    k->ec = tu_ec_key("P-256");
    k->ec_spki = tu_spki(k->ec);
    *state = k;
    return 0;
}

static int teardown(void **state)
{
    keys *k = *state;
    EVP_PKEY_free(k->rsa);
    EVP_PKEY_free(k->ec);
    free(k->rsa_spki.data);
    free(k->ec_spki.data);
    free(k);
    return 0;
}

static const EVP_MD *md_of(rssp_hash_alg alg)
{
    return EVP_get_digestbyname(rssp_hash_name(alg));
}

/* Sign hash with OpenSSL directly; padding 0 = ECDSA; md NULL signs the input as is. */
static size_t sign_hash(EVP_PKEY *key, int padding, const EVP_MD *md, const EVP_MD *mgf1, int salt,
                        const unsigned char *tbs, size_t tbs_len, unsigned char *sig)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
    if (padding != 0)
        assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, padding) > 0);
    if (md != NULL)
        assert_true(EVP_PKEY_CTX_set_signature_md(ctx, md) > 0);
    if (padding == RSA_PKCS1_PSS_PADDING) {
        assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf1) > 0);
        assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt) > 0);
    }
    size_t sig_len = 512;
    assert_int_equal(EVP_PKEY_sign(ctx, sig, &sig_len, tbs, tbs_len), 1);
    EVP_PKEY_CTX_free(ctx);
    return sig_len;
}

static void fill_hash(unsigned char *hash, size_t len, unsigned char seed)
{
    for (size_t i = 0; i < len; i++)
        hash[i] = (unsigned char)(seed + 7 * i);
}

static void test_pkcs1(void **state)
{
    keys *k = *state;
    const rssp_hash_alg algs[] = {RSSP_HASH_SHA1, RSSP_HASH_SHA256, RSSP_HASH_SHA512};
    for (size_t i = 0; i < 3; i++) {
        rssp_hash_alg alg = algs[i];
        size_t len = rssp_hash_len(alg);
        unsigned char hash[64];
        unsigned char sig[512];
        fill_hash(hash, len, (unsigned char)i);
        size_t sig_len = sign_hash(k->rsa, RSA_PKCS1_PADDING, md_of(alg), NULL, 0, hash, len, sig);
        assert_int_equal(sig_len, 256);

        assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, alg, RSSP_HASH_NONE, 0,
                                          hash, len, sig, sig_len),
                         RSSP_CRYPTO_OK);
        /* Tampered signature, tampered hash, short signature. */
        sig[100] ^= 0x01;
        assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, alg, RSSP_HASH_NONE, 0,
                                          hash, len, sig, sig_len),
                         RSSP_CRYPTO_BAD_SIGNATURE);
        sig[100] ^= 0x01;
        hash[0] ^= 0x80;
        assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, alg, RSSP_HASH_NONE, 0,
                                          hash, len, sig, sig_len),
                         RSSP_CRYPTO_BAD_SIGNATURE);
        hash[0] ^= 0x80;
        assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, alg, RSSP_HASH_NONE, 0,
                                          hash, len, sig, sig_len - 1),
                         RSSP_CRYPTO_BAD_SIGNATURE);
    }
}

/* A signature over our own DigestInfo encoding (raw PKCS#1, as CKM_RSA_PKCS does) verifies. */
static void test_pkcs1_matches_digestinfo_encoding(void **state)
{
    keys *k = *state;
    unsigned char hash[32];
    unsigned char sig[512];
    fill_hash(hash, 32, 3);
    rssp_buf di = {NULL, 0};
    assert_int_equal(rssp_digestinfo_encode(RSSP_HASH_SHA256, hash, 32, &di), RSSP_CRYPTO_OK);
    size_t sig_len = sign_hash(k->rsa, RSA_PKCS1_PADDING, NULL, NULL, 0, di.data, di.len, sig);
    rssp_buf_clear(&di);
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, sig, sig_len),
                     RSSP_CRYPTO_OK);
    /* The same signature claimed for another algorithm with the same hash length fails. */
    unsigned char hash48[48];
    fill_hash(hash48, 48, 3);
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, RSSP_HASH_SHA384,
                                      RSSP_HASH_NONE, 0, hash48, 48, sig, sig_len),
                     RSSP_CRYPTO_BAD_SIGNATURE);
}

static void test_pss(void **state)
{
    keys *k = *state;
    unsigned char hash[64];
    unsigned char sig[512];

    fill_hash(hash, 32, 9);
    size_t sig_len =
        sign_hash(k->rsa, RSA_PKCS1_PSS_PADDING, EVP_sha256(), EVP_sha256(), 32, hash, 32, sig);
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PSS, RSSP_HASH_SHA256,
                                      RSSP_HASH_SHA256, 32, hash, 32, sig, sig_len),
                     RSSP_CRYPTO_OK);
    /* Wrong salt length, wrong MGF1 hash, tampered. */
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PSS, RSSP_HASH_SHA256,
                                      RSSP_HASH_SHA256, 20, hash, 32, sig, sig_len),
                     RSSP_CRYPTO_BAD_SIGNATURE);
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PSS, RSSP_HASH_SHA256,
                                      RSSP_HASH_SHA1, 32, hash, 32, sig, sig_len),
                     RSSP_CRYPTO_BAD_SIGNATURE);
    sig[0] ^= 0x40;
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PSS, RSSP_HASH_SHA256,
                                      RSSP_HASH_SHA256, 32, hash, 32, sig, sig_len),
                     RSSP_CRYPTO_BAD_SIGNATURE);
    /* A PKCS#1 v1.5 check of a PSS signature fails. */
    sig[0] ^= 0x40;
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, sig, sig_len),
                     RSSP_CRYPTO_BAD_SIGNATURE);

    /* SHA-384 with MGF1-SHA-1 and no salt. */
    fill_hash(hash, 48, 1);
    sig_len = sign_hash(k->rsa, RSA_PKCS1_PSS_PADDING, EVP_sha384(), EVP_sha1(), 0, hash, 48, sig);
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PSS, RSSP_HASH_SHA384,
                                      RSSP_HASH_SHA1, 0, hash, 48, sig, sig_len),
                     RSSP_CRYPTO_OK);
    /* Unknown MGF1 hash is an error, not a failed check. */
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PSS, RSSP_HASH_SHA384,
                                      RSSP_HASH_NONE, 0, hash, 48, sig, sig_len),
                     RSSP_CRYPTO_INVALID);
}

static void test_ecdsa(void **state)
{
    keys *k = *state;
    unsigned char hash[64];
    unsigned char der[128];
    unsigned char raw[64];
    size_t raw_len = 0;

    fill_hash(hash, 32, 5);
    size_t der_len = sign_hash(k->ec, 0, NULL, NULL, 0, hash, 32, der);
    assert_int_equal(rssp_ecdsa_der_to_raw(der, der_len, 32, raw, sizeof(raw), &raw_len),
                     RSSP_CRYPTO_OK);
    assert_int_equal(rssp_verify_hash(&k->ec_spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, raw, raw_len),
                     RSSP_CRYPTO_OK);
    /* CKM_ECDSA style: no hash algorithm named. */
    assert_int_equal(rssp_verify_hash(&k->ec_spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_NONE,
                                      RSSP_HASH_NONE, 0, hash, 32, raw, raw_len),
                     RSSP_CRYPTO_OK);
    raw[40] ^= 0x01;
    assert_int_equal(rssp_verify_hash(&k->ec_spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, raw, raw_len),
                     RSSP_CRYPTO_BAD_SIGNATURE);
    raw[40] ^= 0x01;
    hash[31] ^= 0x01;
    assert_int_equal(rssp_verify_hash(&k->ec_spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, raw, raw_len),
                     RSSP_CRYPTO_BAD_SIGNATURE);
    hash[31] ^= 0x01;
    /* Wrong length: the DER form, or one byte short. */
    assert_int_equal(rssp_verify_hash(&k->ec_spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, der, der_len),
                     RSSP_CRYPTO_BAD_SIGNATURE);
    assert_int_equal(rssp_verify_hash(&k->ec_spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, raw, raw_len - 1),
                     RSSP_CRYPTO_BAD_SIGNATURE);

    /* A SHA-512 hash on P-256 is truncated to the order's length by ECDSA. */
    fill_hash(hash, 64, 11);
    der_len = sign_hash(k->ec, 0, NULL, NULL, 0, hash, 64, der);
    assert_int_equal(rssp_ecdsa_der_to_raw(der, der_len, 32, raw, sizeof(raw), &raw_len),
                     RSSP_CRYPTO_OK);
    assert_int_equal(rssp_verify_hash(&k->ec_spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA512,
                                      RSSP_HASH_NONE, 0, hash, 64, raw, raw_len),
                     RSSP_CRYPTO_OK);
}

static void test_ecdsa_p521(void **state)
{
    (void)state;
    EVP_PKEY *key = tu_ec_key("P-521");
    rssp_buf spki = tu_spki(key);
    unsigned char hash[64];
    unsigned char der[160];
    unsigned char raw[132];
    size_t raw_len = 0;
    fill_hash(hash, 64, 2);
    /* Several signatures, so that short r or s (needing padding) also come up now and then. */
    for (int i = 0; i < 8; i++) {
        size_t der_len = sign_hash(key, 0, NULL, NULL, 0, hash, 64, der);
        assert_int_equal(rssp_ecdsa_der_to_raw(der, der_len, 66, raw, sizeof(raw), &raw_len),
                         RSSP_CRYPTO_OK);
        assert_int_equal(raw_len, 132);
        assert_int_equal(rssp_verify_hash(&spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA512,
                                          RSSP_HASH_NONE, 0, hash, 64, raw, raw_len),
                         RSSP_CRYPTO_OK);
    }
    free(spki.data);
    EVP_PKEY_free(key);
}

static void test_mismatches_are_errors(void **state)
{
    keys *k = *state;
    unsigned char hash[32] = {0};
    unsigned char sig[256] = {0};
    /* Scheme not fitting the key. */
    assert_int_equal(rssp_verify_hash(&k->ec_spki, RSSP_SIG_RSA_PKCS1, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, sig, 256),
                     RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, sig, 64),
                     RSSP_CRYPTO_INVALID);
    /* Hash length not the algorithm's. */
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 31, sig, 256),
                     RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, RSSP_SIG_RSA_PKCS1, RSSP_HASH_NONE,
                                      RSSP_HASH_NONE, 0, hash, 32, sig, 256),
                     RSSP_CRYPTO_INVALID);
    /* Broken SPKI: truncated, trailing byte, garbage, NULL. */
    rssp_buf cut = {k->rsa_spki.data, k->rsa_spki.len - 1};
    assert_int_equal(rssp_verify_hash(&cut, RSSP_SIG_RSA_PKCS1, RSSP_HASH_SHA256, RSSP_HASH_NONE, 0,
                                      hash, 32, sig, 256),
                     RSSP_CRYPTO_INVALID);
    unsigned char *longer = malloc(k->ec_spki.len + 1);
    assert_non_null(longer);
    memcpy(longer, k->ec_spki.data, k->ec_spki.len);
    longer[k->ec_spki.len] = 0;
    rssp_buf trailing = {longer, k->ec_spki.len + 1};
    assert_int_equal(rssp_verify_hash(&trailing, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, sig, 64),
                     RSSP_CRYPTO_INVALID);
    free(longer);
    rssp_buf garbage = {sig, 40};
    assert_int_equal(rssp_verify_hash(&garbage, RSSP_SIG_RSA_PKCS1, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, sig, 256),
                     RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_verify_hash(NULL, RSSP_SIG_RSA_PKCS1, RSSP_HASH_SHA256, RSSP_HASH_NONE, 0,
                                      hash, 32, sig, 256),
                     RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_verify_hash(&k->rsa_spki, (rssp_sig_scheme)7, RSSP_HASH_SHA256,
                                      RSSP_HASH_NONE, 0, hash, 32, sig, 256),
                     RSSP_CRYPTO_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkcs1),      cmocka_unit_test(test_pkcs1_matches_digestinfo_encoding),
        cmocka_unit_test(test_pss),        cmocka_unit_test(test_ecdsa),
        cmocka_unit_test(test_ecdsa_p521), cmocka_unit_test(test_mismatches_are_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
