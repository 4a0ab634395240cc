#include "bench_verify.h"

#include <stdio.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

int bench_verifier_load(bench_verifier *v, const char *const cert_pem[BENCH_KEY_COUNT])
{
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        FILE *f = fopen(cert_pem[k], "r");
        X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
        if (f != NULL)
            fclose(f);
        v->pub[k] = x != NULL ? X509_get_pubkey(x) : NULL;
        X509_free(x);
        if (v->pub[k] == NULL) {
            fprintf(stderr, "bench: cannot read the public key of %s\n", cert_pem[k]);
            bench_verifier_free(v);
            return -1;
        }
    }
    return 0;
}

void bench_verifier_free(bench_verifier *v)
{
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        EVP_PKEY_free(v->pub[k]);
        v->pub[k] = NULL;
    }
}

/* PKCS#11 returns ECDSA as r||s of equal halves; OpenSSL wants DER. */
static unsigned char *raw_to_der(const unsigned char *sig, size_t len, int *der_len)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)(len / 2), NULL);
    BIGNUM *s = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
    unsigned char *der = NULL;
    if (es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s) == 1) {
        r = s = NULL;
        *der_len = i2d_ECDSA_SIG(es, &der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return der;
}

int bench_verify(const bench_verifier *v, bench_key key, bool ec_der, const unsigned char *msg,
                 size_t msg_len, const unsigned char *sig, size_t sig_len)
{
    EVP_PKEY *pub = v->pub[key];
    unsigned char *der = NULL;
    int ok = 0;
    if (key == BENCH_KEY_EC && !ec_der) {
        int der_len = 0;
        if ((der = raw_to_der(sig, sig_len, &der_len)) == NULL)
            return 0;
        sig = der;
        sig_len = (size_t)der_len;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) == 1)
        ok = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    return ok;
}
