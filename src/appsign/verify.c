/*
 * Verifying App-Authentication signs. Order of checks:
 *   1. strict Base64, length, strict raw fields (public information only);
 *   2. api_key lookup and HMAC (constant-time compare);
 *   3. time rules and single use, only for signs made with the secret, so a
 *      forger learns nothing about times or the replay cache.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "appsign/mac.h"
#include "appsign/raw.h"
#include "appsign/replay.h"
#include "crypto/crypto.h"
#include "rssp/appsign.h"

#define DEFAULT_MAX_SKEW 30
#define DEFAULT_MAX_AGE 300
#define DEFAULT_REPLAY_CAPACITY 65536
/* Base64 of the longest possible sign; anything longer cannot be one. */
#define SIGN_TEXT_MAX (4 * ((APPSIGN_MAC_LEN + APPSIGN_RAW_MAX + 2) / 3))

struct rssp_appsign_verifier {
    rssp_appsign_lookup lookup;
    void *lookup_ctx;
    int64_t max_skew;
    int64_t max_age;
    appsign_replay *replay;
};

rssp_appsign_result rssp_appsign_verifier_new(rssp_appsign_lookup lookup, void *ctx,
                                              const rssp_appsign_policy *policy,
                                              rssp_appsign_verifier **out)
{
    if (out == NULL)
        return RSSP_APPSIGN_BAD_INPUT;
    *out = NULL;
    rssp_appsign_policy p = {DEFAULT_MAX_SKEW, DEFAULT_MAX_AGE, DEFAULT_REPLAY_CAPACITY};
    if (policy != NULL) {
        if (policy->max_skew < 0 || policy->max_age < 0 ||
            policy->replay_capacity > REPLAY_CAPACITY_MAX)
            return RSSP_APPSIGN_BAD_INPUT;
        if (policy->max_skew > 0)
            p.max_skew = policy->max_skew;
        if (policy->max_age > 0)
            p.max_age = policy->max_age;
        if (policy->replay_capacity > 0)
            p.replay_capacity = policy->replay_capacity;
    }
    if (lookup == NULL)
        return RSSP_APPSIGN_BAD_INPUT;

    rssp_appsign_verifier *v = calloc(1, sizeof(*v));
    if (v == NULL)
        return RSSP_APPSIGN_NOMEM;
    v->replay = appsign_replay_new(p.replay_capacity);
    if (v->replay == NULL) {
        free(v);
        return RSSP_APPSIGN_NOMEM;
    }
    v->lookup = lookup;
    v->lookup_ctx = ctx;
    v->max_skew = p.max_skew;
    v->max_age = p.max_age;
    *out = v;
    return RSSP_APPSIGN_OK;
}

void rssp_appsign_verifier_free(rssp_appsign_verifier *v)
{
    if (v == NULL)
        return;
    appsign_replay_free(v->replay);
    free(v);
}

/* a + b and a - b for b >= 0, clamped to the int64_t range. */
static int64_t add_clamped(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t sub_clamped(int64_t a, int64_t b)
{
    return a < INT64_MIN + b ? INT64_MIN : a - b;
}

/* Copy the secret at once (the lookup's memory may go away), then check the HMAC. */
static rssp_appsign_result check_hmac(const rssp_appsign_verifier *v, const char *api_key,
                                      const unsigned char *blob, size_t blob_len)
{
    const unsigned char *secret = NULL;
    size_t secret_len = 0;
    if (v->lookup(v->lookup_ctx, api_key, &secret, &secret_len) != 0 || secret == NULL ||
        secret_len == 0)
        return RSSP_APPSIGN_UNKNOWN_KEY;
    unsigned char *copy = malloc(secret_len);
    if (copy == NULL)
        return RSSP_APPSIGN_NOMEM;
    memcpy(copy, secret, secret_len);

    unsigned char mac[APPSIGN_MAC_LEN];
    rssp_appsign_result rv = RSSP_APPSIGN_INTERNAL;
    if (appsign_mac(copy, secret_len, blob + APPSIGN_MAC_LEN, blob_len - APPSIGN_MAC_LEN, mac))
        rv = CRYPTO_memcmp(mac, blob, APPSIGN_MAC_LEN) == 0 ? RSSP_APPSIGN_OK
                                                            : RSSP_APPSIGN_BAD_HMAC;
    OPENSSL_cleanse(copy, secret_len);
    OPENSSL_cleanse(mac, sizeof(mac));
    free(copy);
    return rv;
}

static rssp_appsign_result check_time_and_use(rssp_appsign_verifier *v,
                                              const rssp_appsign_fields *f,
                                              const unsigned char *blob, size_t blob_len,
                                              int64_t now)
{
    if (f->current_time > add_clamped(now, v->max_skew))
        return RSSP_APPSIGN_FUTURE;
    if (f->expire_time != 0) {
        /* Multi-use: valid until expire_time; one that ends before it starts never was. */
        if (f->expire_time < now || f->expire_time < f->current_time)
            return RSSP_APPSIGN_EXPIRED;
        return RSSP_APPSIGN_OK;
    }

    /* Single use: fresh enough, and never seen. */
    if (f->current_time < sub_clamped(now, v->max_age))
        return RSSP_APPSIGN_EXPIRED;
    unsigned char key[REPLAY_KEY_LEN];
    if (rssp_digest(RSSP_HASH_SHA256, blob, blob_len, key) != RSSP_CRYPTO_OK)
        return RSSP_APPSIGN_INTERNAL;
    /* Past this moment the sign is too old anyway, so the cache may forget it. */
    int64_t forget_after = add_clamped(f->current_time, v->max_age);
    switch (appsign_replay_check_and_add(v->replay, key, forget_after, now)) {
    case REPLAY_FRESH:
        return RSSP_APPSIGN_OK;
    case REPLAY_SEEN:
        return RSSP_APPSIGN_REPLAYED;
    case REPLAY_FULL:
        return RSSP_APPSIGN_BUSY;
    }
    return RSSP_APPSIGN_INTERNAL;
}

rssp_appsign_result rssp_appsign_verify(rssp_appsign_verifier *v, const char *sign, int64_t now,
                                        rssp_appsign_fields *fields)
{
    if (v == NULL || sign == NULL)
        return RSSP_APPSIGN_BAD_INPUT;
    size_t text_len = strnlen(sign, SIGN_TEXT_MAX + 1);
    if (text_len > SIGN_TEXT_MAX)
        return RSSP_APPSIGN_MALFORMED;

    rssp_buf blob = {NULL, 0};
    rssp_crv crv = rssp_base64_decode(sign, text_len, &blob);
    if (crv == RSSP_CRYPTO_NOMEM)
        return RSSP_APPSIGN_NOMEM;
    if (crv != RSSP_CRYPTO_OK)
        return RSSP_APPSIGN_NOT_BASE64;

    rssp_appsign_result rv = RSSP_APPSIGN_TRUNCATED;
    rssp_appsign_fields f;
    if (blob.len < APPSIGN_MAC_LEN + APPSIGN_RAW_MIN)
        goto out;
    rv = RSSP_APPSIGN_MALFORMED;
    if (!appsign_raw_parse(blob.data + APPSIGN_MAC_LEN, blob.len - APPSIGN_MAC_LEN, &f))
        goto out;
    if (fields != NULL)
        *fields = f;

    rv = check_hmac(v, f.api_key, blob.data, blob.len);
    if (rv != RSSP_APPSIGN_OK)
        goto out;
    rv = check_time_and_use(v, &f, blob.data, blob.len, now);
out:
    rssp_buf_clear(&blob);
    return rv;
}
