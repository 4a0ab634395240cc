/* Making an App-Authentication sign: Base64(HMAC-SHA1(secret, raw) || raw). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "appsign/mac.h"
#include "appsign/raw.h"
#include "crypto/crypto.h"
#include "rssp/appsign.h"

/* 10^10: random values are 0..9999999999, the most that fits 10 digits. */
#define RANDOM_RANGE UINT64_C(10000000000)
#define RANDOM_TRIES 16

/*
 * A uniform value in 0..RANDOM_RANGE-1 from the CSPRNG. Draws at or above
 * the largest multiple of the range below 2^64 are discarded, so the modulo
 * has no bias; a discard happens about once in five billion draws.
 */
static bool draw_random(char out[APPSIGN_RANDOM_DIGITS_MAX + 1])
{
    const uint64_t excess = (UINT64_MAX % RANDOM_RANGE + 1) % RANDOM_RANGE;
    for (int i = 0; i < RANDOM_TRIES; i++) {
        uint64_t v = 0;
        if (rssp_random_bytes(&v, sizeof(v)) != RSSP_CRYPTO_OK)
            return false;
        if (v > UINT64_MAX - excess)
            continue;
        int n = snprintf(out, APPSIGN_RANDOM_DIGITS_MAX + 1, "%" PRIu64, v % RANDOM_RANGE);
        return n > 0 && n <= APPSIGN_RANDOM_DIGITS_MAX;
    }
    return false;
}

rssp_appsign_result rssp_appsign_make(const char *api_key, const unsigned char *secret,
                                      size_t secret_len, int64_t now, int64_t ttl,
                                      const char *random, char **sign_out)
{
    if (sign_out == NULL)
        return RSSP_APPSIGN_BAD_INPUT;
    *sign_out = NULL;
    if (api_key == NULL || !appsign_key_valid(api_key, strnlen(api_key, APPSIGN_KEY_MAX + 1)) ||
        secret == NULL || secret_len == 0 || now < 0 || ttl < 0 || ttl > INT64_MAX - now)
        return RSSP_APPSIGN_BAD_INPUT;
    if (random != NULL && !appsign_random_valid(random))
        return RSSP_APPSIGN_BAD_INPUT;

    char drawn[APPSIGN_RANDOM_DIGITS_MAX + 1];
    if (random == NULL) {
        if (!draw_random(drawn))
            return RSSP_APPSIGN_INTERNAL;
        random = drawn;
    }

    /* HMAC first, then the raw text right after it: the bytes to Base64-encode. */
    unsigned char blob[APPSIGN_MAC_LEN + APPSIGN_RAW_MAX + 1];
    char *raw = (char *)blob + APPSIGN_MAC_LEN;
    int64_t expire_time = ttl == 0 ? 0 : now + ttl;
    size_t raw_len =
        appsign_raw_format(raw, APPSIGN_RAW_MAX + 1, api_key, expire_time, now, random);
    if (raw_len == 0)
        return RSSP_APPSIGN_BAD_INPUT;
    if (!appsign_mac(secret, secret_len, raw, raw_len, blob))
        return RSSP_APPSIGN_INTERNAL;

    *sign_out = rssp_base64_encode(blob, APPSIGN_MAC_LEN + raw_len);
    return *sign_out != NULL ? RSSP_APPSIGN_OK : RSSP_APPSIGN_NOMEM;
}
