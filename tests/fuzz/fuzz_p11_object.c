/*
 * The module's objects (pkcs11/object.c): C_GetAttributeValue and
 * C_FindObjects template matching with hostile templates, over the objects
 * of a token built from fixed certificates (fixed_material.c).
 *
 * Input: byte 0 picks the token (bit 0: RSA or EC end-entity certificate;
 * bit 1: CKA_ALWAYS_AUTHENTICATE) and byte 1 the object (or a handle that
 * belongs to none); then up to 64 template entries, each
 *   flags (1) | type (4, little-endian) | length (2, little-endian) | value
 * flags bit 0: pValue NULL (length query / NULL value), bit 1: type gets
 * the high 32 bits set; the value bytes (as many as remain, up to length)
 * are read only for matching.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "fixed_material.h"
#include "fuzz.h"
#include "pkcs11/object.h"

#define MAX_ENTRIES 64
#define FIRST_HANDLE 0x100UL

typedef struct {
    rssp_cert_info ee, ca;
    p11_object_set set;
} token_objects;

static const CK_MECHANISM_TYPE rsa_mechs[] = {CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_RSA_PKCS_PSS,
                                              CKM_SHA256_RSA_PKCS_PSS};
static const CK_MECHANISM_TYPE ec_mechs[] = {CKM_ECDSA, CKM_ECDSA_SHA256};

static const p11_object_set *objects(unsigned which)
{
    static token_objects tokens[4];
    static bool built[4];
    token_objects *t = &tokens[which];
    if (built[which])
        return &t->set;
    bool rsa = (which & 1) == 0;
    const unsigned char *der = rsa ? fuzz_rsa_cert_der : fuzz_ec_cert_der;
    size_t der_len = rsa ? fuzz_rsa_cert_der_len : fuzz_ec_cert_der_len;
    if (rssp_cert_parse(der, der_len, &t->ee) != RSSP_CRYPTO_OK ||
        rssp_cert_parse(fuzz_ca_cert_der, fuzz_ca_cert_der_len, &t->ca) != RSSP_CRYPTO_OK)
        abort();
    p11_object_spec spec = {
        .ee = &t->ee,
        .chain = &t->ca,
        .n_chain = 1,
        .label = rsa ? "Alice RSA" : "Alice EC",
        .mechanisms = rsa ? rsa_mechs : ec_mechs,
        .n_mechanisms =
            rsa ? sizeof rsa_mechs / sizeof rsa_mechs[0] : sizeof ec_mechs / sizeof ec_mechs[0],
        .always_authenticate = (which & 2) != 0,
        .first_handle = FIRST_HANDLE,
    };
    if (p11_objects_build(&spec, &t->set) != CKR_OK)
        abort();
    built[which] = true;
    return &t->set;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The template of the input; pValue buffers are exactly ulValueLen bytes (heap). */
static CK_ULONG read_template(const uint8_t *data, size_t size, CK_ATTRIBUTE *tmpl)
{
    CK_ULONG n = 0;
    size_t pos = 0;
    while (n < MAX_ENTRIES && size - pos >= 7) {
        uint8_t flags = data[pos];
        CK_ATTRIBUTE_TYPE type = le32(data + pos + 1);
        if (flags & 2)
            type |= (CK_ATTRIBUTE_TYPE)0xffffffffUL << 16 << 16;
        size_t len = (size_t)data[pos + 5] | (size_t)data[pos + 6] << 8;
        pos += 7;
        size_t have = size - pos < len ? size - pos : len;
        tmpl[n].type = type;
        tmpl[n].ulValueLen = len;
        tmpl[n].pValue = NULL;
        if ((flags & 1) == 0) {
            tmpl[n].pValue = malloc(len > 0 ? len : 1);
            if (tmpl[n].pValue == NULL)
                abort();
            memset(tmpl[n].pValue, 0, len);
            memcpy(tmpl[n].pValue, data + pos, have);
        }
        pos += have;
        n++;
    }
    return n;
}

static void free_template(CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
    for (CK_ULONG i = 0; i < n; i++)
        free(tmpl[i].pValue);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const p11_object_set *set = objects(data[0] % 4);
    /* count + 1 handles: one past the last object must be found by none. */
    CK_OBJECT_HANDLE handle = FIRST_HANDLE + data[1] % (set->count + 1);
    const p11_object *obj = p11_object_find(set, handle);
    if (obj == NULL)
        return 0;

    CK_ATTRIBUTE tmpl[MAX_ENTRIES];
    CK_ULONG n = read_template(data + 2, size - 2, tmpl);
    (void)p11_object_matches(obj, tmpl, n);

    CK_ULONG cap[MAX_ENTRIES];
    for (CK_ULONG i = 0; i < n; i++)
        cap[i] = tmpl[i].ulValueLen;
    CK_RV rv = p11_object_get_attributes(obj, tmpl, n);
    bool all_values = rv == CKR_OK;
    for (CK_ULONG i = 0; i < n; i++) {
        /* What was written fits the caller's buffer; a failed entry says so. */
        if (tmpl[i].pValue != NULL && tmpl[i].ulValueLen != CK_UNAVAILABLE_INFORMATION &&
            tmpl[i].ulValueLen > cap[i])
            abort();
        if (tmpl[i].ulValueLen == CK_UNAVAILABLE_INFORMATION && rv == CKR_OK)
            abort();
        if (tmpl[i].pValue == NULL)
            all_values = false;
    }
    /* Values just read back describe the object: it must match them. */
    if (all_values && !p11_object_matches(obj, tmpl, n))
        abort();
    free_template(tmpl, n);
    return 0;
}
