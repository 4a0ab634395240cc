/* Verification is local, with the public key of the token's certificate. */
#include <openssl/crypto.h>

#include "pkcs11/op.h"
#include "pkcs11/session.h"
#include "pkcs11/sign.h"
#include "pkcs11/token.h"

CK_RV p11_verify_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    rv = p11_op_init(s, P11_OP_VERIFY, mech, key);
    p11_session_put(s);
    return rv;
}

static CK_RV check_signature(p11_session *s, const unsigned char *sig, size_t sig_len)
{
    unsigned char hash[64];
    size_t hash_len = 0;
    p11_sig_params params;
    const p11_token *tok = s->tok;

    if (sig == NULL)
        return CKR_ARGUMENTS_BAD;
    if (sig_len != p11_token_sig_len(tok))
        return CKR_SIGNATURE_LEN_RANGE;
    CK_RV rv = p11_op_hash(&s->op, (tok->ee.key_bits + 7) / 8, &params, hash, &hash_len);
    if (rv != CKR_OK)
        return rv;
    rssp_sig_scheme scheme = params.scheme == P11_SCHEME_PKCS1 ? RSSP_SIG_RSA_PKCS1
                             : params.scheme == P11_SCHEME_PSS ? RSSP_SIG_RSA_PSS
                                                               : RSSP_SIG_ECDSA_RAW;
    rssp_crv crv = rssp_verify_hash(&tok->ee.spki, scheme, params.hash, params.mgf1_hash,
                                    params.salt_len, hash, hash_len, sig, sig_len);
    OPENSSL_cleanse(hash, sizeof hash);
    switch (crv) {
    case RSSP_CRYPTO_OK:
        return CKR_OK;
    case RSSP_CRYPTO_BAD_SIGNATURE:
        return CKR_SIGNATURE_INVALID;
    case RSSP_CRYPTO_NOMEM:
        return CKR_HOST_MEMORY;
    default:
        return CKR_FUNCTION_FAILED;
    }
}

CK_RV p11_verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                 CK_ULONG sig_len)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if ((data == NULL && len > 0) || sig == NULL) {
        rv = p11_op_args_bad(s, P11_OP_VERIFY);
    } else if (s->op.kind != P11_OP_VERIFY) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else if (s->op.multi_part) {
        rv = CKR_OPERATION_ACTIVE; /* C_Verify after C_VerifyUpdate: ends the operation */
        p11_op_reset(&s->op);
    } else {
        rv = data == NULL && len > 0 ? CKR_ARGUMENTS_BAD : p11_op_update(&s->op, data, len);
        if (rv == CKR_OK)
            rv = check_signature(s, sig, sig_len);
        p11_op_reset(&s->op);
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_verify_update(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (part == NULL && len > 0) {
        rv = p11_op_args_bad(s, P11_OP_VERIFY);
    } else if (s->op.kind != P11_OP_VERIFY) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else {
        rv = p11_op_update(&s->op, part, len);
        if (rv != CKR_OK)
            p11_op_reset(&s->op);
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_verify_final(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (sig == NULL) {
        rv = p11_op_args_bad(s, P11_OP_VERIFY);
    } else if (s->op.kind != P11_OP_VERIFY) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else {
        rv = check_signature(s, sig, sig_len);
        p11_op_reset(&s->op);
    }
    p11_session_put(s);
    return rv;
}
