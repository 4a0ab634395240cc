#include "fuzz_tokens.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/token.h"

/* Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t more = c < 0x80                 ? 0
                      : c >= 0xC2 && c <= 0xDF ? 1
                      : c >= 0xE0 && c <= 0xEF ? 2
                      : c >= 0xF0 && c <= 0xF4 ? 3
                                               : 4;
        if (more == 4 || n - i - 1 < more)
            return false;
        for (size_t k = 1; k <= more; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        }
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] > 0x9F) ||
            (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] > 0x8F))
            return false;
        i += 1 + more;
    }
    return true;
}

/* PKCS#11 text fields are blank-padded UTF-8 (CK_UTF8CHAR). */
static void check_text(const CK_UTF8CHAR *field, size_t n)
{
    if (!utf8_valid(field, n))
        abort();
}

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
    /* The texts come from the credential id and the certificate's CN, cut to size. */
    if (utf8_valid((const unsigned char *)cred->credential_id, strlen(cred->credential_id))) {
        check_text(info.label, sizeof info.label);
        check_text(info.serialNumber, sizeof info.serialNumber);
        check_text(slot.slotDescription, sizeof slot.slotDescription);
    }
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
