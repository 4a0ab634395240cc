/* Unit tests of src/appsign: making signs, refusing bad inputs, reason codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "appsign_test_util.h"
#include "crypto/crypto.h"

static void assert_raw_of(const char *sign, const char *expected_raw)
{
    rssp_buf blob = {NULL, 0};
    assert_int_equal(rssp_base64_decode(sign, strlen(sign), &blob), RSSP_CRYPTO_OK);
    assert_int_equal(blob.len, 20 + strlen(expected_raw));
    assert_memory_equal(blob.data + 20, expected_raw, strlen(expected_raw));
    rssp_buf_clear(&blob);
}

static void test_layout(void **state)
{
    (void)state;
    char *sign = tu_make(TU_NOW, 100, "0123456789");
    assert_raw_of(sign, "a=app-key-1&b=1700000100&c=1700000000&d=0123456789");
    free(sign);
    sign = tu_make(TU_NOW, 0, "7");
    assert_raw_of(sign, "a=app-key-1&b=0&c=1700000000&d=7");
    free(sign);
}

/* Known answer, computed independently with Python's hmac/hashlib/base64. */
static void test_known_answer(void **state)
{
    (void)state;
    char *sign = NULL;
    assert_int_equal(rssp_appsign_make("Your api_key", (const unsigned char *)"Your api_secret", 15,
                                       1700000000, 100, "0123456789", &sign),
                     RSSP_APPSIGN_OK);
    assert_string_equal(sign, "ptQuKnCLgqwRckgjKPjiRMrg149hPVlvdXIgYXBpX2tleSZiPTE3MDAwMDAxMDAmYz0x"
                              "NzAwMDAwMDAwJmQ9MDEyMzQ1Njc4OQ==");
    free(sign);
}

static void test_drawn_random(void **state)
{
    (void)state;
    char *first = tu_make(TU_NOW, 0, NULL);
    char *second = tu_make(TU_NOW, 0, NULL);
    /* Two draws from 10^10 values: equal only by a 1e-10 chance. */
    assert_string_not_equal(first, second);

    rssp_buf blob = {NULL, 0};
    assert_int_equal(rssp_base64_decode(first, strlen(first), &blob), RSSP_CRYPTO_OK);
    const char *prefix = "a=app-key-1&b=0&c=1700000000&d=";
    size_t prefix_len = strlen(prefix);
    assert_true(blob.len > 20 + prefix_len);
    assert_memory_equal(blob.data + 20, prefix, prefix_len);
    size_t digits = blob.len - 20 - prefix_len;
    assert_true(digits >= 1 && digits <= 10);
    for (size_t i = 20 + prefix_len; i < blob.len; i++)
        assert_true(blob.data[i] >= '0' && blob.data[i] <= '9');
    rssp_buf_clear(&blob);
    free(first);
    free(second);
}

static rssp_appsign_result make(const char *key, const char *secret, size_t secret_len, int64_t now,
                                int64_t ttl, const char *random)
{
    char *sign = (char *)"untouched";
    rssp_appsign_result r =
        rssp_appsign_make(key, (const unsigned char *)secret, secret_len, now, ttl, random, &sign);
    if (r != RSSP_APPSIGN_OK)
        assert_null(sign);
    free(r == RSSP_APPSIGN_OK ? sign : NULL);
    return r;
}

