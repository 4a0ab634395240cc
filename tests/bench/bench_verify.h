/* Independent signature checks with plain OpenSSL against the credentials' certificates. */
#ifndef RSSP_BENCH_VERIFY_H
#define RSSP_BENCH_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

typedef enum {
    BENCH_KEY_RSA = 0, /* RSA-2048, SCAL 1 */
    BENCH_KEY_EC = 1,  /* EC P-256, SCAL 1 */
    BENCH_KEY_COUNT
} bench_key;

typedef struct {
    EVP_PKEY *pub[BENCH_KEY_COUNT];
} bench_verifier;

/* Load the public keys from PEM certificates. 0 on success. */
int bench_verifier_load(bench_verifier *v, const char *const cert_pem[BENCH_KEY_COUNT]);
void bench_verifier_free(bench_verifier *v);

/*
 * 1 if sig is a valid SHA-256 signature of msg by key: PKCS#1 v1.5 for RSA,
 * ECDSA for EC given as DER (the service's form) when ec_der, else as raw
 * r||s (the PKCS#11 form).
 */
int bench_verify(const bench_verifier *v, bench_key key, bool ec_der, const unsigned char *msg,
                 size_t msg_len, const unsigned char *sig, size_t sig_len);

#endif
