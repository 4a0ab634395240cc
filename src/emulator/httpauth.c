#include "emulator/httpauth.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "common/secmem.h"
#include "crypto/crypto.h"

#define SSL2_WINDOW_MS (300LL * 1000)

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

int emu_auth_parse(const char *header, emu_auth_header *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof(*out));
    out->buf = strdup(header);
    if (out->buf == NULL) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    char *save = NULL;
    int parts = 0;
    for (char *part = strtok_r(out->buf, ",", &save); part != NULL;
         part = strtok_r(NULL, ",", &save)) {
        part = trim(part);
        char *space = strpbrk(part, " \t");
        if (space == NULL) {
            snprintf(why, why_len, "Authorization part without credentials");
            return -1;
        }
        *space = '\0';
        char *cred = trim(space + 1);
        const char **slot = strcasecmp(part, "SSL2") == 0      ? &out->ssl2
                            : strcasecmp(part, "Basic") == 0   ? &out->basic
                            : strcasecmp(part, "Bearer") == 0  ? &out->bearer
                            : strcasecmp(part, "AppSign") == 0 ? &out->appsign
                                                               : NULL;
        if (slot == NULL) {
            snprintf(why, why_len, "unknown Authorization scheme '%.20s'", part);
            return -1;
        }
        if (*slot != NULL) {
            snprintf(why, why_len, "Authorization scheme %s given twice", part);
            return -1;
        }
        if (*cred == '\0') {
            snprintf(why, why_len, "empty %s credentials", part);
            return -1;
        }
        *slot = cred;
        parts++;
    }
    if (parts == 0) {
        snprintf(why, why_len, "empty Authorization header");
        return -1;
    }
    return 0;
}

void emu_auth_header_clear(emu_auth_header *h)
{
    rssp_str_free_secret(h->buf);
    memset(h, 0, sizeof(*h));
}

/* ---- SSL2 ---- */

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
    }
    return true;
}

/* T as epoch milliseconds: 14 digits = yyyyMMddHHmmss UTC, else milliseconds. */
static int parse_timestamp(const char *t, long long *ms)
{
    size_t n = strlen(t);
    if (n == 14) {
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        char buf[5];
        int v[6];
        static const size_t widths[6] = {4, 2, 2, 2, 2, 2};
        size_t pos = 0;
        for (int i = 0; i < 6; i++) {
            memcpy(buf, t + pos, widths[i]);
            buf[widths[i]] = '\0';
            v[i] = atoi(buf);
            pos += widths[i];
        }
        if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
            return -1;
        tm.tm_year = v[0] - 1900;
        tm.tm_mon = v[1] - 1;
        tm.tm_mday = v[2];
        tm.tm_hour = v[3];
        tm.tm_min = v[4];
        tm.tm_sec = v[5];
        *ms = (long long)timegm(&tm) * 1000;
        return 0;
    }
    if (n > 16)
        return -1;
    *ms = strtoll(t, NULL, 10);
    return 0;
}

