/*
 * rssp_ecdsa_der_to_raw: the service's DER ECDSA-Sig-Value turned into the
 * r||s that CKM_ECDSA returns. Byte 0 is the field length (0..255 bytes:
 * P-256/384/521 are 32/48/66, 0 and the largest must be refused), the rest
 * is the DER. Whatever is
 * accepted must convert back to a DER signature of the same r and s.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "fuzz.h"

#define MAX_FIELD 255

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
