#include "pkcs11/mech.h"

static const p11_mech mechs[] = {
    {CKM_RSA_PKCS, "CKM_RSA_PKCS", RSSP_KEY_RSA, P11_SCHEME_PKCS1, RSSP_HASH_NONE},
    {CKM_SHA1_RSA_PKCS, "CKM_SHA1_RSA_PKCS", RSSP_KEY_RSA, P11_SCHEME_PKCS1, RSSP_HASH_SHA1},
    {CKM_SHA224_RSA_PKCS, "CKM_SHA224_RSA_PKCS", RSSP_KEY_RSA, P11_SCHEME_PKCS1, RSSP_HASH_SHA224},
    {CKM_SHA256_RSA_PKCS, "CKM_SHA256_RSA_PKCS", RSSP_KEY_RSA, P11_SCHEME_PKCS1, RSSP_HASH_SHA256},
    {CKM_SHA384_RSA_PKCS, "CKM_SHA384_RSA_PKCS", RSSP_KEY_RSA, P11_SCHEME_PKCS1, RSSP_HASH_SHA384},
    {CKM_SHA512_RSA_PKCS, "CKM_SHA512_RSA_PKCS", RSSP_KEY_RSA, P11_SCHEME_PKCS1, RSSP_HASH_SHA512},
    {CKM_RSA_PKCS_PSS, "CKM_RSA_PKCS_PSS", RSSP_KEY_RSA, P11_SCHEME_PSS, RSSP_HASH_NONE},
    {CKM_SHA1_RSA_PKCS_PSS, "CKM_SHA1_RSA_PKCS_PSS", RSSP_KEY_RSA, P11_SCHEME_PSS, RSSP_HASH_SHA1},
    {CKM_SHA224_RSA_PKCS_PSS, "CKM_SHA224_RSA_PKCS_PSS", RSSP_KEY_RSA, P11_SCHEME_PSS,
     RSSP_HASH_SHA224},
    {CKM_SHA256_RSA_PKCS_PSS, "CKM_SHA256_RSA_PKCS_PSS", RSSP_KEY_RSA, P11_SCHEME_PSS,
     RSSP_HASH_SHA256},
    {CKM_SHA384_RSA_PKCS_PSS, "CKM_SHA384_RSA_PKCS_PSS", RSSP_KEY_RSA, P11_SCHEME_PSS,
     RSSP_HASH_SHA384},
    {CKM_SHA512_RSA_PKCS_PSS, "CKM_SHA512_RSA_PKCS_PSS", RSSP_KEY_RSA, P11_SCHEME_PSS,
     RSSP_HASH_SHA512},
    {CKM_ECDSA, "CKM_ECDSA", RSSP_KEY_EC, P11_SCHEME_ECDSA, RSSP_HASH_NONE},
    {CKM_ECDSA_SHA1, "CKM_ECDSA_SHA1", RSSP_KEY_EC, P11_SCHEME_ECDSA, RSSP_HASH_SHA1},
    {CKM_ECDSA_SHA224, "CKM_ECDSA_SHA224", RSSP_KEY_EC, P11_SCHEME_ECDSA, RSSP_HASH_SHA224},
    {CKM_ECDSA_SHA256, "CKM_ECDSA_SHA256", RSSP_KEY_EC, P11_SCHEME_ECDSA, RSSP_HASH_SHA256},
    {CKM_ECDSA_SHA384, "CKM_ECDSA_SHA384", RSSP_KEY_EC, P11_SCHEME_ECDSA, RSSP_HASH_SHA384},
    {CKM_ECDSA_SHA512, "CKM_ECDSA_SHA512", RSSP_KEY_EC, P11_SCHEME_ECDSA, RSSP_HASH_SHA512},
    {CKM_SHA_1, "CKM_SHA_1", RSSP_KEY_UNKNOWN, P11_SCHEME_DIGEST, RSSP_HASH_SHA1},
    {CKM_SHA224, "CKM_SHA224", RSSP_KEY_UNKNOWN, P11_SCHEME_DIGEST, RSSP_HASH_SHA224},
    {CKM_SHA256, "CKM_SHA256", RSSP_KEY_UNKNOWN, P11_SCHEME_DIGEST, RSSP_HASH_SHA256},
    {CKM_SHA384, "CKM_SHA384", RSSP_KEY_UNKNOWN, P11_SCHEME_DIGEST, RSSP_HASH_SHA384},
    {CKM_SHA512, "CKM_SHA512", RSSP_KEY_UNKNOWN, P11_SCHEME_DIGEST, RSSP_HASH_SHA512},
};

#define N_MECHS (sizeof mechs / sizeof mechs[0])

const p11_mech *p11_mech_find(CK_MECHANISM_TYPE type)
{
    for (size_t i = 0; i < N_MECHS; i++) {
        if (mechs[i].type == type)
            return &mechs[i];
    }
    return NULL;
}

static int offered(const p11_mech *m, rssp_key_type key_type)
{
    return m->key_type == key_type || m->scheme == P11_SCHEME_DIGEST;
}

size_t p11_mech_list(rssp_key_type key_type, CK_MECHANISM_TYPE *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < N_MECHS; i++) {
        if (!offered(&mechs[i], key_type))
            continue;
        if (out != NULL && n < cap)
            out[n] = mechs[i].type;
        n++;
    }
    return n;
}

size_t p11_mech_count(rssp_key_type key_type)
{
    return p11_mech_list(key_type, NULL, 0);
}

CK_RV p11_mech_info(rssp_key_type key_type, size_t key_bits, CK_MECHANISM_TYPE type,
                    CK_MECHANISM_INFO *info)
{
    const p11_mech *m = p11_mech_find(type);
    if (m == NULL || !offered(m, key_type))
        return CKR_MECHANISM_INVALID;
    if (m->scheme == P11_SCHEME_DIGEST) {
        info->ulMinKeySize = 0;
        info->ulMaxKeySize = 0;
        info->flags = CKF_DIGEST;
        return CKR_OK;
    }
    /* Sizes are those of this token's key: the service offers no other. */
    info->ulMinKeySize = (CK_ULONG)key_bits;
    info->ulMaxKeySize = (CK_ULONG)key_bits;
    info->flags = CKF_SIGN | CKF_VERIFY;
    if (m->scheme == P11_SCHEME_ECDSA)
        info->flags |= CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
    return CKR_OK;
}

rssp_hash_alg p11_mech_hash_of_ckm(CK_MECHANISM_TYPE digest_mech)
{
    const p11_mech *m = p11_mech_find(digest_mech);
    return m != NULL && m->scheme == P11_SCHEME_DIGEST ? m->hash : RSSP_HASH_NONE;
}

rssp_hash_alg p11_mech_hash_of_mgf(CK_RSA_PKCS_MGF_TYPE mgf)
{
    switch (mgf) {
    case CKG_MGF1_SHA1:
        return RSSP_HASH_SHA1;
    case CKG_MGF1_SHA224:
        return RSSP_HASH_SHA224;
    case CKG_MGF1_SHA256:
        return RSSP_HASH_SHA256;
    case CKG_MGF1_SHA384:
        return RSSP_HASH_SHA384;
    case CKG_MGF1_SHA512:
        return RSSP_HASH_SHA512;
    default:
        return RSSP_HASH_NONE;
    }
}
