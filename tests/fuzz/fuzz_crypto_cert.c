/*
 * rssp_cert_parse on a certificate as the service sends it (Base64-decoded
 * DER), then, as pkcs11/token.c does with an RSA or EC one, the token's
 * objects built from it and every attribute read back.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "fuzz.h"
#include "pkcs11/object.h"

static const CK_MECHANISM_TYPE mechs[] = {CKM_RSA_PKCS, CKM_ECDSA};

static void check_info(const rssp_cert_info *ci, const uint8_t *data, size_t size)
{
    if (ci->der.len != size || memcmp(ci->der.data, data, size) != 0)
        abort();
    if (ci->not_before[sizeof ci->not_before - 1] != '\0' ||
        ci->not_after[sizeof ci->not_after - 1] != '\0')
        abort();
    if (ci->key_type == RSSP_KEY_RSA && (ci->modulus.len == 0 || ci->public_exponent.len == 0))
        abort();
    if (ci->key_type == RSSP_KEY_EC &&
        (ci->ec_params.len == 0 || ci->ec_point.len == 0 || ci->ec_field_len == 0))
        abort();
}

static void build_objects(const rssp_cert_info *ci)
{
    p11_object_spec spec = {
        .ee = ci,
        .label = ci->common_name != NULL ? ci->common_name : "",
        .mechanisms = mechs,
        .n_mechanisms = sizeof mechs / sizeof mechs[0],
        .first_handle = 1,
    };
    p11_object_set set;
    if (p11_objects_build(&spec, &set) != CKR_OK)
        return;
    for (size_t i = 0; i < set.count; i++) {
        const p11_object *obj = &set.items[i];
        for (size_t k = 0; k < obj->n_attrs; k++) {
            CK_ATTRIBUTE a = {obj->attrs[k].type, NULL, 0};
            if (p11_object_get_attributes(obj, &a, 1) != CKR_OK)
                abort();
        }
    }
    p11_object_set_clear(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rssp_cert_info ci;
    memset(&ci, 0, sizeof ci);
    if (rssp_cert_parse(data, size, &ci) == RSSP_CRYPTO_OK) {
        check_info(&ci, data, size);
        if (ci.key_type == RSSP_KEY_RSA || ci.key_type == RSSP_KEY_EC)
            build_objects(&ci);
    }
    rssp_cert_info_clear(&ci);
    return 0;
}
