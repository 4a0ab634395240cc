/*
 * The four kinds of token object and their attributes (docs/module-objects.md).
 * Each object's attributes are described by constant tables of borrowed
 * values and copied into the object by p11_attrs_append, so the object owns
 * everything and the parsed certificates may be freed after the build.
 */
#include "pkcs11/object.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/attr.h"

/* PKCS#11 2.40 §4.6.2 / §4.6.3 values the p11-kit header does not name. */
#ifndef CK_CERTIFICATE_CATEGORY_TOKEN_USER
#define CK_CERTIFICATE_CATEGORY_TOKEN_USER 1UL
#endif
#ifndef CK_CERTIFICATE_CATEGORY_AUTHORITY
#define CK_CERTIFICATE_CATEGORY_AUTHORITY 2UL
#endif
#ifndef CK_SECURITY_DOMAIN_UNSPECIFIED
#define CK_SECURITY_DOMAIN_UNSPECIFIED 0UL
#endif

/* Bytes of SHA-1(CKA_VALUE) in a certificate's CKA_CHECK_VALUE (§4.6.2). */
#define CHECK_VALUE_LEN 3
#define SHA1_LEN 20

static const CK_BBOOL ck_true = CK_TRUE;
static const CK_BBOOL ck_false = CK_FALSE;

/* Entries of the attribute tables; the values are borrowed until p11_attrs_append copies them. */
static p11_attr_src attr_bool(CK_ATTRIBUTE_TYPE type, bool value)
{
    return (p11_attr_src){type, value ? &ck_true : &ck_false, sizeof(CK_BBOOL)};
}

/* CK_ULONG and the types defined as it (CK_OBJECT_CLASS, CK_KEY_TYPE, ...). */
static p11_attr_src attr_ulong(CK_ATTRIBUTE_TYPE type, const CK_ULONG *value)
{
    return (p11_attr_src){type, value, sizeof(*value)};
}

/* NULL: an empty value. */
static p11_attr_src attr_buf(CK_ATTRIBUTE_TYPE type, const rssp_buf *value)
{
    return value != NULL ? (p11_attr_src){type, value->data, value->len}
                         : (p11_attr_src){type, NULL, 0};
}

/* Private key components that exist on the service but are never revealed. */
static const CK_ATTRIBUTE_TYPE rsa_private_sensitive[] = {
    CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT,
};
static const CK_ATTRIBUTE_TYPE ec_private_sensitive[] = {CKA_VALUE};

/* The CK_BBOOL attributes this file stores, compared by truth value when matching. */
static const CK_ATTRIBUTE_TYPE bool_types[] = {
    CKA_TOKEN,
    CKA_PRIVATE,
    CKA_MODIFIABLE,
    CKA_COPYABLE,
    CKA_DESTROYABLE,
    CKA_TRUSTED,
    CKA_SIGN,
    CKA_SIGN_RECOVER,
    CKA_DECRYPT,
    CKA_UNWRAP,
    CKA_DERIVE,
    CKA_VERIFY,
    CKA_VERIFY_RECOVER,
    CKA_ENCRYPT,
    CKA_WRAP,
    CKA_SENSITIVE,
    CKA_EXTRACTABLE,
    CKA_ALWAYS_SENSITIVE,
    CKA_NEVER_EXTRACTABLE,
    CKA_LOCAL,
    CKA_ALWAYS_AUTHENTICATE,
    CKA_WRAP_WITH_TRUSTED,
};

static bool type_in(CK_ATTRIBUTE_TYPE type, const CK_ATTRIBUTE_TYPE *types, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (types[i] == type) {
            return true;
        }
    }
    return false;
}

