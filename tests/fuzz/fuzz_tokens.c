#include "fuzz_tokens.h"

#include <stdlib.h>

#include "pkcs11/token.h"

void fuzz_make_token(const rssp_credential *cred)
{
    if (!p11_credential_usable(cred))
        return;
    p11_token *tok = NULL;
    if (p11_token_new(cred, 0, &tok) != CKR_OK)
        return;
    CK_SLOT_INFO slot;
    CK_TOKEN_INFO info;
    p11_token_slot_info(tok, &slot);
    p11_token_info(tok, &info);
    /* Every object answers a length query for every attribute it has. */
    for (size_t i = 0; i < tok->objects.count; i++) {
        const p11_object *obj = &tok->objects.items[i];
        for (size_t k = 0; k < obj->n_attrs; k++) {
            CK_ATTRIBUTE a = {obj->attrs[k].type, NULL, 0};
            if (p11_object_get_attributes(obj, &a, 1) != CKR_OK ||
                a.ulValueLen != obj->attrs[k].ulValueLen)
                abort();
        }
    }
    p11_token_free(tok);
}
