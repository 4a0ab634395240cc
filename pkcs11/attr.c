#include "pkcs11/attr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

CK_RV p11_attrs_append(CK_ATTRIBUTE **attrs, size_t *n_attrs, const p11_attr_src *src, size_t n_src)
{
    if (n_src == 0) {
        return CKR_OK;
    }
    if (*n_attrs > SIZE_MAX / sizeof(CK_ATTRIBUTE) - n_src) {
        return CKR_HOST_MEMORY;
    }
    CK_ATTRIBUTE *grown = realloc(*attrs, (*n_attrs + n_src) * sizeof(CK_ATTRIBUTE));
    if (grown == NULL) {
        return CKR_HOST_MEMORY;
    }
    *attrs = grown;
    for (size_t i = 0; i < n_src; i++) {
        CK_ATTRIBUTE *dst = &grown[*n_attrs];
        dst->type = src[i].type;
        dst->pValue = NULL;
        /* CK_ULONG is 32 bits on Windows: a longer value cannot be described. */
        if ((uintmax_t)src[i].len > (uintmax_t)(CK_ULONG)-1)
            return CKR_GENERAL_ERROR;
        dst->ulValueLen = (CK_ULONG)src[i].len;
        if (src[i].len > 0) {
            dst->pValue = malloc(src[i].len);
            if (dst->pValue == NULL) {
                return CKR_HOST_MEMORY;
            }
            memcpy(dst->pValue, src[i].value, src[i].len);
        }
        (*n_attrs)++;
    }
    return CKR_OK;
}

const CK_ATTRIBUTE *p11_attrs_find(const CK_ATTRIBUTE *attrs, size_t n_attrs,
                                   CK_ATTRIBUTE_TYPE type)
{
    for (size_t i = 0; i < n_attrs; i++) {
        if (attrs[i].type == type) {
            return &attrs[i];
        }
    }
    return NULL;
}

void p11_attrs_free(CK_ATTRIBUTE *attrs, size_t n_attrs)
{
    for (size_t i = 0; i < n_attrs; i++) {
        free(attrs[i].pValue);
    }
    free(attrs);
}
