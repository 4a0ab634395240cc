/* RSASSA-PSS-params (RFC 4055 §3.1) encoding and parsing via OpenSSL's ASN.1 type. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/hash_md.h"

/* RFC 4055 defaults for fields left out. */
#define PSS_DEFAULT_HASH RSSP_HASH_SHA1
#define PSS_DEFAULT_SALT 20

/* DER of the bare id-RSASSA-PSS OID, as some clients send it for signAlgoParams. */
static const unsigned char pss_bare_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                             0xf7, 0x0d, 0x01, 0x01, 0x0a};

/* AlgorithmIdentifier of a hash with explicit NULL parameters, as the protocol's example has. */
static X509_ALGOR *hash_algor_new(rssp_hash_alg alg)
{
    int nid = rssp_hash_nid(alg);
    if (nid == NID_undef)
        return NULL;
    X509_ALGOR *a = X509_ALGOR_new();
    if (a == NULL)
        return NULL;
    if (X509_ALGOR_set0(a, OBJ_nid2obj(nid), V_ASN1_NULL, NULL) != 1) {
        X509_ALGOR_free(a);
        return NULL;
    }
    return a;
}

/* The hash of an AlgorithmIdentifier whose parameters are NULL or absent. */
static rssp_hash_alg hash_algor_parse(const X509_ALGOR *a)
{
    const ASN1_OBJECT *obj = NULL;
    int ptype = V_ASN1_UNDEF;
    X509_ALGOR_get0(&obj, &ptype, NULL, a);
    if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF)
        return RSSP_HASH_NONE;
    return rssp_hash_from_nid(OBJ_obj2nid(obj));
}

/* maskGenAlgorithm = id-mgf1 with the hash's AlgorithmIdentifier as parameters. */
static X509_ALGOR *mgf1_algor_new(rssp_hash_alg alg)
{
    X509_ALGOR *hash = hash_algor_new(alg);
    X509_ALGOR *mgf = X509_ALGOR_new();
    ASN1_STRING *params = NULL;

    if (hash == NULL || mgf == NULL)
        goto fail;
    if (ASN1_item_pack(hash, ASN1_ITEM_rptr(X509_ALGOR), &params) == NULL)
        goto fail;
    if (X509_ALGOR_set0(mgf, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE, params) != 1)
        goto fail;
    X509_ALGOR_free(hash);
    return mgf;
fail:
    ASN1_STRING_free(params);
    X509_ALGOR_free(hash);
    X509_ALGOR_free(mgf);
    return NULL;
}

static rssp_hash_alg mgf1_algor_parse(const X509_ALGOR *a)
{
    const ASN1_OBJECT *obj = NULL;
    int ptype = V_ASN1_UNDEF;
    const void *pval = NULL;
    X509_ALGOR_get0(&obj, &ptype, &pval, a);
    if (OBJ_obj2nid(obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE || pval == NULL)
        return RSSP_HASH_NONE;

    const ASN1_STRING *seq = pval;
    const unsigned char *p = ASN1_STRING_get0_data(seq);
    long seq_len = ASN1_STRING_length(seq);
    X509_ALGOR *hash = d2i_X509_ALGOR(NULL, &p, seq_len);
    rssp_hash_alg alg = RSSP_HASH_NONE;
    if (hash != NULL && p == ASN1_STRING_get0_data(seq) + seq_len)
        alg = hash_algor_parse(hash);
    X509_ALGOR_free(hash);
    return alg;
}

rssp_crv rssp_pss_params_encode(rssp_hash_alg hash, rssp_hash_alg mgf1_hash, size_t salt_len,
                                rssp_buf *out)
{
    rssp_crv rv = RSSP_CRYPTO_NOMEM;
    RSA_PSS_PARAMS *pss = NULL;
    unsigned char *der = NULL;

    if (out == NULL || rssp_hash_md(hash) == NULL || rssp_hash_md(mgf1_hash) == NULL ||
        salt_len > INT_MAX)
        return RSSP_CRYPTO_INVALID;

    pss = RSA_PSS_PARAMS_new();
    if (pss == NULL)
        goto out;
    pss->hashAlgorithm = hash_algor_new(hash);
    pss->maskGenAlgorithm = mgf1_algor_new(mgf1_hash);
    pss->saltLength = ASN1_INTEGER_new();
    if (pss->hashAlgorithm == NULL || pss->maskGenAlgorithm == NULL || pss->saltLength == NULL)
        goto out;
    if (ASN1_INTEGER_set_uint64(pss->saltLength, (uint64_t)salt_len) != 1)
        goto out;
    /* trailerField stays out: its only value, 1, is the DEFAULT and DER omits it. */
    int der_len = i2d_RSA_PSS_PARAMS(pss, &der);
    if (der_len <= 0)
        goto out;
    rv = rssp_buf_set(out, der, (size_t)der_len);
out:
    OPENSSL_free(der);
    RSA_PSS_PARAMS_free(pss);
    return rv;
}

rssp_crv rssp_pss_params_parse(const unsigned char *der, size_t len, rssp_hash_alg *hash,
                               rssp_hash_alg *mgf1_hash, size_t *salt_len, bool *bare_oid)
{
    rssp_crv rv = RSSP_CRYPTO_INVALID;
    RSA_PSS_PARAMS *pss = NULL;

    if (der == NULL || hash == NULL || mgf1_hash == NULL || salt_len == NULL || bare_oid == NULL ||
        len == 0 || len > LONG_MAX)
        return RSSP_CRYPTO_INVALID;
    *bare_oid = false;
    if (len == sizeof(pss_bare_oid) && memcmp(der, pss_bare_oid, len) == 0) {
        *bare_oid = true;
        return RSSP_CRYPTO_OK;
    }

    const unsigned char *p = der;
    pss = d2i_RSA_PSS_PARAMS(NULL, &p, (long)len);
    if (pss == NULL || (size_t)(p - der) != len)
        goto out;

    rssp_hash_alg h = PSS_DEFAULT_HASH;
    rssp_hash_alg m = PSS_DEFAULT_HASH;
    uint64_t salt = PSS_DEFAULT_SALT;
    if (pss->hashAlgorithm != NULL && (h = hash_algor_parse(pss->hashAlgorithm)) == RSSP_HASH_NONE)
        goto out;
    if (pss->maskGenAlgorithm != NULL &&
        (m = mgf1_algor_parse(pss->maskGenAlgorithm)) == RSSP_HASH_NONE)
        goto out;
    /* ASN1_INTEGER_get_uint64 refuses negative values. */
    if (pss->saltLength != NULL &&
        (ASN1_INTEGER_get_uint64(&salt, pss->saltLength) != 1 || salt > INT_MAX))
        goto out;
    if (pss->trailerField != NULL && ASN1_INTEGER_get(pss->trailerField) != 1)
        goto out;

    *hash = h;
    *mgf1_hash = m;
    *salt_len = (size_t)salt;
    rv = RSSP_CRYPTO_OK;
out:
    RSA_PSS_PARAMS_free(pss);
    ERR_clear_error();
    return rv;
}
