/* rssp_hash_alg as OpenSSL digests and NIDs, for code that drives OpenSSL itself. */
#ifndef RSSP_CRYPTO_HASH_MD_H
#define RSSP_CRYPTO_HASH_MD_H

#include <openssl/evp.h>

#include "rssp/types.h"

/* The OpenSSL digest of alg; NULL for NONE or unknown. */
const EVP_MD *rssp_hash_md(rssp_hash_alg alg);
/* The OpenSSL NID of alg; NID_undef for NONE or unknown. */
int rssp_hash_nid(rssp_hash_alg alg);
/* The algorithm of an OpenSSL NID; RSSP_HASH_NONE if not one of the five. */
rssp_hash_alg rssp_hash_from_nid(int nid);

#endif