static bool buf_equal(const rssp_buf *a, const rssp_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* "YYYYMMDD" -> CK_DATE; returns the attribute length: sizeof(CK_DATE), or 0 (empty) if absent. */
static size_t date_from(const char *yyyymmdd, CK_DATE *out)
{
    if (strlen(yyyymmdd) != 8) {
        return 0;
    }
    for (size_t i = 0; i < 8; i++) {
        if (yyyymmdd[i] < '0' || yyyymmdd[i] > '9') {
            return 0;
        }
    }
    memcpy(out->year, yyyymmdd, 4);
    memcpy(out->month, yyyymmdd + 4, 2);
    memcpy(out->day, yyyymmdd + 6, 2);
    return sizeof(*out);
}

/*
 * Key of the certificate that issued cert, for CKA_HASH_OF_ISSUER_PUBLIC_KEY:
 * its own when self-issued, else next in the chain when that one's subject is
 * cert's issuer; NULL (empty attribute) when the issuer is not on the token.
 */
static const rssp_buf *issuer_key_id(const rssp_cert_info *cert, const rssp_cert_info *next)
{
    if (cert->self_signed) {
        return &cert->key_id;
    }
    if (next != NULL && buf_equal(&next->subject, &cert->issuer)) {
        return &next->key_id;
    }
    return NULL;
}

/* CKA_CLASS and the storage attributes (§4.4) every object has. */
static CK_RV add_storage(p11_object *obj, const char *label)
{
    const p11_attr_src attrs[] = {
        attr_ulong(CKA_CLASS, &obj->cls),        attr_bool(CKA_TOKEN, true),
        attr_bool(CKA_PRIVATE, obj->is_private), attr_bool(CKA_MODIFIABLE, false),
        attr_bool(CKA_COPYABLE, false),          attr_bool(CKA_DESTROYABLE, false),
        {CKA_LABEL, label, strlen(label)},
    };
    return p11_attrs_append(&obj->attrs, &obj->n_attrs, attrs, P11_ATTR_LEN(attrs));
}

static CK_RV build_certificate(p11_object *obj, CK_OBJECT_HANDLE handle, const rssp_cert_info *ci,
                               const char *label, CK_ULONG category, const rssp_buf *issuer_key)
{
    unsigned char sha1[SHA1_LEN];
    rssp_crv crv = rssp_digest(RSSP_HASH_SHA1, ci->der.data, ci->der.len, sha1);
    if (crv != RSSP_CRYPTO_OK) {
        return crv == RSSP_CRYPTO_NOMEM ? CKR_HOST_MEMORY : CKR_GENERAL_ERROR;
    }
    CK_DATE start, end;
    size_t start_len = date_from(ci->not_before, &start);
    size_t end_len = date_from(ci->not_after, &end);
    const CK_CERTIFICATE_TYPE cert_type = CKC_X_509;
    const CK_ULONG domain = CK_SECURITY_DOMAIN_UNSPECIFIED;
    const CK_MECHANISM_TYPE name_hash = CKM_SHA_1;

    obj->handle = handle;
    obj->cls = CKO_CERTIFICATE;
    obj->is_private = false;
    CK_RV rv = add_storage(obj, label);
    if (rv != CKR_OK) {
        return rv;
    }
    const p11_attr_src attrs[] = {
        /* certificate (§4.6.2) */
        attr_ulong(CKA_CERTIFICATE_TYPE, &cert_type),
        attr_bool(CKA_TRUSTED, false),
        attr_ulong(CKA_CERTIFICATE_CATEGORY, &category),
        {CKA_CHECK_VALUE, sha1, CHECK_VALUE_LEN},
        {CKA_START_DATE, &start, start_len},
        {CKA_END_DATE, &end, end_len},
        attr_buf(CKA_PUBLIC_KEY_INFO, &ci->spki),
        /* X.509 (§4.6.3) */
        attr_buf(CKA_SUBJECT, &ci->subject),
        attr_buf(CKA_ID, &ci->key_id),
        attr_buf(CKA_ISSUER, &ci->issuer),
        attr_buf(CKA_SERIAL_NUMBER, &ci->serial),
        attr_buf(CKA_VALUE, &ci->der),
        {CKA_URL, "", 0},
        attr_buf(CKA_HASH_OF_SUBJECT_PUBLIC_KEY, &ci->key_id),
        attr_buf(CKA_HASH_OF_ISSUER_PUBLIC_KEY, issuer_key),
        attr_ulong(CKA_JAVA_MIDP_SECURITY_DOMAIN, &domain),
        attr_ulong(CKA_NAME_HASH_ALGORITHM, &name_hash),
    };
    return p11_attrs_append(&obj->attrs, &obj->n_attrs, attrs, P11_ATTR_LEN(attrs));
}

/* Storage, common key (§4.7) and RSA/EC public parameters shared by both keys. */
static CK_RV add_key_common(p11_object *obj, const p11_object_spec *spec)
{
    const rssp_cert_info *ee = spec->ee;
    CK_RV rv = add_storage(obj, spec->label != NULL ? spec->label : "");
    if (rv != CKR_OK) {
        return rv;
    }
    CK_DATE start, end;
    size_t start_len = date_from(ee->not_before, &start);
    size_t end_len = date_from(ee->not_after, &end);
    const CK_KEY_TYPE key_type = ee->key_type == RSSP_KEY_RSA ? CKK_RSA : CKK_EC;
    const CK_MECHANISM_TYPE gen_mechanism = CK_UNAVAILABLE_INFORMATION;
    const p11_attr_src key[] = {
        attr_ulong(CKA_KEY_TYPE, &key_type),
        attr_buf(CKA_ID, &ee->key_id),
        {CKA_START_DATE, &start, start_len},
        {CKA_END_DATE, &end, end_len},
        attr_bool(CKA_DERIVE, false),
        attr_bool(CKA_LOCAL, false),
        attr_ulong(CKA_KEY_GEN_MECHANISM, &gen_mechanism),
        {CKA_ALLOWED_MECHANISMS, spec->mechanisms, spec->n_mechanisms * sizeof(CK_MECHANISM_TYPE)},
        attr_buf(CKA_SUBJECT, &ee->subject),
        attr_buf(CKA_PUBLIC_KEY_INFO, &ee->spki),
    };
    rv = p11_attrs_append(&obj->attrs, &obj->n_attrs, key, P11_ATTR_LEN(key));
    if (rv != CKR_OK) {
        return rv;
    }
    if (ee->key_type == RSSP_KEY_RSA) {
        const CK_ULONG bits = (CK_ULONG)ee->key_bits; /* at most 16384 */
        const p11_attr_src rsa[] = {
            attr_buf(CKA_MODULUS, &ee->modulus),
            attr_ulong(CKA_MODULUS_BITS, &bits),
            attr_buf(CKA_PUBLIC_EXPONENT, &ee->public_exponent),
        };
        return p11_attrs_append(&obj->attrs, &obj->n_attrs, rsa, P11_ATTR_LEN(rsa));
    }
    const p11_attr_src ec[] = {attr_buf(CKA_EC_PARAMS, &ee->ec_params)};
    return p11_attrs_append(&obj->attrs, &obj->n_attrs, ec, P11_ATTR_LEN(ec));
}

static CK_RV build_private_key(p11_object *obj, CK_OBJECT_HANDLE handle,
                               const p11_object_spec *spec)
{
    obj->handle = handle;
    obj->cls = CKO_PRIVATE_KEY;
    obj->is_private = !spec->private_key_public;
    if (spec->ee->key_type == RSSP_KEY_RSA) {
        obj->sensitive = rsa_private_sensitive;
        obj->n_sensitive = P11_ATTR_LEN(rsa_private_sensitive);
    } else {
        obj->sensitive = ec_private_sensitive;
        obj->n_sensitive = P11_ATTR_LEN(ec_private_sensitive);
    }
    CK_RV rv = add_key_common(obj, spec);
    if (rv != CKR_OK) {
        return rv;
    }
    /* §4.9: the key signs, nothing else, and never leaves the service. */
    const p11_attr_src attrs[] = {
        attr_bool(CKA_SENSITIVE, true),
        attr_bool(CKA_DECRYPT, false),
        attr_bool(CKA_SIGN, true),
        attr_bool(CKA_SIGN_RECOVER, false),
        attr_bool(CKA_UNWRAP, false),
        attr_bool(CKA_EXTRACTABLE, false),
        attr_bool(CKA_ALWAYS_SENSITIVE, true),
        attr_bool(CKA_NEVER_EXTRACTABLE, true),
        attr_bool(CKA_WRAP_WITH_TRUSTED, false),
        attr_bool(CKA_ALWAYS_AUTHENTICATE, spec->always_authenticate),
    };
    return p11_attrs_append(&obj->attrs, &obj->n_attrs, attrs, P11_ATTR_LEN(attrs));
}

static CK_RV build_public_key(p11_object *obj, CK_OBJECT_HANDLE handle, const p11_object_spec *spec)
{
    obj->handle = handle;
    obj->cls = CKO_PUBLIC_KEY;
    obj->is_private = false;
    CK_RV rv = add_key_common(obj, spec);
    if (rv != CKR_OK) {
        return rv;
    }
    /* §4.8: verification is local; nothing is encrypted or wrapped. */
    const p11_attr_src attrs[] = {
        attr_bool(CKA_ENCRYPT, false),        attr_bool(CKA_VERIFY, true),
        attr_bool(CKA_VERIFY_RECOVER, false), attr_bool(CKA_WRAP, false),
        attr_bool(CKA_TRUSTED, false),
    };
    rv = p11_attrs_append(&obj->attrs, &obj->n_attrs, attrs, P11_ATTR_LEN(attrs));
    if (rv != CKR_OK || spec->ee->key_type != RSSP_KEY_EC) {
        return rv;
    }
    const p11_attr_src ec[] = {attr_buf(CKA_EC_POINT, &spec->ee->ec_point)};
    return p11_attrs_append(&obj->attrs, &obj->n_attrs, ec, P11_ATTR_LEN(ec));
}

/* CN of a CA certificate, or "CA certificate N" (N counting from 1) without one. */
static CK_RV build_ca_certificate(p11_object *obj, CK_OBJECT_HANDLE handle,
                                  const p11_object_spec *spec, size_t index)
{
    const rssp_cert_info *ca = &spec->chain[index];
    const rssp_cert_info *next = index + 1 < spec->n_chain ? &spec->chain[index + 1] : NULL;
    char fallback[48];
    const char *label = ca->common_name;
    if (label == NULL) {
        int n = snprintf(fallback, sizeof(fallback), "CA certificate %zu", index + 1);
        if (n < 0 || (size_t)n >= sizeof(fallback)) {
            return CKR_GENERAL_ERROR;
        }
        label = fallback;
    }
    return build_certificate(obj, handle, ca, label, CK_CERTIFICATE_CATEGORY_AUTHORITY,
                             issuer_key_id(ca, next));
}

static bool key_usable(const rssp_cert_info *ee)
{
    if (ee->der.len == 0 || ee->key_id.len == 0 || ee->spki.len == 0) {
        return false;
    }
    switch (ee->key_type) {
    case RSSP_KEY_RSA:
        return ee->modulus.len > 0 && ee->public_exponent.len > 0 && ee->key_bits > 0;
    case RSSP_KEY_EC:
        return ee->ec_params.len > 0 && ee->ec_point.len > 0;
    default:
        return false;
    }
}

/* Everything the build relies on; false means CKR_GENERAL_ERROR. */
static bool spec_usable(const p11_object_spec *spec, size_t count)
{
    if (spec->ee == NULL || !key_usable(spec->ee)) {
        return false;
    }
    if (spec->n_chain > 0 && spec->chain == NULL) {
        return false;
    }
    for (size_t i = 0; i < spec->n_chain; i++) {
        if (spec->chain[i].der.len == 0) {
            return false;
        }
    }
    if (spec->n_mechanisms > 0 &&
        (spec->mechanisms == NULL || spec->n_mechanisms > SIZE_MAX / sizeof(CK_MECHANISM_TYPE))) {
        return false;
    }
    /* Handles are never CK_INVALID_HANDLE (0) and do not wrap. */
    return spec->first_handle != CK_INVALID_HANDLE && spec->first_handle <= ULONG_MAX - (count - 1);
}

/* Object order, and so handle order: EE certificate, private key, public key, CA certificates. */
enum { EE_CERT_INDEX, PRIVATE_KEY_INDEX, PUBLIC_KEY_INDEX, CHAIN_INDEX };

CK_RV p11_objects_build(const p11_object_spec *spec, p11_object_set *out)
{
    if (out == NULL) {
        return CKR_GENERAL_ERROR;
    }
    out->items = NULL;
    out->count = 0;
    if (spec == NULL || spec->n_chain > SIZE_MAX / sizeof(p11_object) - CHAIN_INDEX) {
        return CKR_GENERAL_ERROR;
    }
    size_t count = CHAIN_INDEX + spec->n_chain;
    if (!spec_usable(spec, count)) {
        return CKR_GENERAL_ERROR;
    }
    p11_object_set set = {calloc(count, sizeof(p11_object)), count};
    if (set.items == NULL) {
        return CKR_HOST_MEMORY;
    }
    const CK_OBJECT_HANDLE first = spec->first_handle;
    const rssp_cert_info *issuer = spec->n_chain > 0 ? &spec->chain[0] : NULL;
    CK_RV rv =
        build_certificate(&set.items[EE_CERT_INDEX], first + EE_CERT_INDEX, spec->ee,
                          spec->label != NULL ? spec->label : "",
                          CK_CERTIFICATE_CATEGORY_TOKEN_USER, issuer_key_id(spec->ee, issuer));
    if (rv != CKR_OK) {
        goto out;
    }
    rv = build_private_key(&set.items[PRIVATE_KEY_INDEX], first + PRIVATE_KEY_INDEX, spec);
    if (rv != CKR_OK) {
        goto out;
    }
    rv = build_public_key(&set.items[PUBLIC_KEY_INDEX], first + PUBLIC_KEY_INDEX, spec);
    if (rv != CKR_OK) {
        goto out;
    }
    for (size_t i = 0; i < spec->n_chain; i++) {
        rv = build_ca_certificate(&set.items[CHAIN_INDEX + i],
                                  first + CHAIN_INDEX + (CK_OBJECT_HANDLE)i, spec, i);
        if (rv != CKR_OK) {
            goto out;
        }
    }
out:
    if (rv != CKR_OK) {
        p11_object_set_clear(&set);
        return rv;
    }
    *out = set;
    return CKR_OK;
}

void p11_object_set_clear(p11_object_set *set)
{
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->count && set->items != NULL; i++) {
        p11_attrs_free(set->items[i].attrs, set->items[i].n_attrs);
    }
    free(set->items);
    set->items = NULL;
    set->count = 0;
}

