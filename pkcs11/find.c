/* Finding objects and reading their attributes; refusing to change them. */
#include <stdlib.h>
#include <string.h>

#include "pkcs11/api.h"
#include "pkcs11/mech.h"
#include "pkcs11/module.h"

/*
 * The one attribute whose value is not stored: in the key login model the
 * private key's CKA_ALWAYS_AUTHENTICATE is true until the token is logged in
 * (p11_token_always_authenticate). Everything else is the stored object.
 */
static bool is_dynamic(const p11_token *tok, const p11_object *obj, CK_ATTRIBUTE_TYPE type)
{
    return tok->key_login && obj->cls == CKO_PRIVATE_KEY && type == CKA_ALWAYS_AUTHENTICATE;
}

static bool matches(p11_token *tok, const p11_object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    for (CK_ULONG i = 0; i < count; i++) {
        if (!is_dynamic(tok, obj, tmpl[i].type)) {
            if (!p11_object_matches(obj, &tmpl[i], 1))
                return false;
            continue;
        }
        if (tmpl[i].ulValueLen != sizeof(CK_BBOOL) || tmpl[i].pValue == NULL)
            return false;
        bool want = *(const CK_BBOOL *)tmpl[i].pValue != CK_FALSE;
        if (want != p11_token_always_authenticate(tok))
            return false;
    }
    return true;
}

CK_RV p11_find_init(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    const p11_object_set *set = &s->tok->objects;
    if (tmpl == NULL && count > 0) {
        rv = CKR_ARGUMENTS_BAD;
    } else if (s->find_active) {
        rv = CKR_OPERATION_ACTIVE;
    } else if ((s->found = calloc(set->count ? set->count : 1, sizeof *s->found)) == NULL) {
        rv = CKR_HOST_MEMORY;
    } else {
        bool logged_in = p11_session_logged_in(s);
        s->n_found = 0;
        s->found_pos = 0;
        for (size_t i = 0; i < set->count; i++) {
            const p11_object *obj = &set->items[i];
            if (obj->is_private && !logged_in)
                continue;
            if (matches(s->tok, obj, tmpl, count))
                s->found[s->n_found++] = obj->handle;
        }
        s->find_active = true;
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_find(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count)
{
    p11_session *s;
    if (out == NULL || count == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (!s->find_active) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else {
        CK_ULONG n = 0;
        while (n < max && s->found_pos < s->n_found)
            out[n++] = s->found[s->found_pos++];
        *count = n;
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_find_final(CK_SESSION_HANDLE h)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (!s->find_active) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else {
        free(s->found);
        s->found = NULL;
        s->n_found = 0;
        s->find_active = false;
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_get_attribute_value(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                              CK_ULONG count)
{
    p11_session *s;
    if (tmpl == NULL && count > 0)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    const p11_object *o = p11_session_object(s, obj);
    rv = o == NULL ? CKR_OBJECT_HANDLE_INVALID : p11_object_get_attributes(o, tmpl, count);
    for (CK_ULONG i = 0; o != NULL && i < count; i++) {
        if (is_dynamic(s->tok, o, tmpl[i].type) && tmpl[i].pValue != NULL &&
            tmpl[i].ulValueLen == sizeof(CK_BBOOL)) {
            CK_BBOOL now = p11_token_always_authenticate(s->tok) ? CK_TRUE : CK_FALSE;
            memcpy(tmpl[i].pValue, &now, sizeof now);
        }
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_get_object_size(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ULONG_PTR size)
{
    p11_session *s;
    if (size == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    const p11_object *o = p11_session_object(s, obj);
    if (o == NULL) {
        rv = CKR_OBJECT_HANDLE_INVALID;
    } else {
        CK_ULONG total = 0;
        for (size_t i = 0; i < o->n_attrs; i++)
            total += o->attrs[i].ulValueLen;
        *size = total;
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_modify_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    /* CKA_MODIFIABLE, CKA_COPYABLE and CKA_DESTROYABLE are all false. */
    rv = p11_session_object(s, obj) == NULL ? CKR_OBJECT_HANDLE_INVALID : CKR_ACTION_PROHIBITED;
    p11_session_put(s);
    return rv;
}

CK_RV p11_key_op_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    p11_session *s;
    if (mech == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    const p11_mech *m = p11_mech_find(mech->mechanism);
    if (s->op.kind != P11_OP_NONE)
        rv = CKR_OPERATION_ACTIVE;
    else if (m == NULL || m->scheme == P11_SCHEME_DIGEST)
        rv = CKR_MECHANISM_INVALID;
    else if (p11_object_find(&s->tok->objects, key) == NULL)
        rv = CKR_KEY_HANDLE_INVALID;
    else if (p11_session_object(s, key) == NULL)
        rv = CKR_USER_NOT_LOGGED_IN;
    else
        rv = CKR_KEY_FUNCTION_NOT_PERMITTED; /* no CKA_ENCRYPT, CKA_DECRYPT, CKA_*_RECOVER, CKA_WRAP
                                              */
    p11_session_put(s);
    return rv;
}
