/* HMAC-SHA1 of the raw text with the api_secret, as seed 000 prescribes. */
#include <limits.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "appsign/mac.h"

bool appsign_mac(const unsigned char *secret, size_t secret_len, const void *raw, size_t raw_len,
                 unsigned char out[APPSIGN_MAC_LEN])
{
    unsigned int out_len = 0;
    if (secret == NULL || secret_len == 0 || secret_len > INT_MAX || raw == NULL)
        return false;
    if (HMAC(EVP_sha1(), secret, (int)secret_len, raw, raw_len, out, &out_len) == NULL)
        return false;
    return out_len == APPSIGN_MAC_LEN;
}