/* Is sig an RSA PKCS#1 v1.5 signature by key over DigestInfo(SHA-1 or SHA-256, data)? */
static bool ssl2_signature_ok(EVP_PKEY *key, const unsigned char *sig, size_t sig_len,
                              const char *data)
{
    bool ok = false;
    unsigned char recovered[1024];
    size_t rec_len = sizeof(recovered);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    if (ctx == NULL || EVP_PKEY_verify_recover_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_verify_recover(ctx, recovered, &rec_len, sig, sig_len) <= 0)
        goto out;
    static const rssp_hash_alg algs[] = {RSSP_HASH_SHA1, RSSP_HASH_SHA256};
    for (size_t i = 0; i < 2 && !ok; i++) {
        unsigned char md[64];
        rssp_buf di = {NULL, 0};
        if (rssp_digest(algs[i], data, strlen(data), md) == RSSP_CRYPTO_OK &&
            rssp_digestinfo_encode(algs[i], md, rssp_hash_len(algs[i]), &di) == RSSP_CRYPTO_OK &&
            di.len == rec_len && CRYPTO_memcmp(di.data, recovered, rec_len) == 0)
            ok = true;
        rssp_buf_clear(&di);
    }
out:
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

int emu_ssl2_check(emu_state *st, const char *cred, long long now_ms, emu_rp **rp, char *why,
                   size_t why_len)
{
    int rc = -1;
    rssp_buf text = {NULL, 0}, sig = {NULL, 0};
    char **parts = NULL, *joined = NULL, *signed_data = NULL;
    size_t n = 0;

    if (rssp_base64_decode(cred, strlen(cred), &text) != RSSP_CRYPTO_OK || text.len == 0 ||
        memchr(text.data, '\0', text.len) != NULL) {
        snprintf(why, why_len, "SSL2 credentials are not Base64 text");
        goto out;
    }
    /* rssp_buf data is not NUL-terminated: copy to a string. */
    joined = rssp_secret_dup(text.data, text.len);
    if (joined == NULL) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    for (const char *p = joined; *p != '\0'; p++)
        n += *p == ':';
    n++;
    if (n < 5) {
        snprintf(why, why_len, "SSL2 credentials need 5 fields U:P:S:T:X, got %zu", n);
        goto out;
    }
    parts = calloc(n, sizeof(char *));
    if (parts == NULL) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    size_t k = 0;
    parts[k++] = joined;
    for (char *p = joined; *p != '\0'; p++) {
        if (*p == ':') {
            *p = '\0';
            parts[k++] = p + 1;
        }
    }
    /* More than five parts: U first, S/T/X the last three, P everything between. */
    const char *u = parts[0], *s = parts[n - 3], *a = parts[n - 2], *b = parts[n - 1];
    for (size_t i = 2; i + 3 < n; i++)
        parts[i][-1] = ':';
    const char *pw = parts[1];
    const char *t, *x;
    if (all_digits(a) && !all_digits(b)) {
        t = a;
        x = b;
    } else if (all_digits(b) && !all_digits(a)) {
        t = b; /* the seed's own example swaps X and T */
        x = a;
    } else {
        snprintf(why, why_len, "SSL2 timestamp field missing or not decimal");
        goto out;
    }
    emu_rp *r = emu_find_rp_by_username(st, u);
    if (r == NULL || !emu_passhash_check(&r->password, pw, strlen(pw)) ||
        strcmp(r->signature, s) != 0) {
        snprintf(why, why_len, "SSL2 username, password or signature string unknown");
        goto out;
    }
    long long t_ms;
    if (parse_timestamp(t, &t_ms) != 0 || t_ms < now_ms - SSL2_WINDOW_MS ||
        t_ms > now_ms + SSL2_WINDOW_MS) {
        snprintf(why, why_len, "SSL2 timestamp outside the 300 s window (epoch milliseconds?)");
        goto out;
    }
    size_t dl = strlen(u) + strlen(pw) + strlen(s) + strlen(t) + 1;
    signed_data = malloc(dl);
    if (signed_data == NULL) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    snprintf(signed_data, dl, "%s%s%s%s", u, pw, s, t);
    if (rssp_base64_decode(x, strlen(x), &sig) != RSSP_CRYPTO_OK ||
        !ssl2_signature_ok(r->ssl2_key, sig.data, sig.len, signed_data)) {
        snprintf(why, why_len,
                 "SSL2 pkcs1Signature does not verify (RSA PKCS#1 v1.5, SHA-1, over U|P|S|T)");
        goto out;
    }
    *rp = r;
    rc = 0;
out:
    rssp_buf_clear_secret(&text);
    rssp_buf_clear(&sig);
    rssp_secret_free(joined);
    rssp_str_free_secret(signed_data);
    free(parts);
    return rc;
}

/* ---- Basic ---- */

int emu_basic_decode(const char *cred, char **user_type, char **username, char **password)
{
    rssp_buf text = {NULL, 0};
    int rc = -1;
    *user_type = *username = *password = NULL;
    if (rssp_base64_decode(cred, strlen(cred), &text) != RSSP_CRYPTO_OK ||
        memchr(text.data, '\0', text.len) != NULL)
        goto out;
    const char *p = (const char *)text.data, *end = p + text.len;
    const char *c1 = memchr(p, ':', text.len);
    const char *c2 = c1 == NULL ? NULL : memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
    if (c1 == NULL || c2 == NULL || c1 == p || c2 == c1 + 1)
        goto out;
    *user_type = strndup(p, (size_t)(c1 - p));
    *username = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
    *password = rssp_secret_dup(c2 + 1, (size_t)(end - c2 - 1));
    if (*user_type == NULL || *username == NULL || *password == NULL) {
        free(*user_type);
        free(*username);
        rssp_secret_free(*password);
        *user_type = *username = *password = NULL;
        goto out;
    }
    rc = 0;
out:
    rssp_buf_clear_secret(&text);
    return rc;
}

/* ---- App-Authentication ---- */

int emu_appsign_lookup(void *ctx, const char *api_key, const unsigned char **secret,
                       size_t *secret_len)
{
    emu_rp *rp = emu_find_rp_by_api_key(ctx, api_key);
    if (rp == NULL || rp->api_secret == NULL)
        return -1;
    *secret = (const unsigned char *)rp->api_secret;
    *secret_len = strlen(rp->api_secret);
    return 0;
}

int emu_appsign_check(emu_ctx *ctx, const char *sign, emu_rp **rp, char *why, size_t why_len)
{
    rssp_appsign_fields fields;
    memset(&fields, 0, sizeof(fields));
    rssp_appsign_result res = rssp_appsign_verify(ctx->appsign, sign, (int64_t)time(NULL), &fields);
    if (res != RSSP_APPSIGN_OK) {
        snprintf(why, why_len, "AppSign %s: %s", rssp_appsign_reason(res),
                 rssp_appsign_message(res));
        return -1;
    }
    *rp = emu_find_rp_by_api_key(ctx->st, fields.api_key);
    if (*rp == NULL) {
        snprintf(why, why_len, "AppSign api_key unknown");
        return -1;
    }
    return 0;
}
