/* Helpers for the crypto unit tests: hex, keys and certificates made with OpenSSL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto_test_util.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

rssp_buf tu_hex(const char *hex)
{
    rssp_buf b = {NULL, 0};
    b.data = malloc(strlen(hex) / 2 + 1);
    assert_non_null(b.data);
    int high = -1;
    for (const char *p = hex; *p != '\0'; p++) {
        if (*p == ' ')
            continue;
        int v = hex_value(*p);
        assert_true(v >= 0);
        if (high < 0) {
            high = v;
        } else {
            b.data[b.len++] = (unsigned char)(high << 4 | v);
            high = -1;
        }
    }
    assert_true(high < 0);
    return b;
}

/* Copy an i2d_* result into malloc'ed memory, so tests free everything with free(). */
static rssp_buf take_der(unsigned char *der, int len)
{
    assert_true(len > 0);
    rssp_buf b = {malloc((size_t)len), (size_t)len};
    assert_non_null(b.data);
    memcpy(b.data, der, (size_t)len);
    OPENSSL_free(der);
    return b;
}

EVP_PKEY *tu_rsa_key(unsigned bits)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    assert_non_null(key);
    return key;
}

EVP_PKEY *tu_ec_key(const char *curve)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    assert_non_null(key);
    return key;
}

EVP_PKEY *tu_ed25519_key(void)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(key);
    return key;
}

rssp_buf tu_self_signed(EVP_PKEY *key, const tu_cert_spec *spec)
{
    X509 *cert = X509_new();
    assert_non_null(cert);
    assert_int_equal(X509_set_version(cert, X509_VERSION_3), 1);

    rssp_buf serial_bytes = tu_hex(spec->serial_hex);
    BIGNUM *serial = BN_bin2bn(serial_bytes.data, (int)serial_bytes.len, NULL);
    assert_non_null(serial);
    assert_non_null(BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)));
    BN_free(serial);
    free(serial_bytes.data);

    assert_int_equal(ASN1_TIME_set_string_X509(X509_getm_notBefore(cert), spec->not_before), 1);
    assert_int_equal(ASN1_TIME_set_string_X509(X509_getm_notAfter(cert), spec->not_after), 1);

    X509_NAME *name = X509_get_subject_name(cert);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                                (const unsigned char *)"RSSP Test", -1, -1, 0),
                     1);
    if (spec->common_name != NULL)
        assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                    (const unsigned char *)spec->common_name, -1,
                                                    -1, 0),
                         1);
    assert_int_equal(X509_set_issuer_name(cert, name), 1);
    assert_int_equal(X509_set_pubkey(cert, key), 1);

    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, NULL, NID_basic_constraints,
                                               spec->ca ? "critical,CA:TRUE" : "CA:FALSE");
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);

    int is_eddsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
    assert_true(X509_sign(cert, key, is_eddsa ? NULL : EVP_sha256()) > 0);

    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    X509_free(cert);
    return take_der(der, len);
}

rssp_buf tu_spki(EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(key, &der);
    return take_der(der, len);
}

void tu_fill_pseudo_random(unsigned char *out, size_t len, unsigned *state)
{
    for (size_t i = 0; i < len; i++) {
        /* xorshift32: reproducible garbage, no need for quality. */
        unsigned x = *state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *state = x;
        out[i] = (unsigned char)(x >> 24);
    }
}
