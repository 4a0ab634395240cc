/* The signed text: formatting and strict parsing. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "appsign/raw.h"

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

bool appsign_key_valid(const char *key, size_t len)
{
    if (key == NULL || len == 0 || len > APPSIGN_KEY_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c == '&' || c == '=' || c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

bool appsign_random_valid(const char *digits)
{
    if (digits == NULL)
        return false;
    size_t len = strnlen(digits, APPSIGN_RANDOM_DIGITS_MAX + 1);
    if (len == 0 || len > APPSIGN_RANDOM_DIGITS_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit((unsigned char)digits[i]))
            return false;
    }
    return true;
}

size_t appsign_raw_format(char *out, size_t cap, const char *api_key, int64_t expire_time,
                          int64_t current_time, const char *random)
{
    if (out == NULL || api_key == NULL ||
        !appsign_key_valid(api_key, strnlen(api_key, APPSIGN_KEY_MAX + 1)) || expire_time < 0 ||
        current_time < 0 || !appsign_random_valid(random))
        return 0;
    int n = snprintf(out, cap, "a=%s&b=%" PRId64 "&c=%" PRId64 "&d=%s", api_key, expire_time,
                     current_time, random);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

/* Expect the literal text at *pos. */
static bool take_literal(const unsigned char *raw, size_t len, size_t *pos, const char *lit)
{
    size_t n = strlen(lit);
    if (len - *pos < n || memcmp(raw + *pos, lit, n) != 0)
        return false;
    *pos += n;
    return true;
}

/* 1..max_digits decimal digits at *pos, value at most limit. */
static bool take_number(const unsigned char *raw, size_t len, size_t *pos, size_t max_digits,
                        uint64_t limit, uint64_t *value)
{
    uint64_t v = 0;
    size_t start = *pos;
    while (*pos < len && is_digit(raw[*pos])) {
        if (*pos - start == max_digits)
            return false;
        unsigned digit = (unsigned)(raw[*pos] - '0');
        if (v > (limit - digit) / 10)
            return false;
        v = v * 10 + digit;
        (*pos)++;
    }
    if (*pos == start)
        return false;
    *value = v;
    return true;
}

bool appsign_raw_parse(const unsigned char *raw, size_t len, rssp_appsign_fields *fields)
{
    size_t pos = 0;
    if (raw == NULL || fields == NULL || len < APPSIGN_RAW_MIN || len > APPSIGN_RAW_MAX)
        return false;
    if (!take_literal(raw, len, &pos, "a="))
        return false;

    /* The key runs to the first '&' (a key can never hold one). */
    const unsigned char *amp = memchr(raw + pos, '&', len - pos);
    if (amp == NULL)
        return false;
    size_t key_len = (size_t)(amp - (raw + pos));
    if (!appsign_key_valid((const char *)raw + pos, key_len))
        return false;
    rssp_appsign_fields f;
    memset(&f, 0, sizeof(f));
    memcpy(f.api_key, raw + pos, key_len);
    pos += key_len;

    uint64_t expire = 0;
    uint64_t current = 0;
    uint64_t random = 0;
    if (!take_literal(raw, len, &pos, "&b=") ||
        !take_number(raw, len, &pos, APPSIGN_TIME_DIGITS_MAX, INT64_MAX, &expire) ||
        !take_literal(raw, len, &pos, "&c=") ||
        !take_number(raw, len, &pos, APPSIGN_TIME_DIGITS_MAX, INT64_MAX, &current) ||
        !take_literal(raw, len, &pos, "&d=") ||
        !take_number(raw, len, &pos, APPSIGN_RANDOM_DIGITS_MAX, UINT64_MAX, &random) || pos != len)
        return false;

    f.expire_time = (int64_t)expire;
    f.current_time = (int64_t)current;
    f.random = random;
    *fields = f;
    return true;
}
