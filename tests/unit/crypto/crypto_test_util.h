/* Helpers for the crypto unit tests: hex, keys and certificates made with OpenSSL. */
#ifndef RSSP_CRYPTO_TEST_UTIL_H
#define RSSP_CRYPTO_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "rssp/types.h"

/* Decode a hex string (spaces allowed) into a malloc'ed buffer; aborts the test on error. */
rssp_buf tu_hex(const char *hex);

EVP_PKEY *tu_rsa_key(unsigned bits);
/* curve: an OpenSSL group name such as "P-256". */
EVP_PKEY *tu_ec_key(const char *curve);
EVP_PKEY *tu_ed25519_key(void);

typedef struct {
    const char *common_name; /* NULL: no CN in the subject */
    const char *serial_hex;  /* big-endian serial bytes */
    const char *not_before;  /* YYYYMMDDHHMMSSZ */
    const char *not_after;
    bool ca;
} tu_cert_spec;

/* Self-signed certificate over key as DER. */
rssp_buf tu_self_signed(EVP_PKEY *key, const tu_cert_spec *spec);
/* DER SubjectPublicKeyInfo of key. */
rssp_buf tu_spki(EVP_PKEY *key);

/* Deterministic pseudo-random bytes for garbage inputs. */
void tu_fill_pseudo_random(unsigned char *out, size_t len, unsigned *state);

#endif
