#include "pkcs11/op.h"

#include <stdlib.h>
#include <string.h>

#include "pkcs11/mech.h"
#include "pkcs11/token.h"

/* Raw input (a DigestInfo or a hash) is never longer than this. */
#define P11_MAX_RAW_INPUT 1024

/* The key must exist, be visible, and allow the operation. */
static CK_RV check_key(p11_session *s, p11_op_kind kind, CK_OBJECT_HANDLE key,
                       const p11_object **out)
{
    const p11_object *obj = p11_object_find(&s->tok->objects, key);
    if (obj == NULL)
        return CKR_KEY_HANDLE_INVALID;
    if (obj->is_private && !p11_session_logged_in(s))
        return CKR_USER_NOT_LOGGED_IN;
    CK_OBJECT_CLASS want = kind == P11_OP_SIGN ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY;
    if (obj->cls != CKO_PRIVATE_KEY && obj->cls != CKO_PUBLIC_KEY)
        return CKR_KEY_HANDLE_INVALID;
    if (obj->cls != want)
        return CKR_KEY_FUNCTION_NOT_PERMITTED;
    *out = obj;
    return CKR_OK;
}

/* CK_RSA_PKCS_PSS_PARAMS: present, consistent with the mechanism and the key size. */
static CK_RV check_pss(p11_op *op, const CK_MECHANISM *mech, size_t key_bits)
{
    if (mech->pParameter == NULL || mech->ulParameterLen != sizeof(CK_RSA_PKCS_PSS_PARAMS))
        return CKR_MECHANISM_PARAM_INVALID;
    const CK_RSA_PKCS_PSS_PARAMS *pp = mech->pParameter;
    rssp_hash_alg hash = p11_mech_hash_of_ckm(pp->hashAlg);
    rssp_hash_alg mgf = p11_mech_hash_of_mgf(pp->mgf);
    if (hash == RSSP_HASH_NONE || mgf == RSSP_HASH_NONE)
        return CKR_MECHANISM_PARAM_INVALID;
    if (op->mech->hash != RSSP_HASH_NONE && op->mech->hash != hash)
        return CKR_MECHANISM_PARAM_INVALID;
    /* RFC 8017 §9.1.1: emLen >= hLen + sLen + 2, emLen = ceil((modBits - 1) / 8) */
    size_t em_len = (key_bits - 1 + 7) / 8;
    if (pp->sLen > em_len || em_len - pp->sLen < rssp_hash_len(hash) + 2)
        return CKR_MECHANISM_PARAM_INVALID;
    op->hash = hash;
    op->mgf1_hash = mgf;
    op->salt_len = pp->sLen;
    return CKR_OK;
}

CK_RV p11_op_init(p11_session *s, p11_op_kind kind, const CK_MECHANISM *mech, CK_OBJECT_HANDLE key)
{
    p11_op *op = &s->op;
    if (mech == NULL)
        return CKR_ARGUMENTS_BAD;
    if (op->kind != P11_OP_NONE)
        return CKR_OPERATION_ACTIVE;
    const p11_mech *m = p11_mech_find(mech->mechanism);
    if (m == NULL || m->scheme == P11_SCHEME_DIGEST)
        return CKR_MECHANISM_INVALID;
    const p11_object *obj;
    CK_RV rv = check_key(s, kind, key, &obj);
    if (rv != CKR_OK)
        return rv;
    if (m->key_type != s->tok->ee.key_type)
        return CKR_KEY_TYPE_INCONSISTENT;

    p11_op fresh = {.kind = kind, .mech = m, .key = obj, .hash = m->hash};
    if (m->scheme == P11_SCHEME_PSS) {
        if ((rv = check_pss(&fresh, mech, s->tok->ee.key_bits)) != CKR_OK)
            return rv;
    } else if (mech->pParameter != NULL || mech->ulParameterLen != 0) {
        return CKR_MECHANISM_PARAM_INVALID;
    }
    if (m->hash != RSSP_HASH_NONE && rssp_digest_new(m->hash, &fresh.dctx) != RSSP_CRYPTO_OK)
        return CKR_HOST_MEMORY;
    *op = fresh;
    return CKR_OK;
}

CK_RV p11_op_update(p11_op *op, const unsigned char *data, size_t len)
{
    op->multi_part = true;
    if (len == 0)
        return CKR_OK;
    if (op->dctx != NULL)
        return rssp_digest_update(op->dctx, data, len) == RSSP_CRYPTO_OK ? CKR_OK
                                                                         : CKR_FUNCTION_FAILED;
    if (len > P11_MAX_RAW_INPUT - op->data_len)
        return CKR_DATA_LEN_RANGE;
    unsigned char *grown = realloc(op->data, op->data_len + len);
    if (grown == NULL)
        return CKR_HOST_MEMORY;
    memcpy(grown + op->data_len, data, len);
    op->data = grown;
    op->data_len += len;
    return CKR_OK;
}

/* The hash algorithm whose digest has this many bytes (CKM_ECDSA input). */
static rssp_hash_alg hash_by_len(size_t len)
{
    static const rssp_hash_alg algs[] = {RSSP_HASH_SHA1, RSSP_HASH_SHA224, RSSP_HASH_SHA256,
                                         RSSP_HASH_SHA384, RSSP_HASH_SHA512};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        if (rssp_hash_len(algs[i]) == len)
            return algs[i];
    }
    return RSSP_HASH_NONE;
}

CK_RV p11_op_hash(p11_op *op, size_t key_bytes, p11_sig_params *params, unsigned char *hash,
                  size_t *hash_len)
{
    params->scheme = op->mech->scheme;
    params->hash = op->hash;
    params->mgf1_hash = op->mgf1_hash;
    params->salt_len = op->salt_len;

    if (op->dctx != NULL) {
        if (rssp_digest_final(op->dctx, hash) != RSSP_CRYPTO_OK)
            return CKR_FUNCTION_FAILED;
        *hash_len = rssp_hash_len(op->hash);
        return CKR_OK;
    }
    const unsigned char *in = op->data;
    size_t in_len = op->data_len;
    switch (op->mech->scheme) {
    case P11_SCHEME_PKCS1: {
        const unsigned char *h;
        size_t hl;
        rssp_hash_alg alg;
        if (rssp_digestinfo_parse(in, in_len, &alg, &h, &hl) != RSSP_CRYPTO_OK)
            return in_len + 11 > key_bytes ? CKR_DATA_LEN_RANGE : CKR_DATA_INVALID;
        params->hash = alg;
        memcpy(hash, h, hl);
        *hash_len = hl;
        return CKR_OK;
    }
    case P11_SCHEME_PSS:
        if (in_len != rssp_hash_len(op->hash))
            return CKR_DATA_LEN_RANGE;
        break;
    case P11_SCHEME_ECDSA:
        /* The hash's algorithm does not change an ECDSA signature; the service wants a name. */
        if ((params->hash = hash_by_len(in_len)) == RSSP_HASH_NONE)
            return CKR_DATA_LEN_RANGE;
        break;
    default:
        return CKR_GENERAL_ERROR;
    }
    if (in_len > 0)
        memcpy(hash, in, in_len);
    *hash_len = in_len;
    return CKR_OK;
}
