/* Slots, tokens and mechanisms. */
#include <string.h>

#include "pkcs11/api.h"
#include "pkcs11/mech.h"
#include "pkcs11/module.h"

CK_RV p11_get_slot_list(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
    (void)token_present; /* every slot holds its token */
    if (count == NULL)
        return CKR_ARGUMENTS_BAD;
    p11_tokens_load();
    p11_mutex_lock(p11_g.lock);
    CK_ULONG n = (CK_ULONG)p11_g.n_tokens;
    CK_RV rv = CKR_OK;
    if (list != NULL) {
        if (*count < n) {
            rv = CKR_BUFFER_TOO_SMALL;
        } else {
            for (CK_ULONG i = 0; i < n; i++)
                list[i] = p11_g.tokens[i]->slot_id;
        }
    }
    p11_mutex_unlock(p11_g.lock);
    *count = n;
    return rv;
}

CK_RV p11_get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
    p11_token *tok;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_token_get(slot, &tok);
    if (rv == CKR_OK)
        p11_token_slot_info(tok, info);
    return rv;
}

CK_RV p11_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    p11_token *tok;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_token_get(slot, &tok);
    if (rv == CKR_OK)
        p11_token_info(tok, info);
    return rv;
}

CK_RV p11_get_mechanism_list(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
    p11_token *tok;
    if (count == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_token_get(slot, &tok);
    if (rv != CKR_OK)
        return rv;
    CK_ULONG n = (CK_ULONG)tok->n_mechanisms;
    if (list != NULL) {
        if (*count < n)
            rv = CKR_BUFFER_TOO_SMALL;
        else
            memcpy(list, tok->mechanisms, n * sizeof *list);
    }
    *count = n;
    return rv;
}

CK_RV p11_get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
    p11_token *tok;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_token_get(slot, &tok);
    if (rv != CKR_OK)
        return rv;
    return p11_mech_info(tok->ee.key_type, tok->ee.key_bits, type, info);
}
