/*
 * The mechanism table: one entry per mechanism, saying which key type it
 * needs, whether the module hashes the input locally, and the signature
 * scheme. Hash-and-sign and PSS variants fall out of these few fields.
 */
#ifndef RSSP_P11_MECH_H
#define RSSP_P11_MECH_H

#include <stdbool.h>
#include <stddef.h>

#include "pkcs11/p11.h"
#include "rssp/types.h"

typedef enum {
    P11_SCHEME_PKCS1,  /* RSASSA-PKCS1-v1_5 */
    P11_SCHEME_PSS,    /* RSASSA-PSS */
    P11_SCHEME_ECDSA,  /* ECDSA, raw r||s on the PKCS#11 side */
    P11_SCHEME_DIGEST, /* a plain digest (C_Digest*) */
} p11_scheme;

typedef struct {
    CK_MECHANISM_TYPE type;
    const char *name;
    rssp_key_type key_type; /* RSSP_KEY_UNKNOWN for digests */
    p11_scheme scheme;
    rssp_hash_alg hash; /* hashed by the module; RSSP_HASH_NONE when the input is the hash */
} p11_mech;

/* The entry for type, or NULL. */
const p11_mech *p11_mech_find(CK_MECHANISM_TYPE type);

/* Mechanisms a token whose key is of key_type offers (sign/verify ones, then digests). */
size_t p11_mech_list(rssp_key_type key_type, CK_MECHANISM_TYPE *out, size_t cap);

/* Number of entries p11_mech_list returns for key_type (for sizing). */
size_t p11_mech_count(rssp_key_type key_type);

/* C_GetMechanismInfo for a token with this key; CKR_MECHANISM_INVALID if not offered. */
CK_RV p11_mech_info(rssp_key_type key_type, size_t key_bits, CK_MECHANISM_TYPE type,
                    CK_MECHANISM_INFO *info);

/* The hash algorithm a CKM_SHA* / CKG_MGF1_* value names, RSSP_HASH_NONE if none. */
rssp_hash_alg p11_mech_hash_of_ckm(CK_MECHANISM_TYPE digest_mech);
rssp_hash_alg p11_mech_hash_of_mgf(CK_RSA_PKCS_MGF_TYPE mgf);

#endif
