/* Unit tests of src/crypto: RSASSA-PSS-params (RFC 4055) encoding and parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto_test_util.h"

/* rssp-protocol.md §2.9: SHA-256 / MGF1-SHA-256 / salt 32. */
static const char protocol_example[] =
    "MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg";

static void test_encode_matches_protocol_example(void **state)
{
    (void)state;
    rssp_buf der = {NULL, 0};
    assert_int_equal(rssp_pss_params_encode(RSSP_HASH_SHA256, RSSP_HASH_SHA256, 32, &der),
                     RSSP_CRYPTO_OK);
    char *b64 = rssp_base64_encode(der.data, der.len);
    assert_non_null(b64);
    assert_string_equal(b64, protocol_example);
    free(b64);
    rssp_buf_clear(&der);
}

static rssp_crv parse_hex(const char *hex, rssp_hash_alg *hash, rssp_hash_alg *mgf1, size_t *salt,
                          bool *bare)
{
    rssp_buf der = tu_hex(hex);
    rssp_crv rv = rssp_pss_params_parse(der.data, der.len, hash, mgf1, salt, bare);
    free(der.data);
    return rv;
}

static void test_parse_protocol_example(void **state)
{
    (void)state;
    rssp_buf der = {NULL, 0};
    assert_int_equal(rssp_base64_decode(protocol_example, strlen(protocol_example), &der),
                     RSSP_CRYPTO_OK);
    rssp_hash_alg hash = RSSP_HASH_NONE;
    rssp_hash_alg mgf1 = RSSP_HASH_NONE;
    size_t salt = 0;
    bool bare = true;
    assert_int_equal(rssp_pss_params_parse(der.data, der.len, &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_OK);
    assert_int_equal(hash, RSSP_HASH_SHA256);
    assert_int_equal(mgf1, RSSP_HASH_SHA256);
    assert_int_equal(salt, 32);
    assert_false(bare);
    rssp_buf_clear(&der);
}

static void test_round_trip_combinations(void **state)
{
    (void)state;
    const rssp_hash_alg hashes[] = {RSSP_HASH_SHA1, RSSP_HASH_SHA224, RSSP_HASH_SHA256,
                                    RSSP_HASH_SHA384, RSSP_HASH_SHA512};
    const size_t salts[] = {0, 20, 64, 200, 478};
    for (size_t i = 0; i < 5; i++) {
        for (size_t j = 0; j < 5; j++) {
            rssp_buf der = {NULL, 0};
            assert_int_equal(rssp_pss_params_encode(hashes[i], hashes[j], salts[j], &der),
                             RSSP_CRYPTO_OK);
            rssp_hash_alg hash = RSSP_HASH_NONE;
            rssp_hash_alg mgf1 = RSSP_HASH_NONE;
            size_t salt = 999;
            bool bare = true;
            assert_int_equal(rssp_pss_params_parse(der.data, der.len, &hash, &mgf1, &salt, &bare),
                             RSSP_CRYPTO_OK);
            assert_int_equal(hash, hashes[i]);
            assert_int_equal(mgf1, hashes[j]);
            assert_int_equal(salt, salts[j]);
            assert_false(bare);
            rssp_buf_clear(&der);
        }
    }
}

static void test_defaults_and_bare_oid(void **state)
{
    (void)state;
    rssp_hash_alg hash = RSSP_HASH_NONE;
    rssp_hash_alg mgf1 = RSSP_HASH_NONE;
    size_t salt = 0;
    bool bare = true;
    /* Empty SEQUENCE: every field takes its RFC 4055 default. */
    assert_int_equal(parse_hex("3000", &hash, &mgf1, &salt, &bare), RSSP_CRYPTO_OK);
    assert_int_equal(hash, RSSP_HASH_SHA1);
    assert_int_equal(mgf1, RSSP_HASH_SHA1);
    assert_int_equal(salt, 20);
    assert_false(bare);

    /* Only the salt given. */
    assert_int_equal(parse_hex("3005a203020140", &hash, &mgf1, &salt, &bare), RSSP_CRYPTO_OK);
    assert_int_equal(hash, RSSP_HASH_SHA1);
    assert_int_equal(mgf1, RSSP_HASH_SHA1);
    assert_int_equal(salt, 64);

    /* The bare PSS OID that public clients send: outputs untouched. */
    hash = RSSP_HASH_SHA512;
    mgf1 = RSSP_HASH_SHA384;
    salt = 7;
    bare = false;
    assert_int_equal(parse_hex("06092a864886f70d01010a", &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_OK);
    assert_true(bare);
    assert_int_equal(hash, RSSP_HASH_SHA512);
    assert_int_equal(mgf1, RSSP_HASH_SHA384);
    assert_int_equal(salt, 7);
    /* That OID is what BgkqhkiG9w0BAQo= decodes to. */
    rssp_buf der = {NULL, 0};
    assert_int_equal(rssp_base64_decode("BgkqhkiG9w0BAQo=", 16, &der), RSSP_CRYPTO_OK);
    assert_int_equal(rssp_pss_params_parse(der.data, der.len, &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_OK);
    assert_true(bare);
    rssp_buf_clear(&der);
}

static void test_parse_optional_forms(void **state)
{
    (void)state;
    rssp_hash_alg hash = RSSP_HASH_NONE;
    rssp_hash_alg mgf1 = RSSP_HASH_NONE;
    size_t salt = 0;
    bool bare = true;
    /* The protocol example plus trailerField [3] INTEGER 1. */
    assert_int_equal(parse_hex("3039a00f300d06096086480165030402010500"
                               "a11c301a06092a864886f70d010108300d06096086480165030402010500"
                               "a203020120a303020101",
                               &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_OK);
    assert_int_equal(hash, RSSP_HASH_SHA256);
    assert_int_equal(salt, 32);
    /* Hash AlgorithmIdentifiers without the NULL parameters. */
    assert_int_equal(parse_hex("3030a00d300b0609608648016503040202"
                               "a11a301806092a864886f70d010108300b0609608648016503040203"
                               "a203020130",
                               &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_OK);
    assert_int_equal(hash, RSSP_HASH_SHA384);
    assert_int_equal(mgf1, RSSP_HASH_SHA512);
    assert_int_equal(salt, 48);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    rssp_hash_alg hash = RSSP_HASH_NONE;
    rssp_hash_alg mgf1 = RSSP_HASH_NONE;
    size_t salt = 0;
    bool bare = false;
    /* trailerField 2. */
    assert_int_equal(parse_hex("3005a303020102", &hash, &mgf1, &salt, &bare), RSSP_CRYPTO_INVALID);
    /* Negative salt. */
    assert_int_equal(parse_hex("3005a2030201ff", &hash, &mgf1, &salt, &bare), RSSP_CRYPTO_INVALID);
    /* Unknown hash (MD5). */
    assert_int_equal(parse_hex("3010a00e300c06082a864886f70d02050500", &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_INVALID);
    /* Hash with non-NULL parameters (INTEGER 0). */
    assert_int_equal(
        parse_hex("3012a010300e06096086480165030402010201 00", &hash, &mgf1, &salt, &bare),
        RSSP_CRYPTO_INVALID);
    /* A mask generation function other than MGF1 (the OID ...1.1.9). */
    assert_int_equal(parse_hex("301ea11c301a06092a864886f70d010109300d06096086480165030402010500",
                               &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_INVALID);
    /* MGF1 without its hash parameter. */
    assert_int_equal(parse_hex("300fa10d300b06092a864886f70d010108", &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_INVALID);
    /* Trailing byte after the SEQUENCE. */
    assert_int_equal(parse_hex("300000", &hash, &mgf1, &salt, &bare), RSSP_CRYPTO_INVALID);
    /* Truncated protocol example. */
    assert_int_equal(
        parse_hex("3034a00f300d06096086480165030402010500a11c", &hash, &mgf1, &salt, &bare),
        RSSP_CRYPTO_INVALID);
    /* Bare OID of something else (rsaEncryption). */
    assert_int_equal(parse_hex("06092a864886f70d010101", &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_INVALID);
    assert_int_equal(parse_hex("", &hash, &mgf1, &salt, &bare), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_pss_params_parse(NULL, 3, &hash, &mgf1, &salt, &bare),
                     RSSP_CRYPTO_INVALID);
}

static void test_encode_rejects(void **state)
{
    (void)state;
    rssp_buf der = {NULL, 0};
    assert_int_equal(rssp_pss_params_encode(RSSP_HASH_NONE, RSSP_HASH_SHA256, 32, &der),
                     RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_pss_params_encode(RSSP_HASH_SHA256, (rssp_hash_alg)42, 32, &der),
                     RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_pss_params_encode(RSSP_HASH_SHA256, RSSP_HASH_SHA256, 32, NULL),
                     RSSP_CRYPTO_INVALID);
    assert_null(der.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_protocol_example),
        cmocka_unit_test(test_parse_protocol_example),
        cmocka_unit_test(test_round_trip_combinations),
        cmocka_unit_test(test_defaults_and_bare_oid),
        cmocka_unit_test(test_parse_optional_forms),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_encode_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
