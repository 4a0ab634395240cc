/* Helpers for the appsign unit tests: a key table and hand-made signs. */
#ifndef RSSP_APPSIGN_TEST_UTIL_H
#define RSSP_APPSIGN_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "rssp/appsign.h"

#define TU_NOW INT64_C(1700000000)
#define TU_KEY "app-key-1"
#define TU_SECRET "app-secret-1"
#define TU_UTF8_KEY "cl\xc3\xa9-\xe5\xaf\x86"
#define TU_UTF8_SECRET "g\xc3\xa9heim-\xe2\x82\xac-\xf0\x9f\x94\x91"

/* rssp_appsign_lookup over the fixed table {TU_KEY, TU_UTF8_KEY}. ctx unused. */
int tu_lookup(void *ctx, const char *api_key, const unsigned char **secret, size_t *secret_len);

/* A verifier over tu_lookup with the given policy (NULL = defaults); fails the test on error. */
rssp_appsign_verifier *tu_verifier(const rssp_appsign_policy *policy);

/* rssp_appsign_make with TU_SECRET for TU_KEY; fails the test on error. */
char *tu_make(int64_t now, int64_t ttl, const char *random);

/* Base64(HMAC-SHA1(secret, raw) || raw) for any raw, well-formed or not. */
char *tu_sign_raw(const char *raw, const char *secret);

/* Decode a sign, flip bit 0 of byte index, re-encode. */
char *tu_flip_byte(const char *sign, size_t index);

#endif
