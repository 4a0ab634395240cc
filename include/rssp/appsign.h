/*
 * App-Authentication signs (seed 000): a signed, time-limited token proving
 * knowledge of an api_secret without sending it.
 *   raw  = "a=<api_key>&b=<expire_time>&c=<current_time>&d=<random>"
 *   sign = Base64(HMAC-SHA1(api_secret, raw) || raw)   (standard alphabet)
 * expire_time 0 means a single-use sign.
 */
#ifndef RSSP_APPSIGN_H
#define RSSP_APPSIGN_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RSSP_APPSIGN_OK = 0,
    RSSP_APPSIGN_BAD_INPUT, /* make: api_key empty or with '&'/'=', negative times, bad random */
    RSSP_APPSIGN_NOMEM,
    RSSP_APPSIGN_NOT_BASE64,  /* verify: not strict standard Base64 */
    RSSP_APPSIGN_TRUNCATED,   /* verify: shorter than the HMAC plus a minimal raw */
    RSSP_APPSIGN_MALFORMED,   /* verify: raw fields missing, out of order, duplicated, non-digits */
    RSSP_APPSIGN_UNKNOWN_KEY, /* verify: no secret for api_key */
    RSSP_APPSIGN_BAD_HMAC,    /* verify: HMAC mismatch (tampered or wrong secret) */
    RSSP_APPSIGN_FUTURE,      /* verify: current_time beyond now + allowed skew */
    RSSP_APPSIGN_EXPIRED,     /* verify: expire_time (non-zero) passed, or too old */
    RSSP_APPSIGN_REPLAYED,    /* verify: single-use sign seen before */
    RSSP_APPSIGN_INTERNAL,
    RSSP_APPSIGN_BUSY, /* verify: replay cache full of live signs */
} rssp_appsign_result;

/* Stable short reason code ("bad-hmac" ...) and an English message. */
const char *rssp_appsign_reason(rssp_appsign_result r);
const char *rssp_appsign_message(rssp_appsign_result r);

/*
 * Make a sign. ttl 0 = single use (expire_time 0), else expire_time = now + ttl.
 * random: up to 10 decimal digits, or NULL to draw one from the CSPRNG.
 * *sign_out is malloc'ed; free it with free().
 */
rssp_appsign_result rssp_appsign_make(const char *api_key, const unsigned char *secret,
                                      size_t secret_len, int64_t now, int64_t ttl,
                                      const char *random, char **sign_out);

typedef struct {
    char api_key[129];
    int64_t expire_time;
    int64_t current_time;
    uint64_t random;
} rssp_appsign_fields;

/*
 * Find the secret of api_key. Return 0 and set *secret (caller-owned memory
 * the verifier copies at once, then the callback's owner may release it) or
 * -1 if unknown.
 */
typedef int (*rssp_appsign_lookup)(void *ctx, const char *api_key, const unsigned char **secret,
                                   size_t *secret_len);

typedef struct rssp_appsign_verifier rssp_appsign_verifier;

/* A field left 0 takes its default; negative times are refused (RSSP_APPSIGN_BAD_INPUT). */
typedef struct {
    int64_t max_skew;       /* seconds a current_time may lie in the future; default 30 */
    int64_t max_age;        /* seconds a single-use sign stays acceptable; default 300 */
    size_t replay_capacity; /* single-use signs remembered at most; default 65536 */
} rssp_appsign_policy;

/* policy NULL = defaults. Thread-safe verifier (internal lock on the replay cache). */
rssp_appsign_result rssp_appsign_verifier_new(rssp_appsign_lookup lookup, void *ctx,
                                              const rssp_appsign_policy *policy,
                                              rssp_appsign_verifier **out);
void rssp_appsign_verifier_free(rssp_appsign_verifier *v);

/* Verify sign at time now; fields (may be NULL) receives the decoded fields when parsed. */
rssp_appsign_result rssp_appsign_verify(rssp_appsign_verifier *v, const char *sign, int64_t now,
                                        rssp_appsign_fields *fields);

#endif
