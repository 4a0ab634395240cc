/* Unit tests of src/appsign: verification, one test per refusal and the acceptances. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appsign_test_util.h"
#include "crypto/crypto.h"

static int setup(void **state)
{
    *state = tu_verifier(NULL);
    return 0;
}

static int teardown(void **state)
{
    rssp_appsign_verifier_free(*state);
    return 0;
}

static void test_multi_use_accepted_until_expiry(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *sign = tu_make(TU_NOW, 100, "0123456789");
    rssp_appsign_fields f;
    memset(&f, 0, sizeof(f));
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, &f), RSSP_APPSIGN_OK);
    assert_string_equal(f.api_key, TU_KEY);
    assert_int_equal(f.expire_time, TU_NOW + 100);
    assert_int_equal(f.current_time, TU_NOW);
    assert_int_equal(f.random, 123456789);
    /* Multi-use: again and again, up to and including expire_time. */
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 50, NULL), RSSP_APPSIGN_OK);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 100, NULL), RSSP_APPSIGN_OK);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 101, NULL), RSSP_APPSIGN_EXPIRED);
    free(sign);
}

static void test_single_use_accepted_once(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *sign = tu_make(TU_NOW, 0, "1");
    rssp_appsign_fields f;
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 5, &f), RSSP_APPSIGN_OK);
    assert_int_equal(f.expire_time, 0);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 6, NULL), RSSP_APPSIGN_REPLAYED);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 5, NULL), RSSP_APPSIGN_REPLAYED);
    /* Same fields, other random: a different sign, accepted. */
    char *other = tu_make(TU_NOW, 0, "2");
    assert_int_equal(rssp_appsign_verify(v, other, TU_NOW + 5, NULL), RSSP_APPSIGN_OK);
    free(other);
    free(sign);
}

static void test_single_use_too_old(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *sign = tu_make(TU_NOW, 0, "3");
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 301, NULL), RSSP_APPSIGN_EXPIRED);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 300, NULL), RSSP_APPSIGN_OK);
    free(sign);
}

static void test_future_dated(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *multi = tu_make(TU_NOW, 100, "4");
    char *single = tu_make(TU_NOW, 0, "4");
    assert_int_equal(rssp_appsign_verify(v, multi, TU_NOW - 31, NULL), RSSP_APPSIGN_FUTURE);
    assert_int_equal(rssp_appsign_verify(v, single, TU_NOW - 31, NULL), RSSP_APPSIGN_FUTURE);
    assert_int_equal(rssp_appsign_verify(v, multi, TU_NOW - 30, NULL), RSSP_APPSIGN_OK);
    assert_int_equal(rssp_appsign_verify(v, single, TU_NOW - 30, NULL), RSSP_APPSIGN_OK);
    free(multi);
    free(single);
}

static void test_tampered(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *sign = tu_make(TU_NOW, 100, "12345");
    size_t raw_len = strlen("a=app-key-1&b=1700000100&c=1700000000&d=12345");
    /* Last byte of the random: '5' -> '4' keeps the text well formed. */
    char *raw_flipped = tu_flip_byte(sign, 20 + raw_len - 1);
    assert_int_equal(rssp_appsign_verify(v, raw_flipped, TU_NOW, NULL), RSSP_APPSIGN_BAD_HMAC);
    /* A digit of expire_time ('0' -> '1'): a later expiry cannot be forged either. */
    char *time_flipped = tu_flip_byte(sign, 20 + strlen("a=app-key-1&b=17000001"));
    assert_int_equal(rssp_appsign_verify(v, time_flipped, TU_NOW, NULL), RSSP_APPSIGN_BAD_HMAC);
    for (size_t i = 0; i < 20; i++) {
        char *mac_flipped = tu_flip_byte(sign, i);
        assert_int_equal(rssp_appsign_verify(v, mac_flipped, TU_NOW, NULL), RSSP_APPSIGN_BAD_HMAC);
        free(mac_flipped);
    }
    free(time_flipped);
    free(raw_flipped);
    free(sign);
}

