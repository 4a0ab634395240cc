/*
 * rssp_ecdsa_der_to_raw: the service's DER ECDSA-Sig-Value turned into the
 * r||s that CKM_ECDSA returns. Byte 0 is the field length (0..255 bytes:
 * P-256/384/521 are 32/48/66, 0 and the largest must be refused), the rest
 * is the DER. Whatever is
 * accepted must convert back to a DER signature of the same r and s, and
 * exactly what OpenSSL accepts as canonical DER (d2i_ECDSA_SIG and the
 * same bytes again from i2d_ECDSA_SIG) must be accepted, with the same r
 * and s: the module parses by hand.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "crypto/crypto.h"
#include "fuzz.h"

#define MAX_FIELD 255
#define FIELD_LIMIT 132 /* the largest field rssp_ecdsa_der_to_raw takes */

/* The reference: OpenSSL's canonical decode of non-negative r and s that fit field_len. */
static bool openssl_accepts(const unsigned char *der, size_t der_len, size_t field_len,
                            unsigned char *raw)
{
    const unsigned char *p = der;
    unsigned char *again = NULL;
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    bool ok = sig != NULL && (size_t)(p - der) == der_len;
    int n = ok ? i2d_ECDSA_SIG(sig, &again) : -1;
    ok = ok && n > 0 && (size_t)n == der_len && memcmp(again, der, der_len) == 0;
    if (ok) {
        ECDSA_SIG_get0(sig, &r, &s);
        ok = !BN_is_negative(r) && !BN_is_negative(s) && (size_t)BN_num_bytes(r) <= field_len &&
             (size_t)BN_num_bytes(s) <= field_len && BN_bn2binpad(r, raw, (int)field_len) >= 0 &&
             BN_bn2binpad(s, raw + field_len, (int)field_len) >= 0;
    }
    OPENSSL_free(again);
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t field_len = data[0];
    const unsigned char *der = data + 1;
    size_t der_len = size - 1;

    unsigned char raw[2 * MAX_FIELD];
    size_t raw_len = 0;
    /* Too small an output must be reported, never written past. */
    size_t small_len = 0;
    unsigned char small[1];
    rssp_crv small_rv =
        rssp_ecdsa_der_to_raw(der, der_len, field_len, small, sizeof small, &small_len);
    rssp_crv rv = rssp_ecdsa_der_to_raw(der, der_len, field_len, raw, sizeof raw, &raw_len);
    if (field_len >= 1 && field_len <= FIELD_LIMIT && der_len >= 1 &&
        der_len <= 2 * FIELD_LIMIT + 16) {
        unsigned char ref[2 * FIELD_LIMIT];
        bool accepted = openssl_accepts(der, der_len, field_len, ref);
        if (accepted != (rv == RSSP_CRYPTO_OK) ||
            (accepted && memcmp(ref, raw, 2 * field_len) != 0))
            abort();
    }
    if (rv != RSSP_CRYPTO_OK)
        return 0;
    if (raw_len != 2 * field_len || small_rv != RSSP_CRYPTO_TOO_SMALL)
        abort();
    rssp_buf back = {NULL, 0};
    if (rssp_ecdsa_raw_to_der(raw, raw_len, &back) != RSSP_CRYPTO_OK)
        abort();
    unsigned char raw2[2 * MAX_FIELD];
    size_t raw2_len = 0;
    if (rssp_ecdsa_der_to_raw(back.data, back.len, field_len, raw2, sizeof raw2, &raw2_len) !=
            RSSP_CRYPTO_OK ||
        raw2_len != raw_len || memcmp(raw, raw2, raw_len) != 0)
        abort();
    rssp_buf_clear(&back);
    return 0;
}
