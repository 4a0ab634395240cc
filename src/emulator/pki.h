/*
 * The emulator's PKI (OpenSSL): keys kept outside the HSM (CA, TLS, relying
 * party), certificates for every key, PEM/DER/PKCS#12 encodings.
 */
#ifndef EMU_PKI_H
#define EMU_PKI_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* RSA of bits, or EC on the named curve (bits 0, curve e.g. "P-256"). NULL on failure. */
EVP_PKEY *emu_pki_keygen(int bits, const char *curve);

typedef struct {
    const char *cn;
    const char *ou; /* optional */
    const char *o;
    const char *c;
    const char *serial_number; /* optional subject serialNumber attribute */
    const char *email;         /* optional emailAddress attribute */
} emu_dn;

typedef enum {
    EMU_CERT_CA,      /* basicConstraints CA, keyCertSign + cRLSign */
    EMU_CERT_TLS,     /* server certificate: serverAuth, subjectAltName */
    EMU_CERT_SIGNING, /* end entity: digitalSignature + nonRepudiation */
    EMU_CERT_CLIENT,  /* relying party: digitalSignature, clientAuth */
} emu_cert_kind;

typedef struct {
    emu_cert_kind kind;
    const emu_dn *subject;
    EVP_PKEY *pub;      /* the subject's public key */
    X509 *issuer;       /* NULL: self-signed */
    EVP_PKEY *sign_key; /* issuer's private key (the subject's own key when self-signed) */
    long not_before_s;  /* validity start, seconds from now (negative = past) */
    long not_after_s;   /* validity end, seconds from now */
    int path_len;       /* CA only; -1 = none */
    const char *san;    /* TLS only: e.g. "IP:127.0.0.1,DNS:localhost" */
} emu_cert_req;

X509 *emu_pki_issue(const emu_cert_req *req, char *err, size_t err_len);

/* PEM text of a certificate, a private key (PKCS#8, unencrypted), a public key. */
char *emu_pki_cert_pem(X509 *cert);
char *emu_pki_key_pem(EVP_PKEY *key);
char *emu_pki_pub_pem(EVP_PKEY *key);
/* Parse a PEM public key; NULL on failure. */
EVP_PKEY *emu_pki_pub_from_pem(const char *pem);

/* DER of a certificate, malloc'ed. */
int emu_pki_cert_der(X509 *cert, unsigned char **der, size_t *len);

/* PKCS#12 (key, certificate, chain) protected by password, DER, malloc'ed. */
int emu_pki_p12(EVP_PKEY *key, X509 *cert, X509 *ca, const char *name, const char *password,
                unsigned char **der, size_t *len);

#endif
