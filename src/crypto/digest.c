/* One-shot and incremental digests over OpenSSL EVP. */
#include <stdbool.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "crypto/hash_md.h"

struct rssp_digest_ctx {
    EVP_MD_CTX *md_ctx;
    size_t len;
    bool finished;
};

rssp_crv rssp_digest(rssp_hash_alg alg, const void *data, size_t len, unsigned char *out)
{
    const EVP_MD *md = rssp_hash_md(alg);
    if (md == NULL || out == NULL || (data == NULL && len > 0))
        return RSSP_CRYPTO_INVALID;
    if (EVP_Digest(len > 0 ? data : "", len, out, NULL, md, NULL) != 1)
        return RSSP_CRYPTO_NOMEM;
    return RSSP_CRYPTO_OK;
}

rssp_crv rssp_digest_new(rssp_hash_alg alg, rssp_digest_ctx **out)
{
    const EVP_MD *md = rssp_hash_md(alg);
    if (out == NULL)
        return RSSP_CRYPTO_INVALID;
    *out = NULL;
    if (md == NULL)
        return RSSP_CRYPTO_INVALID;

    rssp_digest_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return RSSP_CRYPTO_NOMEM;
    ctx->md_ctx = EVP_MD_CTX_new();
    if (ctx->md_ctx == NULL || EVP_DigestInit_ex(ctx->md_ctx, md, NULL) != 1) {
        rssp_digest_free(ctx);
        return RSSP_CRYPTO_NOMEM;
    }
    ctx->len = rssp_hash_len(alg);
    *out = ctx;
    return RSSP_CRYPTO_OK;
}

rssp_crv rssp_digest_update(rssp_digest_ctx *ctx, const void *data, size_t len)
{
    if (ctx == NULL || ctx->finished || (data == NULL && len > 0))
        return RSSP_CRYPTO_INVALID;
    if (len == 0)
        return RSSP_CRYPTO_OK;
    if (EVP_DigestUpdate(ctx->md_ctx, data, len) != 1)
        return RSSP_CRYPTO_INVALID;
    return RSSP_CRYPTO_OK;
}

rssp_crv rssp_digest_final(rssp_digest_ctx *ctx, unsigned char *out)
{
    if (ctx == NULL || ctx->finished || out == NULL)
        return RSSP_CRYPTO_INVALID;
    ctx->finished = true;
    if (EVP_DigestFinal_ex(ctx->md_ctx, out, NULL) != 1)
        return RSSP_CRYPTO_INVALID;
    return RSSP_CRYPTO_OK;
}

void rssp_digest_free(rssp_digest_ctx *ctx)
{
    if (ctx == NULL)
        return;
    EVP_MD_CTX_free(ctx->md_ctx);
    free(ctx);
}