static void test_bad_hmac_checked_before_time_rules(void **state)
{
    rssp_appsign_verifier *v = *state;
    /* An expired, a future and a replayed sign with a broken HMAC all say only bad-hmac. */
    char *sign = tu_make(TU_NOW, 0, "6");
    char *forged = tu_flip_byte(sign, 0);
    assert_int_equal(rssp_appsign_verify(v, forged, TU_NOW + 10000, NULL), RSSP_APPSIGN_BAD_HMAC);
    assert_int_equal(rssp_appsign_verify(v, forged, TU_NOW - 10000, NULL), RSSP_APPSIGN_BAD_HMAC);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, NULL), RSSP_APPSIGN_OK);
    assert_int_equal(rssp_appsign_verify(v, forged, TU_NOW, NULL), RSSP_APPSIGN_BAD_HMAC);
    free(forged);
    free(sign);
}

static void test_unknown_key_and_wrong_secret(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *sign = NULL;
    assert_int_equal(rssp_appsign_make("nobody", (const unsigned char *)TU_SECRET,
                                       strlen(TU_SECRET), TU_NOW, 0, "1", &sign),
                     RSSP_APPSIGN_OK);
    rssp_appsign_fields f;
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, &f), RSSP_APPSIGN_UNKNOWN_KEY);
    assert_string_equal(f.api_key, "nobody");
    free(sign);

    assert_int_equal(
        rssp_appsign_make(TU_KEY, (const unsigned char *)"wrong-secret", 12, TU_NOW, 0, "1", &sign),
        RSSP_APPSIGN_OK);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, NULL), RSSP_APPSIGN_BAD_HMAC);
    free(sign);

    /* The other key's secret. */
    assert_int_equal(rssp_appsign_make(TU_KEY, (const unsigned char *)TU_UTF8_SECRET,
                                       strlen(TU_UTF8_SECRET), TU_NOW, 0, "1", &sign),
                     RSSP_APPSIGN_OK);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, NULL), RSSP_APPSIGN_BAD_HMAC);
    free(sign);
}

static void test_utf8_key_and_secret(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *sign = NULL;
    assert_int_equal(rssp_appsign_make(TU_UTF8_KEY, (const unsigned char *)TU_UTF8_SECRET,
                                       strlen(TU_UTF8_SECRET), TU_NOW, 60, NULL, &sign),
                     RSSP_APPSIGN_OK);
    rssp_appsign_fields f;
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, &f), RSSP_APPSIGN_OK);
    assert_string_equal(f.api_key, TU_UTF8_KEY);
    assert_true(f.random <= UINT64_C(9999999999));
    free(sign);
}

static void test_truncated(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *sign = tu_make(TU_NOW, 0, "1");
    rssp_buf blob = {NULL, 0};
    assert_int_equal(rssp_base64_decode(sign, strlen(sign), &blob), RSSP_CRYPTO_OK);
    /* Too short for HMAC plus the shortest raw. */
    for (size_t len = 0; len < 20 + 15; len++) {
        char *cut = rssp_base64_encode(blob.data, len);
        assert_int_equal(rssp_appsign_verify(v, cut, TU_NOW, NULL), RSSP_APPSIGN_TRUNCATED);
        free(cut);
    }
    /* Long enough but cut: the text no longer parses or no longer matches the HMAC. */
    for (size_t len = 20 + 15; len < blob.len; len++) {
        char *cut = rssp_base64_encode(blob.data, len);
        rssp_appsign_result r = rssp_appsign_verify(v, cut, TU_NOW, NULL);
        assert_true(r == RSSP_APPSIGN_MALFORMED || r == RSSP_APPSIGN_BAD_HMAC);
        free(cut);
    }
    /* Cutting Base64 text itself breaks the padding. */
    sign[strlen(sign) - 1] = '\0';
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, NULL), RSSP_APPSIGN_NOT_BASE64);
    rssp_buf_clear(&blob);
    free(sign);
}

