/* Bytes from OpenSSL's CSPRNG. */
#include <limits.h>

#include <openssl/rand.h>

#include "crypto/crypto.h"

rssp_crv rssp_random_bytes(void *out, size_t len)
{
    if (out == NULL && len > 0)
        return RSSP_CRYPTO_INVALID;
    unsigned char *p = out;
    while (len > 0) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(p, chunk) != 1)
            return RSSP_CRYPTO_INVALID;
        p += chunk;
        len -= (size_t)chunk;
    }
    return RSSP_CRYPTO_OK;
}
