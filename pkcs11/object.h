/*
 * The objects of one token and their attributes: the end-entity certificate
 * (category 1), the CA certificates of its chain (category 2), the public key
 * and the private key. Built once from parsed certificates; immutable after.
 */
#ifndef RSSP_P11_OBJECT_H
#define RSSP_P11_OBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "pkcs11/p11.h"
#include "crypto/crypto.h"

typedef struct {
    CK_OBJECT_HANDLE handle;
    CK_OBJECT_CLASS cls;
    bool is_private;     /* CKA_PRIVATE: visible only after login */
    CK_ATTRIBUTE *attrs; /* owned copies; pValue malloc'ed (NULL when ulValueLen is 0) */
    size_t n_attrs;
    const CK_ATTRIBUTE_TYPE *sensitive; /* types answered CKR_ATTRIBUTE_SENSITIVE */
    size_t n_sensitive;
} p11_object;

typedef struct {
    p11_object *items;
    size_t count;
} p11_object_set;

typedef struct {
    const rssp_cert_info *ee;    /* end-entity certificate (the credential's) */
    const rssp_cert_info *chain; /* CA certificates, issuer of ee first; may be NULL */
    size_t n_chain;
    const char *label;                   /* CKA_LABEL of the EE certificate and both keys (UTF-8) */
    const CK_MECHANISM_TYPE *mechanisms; /* CKA_ALLOWED_MECHANISMS of both keys */
    size_t n_mechanisms;
    bool always_authenticate;      /* CKA_ALWAYS_AUTHENTICATE of the private key */
    bool private_key_public;       /* the private key is a public object (CKA_PRIVATE false) */
    CK_OBJECT_HANDLE first_handle; /* handles are first_handle, first_handle + 1, ... */
} p11_object_spec;

/* Build the set; CKR_OK, CKR_HOST_MEMORY, or CKR_GENERAL_ERROR for an unusable key. */
CK_RV p11_objects_build(const p11_object_spec *spec, p11_object_set *out);
void p11_object_set_clear(p11_object_set *set);

/* The object with this handle, or NULL. */
const p11_object *p11_object_find(const p11_object_set *set, CK_OBJECT_HANDLE handle);

/*
 * C_GetAttributeValue to the letter of PKCS#11 2.40 §5.7: every attribute of
 * the template is processed; ulValueLen set to CK_UNAVAILABLE_INFORMATION for
 * the ones that fail; returns CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID
 * or CKR_BUFFER_TOO_SMALL (in that precedence when several apply, as the spec
 * allows any), else CKR_OK.
 */
CK_RV p11_object_get_attributes(const p11_object *obj, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count);

/* The object has every attribute of tmpl with exactly that value (empty template: true). */
bool p11_object_matches(const p11_object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* The attribute's stored value, or NULL if the object has no such attribute. */
const CK_ATTRIBUTE *p11_object_attr(const p11_object *obj, CK_ATTRIBUTE_TYPE type);

#endif
