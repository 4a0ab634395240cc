/* ECDSA signature encodings: DER ECDSA-Sig-Value (RFC 3279) <-> raw r||s. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "crypto/crypto.h"

/* Largest r or s we handle: P-521 needs 66 bytes; leave room for larger curves. */
#define ECDSA_FIELD_MAX 132

/*
 * A DER length at der[*pos], in its shortest form only (X.690 §10.1): the
 * short form below 128, 0x81 for 128..255, 0x82 for 256..65535. Moves *pos
 * past it; false when malformed or running past end.
 */
static bool der_length(const unsigned char *der, size_t end, size_t *pos, size_t *len)
{
    if (*pos >= end)
        return false;
    unsigned char first = der[(*pos)++];
    if (first < 0x80) {
        *len = first;
        return true;
    }
    size_t n = first & 0x7f, v = 0;
    if (n == 0 || n > 2 || end - *pos < n || der[*pos] == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | der[(*pos)++];
    if (v < (n == 1 ? 0x80u : 0x100u))
        return false;
    *len = v;
    return true;
}

/*
 * One non-negative INTEGER in minimal encoding, written right-aligned into
 * out[0..field_len) with leading zeros.
 */
static bool der_uint(const unsigned char *der, size_t end, size_t *pos, size_t field_len,
                     unsigned char *out)
{
    size_t len;
    if (*pos >= end || der[(*pos)++] != 0x02 || !der_length(der, end, pos, &len) || len == 0 ||
        end - *pos < len)
        return false;
    const unsigned char *v = der + *pos;
    *pos += len;
    if (v[0] & 0x80)
        return false; /* negative */
    if (v[0] == 0 && len > 1) {
        if ((v[1] & 0x80) == 0)
            return false; /* a leading zero that is not needed */
        v++;
        len--;
    }
    if (len > field_len)
        return false;
    memset(out, 0, field_len - len);
    memcpy(out + field_len - len, v, len);
    return true;
}

/*
 * Parsed by hand rather than with d2i_ECDSA_SIG: this runs on every EC
 * signature, and OpenSSL's decode, canonical re-encode and BIGNUM copies
 * cost about 12 000 instructions where this needs a few hundred. Only
 * canonical DER is accepted, as before.
 */
rssp_crv rssp_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t field_len,
                               unsigned char *out, size_t out_cap, size_t *out_len)
{
    if (der == NULL || out_len == NULL || field_len == 0 || field_len > ECDSA_FIELD_MAX ||
        der_len == 0 || der_len > 2 * ECDSA_FIELD_MAX + 16)
        return RSSP_CRYPTO_INVALID;
    *out_len = 2 * field_len;
    if (out == NULL || out_cap < 2 * field_len)
        return RSSP_CRYPTO_TOO_SMALL;

    size_t pos = 0, len;
    if (der[pos++] != 0x30 || !der_length(der, der_len, &pos, &len) || len != der_len - pos ||
        !der_uint(der, der_len, &pos, field_len, out) ||
        !der_uint(der, der_len, &pos, field_len, out + field_len) || pos != der_len) {
        OPENSSL_cleanse(out, 2 * field_len);
        return RSSP_CRYPTO_INVALID;
    }
    return RSSP_CRYPTO_OK;
}

rssp_crv rssp_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, rssp_buf *out)
{
    rssp_crv rv = RSSP_CRYPTO_NOMEM;
    ECDSA_SIG *sig = NULL;
    BIGNUM *r = NULL;
    BIGNUM *s = NULL;
    unsigned char *der = NULL;

    if (raw == NULL || out == NULL || raw_len == 0 || raw_len % 2 != 0 ||
        raw_len > 2 * ECDSA_FIELD_MAX)
        return RSSP_CRYPTO_INVALID;
    size_t half = raw_len / 2;

    sig = ECDSA_SIG_new();
    r = BN_bin2bn(raw, (int)half, NULL);
    s = BN_bin2bn(raw + half, (int)half, NULL);
    if (sig == NULL || r == NULL || s == NULL)
        goto out;
    if (ECDSA_SIG_set0(sig, r, s) != 1)
        goto out;
    r = NULL; /* owned by sig now */
    s = NULL;

    int der_len = i2d_ECDSA_SIG(sig, &der);
    if (der_len <= 0)
        goto out;
    rv = rssp_buf_set(out, der, (size_t)der_len);
out:
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return rv;
}
