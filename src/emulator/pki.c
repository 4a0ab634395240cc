#include "emulator/pki.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

static void seterr(char *err, size_t err_len, const char *what)
{
    if (err == NULL || err_len == 0)
        return;
    unsigned long e = ERR_get_error();
    if (e != 0) {
        char buf[200];
        ERR_error_string_n(e, buf, sizeof(buf));
        snprintf(err, err_len, "%s: %s", what, buf);
    } else {
        snprintf(err, err_len, "%s", what);
    }
    ERR_clear_error();
}

EVP_PKEY *emu_pki_keygen(int bits, const char *curve)
{
    if (bits > 0)
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

static int add_entry(X509_NAME *n, const char *field, const char *value)
{
    if (value == NULL)
        return 1;
    return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)value, -1, -1,
                                      0);
}

static X509_NAME *make_name(const emu_dn *dn)
{
    X509_NAME *n = X509_NAME_new();
    if (n == NULL)
        return NULL;
    if (!add_entry(n, "C", dn->c) || !add_entry(n, "O", dn->o) || !add_entry(n, "OU", dn->ou) ||
        !add_entry(n, "serialNumber", dn->serial_number) || !add_entry(n, "CN", dn->cn) ||
        !add_entry(n, "emailAddress", dn->email)) {
        X509_NAME_free(n);
        return NULL;
    }
    return n;
}

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (ext == NULL)
        return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static int random_serial(X509 *cert)
{
    unsigned char raw[16];
    int ok = 0;
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return 0;
    raw[0] = (unsigned char)((raw[0] & 0x7f) | 0x10); /* positive, 16 bytes, never zero */
    BIGNUM *bn = BN_bin2bn(raw, sizeof(raw), NULL);
    if (bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL)
        ok = 1;
    BN_free(bn);
    return ok;
}

static int add_extensions(X509 *cert, X509 *issuer, const emu_cert_req *req)
{
    X509V3_CTX ctx;
    char bc[64];
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
    if (!add_ext(cert, &ctx, NID_subject_key_identifier, "hash"))
        return 0;
    if (issuer != NULL && !add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always"))
        return 0;
    switch (req->kind) {
    case EMU_CERT_CA:
        if (req->path_len >= 0)
            snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d", req->path_len);
        else
            snprintf(bc, sizeof(bc), "critical,CA:TRUE");
        return add_ext(cert, &ctx, NID_basic_constraints, bc) &&
               add_ext(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    case EMU_CERT_TLS:
        return add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
               add_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
               add_ext(cert, &ctx, NID_ext_key_usage, "serverAuth") &&
               (req->san == NULL || add_ext(cert, &ctx, NID_subject_alt_name, req->san));
    case EMU_CERT_SIGNING:
        /* No extendedKeyUsage: the same certificate signs PDFs, jars, e-mail and TLS. */
        return add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
               add_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation");
    case EMU_CERT_CLIENT:
        return add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
               add_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature") &&
               add_ext(cert, &ctx, NID_ext_key_usage, "clientAuth");
    }
    return 0;
}

X509 *emu_pki_issue(const emu_cert_req *req, char *err, size_t err_len)
{
    X509 *cert = X509_new();
    X509_NAME *subject = NULL;
    if (cert == NULL) {
        seterr(err, err_len, "X509_new");
        return NULL;
    }
    subject = make_name(req->subject);
    if (subject == NULL || !X509_set_version(cert, 2) || !random_serial(cert) ||
        !X509_set_subject_name(cert, subject) ||
        !X509_set_issuer_name(cert,
                              req->issuer != NULL ? X509_get_subject_name(req->issuer) : subject) ||
        X509_gmtime_adj(X509_getm_notBefore(cert), req->not_before_s) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), req->not_after_s) == NULL ||
        !X509_set_pubkey(cert, req->pub)) {
        seterr(err, err_len, "cannot fill the certificate");
        goto fail;
    }
    if (!add_extensions(cert, req->issuer, req)) {
        seterr(err, err_len, "cannot add certificate extensions");
        goto fail;
    }
    if (X509_sign(cert, req->sign_key, EVP_sha256()) <= 0) {
        seterr(err, err_len, "cannot sign the certificate");
        goto fail;
    }
    X509_NAME_free(subject);
    return cert;
fail:
    X509_NAME_free(subject);
    X509_free(cert);
    return NULL;
}

static char *bio_text(BIO *b)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *s = NULL;
    if (n >= 0 && (s = malloc((size_t)n + 1)) != NULL) {
        memcpy(s, data, (size_t)n);
        s[n] = '\0';
    }
    BIO_free(b);
    return s;
}

char *emu_pki_cert_pem(X509 *cert)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL || !PEM_write_bio_X509(b, cert)) {
        BIO_free(b);
        return NULL;
    }
    return bio_text(b);
}

char *emu_pki_key_pem(EVP_PKEY *key)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL || !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)) {
        BIO_free(b);
        return NULL;
    }
    return bio_text(b);
}

char *emu_pki_pub_pem(EVP_PKEY *key)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL || !PEM_write_bio_PUBKEY(b, key)) {
        BIO_free(b);
        return NULL;
    }
    return bio_text(b);
}

EVP_PKEY *emu_pki_pub_from_pem(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b == NULL ? NULL : PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    BIO_free(b);
    return k;
}

int emu_pki_cert_der(X509 *cert, unsigned char **der, size_t *len)
{
    unsigned char *buf = NULL;
    int n = i2d_X509(cert, &buf);
    if (n <= 0)
        return -1;
    *der = malloc((size_t)n);
    if (*der == NULL) {
        OPENSSL_free(buf);
        return -1;
    }
    memcpy(*der, buf, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(buf);
    return 0;
}

int emu_pki_p12(EVP_PKEY *key, X509 *cert, X509 *ca, const char *name, const char *password,
                unsigned char **der, size_t *len)
{
    int rc = -1;
    STACK_OF(X509) *cas = sk_X509_new_null();
    PKCS12 *p12 = NULL;
    unsigned char *buf = NULL;
    if (cas == NULL || (ca != NULL && !sk_X509_push(cas, ca)))
        goto out;
    /* OpenSSL 3 defaults: AES-256-CBC with PBKDF2, HMAC-SHA-256 MAC. */
    p12 = PKCS12_create(password, name, key, cert, cas, 0, 0, 0, 0, 0);
    if (p12 == NULL)
        goto out;
    int n = i2d_PKCS12(p12, &buf);
    if (n <= 0 || (*der = malloc((size_t)n)) == NULL)
        goto out;
    memcpy(*der, buf, (size_t)n);
    *len = (size_t)n;
    rc = 0;
out:
    OPENSSL_free(buf);
    PKCS12_free(p12);
    sk_X509_free(cas);
    return rc;
}
