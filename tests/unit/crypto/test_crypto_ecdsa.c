/* Unit tests of src/crypto: ECDSA DER <-> raw r||s conversions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto_test_util.h"

static rssp_crv der_hex_to_raw(const char *hex, size_t field_len, unsigned char *out,
                               size_t *out_len)
{
    rssp_buf der = tu_hex(hex);
    rssp_crv rv = rssp_ecdsa_der_to_raw(der.data, der.len, field_len, out, 2 * field_len, out_len);
    free(der.data);
    return rv;
}

static void test_small_values_are_padded(void **state)
{
    (void)state;
    unsigned char raw[64];
    size_t raw_len = 0;
    assert_int_equal(der_hex_to_raw("3006020101020102", 32, raw, &raw_len), RSSP_CRYPTO_OK);
    assert_int_equal(raw_len, 64);
    unsigned char expected[64];
    memset(expected, 0, sizeof(expected));
    expected[31] = 0x01;
    expected[63] = 0x02;
    assert_memory_equal(raw, expected, 64);
}

static void test_high_bit_values_keep_their_bytes(void **state)
{
    (void)state;
    unsigned char raw[4];
    size_t raw_len = 0;
    /* r = 0x80ff, s = 0xff01: both need a 00 sign byte in DER, not in raw. */
    assert_int_equal(der_hex_to_raw("300a02030080ff020300ff01", 2, raw, &raw_len), RSSP_CRYPTO_OK);
    assert_int_equal(raw_len, 4);
    const unsigned char expected[4] = {0x80, 0xff, 0xff, 0x01};
    assert_memory_equal(raw, expected, 4);
}

static void test_der_rejects(void **state)
{
    (void)state;
    unsigned char raw[64];
    size_t raw_len = 0;
    /* Trailing data after the SEQUENCE. */
    assert_int_equal(der_hex_to_raw("300602010102010200", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* Negative r. */
    assert_int_equal(der_hex_to_raw("3006020180020102", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* Negative s. */
    assert_int_equal(der_hex_to_raw("30060201010201ff", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* Non-minimal INTEGER (leading zero without need). */
    assert_int_equal(der_hex_to_raw("300702020001020102", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* Long-form length where short form is required. */
    assert_int_equal(der_hex_to_raw("308106020101020102", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* r longer than field_len after stripping the sign byte: 0x0100 in one byte. */
    assert_int_equal(der_hex_to_raw("3007020201000201 02", 1, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* Sequence length disagreeing with contents. */
    assert_int_equal(der_hex_to_raw("3007020101020102", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* Truncated. */
    assert_int_equal(der_hex_to_raw("30060201010201", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* Wrong tags: SET instead of SEQUENCE, OCTET STRING instead of INTEGER. */
    assert_int_equal(der_hex_to_raw("3106020101020102", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    assert_int_equal(der_hex_to_raw("3006040101020102", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    /* A third INTEGER. */
    assert_int_equal(der_hex_to_raw("3009020101020102020103", 32, raw, &raw_len),
                     RSSP_CRYPTO_INVALID);
    /* Empty input, zero field length. */
    assert_int_equal(der_hex_to_raw("", 32, raw, &raw_len), RSSP_CRYPTO_INVALID);
    assert_int_equal(
        rssp_ecdsa_der_to_raw((const unsigned char *)"\x30\x06\x02\x01\x01\x02\x01\x02", 8, 0, raw,
                              sizeof(raw), &raw_len),
        RSSP_CRYPTO_INVALID);
}

static void test_der_to_raw_output_too_small(void **state)
{
    (void)state;
    rssp_buf der = tu_hex("3006020101020102");
    unsigned char raw[64];
    size_t raw_len = 0;
    assert_int_equal(rssp_ecdsa_der_to_raw(der.data, der.len, 32, raw, 63, &raw_len),
                     RSSP_CRYPTO_TOO_SMALL);
    assert_int_equal(raw_len, 64);
    assert_int_equal(rssp_ecdsa_der_to_raw(der.data, der.len, 32, NULL, 0, &raw_len),
                     RSSP_CRYPTO_TOO_SMALL);
    assert_int_equal(raw_len, 64);
    free(der.data);
}

static void test_raw_to_der(void **state)
{
    (void)state;
    /* r = 1 with leading zeros, s = 0x80.. needing a sign byte. */
    unsigned char raw[8] = {0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00};
    rssp_buf der = {NULL, 0};
    assert_int_equal(rssp_ecdsa_raw_to_der(raw, sizeof(raw), &der), RSSP_CRYPTO_OK);
    rssp_buf expected = tu_hex("300a020101020500 80000000");
    assert_int_equal(der.len, expected.len);
    assert_memory_equal(der.data, expected.data, expected.len);
    free(expected.data);
    rssp_buf_clear(&der);

    assert_int_equal(rssp_ecdsa_raw_to_der(raw, 7, &der), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_ecdsa_raw_to_der(raw, 0, &der), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_ecdsa_raw_to_der(NULL, 8, &der), RSSP_CRYPTO_INVALID);
    assert_null(der.data);
}

static void test_round_trip_field_sizes(void **state)
{
    (void)state;
    const size_t sizes[] = {32, 48, 66};
    unsigned seed = 12345;
    for (size_t i = 0; i < 3; i++) {
        for (int round = 0; round < 50; round++) {
            size_t field = sizes[i];
            unsigned char raw[132];
            tu_fill_pseudo_random(raw, 2 * field, &seed);
            /* Some rounds with short r or s, which DER stores without the zeros. */
            if (round % 3 == 0)
                memset(raw, 0, 3);
            if (round % 5 == 0)
                memset(raw + field, 0, field - 1);
            if (field == 66) {
                raw[0] &= 0x01; /* P-521 values have 521 bits */
                raw[66] &= 0x01;
            }
            rssp_buf der = {NULL, 0};
            assert_int_equal(rssp_ecdsa_raw_to_der(raw, 2 * field, &der), RSSP_CRYPTO_OK);
            unsigned char back[132];
            size_t back_len = 0;
            assert_int_equal(
                rssp_ecdsa_der_to_raw(der.data, der.len, field, back, sizeof(back), &back_len),
                RSSP_CRYPTO_OK);
            assert_int_equal(back_len, 2 * field);
            assert_memory_equal(back, raw, 2 * field);
            rssp_buf_clear(&der);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_values_are_padded),
        cmocka_unit_test(test_high_bit_values_keep_their_bytes),
        cmocka_unit_test(test_der_rejects),
        cmocka_unit_test(test_der_to_raw_output_too_small),
        cmocka_unit_test(test_raw_to_der),
        cmocka_unit_test(test_round_trip_field_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
