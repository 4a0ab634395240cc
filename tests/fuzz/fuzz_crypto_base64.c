/*
 * rssp_base64_decode, the strict decoder behind every Base64 field of a
 * response (certificates, signatures) and of the Authorization header.
 * What it accepts must be canonical: encoding the result gives the input.
 * And the canonical encoding of any bytes (the input taken as bytes) must
 * be accepted and give those bytes back.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    rssp_buf out = {NULL, 0};
    if (rssp_base64_decode(text, size, &out) == RSSP_CRYPTO_OK) {
        char *again = rssp_base64_encode(out.data, out.len);
        if (again == NULL || strlen(again) != size || memcmp(again, text, size) != 0)
            abort();
        free(again);
    }
    rssp_buf_clear(&out);
    free(text);

    char *encoded = rssp_base64_encode(data, size);
    if (encoded == NULL || rssp_base64_decode(encoded, strlen(encoded), &out) != RSSP_CRYPTO_OK ||
        out.len != size || (size > 0 && memcmp(out.data, data, size) != 0))
        abort();
    rssp_buf_clear(&out);
    free(encoded);
    return 0;
}
