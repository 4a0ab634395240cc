/*
 * Crypto helpers over OpenSSL 3: hashing, DigestInfo, X.509 -> key and
 * certificate attributes, ECDSA DER <-> raw, RSA-PSS parameters, local
 * verification, strict Base64. No PKCS#11, no JSON, no HTTP in here.
 *
 * Functions return rssp_crv; output buffers (rssp_buf) are allocated with
 * malloc and released with rssp_buf_clear / rssp_buf_free_secret.
 */
#ifndef RSSP_CRYPTO_H
#define RSSP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "rssp/types.h"

typedef enum {
    RSSP_CRYPTO_OK = 0,
    RSSP_CRYPTO_INVALID = -1,       /* malformed or unsupported input */
    RSSP_CRYPTO_NOMEM = -2,         /* allocation failed */
    RSSP_CRYPTO_TOO_SMALL = -3,     /* output buffer too small; *out_len says what is needed */
    RSSP_CRYPTO_BAD_SIGNATURE = -4, /* verification ran and failed */
} rssp_crv;

/* ---- buffers ---- */
void rssp_buf_clear(rssp_buf *b);                                 /* free and zero the struct */
void rssp_buf_clear_secret(rssp_buf *b);                          /* cleanse, free, zero */
rssp_crv rssp_buf_set(rssp_buf *b, const void *data, size_t len); /* copy in (b cleared first) */

/* ---- hash algorithms (rssp-protocol.md §1.7) ---- */
size_t rssp_hash_len(rssp_hash_alg alg);       /* 0 for NONE/unknown */
const char *rssp_hash_oid(rssp_hash_alg alg);  /* dotted OID, NULL for NONE */
const char *rssp_hash_name(rssp_hash_alg alg); /* "SHA-256", NULL for NONE */
/* Dotted OID, or a name such as "sha-256", "SHA256", "sha1" (case-insensitive). */
rssp_hash_alg rssp_hash_from_string(const char *s);
/* One-shot digest; out must hold rssp_hash_len(alg) bytes. */
rssp_crv rssp_digest(rssp_hash_alg alg, const void *data, size_t len, unsigned char *out);

/* Incremental digest, for multi-part operations. */
typedef struct rssp_digest_ctx rssp_digest_ctx;
rssp_crv rssp_digest_new(rssp_hash_alg alg, rssp_digest_ctx **out);
rssp_crv rssp_digest_update(rssp_digest_ctx *ctx, const void *data, size_t len);
/* Writes rssp_hash_len bytes; the context may not be updated afterwards. */
rssp_crv rssp_digest_final(rssp_digest_ctx *ctx, unsigned char *out);
void rssp_digest_free(rssp_digest_ctx *ctx);

/* ---- DigestInfo (RFC 8017 §9.2) ---- */
/* out = prefix(alg) || hash; hash_len must equal rssp_hash_len(alg). */
rssp_crv rssp_digestinfo_encode(rssp_hash_alg alg, const unsigned char *hash, size_t hash_len,
                                rssp_buf *out);
/*
 * Strict parse of a DER DigestInfo of one of the five hashes (NULL parameters
 * or absent parameters both accepted). *hash points into in.
 */
rssp_crv rssp_digestinfo_parse(const unsigned char *in, size_t in_len, rssp_hash_alg *alg,
                               const unsigned char **hash, size_t *hash_len);

/* ---- ECDSA encodings ---- */
/* DER ECDSA-Sig-Value -> r||s, each left-padded to field_len bytes (out: 2*field_len). */
rssp_crv rssp_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t field_len,
                               unsigned char *out, size_t out_cap, size_t *out_len);
/* r||s (2*field_len bytes) -> DER ECDSA-Sig-Value. */
rssp_crv rssp_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, rssp_buf *out);

/* ---- RSASSA-PSS parameters (RFC 4055) ---- */
/* DER RSASSA-PSS-params with explicit hash, MGF1 hash and salt length. */
rssp_crv rssp_pss_params_encode(rssp_hash_alg hash, rssp_hash_alg mgf1_hash, size_t salt_len,
                                rssp_buf *out);
/*
 * Parse DER RSASSA-PSS-params; absent fields take the RFC 4055 defaults
 * (SHA-1, MGF1-SHA-1, 20). A bare PSS OID (06 09 2a864886f70d01010a) is
 * reported as *bare_oid = true with the outputs untouched.
 */
rssp_crv rssp_pss_params_parse(const unsigned char *der, size_t len, rssp_hash_alg *hash,
                               rssp_hash_alg *mgf1_hash, size_t *salt_len, bool *bare_oid);

/* ---- X.509 ---- */
typedef struct {
    rssp_key_type key_type;
    rssp_buf der;             /* the whole certificate */
    rssp_buf subject;         /* DER Name */
    rssp_buf issuer;          /* DER Name */
    rssp_buf serial;          /* DER INTEGER (tag, length, value) as CKA_SERIAL_NUMBER wants */
    rssp_buf spki;            /* DER SubjectPublicKeyInfo */
    rssp_buf key_id;          /* SHA-1 of the subjectPublicKey BIT STRING contents */
    rssp_buf modulus;         /* RSA: unsigned big-endian, no leading zero */
    rssp_buf public_exponent; /* RSA */
    rssp_buf ec_params;       /* EC: DER OBJECT IDENTIFIER of the named curve */
    rssp_buf ec_point;        /* EC: DER OCTET STRING holding the uncompressed point */
    size_t key_bits;          /* RSA modulus bits, EC group order bits */
    size_t ec_field_len;      /* EC: byte length of the group order (r and s size) */
    char not_before[9];       /* YYYYMMDD (UTC), "" if not representable */
    char not_after[9];
    char *common_name; /* UTF-8 subject CN, NULL if none */
    bool is_ca;        /* basicConstraints cA */
    bool self_signed;  /* subject == issuer */
} rssp_cert_info;
rssp_crv rssp_cert_parse(const unsigned char *der, size_t len, rssp_cert_info *out);
void rssp_cert_info_clear(rssp_cert_info *ci);

/* ---- local verification with a public key (C_Verify) ---- */
typedef enum {
    RSSP_SIG_RSA_PKCS1, /* EMSA-PKCS1-v1_5 over DigestInfo(hash_alg, hash) */
    RSSP_SIG_RSA_PSS,   /* EMSA-PSS over hash with mgf1_hash and salt_len */
    RSSP_SIG_ECDSA_RAW, /* r||s over hash */
} rssp_sig_scheme;
/* RSSP_CRYPTO_OK if valid, RSSP_CRYPTO_BAD_SIGNATURE if not, other on error. */
rssp_crv rssp_verify_hash(const rssp_buf *spki, rssp_sig_scheme scheme, rssp_hash_alg hash_alg,
                          rssp_hash_alg mgf1_hash, size_t salt_len, const unsigned char *hash,
                          size_t hash_len, const unsigned char *sig, size_t sig_len);

/* ---- Base64 (RFC 4648 §4, standard alphabet, padded) ---- */
/* Returns a malloc'ed NUL-terminated string, or NULL on allocation failure. */
char *rssp_base64_encode(const void *data, size_t len);
/* Strict: alphabet, padding and length checked; no whitespace. */
rssp_crv rssp_base64_decode(const char *text, size_t text_len, rssp_buf *out);

/* ---- random ---- */
rssp_crv rssp_random_bytes(void *out, size_t len);

#endif