/* Handles are consecutive from the first object's, so the handle is the index. */
const p11_object *p11_object_find(const p11_object_set *set, CK_OBJECT_HANDLE handle)
{
    if (set == NULL || set->count == 0 || handle < set->items[0].handle) {
        return NULL;
    }
    CK_OBJECT_HANDLE index = handle - set->items[0].handle;
    if (index >= set->count) {
        return NULL;
    }
    return &set->items[index];
}

const CK_ATTRIBUTE *p11_object_attr(const p11_object *obj, CK_ATTRIBUTE_TYPE type)
{
    if (obj == NULL) {
        return NULL;
    }
    return p11_attrs_find(obj->attrs, obj->n_attrs, type);
}

/*
 * Beyond the declared returns: CKR_ARGUMENTS_BAD for a NULL object or a NULL
 * template with a non-zero count, which only a caller's bug produces.
 */
CK_RV p11_object_get_attributes(const p11_object *obj, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count)
{
    if (obj == NULL || (tmpl == NULL && count > 0)) {
        return CKR_ARGUMENTS_BAD;
    }
    bool sensitive = false;
    bool invalid = false;
    bool too_small = false;
    for (CK_ULONG i = 0; i < count; i++) {
        CK_ATTRIBUTE *t = &tmpl[i];
        if (type_in(t->type, obj->sensitive, obj->n_sensitive)) {
            t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            sensitive = true;
            continue;
        }
        const CK_ATTRIBUTE *a = p11_object_attr(obj, t->type);
        if (a == NULL) {
            t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            invalid = true;
            continue;
        }
        if (t->pValue == NULL) {
            t->ulValueLen = a->ulValueLen;
            continue;
        }
        if (t->ulValueLen < a->ulValueLen) {
            t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            too_small = true;
            continue;
        }
        if (a->ulValueLen > 0) {
            memcpy(t->pValue, a->pValue, a->ulValueLen);
        }
        t->ulValueLen = a->ulValueLen;
    }
    if (sensitive) {
        return CKR_ATTRIBUTE_SENSITIVE;
    }
    if (invalid) {
        return CKR_ATTRIBUTE_TYPE_INVALID;
    }
    return too_small ? CKR_BUFFER_TOO_SMALL : CKR_OK;
}

