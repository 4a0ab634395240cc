/* Unit tests of pkcs11/token_text.c: labels, serials and slot descriptions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "pkcs11/token_text.h"

/* Strict UTF-8 check, written independently of the code under test. */
static bool valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n = c < 0x80                 ? 1
                   : c >= 0xC2 && c <= 0xDF ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        if (n == 0 || i + n > len)
            return false;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        }
        i += n;
    }
    return true;
}

static void assert_text(const char *field, size_t n)
{
    assert_true(valid_utf8((const unsigned char *)field, n));
    for (size_t i = 0; i < n; i++)
        assert_true((unsigned char)field[i] >= 0x20 && field[i] != 0x7f);
}

static void test_label_short_id(void **state)
{
    (void)state;
    char label[32];
    p11_token_label("Alice Nguyen", "10001", label);
    assert_memory_equal(label, "Alice Nguyen (10001)            ", 32);
    p11_token_label(NULL, "7", label);
    assert_memory_equal(label, "RSSP credential (7)             ", 32);
}

static void test_label_cuts_cn_on_a_character(void **state)
{
    (void)state;
    /* 6 Vietnamese letters of 2 or 3 bytes each, far over the 32 bytes */
    const char *cn = "Nguy\xe1\xbb\x85n V\xc4\x83n \xc3\x81nh Tuy\xe1\xba\xbft Ho\xc3\xa0ng "
                     "Ph\xc6\xb0\xc6\xa1ng";
    char label[32];
    p11_token_label(cn, "84902", label);
    assert_text(label, 32);
    assert_memory_equal(label, "Nguy\xe1\xbb\x85n", 7);
    /* the id follows the shortened CN; only padding may come after it */
    const char *id = NULL;
    for (size_t i = 0; i + 8 <= 32 && id == NULL; i++)
        id = memcmp(label + i, " (84902)", 8) == 0 ? label + i : NULL;
    assert_non_null(id);
    for (const char *p = id + 8; p < label + 32; p++)
        assert_int_equal(*p, ' ');
    assert_true(id + 8 >= label + 30); /* the CN kept all the room a whole character allows */
}

static void test_label_long_ids_stay_distinct(void **state)
{
    (void)state;
    char a[32], b[32];
    const char *id1 = "3f1c0000000000000000000000000000000000000000000000000000000000a1";
    const char *id2 = "3f1c0000000000000000000000000000000000000000000000000000000000a2";
    p11_token_label("Alice Nguyen", id1, a);
    p11_token_label("Alice Nguyen", id2, b);
    assert_memory_not_equal(a, b, 32);
    assert_memory_equal(a, "Alice Nguyen (#", 15);
    assert_text(a, 32);
}

static void test_label_invalid_utf8_id(void **state)
{
    (void)state;
    char label[32], serial[16], desc[64];
    p11_token_label("Bob", "\xff\xfe", label);
    assert_text(label, 32);
    assert_memory_equal(label, "Bob (#", 6);
    p11_token_serial("\xff\xfe", serial);
    for (size_t i = 0; i < 16; i++)
        assert_true(strchr("0123456789ABCDEF", serial[i]) != NULL);
    p11_slot_description("\xff\xfe", desc);
    assert_text(desc, 64);
    /* and a control character in the CN is not passed on */
    p11_token_label("Bo\nb", "1", label);
    assert_memory_equal(label, "Bo?b (1)", 8);
}

static void test_serial(void **state)
{
    (void)state;
    char serial[16];
    p11_token_serial("10001", serial);
    assert_memory_equal(serial, "10001           ", 16);
    p11_token_serial("0123456789abcdef", serial);
    assert_memory_equal(serial, "0123456789abcdef", 16);
    char other[16];
    p11_token_serial("0123456789abcdef0", serial);
    p11_token_serial("0123456789abcdef1", other);
    assert_memory_not_equal(serial, other, 16);
}

static void test_description(void **state)
{
    (void)state;
    char desc[64];
    p11_slot_description("10001", desc);
    assert_memory_equal(desc, "RSSP credential 10001 ", 22);
    assert_int_equal(desc[63], ' ');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_short_id),
        cmocka_unit_test(test_label_cuts_cn_on_a_character),
        cmocka_unit_test(test_label_long_ids_stay_distinct),
        cmocka_unit_test(test_label_invalid_utf8_id),
        cmocka_unit_test(test_serial),
        cmocka_unit_test(test_description),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
