/* Public-key attributes of a certificate, as PKCS#11 key objects want them. */
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "crypto/x509_key.h"

/* Unsigned big-endian bytes of a BIGNUM parameter, without leading zeros. */
static rssp_crv bn_param(const EVP_PKEY *pkey, const char *name, rssp_buf *out)
{
    BIGNUM *bn = NULL;
    unsigned char *bytes = NULL;
    rssp_crv rv = RSSP_CRYPTO_INVALID;

    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || BN_is_negative(bn) || BN_is_zero(bn))
        goto out;
    int len = BN_num_bytes(bn);
    bytes = malloc((size_t)len);
    if (bytes == NULL) {
        rv = RSSP_CRYPTO_NOMEM;
        goto out;
    }
    if (BN_bn2bin(bn, bytes) != len)
        goto out;
    rv = rssp_buf_set(out, bytes, (size_t)len);
out:
    free(bytes);
    BN_free(bn);
    return rv;
}

static rssp_crv rsa_attributes(const EVP_PKEY *pkey, rssp_cert_info *out)
{
    rssp_crv rv = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &out->modulus);
    if (rv != RSSP_CRYPTO_OK)
        return rv;
    rv = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &out->public_exponent);
    if (rv != RSSP_CRYPTO_OK)
        return rv;
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits <= 0)
        return RSSP_CRYPTO_INVALID;
    out->key_bits = (size_t)bits;
    out->key_type = RSSP_KEY_RSA;
    return RSSP_CRYPTO_OK;
}

/* DER OBJECT IDENTIFIER of the named curve. */
static rssp_crv curve_oid_der(int nid, rssp_buf *out)
{
    ASN1_OBJECT *obj = OBJ_nid2obj(nid);
    unsigned char *der = NULL;
    if (obj == NULL)
        return RSSP_CRYPTO_INVALID;
    int len = i2d_ASN1_OBJECT(obj, &der);
    if (len <= 0)
        return RSSP_CRYPTO_NOMEM;
    rssp_crv rv = rssp_buf_set(out, der, (size_t)len);
    OPENSSL_free(der);
    return rv;
}

/* DER OCTET STRING holding 04 || X || Y, each coordinate padded to the field size. */
/*
 * EC attributes come from the certificate's SubjectPublicKeyInfo as ASN.1
 * (curve OID, point octets), never through an EVP_PKEY: when the host process
 * has made an ENGINE (e.g. the pkcs11 engine) the default for EC, OpenSSL
 * hands out engine-backed keys whose parameters cannot be read.
 */

/* The uncompressed form of the point in bits, wrapped as a DER OCTET STRING. */
static rssp_crv uncompressed_point_der(const EC_GROUP *group, const ASN1_BIT_STRING *bits,
                                       rssp_buf *out)
{
    rssp_crv rv = RSSP_CRYPTO_INVALID;
    EC_POINT *pt = EC_POINT_new(group);
    unsigned char *point = NULL;
    ASN1_OCTET_STRING *octets = NULL;
    unsigned char *der = NULL;

    if (pt == NULL)
        return RSSP_CRYPTO_NOMEM;
    /* Decoding also checks that the point lies on the curve; compressed input is expanded. */
    if (EC_POINT_oct2point(group, pt, bits->data, (size_t)bits->length, NULL) != 1)
        goto out;
    size_t point_len = EC_POINT_point2buf(group, pt, POINT_CONVERSION_UNCOMPRESSED, &point, NULL);
    if (point_len == 0)
        goto out;
    octets = ASN1_OCTET_STRING_new();
    if (octets == NULL || ASN1_OCTET_STRING_set(octets, point, (int)point_len) != 1) {
        rv = RSSP_CRYPTO_NOMEM;
        goto out;
    }
    int der_len = i2d_ASN1_OCTET_STRING(octets, &der);
    if (der_len <= 0) {
        rv = RSSP_CRYPTO_NOMEM;
        goto out;
    }
    rv = rssp_buf_set(out, der, (size_t)der_len);
out:
    OPENSSL_free(der);
    ASN1_OCTET_STRING_free(octets);
    OPENSSL_free(point);
    EC_POINT_free(pt);
    return rv;
}

static rssp_crv ec_attributes(X509 *cert, rssp_cert_info *out)
{
    const void *param = NULL;
    int param_type = 0;
    const X509_ALGOR *alg = NULL;
    X509_PUBKEY *spki = X509_get_X509_PUBKEY(cert);
    const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(cert);
    if (spki == NULL || bits == NULL ||
        X509_PUBKEY_get0_param(NULL, NULL, NULL, (X509_ALGOR **)&alg, spki) != 1)
        return RSSP_CRYPTO_INVALID;
    X509_ALGOR_get0(NULL, &param_type, &param, alg);
    /* Only named curves: explicit parameters have no OID for CKA_EC_PARAMS. */
    if (param_type != V_ASN1_OBJECT)
        return RSSP_CRYPTO_INVALID;
    int nid = OBJ_obj2nid(param);
    EC_GROUP *group = nid != NID_undef ? EC_GROUP_new_by_curve_name(nid) : NULL;
    if (group == NULL)
        return RSSP_CRYPTO_INVALID;

    rssp_crv rv = RSSP_CRYPTO_INVALID;
    int order_bits = EC_GROUP_order_bits(group);
    if (order_bits <= 0)
        goto out;
    rv = curve_oid_der(nid, &out->ec_params);
    if (rv != RSSP_CRYPTO_OK)
        goto out;
    rv = uncompressed_point_der(group, bits, &out->ec_point);
    if (rv != RSSP_CRYPTO_OK)
        goto out;
    out->key_bits = (size_t)order_bits;
    out->ec_field_len = ((size_t)order_bits + 7) / 8;
    out->key_type = RSSP_KEY_EC;
out:
    EC_GROUP_free(group);
    return rv;
}

rssp_crv rssp_x509_key_attributes(X509 *cert, rssp_cert_info *out)
{
    ASN1_OBJECT *alg = NULL;
    if (X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(cert)) != 1)
        return RSSP_CRYPTO_INVALID;
    int alg_nid = OBJ_obj2nid(alg);
    if (alg_nid != NID_rsaEncryption && alg_nid != NID_rsassaPss &&
        alg_nid != NID_X9_62_id_ecPublicKey) {
        out->key_type = RSSP_KEY_UNKNOWN;
        return RSSP_CRYPTO_OK;
    }

    if (alg_nid == NID_X9_62_id_ecPublicKey)
        return ec_attributes(cert, out);
    /* NULL when the key does not decode (garbage inside a well-formed SPKI). */
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    if (pkey == NULL)
        return RSSP_CRYPTO_INVALID;
    return rsa_attributes(pkey, out);
}
