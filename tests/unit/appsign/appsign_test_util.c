/* Helpers for the appsign unit tests: a key table and hand-made signs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "appsign_test_util.h"
#include "crypto/crypto.h"

int tu_lookup(void *ctx, const char *api_key, const unsigned char **secret, size_t *secret_len)
{
    (void)ctx;
    static const char *const table[][2] = {{TU_KEY, TU_SECRET}, {TU_UTF8_KEY, TU_UTF8_SECRET}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(api_key, table[i][0]) == 0) {
            *secret = (const unsigned char *)table[i][1];
            *secret_len = strlen(table[i][1]);
            return 0;
        }
    }
    return -1;
}

rssp_appsign_verifier *tu_verifier(const rssp_appsign_policy *policy)
{
    rssp_appsign_verifier *v = NULL;
    assert_int_equal(rssp_appsign_verifier_new(tu_lookup, NULL, policy, &v), RSSP_APPSIGN_OK);
    assert_non_null(v);
    return v;
}

char *tu_make(int64_t now, int64_t ttl, const char *random)
{
    char *sign = NULL;
    assert_int_equal(rssp_appsign_make(TU_KEY, (const unsigned char *)TU_SECRET, strlen(TU_SECRET),
                                       now, ttl, random, &sign),
                     RSSP_APPSIGN_OK);
    assert_non_null(sign);
    return sign;
}

char *tu_sign_raw(const char *raw, const char *secret)
{
    size_t raw_len = strlen(raw);
    unsigned char *blob = malloc(20 + raw_len);
    assert_non_null(blob);
    unsigned int mac_len = 0;
    assert_non_null(HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)raw,
                         raw_len, blob, &mac_len));
    assert_int_equal(mac_len, 20);
    memcpy(blob + 20, raw, raw_len);
    char *sign = rssp_base64_encode(blob, 20 + raw_len);
    assert_non_null(sign);
    free(blob);
    return sign;
}

char *tu_flip_byte(const char *sign, size_t index)
{
    rssp_buf blob = {NULL, 0};
    assert_int_equal(rssp_base64_decode(sign, strlen(sign), &blob), RSSP_CRYPTO_OK);
    assert_true(index < blob.len);
    blob.data[index] ^= 0x01;
    char *flipped = rssp_base64_encode(blob.data, blob.len);
    assert_non_null(flipped);
    rssp_buf_clear(&blob);
    return flipped;
}
