/*
 * Signing: the length query and a too-small buffer are answered locally and
 * keep the operation; anything else ends it (PKCS#11 2.40 §5.12). Only a
 * call with room for the signature reaches the service.
 */
#include "pkcs11/sign.h"

#include <openssl/crypto.h>

#include "pkcs11/op.h"
#include "pkcs11/session.h"
#include "pkcs11/token.h"

CK_RV p11_sign_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    rv = p11_op_init(s, P11_OP_SIGN, mech, key);
    if (rv == CKR_OK)
        atomic_store(&s->cancel, 0);
    /* An OTP token's key always authenticates: the code for this signature is sent now. */
    if (rv == CKR_OK && s->tok->auth_kind == P11_AUTH_OTP &&
        (rv = p11_token_send_otp(s->tok)) != CKR_OK)
        p11_op_reset(&s->op);
    p11_session_put(s);
    return rv;
}

/* Length convention; returns CKR_OK with *done false when the signature must be made. */
static CK_RV length_check(const p11_session *s, const CK_BYTE *sig, CK_ULONG_PTR sig_len,
                          bool *done)
{
    CK_ULONG need = (CK_ULONG)p11_token_sig_len(s->tok);
    *done = true;
    if (sig == NULL) {
        *sig_len = need;
        return CKR_OK;
    }
    if (*sig_len < need) {
        *sig_len = need;
        return CKR_BUFFER_TOO_SMALL;
    }
    *done = false;
    return CKR_OK;
}

static CK_RV finish(p11_session *s, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
    unsigned char hash[64];
    size_t hash_len = 0;
    p11_sig_params params;
    size_t key_bytes = (s->tok->ee.key_bits + 7) / 8;
    CK_RV rv = p11_op_hash(&s->op, key_bytes, &params, hash, &hash_len);
    if (rv == CKR_OK) {
        size_t out_len = *sig_len;
        rv = p11_token_sign(s->tok, &params, hash, hash_len, s->op.context_code, sig, &out_len,
                            &s->cancel);
        rv = p11_session_outcome(s, rv);
        if (rv == CKR_OK)
            *sig_len = (CK_ULONG)out_len;
    }
    OPENSSL_cleanse(hash, sizeof hash);
    p11_op_reset(&s->op);
    return rv;
}

CK_RV p11_sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
               CK_ULONG_PTR sig_len)
{
    p11_session *s;
    bool done;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (sig_len == NULL || (data == NULL && len > 0)) {
        rv = p11_op_args_bad(s, P11_OP_SIGN);
        goto out;
    }
    if (s->op.kind != P11_OP_SIGN) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
        goto out;
    }
    if (s->op.multi_part) {
        rv = CKR_OPERATION_ACTIVE; /* C_Sign after C_SignUpdate: ends the operation */
        p11_op_reset(&s->op);
        goto out;
    }
    if ((rv = length_check(s, sig, sig_len, &done)) != CKR_OK || done)
        goto out;
    if ((rv = p11_op_update(&s->op, data, len)) != CKR_OK) {
        p11_op_reset(&s->op);
        goto out;
    }
    rv = finish(s, sig, sig_len);
out:
    p11_session_put(s);
    return rv;
}

CK_RV p11_sign_update(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (part == NULL && len > 0)
        rv = p11_op_args_bad(s, P11_OP_SIGN);
    else if (s->op.kind != P11_OP_SIGN)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    else
        rv = p11_op_update(&s->op, part, len);
    if (rv != CKR_OK && rv != CKR_OPERATION_NOT_INITIALIZED)
        p11_op_reset(&s->op);
    p11_session_put(s);
    return rv;
}

CK_RV p11_sign_final(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
    p11_session *s;
    bool done;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (sig_len == NULL) {
        rv = p11_op_args_bad(s, P11_OP_SIGN);
        goto out;
    }
    if (s->op.kind != P11_OP_SIGN) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
        goto out;
    }
    if ((rv = length_check(s, sig, sig_len, &done)) != CKR_OK || done)
        goto out;
    rv = finish(s, sig, sig_len);
out:
    p11_session_put(s);
    return rv;
}
