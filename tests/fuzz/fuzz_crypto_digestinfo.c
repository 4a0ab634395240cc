/*
 * rssp_digestinfo_parse: what the module receives as CKM_RSA_PKCS input and
 * must turn into (hash algorithm, hash). A parsed DigestInfo must encode back
 * to exactly the bytes it came from, or to them without the NULL parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rssp_hash_alg alg = RSSP_HASH_NONE;
    const unsigned char *hash = NULL;
    size_t hash_len = 0;
    if (rssp_digestinfo_parse(data, size, &alg, &hash, &hash_len) != RSSP_CRYPTO_OK)
        return 0;
    if (hash == NULL || hash < data || hash + hash_len > data + size ||
        hash_len != rssp_hash_len(alg))
        abort();
    rssp_buf again = {NULL, 0};
    if (rssp_digestinfo_encode(alg, hash, hash_len, &again) != RSSP_CRYPTO_OK)
        abort();
    /* The encoder writes the NULL parameters; absent parameters are 2 bytes shorter. */
    if (again.len != size && again.len != size + 2)
        abort();
    if (memcmp(again.data + again.len - hash_len, hash, hash_len) != 0)
        abort();
    rssp_buf_clear(&again);
    return 0;
}
