/* ECDSA signature encodings: DER ECDSA-Sig-Value (RFC 3279) <-> raw r||s. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "crypto/crypto.h"

/* Largest r or s we handle: P-521 needs 66 bytes; leave room for larger curves. */
#define ECDSA_FIELD_MAX 132

rssp_crv rssp_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t field_len,
                               unsigned char *out, size_t out_cap, size_t *out_len)
{
    rssp_crv rv = RSSP_CRYPTO_INVALID;
    ECDSA_SIG *sig = NULL;
    unsigned char *reencoded = NULL;

    if (der == NULL || out_len == NULL || field_len == 0 || field_len > ECDSA_FIELD_MAX ||
        der_len == 0 || der_len > 2 * ECDSA_FIELD_MAX + 16)
        return RSSP_CRYPTO_INVALID;
    *out_len = 2 * field_len;
    if (out == NULL || out_cap < 2 * field_len)
        return RSSP_CRYPTO_TOO_SMALL;

    const unsigned char *p = der;
    sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (sig == NULL || (size_t)(p - der) != der_len)
        goto out;

    /* Only canonical DER: re-encoding must give back the very same bytes. */
    int enc_len = i2d_ECDSA_SIG(sig, &reencoded);
    if (enc_len <= 0 || (size_t)enc_len != der_len || memcmp(reencoded, der, der_len) != 0)
        goto out;

    const BIGNUM *r = NULL;
    const BIGNUM *s = NULL;
    ECDSA_SIG_get0(sig, &r, &s);
    if (BN_is_negative(r) || BN_is_negative(s))
        goto out;
    if ((size_t)BN_num_bytes(r) > field_len || (size_t)BN_num_bytes(s) > field_len)
        goto out;
    if (BN_bn2binpad(r, out, (int)field_len) < 0 ||
        BN_bn2binpad(s, out + field_len, (int)field_len) < 0)
        goto out;
    rv = RSSP_CRYPTO_OK;
out:
    OPENSSL_free(reencoded);
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return rv;
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
