/* Unit tests of src/crypto: DigestInfo encoding and strict parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto_test_util.h"

static const rssp_hash_alg all_hashes[] = {RSSP_HASH_SHA1, RSSP_HASH_SHA224, RSSP_HASH_SHA256,
                                           RSSP_HASH_SHA384, RSSP_HASH_SHA512};

/* rssp-protocol.md §1.7 */
static const char *const prefixes_hex[] = {
    "3021300906052b0e03021a05000414",         "302d300d06096086480165030402040500041c",
    "3031300d060960864801650304020105000420", "3041300d060960864801650304020205000430",
    "3051300d060960864801650304020305000440",
};

static void fill_hash(unsigned char *hash, size_t len)
{
    for (size_t i = 0; i < len; i++)
        hash[i] = (unsigned char)(0xa0 + i);
}

static void test_encode_matches_protocol_prefixes(void **state)
{
    (void)state;
    for (size_t i = 0; i < 5; i++) {
        unsigned char hash[64];
        size_t len = rssp_hash_len(all_hashes[i]);
        fill_hash(hash, len);
        rssp_buf prefix = tu_hex(prefixes_hex[i]);
        rssp_buf di = {NULL, 0};
        assert_int_equal(rssp_digestinfo_encode(all_hashes[i], hash, len, &di), RSSP_CRYPTO_OK);
        assert_int_equal(di.len, prefix.len + len);
        assert_memory_equal(di.data, prefix.data, prefix.len);
        assert_memory_equal(di.data + prefix.len, hash, len);
        rssp_buf_clear(&di);
        free(prefix.data);
    }
}

static void test_round_trip_all_hashes(void **state)
{
    (void)state;
    for (size_t i = 0; i < 5; i++) {
        unsigned char hash[64];
        size_t len = rssp_hash_len(all_hashes[i]);
        fill_hash(hash, len);
        rssp_buf di = {NULL, 0};
        assert_int_equal(rssp_digestinfo_encode(all_hashes[i], hash, len, &di), RSSP_CRYPTO_OK);

        rssp_hash_alg alg = RSSP_HASH_NONE;
        const unsigned char *got = NULL;
        size_t got_len = 0;
        assert_int_equal(rssp_digestinfo_parse(di.data, di.len, &alg, &got, &got_len),
                         RSSP_CRYPTO_OK);
        assert_int_equal(alg, all_hashes[i]);
        assert_int_equal(got_len, len);
        assert_ptr_equal(got, di.data + di.len - len);
        assert_memory_equal(got, hash, len);
        rssp_buf_clear(&di);
    }
}

static void test_parse_absent_parameters(void **state)
{
    (void)state;
    /* SHA-256 AlgorithmIdentifier without the NULL: 30 2f 30 0b 06 09 ... 04 20 hash. */
    unsigned char di[2 + 2 + 11 + 2 + 32];
    rssp_buf head = tu_hex("302f300b0609608648016503040201 0420");
    memcpy(di, head.data, head.len);
    fill_hash(di + head.len, 32);
    free(head.data);

    rssp_hash_alg alg = RSSP_HASH_NONE;
    const unsigned char *hash = NULL;
    size_t hash_len = 0;
    assert_int_equal(rssp_digestinfo_parse(di, sizeof(di), &alg, &hash, &hash_len), RSSP_CRYPTO_OK);
    assert_int_equal(alg, RSSP_HASH_SHA256);
    assert_int_equal(hash_len, 32);
    assert_ptr_equal(hash, di + 17);

    /* SHA-1 without NULL. */
    rssp_buf sha1 = tu_hex("301f300706052b0e03021a0414 0102030405060708090a0b0c0d0e0f1011121314");
    assert_int_equal(rssp_digestinfo_parse(sha1.data, sha1.len, &alg, &hash, &hash_len),
                     RSSP_CRYPTO_OK);
    assert_int_equal(alg, RSSP_HASH_SHA1);
    assert_int_equal(hash_len, 20);
    free(sha1.data);
}

