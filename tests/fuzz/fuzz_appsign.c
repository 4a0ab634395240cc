/*
 * rssp_appsign_verify, as the emulator runs it on "Authorization: AppSign
 * <sign>": the input is the sign (a NUL-terminated copy). The same input is
 * also taken as the raw field text and signed here with the known secret,
 * so that the field parser and the time and replay rules behind the HMAC
 * check see hostile text too.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/crypto.h"
#include "fuzz.h"
#include "rssp/appsign.h"

#define API_KEY "demo-app"
#define API_SECRET "demo-app-secret"
/* The seeds are made at this time (make_seeds.py). */
#define NOW 1700000000
#define HMAC_SHA1_LEN 20
/* Raw texts longer than this cannot be a sign's (APPSIGN_RAW_MAX is far below). */
#define RAW_MAX 1024

static int lookup(void *ctx, const char *api_key, const unsigned char **secret, size_t *secret_len)
{
    (void)ctx;
    if (strcmp(api_key, API_KEY) != 0)
        return -1;
    *secret = (const unsigned char *)API_SECRET;
    *secret_len = strlen(API_SECRET);
    return 0;
}

static rssp_appsign_verifier *verifier(void)
{
    static rssp_appsign_verifier *v;
    if (v == NULL && rssp_appsign_verifier_new(lookup, NULL, NULL, &v) != RSSP_APPSIGN_OK)
        abort();
    return v;
}

/* Base64(HMAC-SHA1(secret, raw) || raw), the sign of raw. */
static char *sign_raw(const uint8_t *raw, size_t raw_len)
{
    unsigned char buf[HMAC_SHA1_LEN + RAW_MAX];
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha1(), API_SECRET, (int)strlen(API_SECRET), raw, raw_len, buf, &mac_len) ==
            NULL ||
        mac_len != HMAC_SHA1_LEN)
        abort();
    memcpy(buf + HMAC_SHA1_LEN, raw, raw_len);
    char *sign = rssp_base64_encode(buf, HMAC_SHA1_LEN + raw_len);
    if (sign == NULL)
        abort();
    return sign;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rssp_appsign_fields fields;
    char *sign = fuzz_strndup(data, size);
    (void)rssp_appsign_verify(verifier(), sign, NOW, &fields);
    free(sign);
    if (size <= RAW_MAX) {
        sign = sign_raw(data, size);
        rssp_appsign_result r = rssp_appsign_verify(verifier(), sign, NOW, &fields);
        /* A sign made with the secret can fail the field or time rules, never the HMAC. */
        if (r == RSSP_APPSIGN_BAD_HMAC || r == RSSP_APPSIGN_NOT_BASE64)
            abort();
        free(sign);
    }
    return 0;
}