static void test_not_base64(void **state)
{
    rssp_appsign_verifier *v = *state;
    assert_int_equal(rssp_appsign_verify(v, "!!!!", TU_NOW, NULL), RSSP_APPSIGN_NOT_BASE64);
    assert_int_equal(rssp_appsign_verify(v, "", TU_NOW, NULL), RSSP_APPSIGN_TRUNCATED);

    char *sign = tu_make(TU_NOW, 100, "1");
    size_t len = strlen(sign);
    char *broken = malloc(len + 2);
    assert_non_null(broken);
    /* A line break in the middle. */
    memcpy(broken, sign, 8);
    broken[8] = '\n';
    memcpy(broken + 9, sign + 8, len - 8 + 1);
    assert_int_equal(rssp_appsign_verify(v, broken, TU_NOW, NULL), RSSP_APPSIGN_NOT_BASE64);
    /* A space at the end. */
    memcpy(broken, sign, len);
    broken[len] = ' ';
    broken[len + 1] = '\0';
    assert_int_equal(rssp_appsign_verify(v, broken, TU_NOW, NULL), RSSP_APPSIGN_NOT_BASE64);
    free(broken);
    free(sign);

    char too_long[400];
    memset(too_long, 'A', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = '\0';
    assert_int_equal(rssp_appsign_verify(v, too_long, TU_NOW, NULL), RSSP_APPSIGN_MALFORMED);
}

static void test_url_safe_alphabet_refused(void **state)
{
    rssp_appsign_verifier *v = *state;
    /* Find a sign whose standard Base64 holds '+' or '/', then turn it URL-safe. */
    char random[12];
    char *sign = NULL;
    for (int i = 0; i < 1000 && sign == NULL; i++) {
        snprintf(random, sizeof(random), "%d", i);
        char *candidate = tu_make(TU_NOW, 100, random);
        if (strpbrk(candidate, "+/") != NULL)
            sign = candidate;
        else
            free(candidate);
    }
    assert_non_null(sign);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, NULL), RSSP_APPSIGN_OK);
    for (char *p = sign; *p != '\0'; p++) {
        if (*p == '+')
            *p = '-';
        else if (*p == '/')
            *p = '_';
    }
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, NULL), RSSP_APPSIGN_NOT_BASE64);
    free(sign);
}

static void test_malformed_fields(void **state)
{
    rssp_appsign_verifier *v = *state;
    /* Each with a correct HMAC, so only the field rules can refuse it. */
    const char *bad[] = {
        "b=1700000100&a=app-key-1&c=1700000000&d=1", /* out of order */
        "a=app-key-1&c=1700000000&b=1700000100&d=1",
        "a=app-key-1&a=app-key-1&b=1700000100&c=1700000000&d=1", /* duplicated */
        "a=app-key-1&b=1700000100&b=1700000100&c=1700000000&d=1",
        "a=app-key-1&b=1700000100&c=1700000000&d=1&d=1",
        "a=app-key-1&b=1700000100&c=1700000000&d=1&e=2", /* extra field */
        "a=app-key-1&b=1700000100&c=1700000000",         /* missing field */
        "a=app-key-1&b=1700000100&c=1700000000&d=",      /* empty value */
        "a=&b=1700000100&c=1700000000&d=1",              /* empty key */
        "a=app-key-1&b=17000001x0&c=1700000000&d=1",     /* non-digit */
        "a=app-key-1&b=+1700000100&c=1700000000&d=1",    /* sign */
        "a=app-key-1&b=1700000100&c=-1700000000&d=1",
        "a=app-key-1&b=1700000100&c=1700000000&d= 1", /* space */
        "a=app-key-1&b=1700000100&c=1700000000&d=1 ",
        "a=app-key-1&b=1700000100&c=1700000000&d=12345678901", /* random > 10 digits */
        "a=app-key-1&b=9223372036854775808&c=1700000000&d=1",  /* > INT64_MAX */
        "a=app-key-1&b=00000000001700000100&c=1700000000&d=1", /* 20 digits */
        "a=app-key-1&b=1700000100&c=1700000000&d=1\n",
        "A=app-key-1&B=1700000100&C=1700000000&D=1", /* case */
        "a=app-key-1&b=1700000100&c=1700000000&d=1&",
        "a=app\x01key&b=1700000100&c=1700000000&d=1", /* control character */
        "a=app-key-1=&b=1700000100&c=1700000000&d=1",
        "a:app-key-1&b:1700000100&c:1700000000&d:1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *sign = tu_sign_raw(bad[i], TU_SECRET);
        assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, NULL), RSSP_APPSIGN_MALFORMED);
        free(sign);
    }
    /* The same machinery accepts a well-formed text, so the refusals above are the fields'. */
    char *good = tu_sign_raw("a=app-key-1&b=1700000100&c=1700000000&d=1", TU_SECRET);
    assert_int_equal(rssp_appsign_verify(v, good, TU_NOW, NULL), RSSP_APPSIGN_OK);
    free(good);
    /* Largest values that still parse. */
    good = tu_sign_raw("a=app-key-1&b=9223372036854775807&c=1700000000&d=9999999999", TU_SECRET);
    rssp_appsign_fields f;
    assert_int_equal(rssp_appsign_verify(v, good, TU_NOW, &f), RSSP_APPSIGN_OK);
    assert_int_equal(f.expire_time, INT64_MAX);
    assert_int_equal(f.random, UINT64_C(9999999999));
    free(good);
}

