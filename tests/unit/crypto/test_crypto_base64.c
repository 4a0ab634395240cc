/* Unit tests of src/crypto: strict Base64 (RFC 4648 §4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

/* RFC 4648 §10 test vectors. */
static const char *const vectors[][2] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const char *plain = vectors[i][0];
        const char *encoded = vectors[i][1];
        char *text = rssp_base64_encode(plain, strlen(plain));
        assert_non_null(text);
        assert_string_equal(text, encoded);
        free(text);

        rssp_buf out = {NULL, 0};
        assert_int_equal(rssp_base64_decode(encoded, strlen(encoded), &out), RSSP_CRYPTO_OK);
        assert_int_equal(out.len, strlen(plain));
        assert_memory_equal(out.data, plain, out.len);
        rssp_buf_clear(&out);
    }
}

static void test_all_byte_values_round_trip(void **state)
{
    (void)state;
    unsigned char bytes[256];
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)i;
    for (size_t len = 0; len <= sizeof(bytes); len += 37) {
        char *text = rssp_base64_encode(bytes + 256 - len, len);
        assert_non_null(text);
        assert_int_equal(strlen(text), 4 * ((len + 2) / 3));
        assert_null(strchr(text, '\n'));
        rssp_buf out = {NULL, 0};
        assert_int_equal(rssp_base64_decode(text, strlen(text), &out), RSSP_CRYPTO_OK);
        assert_int_equal(out.len, len);
        assert_memory_equal(out.data, bytes + 256 - len, len);
        rssp_buf_clear(&out);
        free(text);
    }
    /* '+' and '/' come out for the high values. */
    const unsigned char high[3] = {0xfb, 0xff, 0xbf};
    char *text = rssp_base64_encode(high, 3);
    assert_string_equal(text, "+/+/");
    free(text);
}

static void assert_rejected(const char *text, size_t len)
{
    rssp_buf out = {NULL, 0};
    assert_int_equal(rssp_base64_decode(text, len, &out), RSSP_CRYPTO_INVALID);
    assert_null(out.data);
}

static void test_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        "Zg=",                   /* length not a multiple of 4 */
        "Zg",                    /* unpadded */
        "Zm9vYmE",               /* unpadded */
        "Zm9v\n",                /* line break */
        "Zm9v\r\nYmFy", " Zm9v", /* whitespace */
        "Zm 9",         "Zh==",  /* non-zero bits under the padding */
        "Zm9=",         "=Zm9",  /* padding first */
        "Zg==Zg==",              /* padding in the middle */
        "Z===",                  /* three '=' */
        "====",         "Zm-v",  /* URL-safe alphabet */
        "Zm_v",         "Zm9v!A==", "Zm9\xc3\xa9",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_rejected(bad[i], strlen(bad[i]));
    /* An embedded NUL inside the given length. */
    assert_rejected("Zm9v\0AAA", 8);
    rssp_buf out = {NULL, 0};
    assert_int_equal(rssp_base64_decode(NULL, 0, &out), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_base64_decode("Zm9v", 4, NULL), RSSP_CRYPTO_INVALID);
    assert_null(rssp_base64_encode(NULL, 1));
}

static void test_decode_respects_length(void **state)
{
    (void)state;
    /* Only the first text_len characters count. */
    rssp_buf out = {NULL, 0};
    assert_int_equal(rssp_base64_decode("Zm9vYmFy", 4, &out), RSSP_CRYPTO_OK);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "foo", 3);
    rssp_buf_clear(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_all_byte_values_round_trip),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_decode_respects_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
