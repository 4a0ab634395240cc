/* C_Digest*: local hashing with OpenSSL. */
#include "pkcs11/mech.h"
#include "pkcs11/session.h"
#include "pkcs11/sign.h"

CK_RV p11_digest_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    const p11_mech *m = mech != NULL ? p11_mech_find(mech->mechanism) : NULL;
    if (mech == NULL)
        rv = CKR_ARGUMENTS_BAD;
    else if (s->op.kind != P11_OP_NONE)
        rv = CKR_OPERATION_ACTIVE;
    else if (m == NULL || m->scheme != P11_SCHEME_DIGEST)
        rv = CKR_MECHANISM_INVALID;
    else if (mech->pParameter != NULL || mech->ulParameterLen != 0)
        rv = CKR_MECHANISM_PARAM_INVALID;
    else if (rssp_digest_new(m->hash, &s->op.dctx) != RSSP_CRYPTO_OK)
        rv = CKR_HOST_MEMORY;
    if (rv == CKR_OK) {
        s->op.kind = P11_OP_DIGEST;
        s->op.mech = m;
        s->op.hash = m->hash;
    }
    p11_session_put(s);
    return rv;
}

/* Length convention, then the digest; ends the operation unless only the length was asked. */
static CK_RV digest_out(p11_session *s, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    CK_ULONG need = (CK_ULONG)rssp_hash_len(s->op.hash);
    if (out_len == NULL) {
        p11_op_reset(&s->op);
        return CKR_ARGUMENTS_BAD;
    }
    if (out == NULL) {
        *out_len = need;
        return CKR_OK;
    }
    if (*out_len < need) {
        *out_len = need;
        return CKR_BUFFER_TOO_SMALL;
    }
    CK_RV rv = rssp_digest_final(s->op.dctx, out) == RSSP_CRYPTO_OK ? CKR_OK : CKR_FUNCTION_FAILED;
    if (rv == CKR_OK)
        *out_len = need;
    p11_op_reset(&s->op);
    return rv;
}

CK_RV p11_digest(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR out,
                 CK_ULONG_PTR out_len)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (out_len == NULL || (data == NULL && len > 0)) {
        rv = p11_op_args_bad(s, P11_OP_DIGEST);
    } else if (s->op.kind != P11_OP_DIGEST) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else if (s->op.multi_part) {
        rv = CKR_OPERATION_ACTIVE; /* C_Digest after C_DigestUpdate: ends the operation */
        p11_op_reset(&s->op);
    } else {
        /* A length answer does not consume the data: the application calls again with it. */
        bool length_only = out == NULL || (out_len != NULL && *out_len < rssp_hash_len(s->op.hash));
        if (!length_only && rssp_digest_update(s->op.dctx, data, len) != RSSP_CRYPTO_OK) {
            rv = CKR_FUNCTION_FAILED;
            p11_op_reset(&s->op);
        } else {
            rv = digest_out(s, out, out_len);
        }
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_digest_update(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (part == NULL && len > 0) {
        rv = p11_op_args_bad(s, P11_OP_DIGEST);
    } else if (s->op.kind != P11_OP_DIGEST) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else {
        s->op.multi_part = true;
        if (len > 0 && rssp_digest_update(s->op.dctx, part, len) != RSSP_CRYPTO_OK) {
            rv = CKR_FUNCTION_FAILED;
            p11_op_reset(&s->op);
        }
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_digest_key(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (s->op.kind != P11_OP_DIGEST)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    else if (p11_session_object(s, key) == NULL)
        rv = CKR_KEY_HANDLE_INVALID;
    else
        rv = CKR_KEY_INDIGESTIBLE; /* the keys are asymmetric and sensitive */
    p11_session_put(s);
    return rv;
}

CK_RV p11_digest_final(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (out_len == NULL) {
        rv = p11_op_args_bad(s, P11_OP_DIGEST);
    } else if (s->op.kind != P11_OP_DIGEST) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else {
        s->op.multi_part = true;
        rv = digest_out(s, out, out_len);
    }
    p11_session_put(s);
    return rv;
}