static void test_expire_before_current(void **state)
{
    rssp_appsign_verifier *v = *state;
    char *sign = tu_sign_raw("a=app-key-1&b=1700000010&c=1700000020&d=1", TU_SECRET);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW, NULL), RSSP_APPSIGN_EXPIRED);
    free(sign);
}

static void test_bad_arguments(void **state)
{
    rssp_appsign_verifier *v = *state;
    assert_int_equal(rssp_appsign_verify(v, NULL, TU_NOW, NULL), RSSP_APPSIGN_BAD_INPUT);
    assert_int_equal(rssp_appsign_verify(NULL, "AAAA", TU_NOW, NULL), RSSP_APPSIGN_BAD_INPUT);

    rssp_appsign_verifier *other = NULL;
    assert_int_equal(rssp_appsign_verifier_new(NULL, NULL, NULL, &other), RSSP_APPSIGN_BAD_INPUT);
    rssp_appsign_policy negative = {-1, 300, 10};
    assert_int_equal(rssp_appsign_verifier_new(tu_lookup, NULL, &negative, &other),
                     RSSP_APPSIGN_BAD_INPUT);
    negative = (rssp_appsign_policy){30, -1, 10};
    assert_int_equal(rssp_appsign_verifier_new(tu_lookup, NULL, &negative, &other),
                     RSSP_APPSIGN_BAD_INPUT);
    assert_null(other);
    assert_int_equal(rssp_appsign_verifier_new(tu_lookup, NULL, NULL, NULL),
                     RSSP_APPSIGN_BAD_INPUT);
    rssp_appsign_verifier_free(NULL);
}

static void test_policy_values_used(void **state)
{
    (void)state;
    rssp_appsign_policy policy = {5, 60, 0};
    rssp_appsign_verifier *v = tu_verifier(&policy);
    char *sign = tu_make(TU_NOW, 0, "8");
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW - 6, NULL), RSSP_APPSIGN_FUTURE);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 61, NULL), RSSP_APPSIGN_EXPIRED);
    assert_int_equal(rssp_appsign_verify(v, sign, TU_NOW + 60, NULL), RSSP_APPSIGN_OK);
    free(sign);
    rssp_appsign_verifier_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_multi_use_accepted_until_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_use_accepted_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_use_too_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_future_dated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_hmac_checked_before_time_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key_and_wrong_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_key_and_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_safe_alphabet_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expire_before_current, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test(test_policy_values_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