static bool attr_equal(const CK_ATTRIBUTE *stored, const CK_ATTRIBUTE *wanted)
{
    if (wanted->ulValueLen > 0 && wanted->pValue == NULL) {
        return false;
    }
    /* Any non-zero byte is true, as C code passing a plain 1 or 0xff expects. */
    if (type_in(stored->type, bool_types, P11_ATTR_LEN(bool_types)) &&
        stored->ulValueLen == sizeof(CK_BBOOL) && wanted->ulValueLen == sizeof(CK_BBOOL)) {
        CK_BBOOL have = *(const CK_BBOOL *)stored->pValue;
        CK_BBOOL want = *(const CK_BBOOL *)wanted->pValue;
        return (have != CK_FALSE) == (want != CK_FALSE);
    }
    return stored->ulValueLen == wanted->ulValueLen &&
           (stored->ulValueLen == 0 ||
            memcmp(stored->pValue, wanted->pValue, stored->ulValueLen) == 0);
}

bool p11_object_matches(const p11_object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    if (obj == NULL || (tmpl == NULL && count > 0)) {
        return false;
    }
    for (CK_ULONG i = 0; i < count; i++) {
        const CK_ATTRIBUTE *stored = p11_object_attr(obj, tmpl[i].type);
        if (stored == NULL || !attr_equal(stored, &tmpl[i])) {
            return false;
        }
    }
    return true;
}
