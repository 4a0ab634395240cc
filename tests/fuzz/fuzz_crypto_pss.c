/*
 * rssp_pss_params_parse: signAlgoParams / CKM_RSA_PKCS_PSS parameters as
 * DER RSASSA-PSS-params. Parsed values must encode and parse back to the
 * same values.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "crypto/crypto.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rssp_hash_alg hash = RSSP_HASH_NONE, mgf1 = RSSP_HASH_NONE;
    size_t salt = 0;
    bool bare = false;
    if (rssp_pss_params_parse(data, size, &hash, &mgf1, &salt, &bare) != RSSP_CRYPTO_OK || bare)
        return 0;
    if (rssp_hash_len(hash) == 0 || rssp_hash_len(mgf1) == 0)
        abort();
    rssp_buf der = {NULL, 0};
    if (rssp_pss_params_encode(hash, mgf1, salt, &der) != RSSP_CRYPTO_OK)
        abort();
    rssp_hash_alg hash2 = RSSP_HASH_NONE, mgf12 = RSSP_HASH_NONE;
    size_t salt2 = 0;
    bool bare2 = false;
    if (rssp_pss_params_parse(der.data, der.len, &hash2, &mgf12, &salt2, &bare2) !=
            RSSP_CRYPTO_OK ||
        bare2 || hash2 != hash || mgf12 != mgf1 || salt2 != salt)
        abort();
    rssp_buf_clear(&der);
    return 0;
}
