/*
 * Owned attribute arrays for module objects: append copies of attribute
 * values described by a constant table, look one up, free them all.
 */
#ifndef RSSP_P11_ATTR_H
#define RSSP_P11_ATTR_H

#include <stddef.h>

#include "pkcs11/p11.h"

/* One attribute to copy: type and a borrowed value (len 0: empty value). */
typedef struct {
    CK_ATTRIBUTE_TYPE type;
    const void *value;
    size_t len;
} p11_attr_src;

#define P11_ATTR_LEN(arr) (sizeof(arr) / sizeof((arr)[0]))

/*
 * Append copies of src[0..n_src) to *attrs (holding *n_attrs entries). Each
 * copy's pValue is malloc'ed, NULL when the length is 0. On CKR_HOST_MEMORY
 * *attrs and *n_attrs stay consistent (the copies made so far are counted)
 * so p11_attrs_free releases everything.
 */
CK_RV p11_attrs_append(CK_ATTRIBUTE **attrs, size_t *n_attrs, const p11_attr_src *src,
                       size_t n_src);

/* The attribute of this type, or NULL. */
const CK_ATTRIBUTE *p11_attrs_find(const CK_ATTRIBUTE *attrs, size_t n_attrs,
                                   CK_ATTRIBUTE_TYPE type);

/* Free every value and the array itself. */
void p11_attrs_free(CK_ATTRIBUTE *attrs, size_t n_attrs);

#endif