static void test_refuses_bad_keys(void **state)
{
    (void)state;
    char long_key[130];
    memset(long_key, 'k', 129);
    long_key[129] = '\0';
    assert_int_equal(make(long_key, "s", 1, TU_NOW, 0, "1"), RSSP_APPSIGN_BAD_INPUT);
    long_key[128] = '\0';
    assert_int_equal(make(long_key, "s", 1, TU_NOW, 0, "1"), RSSP_APPSIGN_OK);

    const char *bad[] = {"",          "a&b",       "a=b",     "&",      "=",
                         "tab\there", "new\nline", "del\x7f", "esc\x1b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(make(bad[i], "s", 1, TU_NOW, 0, "1"), RSSP_APPSIGN_BAD_INPUT);
    assert_int_equal(make(NULL, "s", 1, TU_NOW, 0, "1"), RSSP_APPSIGN_BAD_INPUT);
    /* Spaces and UTF-8 are fine. */
    assert_int_equal(make("my key", "s", 1, TU_NOW, 0, "1"), RSSP_APPSIGN_OK);
    assert_int_equal(make(TU_UTF8_KEY, "s", 1, TU_NOW, 0, "1"), RSSP_APPSIGN_OK);
}

static void test_refuses_bad_times_and_secret(void **state)
{
    (void)state;
    assert_int_equal(make("k", "s", 1, -1, 0, "1"), RSSP_APPSIGN_BAD_INPUT);
    assert_int_equal(make("k", "s", 1, TU_NOW, -1, "1"), RSSP_APPSIGN_BAD_INPUT);
    assert_int_equal(make("k", "s", 1, INT64_MAX, 1, "1"), RSSP_APPSIGN_BAD_INPUT);
    assert_int_equal(make("k", "s", 1, INT64_MAX, 0, "1"), RSSP_APPSIGN_OK);
    assert_int_equal(make("k", "s", 1, 0, 0, "1"), RSSP_APPSIGN_OK);
    assert_int_equal(make("k", "", 0, TU_NOW, 0, "1"), RSSP_APPSIGN_BAD_INPUT);
    assert_int_equal(make("k", NULL, 3, TU_NOW, 0, "1"), RSSP_APPSIGN_BAD_INPUT);
    assert_int_equal(rssp_appsign_make("k", (const unsigned char *)"s", 1, TU_NOW, 0, "1", NULL),
                     RSSP_APPSIGN_BAD_INPUT);
}

static void test_refuses_bad_random(void **state)
{
    (void)state;
    const char *bad[] = {"", "12345678901", "12a", "-1", "+1", " 1", "1 ", "0x1f", "1.5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(make("k", "s", 1, TU_NOW, 0, bad[i]), RSSP_APPSIGN_BAD_INPUT);
    assert_int_equal(make("k", "s", 1, TU_NOW, 0, "9999999999"), RSSP_APPSIGN_OK);
    assert_int_equal(make("k", "s", 1, TU_NOW, 0, "0"), RSSP_APPSIGN_OK);
}

static void test_reason_codes(void **state)
{
    (void)state;
    assert_string_equal(rssp_appsign_reason(RSSP_APPSIGN_OK), "ok");
    assert_string_equal(rssp_appsign_reason(RSSP_APPSIGN_BAD_HMAC), "bad-hmac");
    assert_string_equal(rssp_appsign_reason(RSSP_APPSIGN_EXPIRED), "expired");
    assert_string_equal(rssp_appsign_reason(RSSP_APPSIGN_REPLAYED), "replayed");
    assert_string_equal(rssp_appsign_reason(RSSP_APPSIGN_FUTURE), "future");
    assert_string_equal(rssp_appsign_reason(RSSP_APPSIGN_NOT_BASE64), "not-base64");
    assert_string_equal(rssp_appsign_reason(RSSP_APPSIGN_UNKNOWN_KEY), "unknown-key");
    /* Every result has its own reason and a message. */
    for (int a = RSSP_APPSIGN_OK; a <= RSSP_APPSIGN_BUSY; a++) {
        const char *reason = rssp_appsign_reason((rssp_appsign_result)a);
        assert_non_null(reason);
        assert_string_not_equal(reason, "unknown");
        assert_true(strlen(rssp_appsign_message((rssp_appsign_result)a)) > 5);
        for (int b = a + 1; b <= RSSP_APPSIGN_BUSY; b++)
            assert_string_not_equal(reason, rssp_appsign_reason((rssp_appsign_result)b));
    }
    assert_string_equal(rssp_appsign_reason((rssp_appsign_result)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_drawn_random),
        cmocka_unit_test(test_refuses_bad_keys),
        cmocka_unit_test(test_refuses_bad_times_and_secret),
        cmocka_unit_test(test_refuses_bad_random),
        cmocka_unit_test(test_reason_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