static rssp_crv parse_hex(const char *hex)
{
    rssp_buf in = tu_hex(hex);
    rssp_hash_alg alg = RSSP_HASH_NONE;
    const unsigned char *hash = NULL;
    size_t hash_len = 0;
    rssp_crv rv = rssp_digestinfo_parse(in.data, in.len, &alg, &hash, &hash_len);
    free(in.data);
    return rv;
}

static void test_parse_rejects(void **state)
{
    (void)state;
    unsigned char hash[32];
    fill_hash(hash, sizeof(hash));
    rssp_buf di = {NULL, 0};
    assert_int_equal(rssp_digestinfo_encode(RSSP_HASH_SHA256, hash, 32, &di), RSSP_CRYPTO_OK);
    rssp_hash_alg alg = RSSP_HASH_NONE;
    const unsigned char *h = NULL;
    size_t h_len = 0;

    /* Truncated at every length. */
    for (size_t len = 0; len < di.len; len++)
        assert_int_equal(rssp_digestinfo_parse(di.data, len, &alg, &h, &h_len),
                         RSSP_CRYPTO_INVALID);

    /* A trailing byte. */
    unsigned char longer[64];
    memcpy(longer, di.data, di.len);
    longer[di.len] = 0;
    assert_int_equal(rssp_digestinfo_parse(longer, di.len + 1, &alg, &h, &h_len),
                     RSSP_CRYPTO_INVALID);

    /* Every single-byte change of the header. */
    for (size_t i = 0; i < 19; i++) {
        memcpy(longer, di.data, di.len);
        longer[i] ^= 0x01;
        assert_int_equal(rssp_digestinfo_parse(longer, di.len, &alg, &h, &h_len),
                         RSSP_CRYPTO_INVALID);
    }
    rssp_buf_clear(&di);

    /* Hash length not the algorithm's: SHA-256 OID with a 20-byte hash, lengths consistent. */
    assert_int_equal(parse_hex("3025300d060960864801650304020105000414"
                               "0102030405060708090a0b0c0d0e0f1011121314"),
                     RSSP_CRYPTO_INVALID);
    /* Unknown OID: MD5 (1.2.840.113549.2.5). */
    assert_int_equal(parse_hex("3020300c06082a864886f70d020505000410"
                               "000102030405060708090a0b0c0d0e0f"),
                     RSSP_CRYPTO_INVALID);
    /* Non-NULL parameters (an empty OCTET STRING in place of NULL). */
    assert_int_equal(parse_hex("3021300906052b0e03021a04000414"
                               "0102030405060708090a0b0c0d0e0f1011121314"),
                     RSSP_CRYPTO_INVALID);
    /* Long-form length where short form is required (BER, not DER). */
    assert_int_equal(parse_hex("308121300906052b0e03021a05000414"
                               "0102030405060708090a0b0c0d0e0f1011121314"),
                     RSSP_CRYPTO_INVALID);
    assert_int_equal(parse_hex(""), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_digestinfo_parse(NULL, 0, &alg, &h, &h_len), RSSP_CRYPTO_INVALID);
}

static void test_encode_rejects(void **state)
{
    (void)state;
    unsigned char hash[64] = {0};
    rssp_buf di = {NULL, 0};
    assert_int_equal(rssp_digestinfo_encode(RSSP_HASH_SHA256, hash, 31, &di), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_digestinfo_encode(RSSP_HASH_SHA256, hash, 33, &di), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_digestinfo_encode(RSSP_HASH_NONE, hash, 0, &di), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_digestinfo_encode(RSSP_HASH_SHA1, NULL, 20, &di), RSSP_CRYPTO_INVALID);
    assert_null(di.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_protocol_prefixes),
        cmocka_unit_test(test_round_trip_all_hashes),
        cmocka_unit_test(test_parse_absent_parameters),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_encode_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
