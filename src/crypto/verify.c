/* Local signature verification with a public key (for C_Verify). */
#include <limits.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/hash_md.h"

static EVP_PKEY *pkey_from_spki(const rssp_buf *spki)
{
    if (spki == NULL || spki->data == NULL || spki->len == 0 || spki->len > LONG_MAX)
        return NULL;
    const unsigned char *p = spki->data;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)spki->len);
    if (pkey != NULL && (size_t)(p - spki->data) != spki->len) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

static bool is_rsa(const EVP_PKEY *pkey)
{
    int id = EVP_PKEY_get_base_id(pkey);
    return id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
}

/* Set padding and digests on ctx for the scheme; INVALID if the inputs do not fit the key. */
static rssp_crv prepare(EVP_PKEY_CTX *ctx, const EVP_PKEY *pkey, rssp_sig_scheme scheme,
                        rssp_hash_alg hash_alg, rssp_hash_alg mgf1_hash, size_t salt_len,
                        size_t hash_len)
{
    const EVP_MD *md = rssp_hash_md(hash_alg);
    switch (scheme) {
    case RSSP_SIG_RSA_PKCS1:
        if (!is_rsa(pkey) || md == NULL || hash_len != rssp_hash_len(hash_alg))
            return RSSP_CRYPTO_INVALID;
        /* With a signature digest set, OpenSSL wraps the hash in its DigestInfo. */
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
            return RSSP_CRYPTO_INVALID;
        return RSSP_CRYPTO_OK;
    case RSSP_SIG_RSA_PSS: {
        const EVP_MD *mgf1_md = rssp_hash_md(mgf1_hash);
        if (!is_rsa(pkey) || md == NULL || mgf1_md == NULL || hash_len != rssp_hash_len(hash_alg) ||
            salt_len > INT_MAX)
            return RSSP_CRYPTO_INVALID;
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf1_md) <= 0 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)salt_len) <= 0)
            return RSSP_CRYPTO_INVALID;
        return RSSP_CRYPTO_OK;
    }
    case RSSP_SIG_ECDSA_RAW:
        if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC || hash_len == 0)
            return RSSP_CRYPTO_INVALID;
        /* CKM_ECDSA verifies a bare hash of any length: hash_alg NONE is allowed. */
        if (hash_alg == RSSP_HASH_NONE)
            return RSSP_CRYPTO_OK;
        if (md == NULL || hash_len != rssp_hash_len(hash_alg) ||
            EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
            return RSSP_CRYPTO_INVALID;
        return RSSP_CRYPTO_OK;
    }
    return RSSP_CRYPTO_INVALID;
}

/* The DER form of a raw r||s of the right length for the key, or BAD_SIGNATURE. */
static rssp_crv ecdsa_der_signature(const EVP_PKEY *pkey, const unsigned char *sig, size_t sig_len,
                                    rssp_buf *der)
{
    int order_bits = EVP_PKEY_get_bits(pkey);
    if (order_bits <= 0)
        return RSSP_CRYPTO_INVALID;
    size_t field_len = ((size_t)order_bits + 7) / 8;
    if (sig_len != 2 * field_len)
        return RSSP_CRYPTO_BAD_SIGNATURE;
    return rssp_ecdsa_raw_to_der(sig, sig_len, der);
}

rssp_crv rssp_verify_hash(const rssp_buf *spki, rssp_sig_scheme scheme, rssp_hash_alg hash_alg,
                          rssp_hash_alg mgf1_hash, size_t salt_len, const unsigned char *hash,
                          size_t hash_len, const unsigned char *sig, size_t sig_len)
{
    rssp_crv rv = RSSP_CRYPTO_INVALID;
    EVP_PKEY_CTX *ctx = NULL;
    rssp_buf ecdsa_der = {NULL, 0};

    if (hash == NULL || sig == NULL || hash_len == 0)
        return RSSP_CRYPTO_INVALID;
    EVP_PKEY *pkey = pkey_from_spki(spki);
    if (pkey == NULL)
        goto out;
    ctx = EVP_PKEY_CTX_new(pkey, NULL);
    if (ctx == NULL) {
        rv = RSSP_CRYPTO_NOMEM;
        goto out;
    }
    if (EVP_PKEY_verify_init(ctx) != 1)
        goto out;
    rv = prepare(ctx, pkey, scheme, hash_alg, mgf1_hash, salt_len, hash_len);
    if (rv != RSSP_CRYPTO_OK)
        goto out;

    const unsigned char *sig_bytes = sig;
    size_t sig_bytes_len = sig_len;
    if (scheme == RSSP_SIG_ECDSA_RAW) {
        rv = ecdsa_der_signature(pkey, sig, sig_len, &ecdsa_der);
        if (rv != RSSP_CRYPTO_OK)
            goto out;
        sig_bytes = ecdsa_der.data;
        sig_bytes_len = ecdsa_der.len;
    }
    /* Any failure of the check itself (1 = valid) means the signature does not verify. */
    rv = EVP_PKEY_verify(ctx, sig_bytes, sig_bytes_len, hash, hash_len) == 1
             ? RSSP_CRYPTO_OK
             : RSSP_CRYPTO_BAD_SIGNATURE;
out:
    rssp_buf_clear(&ecdsa_der);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return rv;
}
