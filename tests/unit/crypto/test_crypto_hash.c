/* Unit tests of src/crypto: hash table, digests (known answers), buffers, random. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto_test_util.h"

static void assert_digest(rssp_hash_alg alg, const char *msg, const char *expected_hex)
{
    unsigned char out[64];
    rssp_buf expected = tu_hex(expected_hex);
    assert_int_equal(rssp_hash_len(alg), expected.len);
    assert_int_equal(rssp_digest(alg, msg, strlen(msg), out), RSSP_CRYPTO_OK);
    assert_memory_equal(out, expected.data, expected.len);
    free(expected.data);
}

/* FIPS 180-2 / NIST examples. */
static void test_digest_known_answers(void **state)
{
    (void)state;
    assert_digest(RSSP_HASH_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_digest(RSSP_HASH_SHA224, "abc",
                  "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
    assert_digest(RSSP_HASH_SHA256, "abc",
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_digest(RSSP_HASH_SHA384, "abc",
                  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                  "8086072ba1e7cc2358baeca134c825a7");
    assert_digest(RSSP_HASH_SHA512, "abc",
                  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    assert_digest(RSSP_HASH_SHA256, "",
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_digest_rejects(void **state)
{
    (void)state;
    unsigned char out[64];
    assert_int_equal(rssp_digest(RSSP_HASH_NONE, "abc", 3, out), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_digest((rssp_hash_alg)99, "abc", 3, out), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_digest(RSSP_HASH_SHA256, NULL, 3, out), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_digest(RSSP_HASH_SHA256, "abc", 3, NULL), RSSP_CRYPTO_INVALID);
}

static void test_digest_incremental_matches_one_shot(void **state)
{
    (void)state;
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    unsigned char whole[64];
    unsigned char parts[64];
    rssp_digest_ctx *ctx = NULL;

    assert_int_equal(rssp_digest(RSSP_HASH_SHA384, msg, strlen(msg), whole), RSSP_CRYPTO_OK);
    assert_int_equal(rssp_digest_new(RSSP_HASH_SHA384, &ctx), RSSP_CRYPTO_OK);
    assert_int_equal(rssp_digest_update(ctx, msg, 10), RSSP_CRYPTO_OK);
    assert_int_equal(rssp_digest_update(ctx, NULL, 0), RSSP_CRYPTO_OK);
    assert_int_equal(rssp_digest_update(ctx, msg + 10, strlen(msg) - 10), RSSP_CRYPTO_OK);
    assert_int_equal(rssp_digest_final(ctx, parts), RSSP_CRYPTO_OK);
    assert_memory_equal(whole, parts, 48);
    /* Finished: no more updates or finals. */
    assert_int_equal(rssp_digest_update(ctx, msg, 1), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_digest_final(ctx, parts), RSSP_CRYPTO_INVALID);
    rssp_digest_free(ctx);

    assert_int_equal(rssp_digest_new(RSSP_HASH_NONE, &ctx), RSSP_CRYPTO_INVALID);
    assert_null(ctx);
    rssp_digest_free(NULL);
}

static void test_hash_table(void **state)
{
    (void)state;
    assert_int_equal(rssp_hash_len(RSSP_HASH_SHA1), 20);
    assert_int_equal(rssp_hash_len(RSSP_HASH_SHA224), 28);
    assert_int_equal(rssp_hash_len(RSSP_HASH_SHA256), 32);
    assert_int_equal(rssp_hash_len(RSSP_HASH_SHA384), 48);
    assert_int_equal(rssp_hash_len(RSSP_HASH_SHA512), 64);
    assert_int_equal(rssp_hash_len(RSSP_HASH_NONE), 0);
    assert_string_equal(rssp_hash_oid(RSSP_HASH_SHA256), "2.16.840.1.101.3.4.2.1");
    assert_string_equal(rssp_hash_oid(RSSP_HASH_SHA1), "1.3.14.3.2.26");
    assert_null(rssp_hash_oid(RSSP_HASH_NONE));
    assert_string_equal(rssp_hash_name(RSSP_HASH_SHA512), "SHA-512");
    assert_null(rssp_hash_name(RSSP_HASH_NONE));
}

static void test_hash_from_string(void **state)
{
    (void)state;
    assert_int_equal(rssp_hash_from_string("sha-256"), RSSP_HASH_SHA256);
    assert_int_equal(rssp_hash_from_string("SHA256"), RSSP_HASH_SHA256);
    assert_int_equal(rssp_hash_from_string("Sha-1"), RSSP_HASH_SHA1);
    assert_int_equal(rssp_hash_from_string("sha1"), RSSP_HASH_SHA1);
    assert_int_equal(rssp_hash_from_string("sha-224"), RSSP_HASH_SHA224);
    assert_int_equal(rssp_hash_from_string("SHA-384"), RSSP_HASH_SHA384);
    assert_int_equal(rssp_hash_from_string("sha512"), RSSP_HASH_SHA512);
    assert_int_equal(rssp_hash_from_string("2.16.840.1.101.3.4.2.3"), RSSP_HASH_SHA512);
    assert_int_equal(rssp_hash_from_string("1.3.14.3.2.26"), RSSP_HASH_SHA1);
    assert_int_equal(rssp_hash_from_string("md5"), RSSP_HASH_NONE);
    assert_int_equal(rssp_hash_from_string("sha-256 "), RSSP_HASH_NONE);
    assert_int_equal(rssp_hash_from_string("2.16.840.1.101.3.4.2.1.0"), RSSP_HASH_NONE);
    assert_int_equal(rssp_hash_from_string(""), RSSP_HASH_NONE);
    assert_int_equal(rssp_hash_from_string(NULL), RSSP_HASH_NONE);
}

static void test_buf(void **state)
{
    (void)state;
    rssp_buf b = {NULL, 0};
    assert_int_equal(rssp_buf_set(&b, "hello", 5), RSSP_CRYPTO_OK);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "hello", 5);
    assert_int_equal(rssp_buf_set(&b, "xy", 2), RSSP_CRYPTO_OK);
    assert_int_equal(b.len, 2);
    rssp_buf_clear_secret(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(rssp_buf_set(&b, NULL, 0), RSSP_CRYPTO_OK);
    assert_non_null(b.data);
    assert_int_equal(b.len, 0);
    rssp_buf_clear(&b);
    assert_int_equal(rssp_buf_set(&b, NULL, 3), RSSP_CRYPTO_INVALID);
    rssp_buf_clear(NULL);
    rssp_buf_clear_secret(NULL);
}

static void test_random(void **state)
{
    (void)state;
    unsigned char a[32];
    unsigned char b[32];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    assert_int_equal(rssp_random_bytes(a, sizeof(a)), RSSP_CRYPTO_OK);
    assert_int_equal(rssp_random_bytes(b, sizeof(b)), RSSP_CRYPTO_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(rssp_random_bytes(NULL, 0), RSSP_CRYPTO_OK);
    assert_int_equal(rssp_random_bytes(NULL, 1), RSSP_CRYPTO_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_known_answers),
        cmocka_unit_test(test_digest_rejects),
        cmocka_unit_test(test_digest_incremental_matches_one_shot),
        cmocka_unit_test(test_hash_table),
        cmocka_unit_test(test_hash_from_string),
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
