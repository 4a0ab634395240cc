/* Unit tests of src/crypto: X.509 parsing of RSA and EC certificates made in the test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto_test_util.h"

static const tu_cert_spec default_spec = {
    .common_name = "Signer \xc3\x9cml\xc3\xa4ut \xe2\x82\xac", /* UTF-8: "Signer Ümläut €" */
    .serial_hex = "8001fe",
    .not_before = "20240115093000Z",
    .not_after = "20340601120000Z",
    .ca = false,
};

static void assert_buf_equals(const rssp_buf *got, const unsigned char *want, size_t want_len)
{
    assert_non_null(got->data);
    assert_int_equal(got->len, want_len);
    assert_memory_equal(got->data, want, want_len);
}

static void assert_common_fields(const rssp_cert_info *ci, EVP_PKEY *key, const rssp_buf *der)
{
    assert_buf_equals(&ci->der, der->data, der->len);
    /* serial 0x8001fe needs a sign byte: 02 04 00 80 01 fe. */
    const unsigned char serial[] = {0x02, 0x04, 0x00, 0x80, 0x01, 0xfe};
    assert_buf_equals(&ci->serial, serial, sizeof(serial));

    rssp_buf spki = tu_spki(key);
    assert_buf_equals(&ci->spki, spki.data, spki.len);
    free(spki.data);

    const unsigned char *p = der->data;
    X509 *cert = d2i_X509(NULL, &p, (long)der->len);
    assert_non_null(cert);
    unsigned char *name = NULL;
    int name_len = i2d_X509_NAME(X509_get_subject_name(cert), &name);
    assert_true(name_len > 0);
    assert_buf_equals(&ci->subject, name, (size_t)name_len);
    assert_buf_equals(&ci->issuer, name, (size_t)name_len);
    OPENSSL_free(name);
    X509_free(cert);

    assert_string_equal(ci->not_before, "20240115");
    assert_string_equal(ci->not_after, "20340601");
    assert_non_null(ci->common_name);
    assert_string_equal(ci->common_name, default_spec.common_name);
    assert_true(ci->self_signed);
}

/* SHA-1 over the subjectPublicKey contents, computed another way: the encoded public key. */
static void assert_key_id(const rssp_cert_info *ci, EVP_PKEY *key)
{
    unsigned char *pub = NULL;
    int pub_len = i2d_PublicKey(key, &pub);
    assert_true(pub_len > 0);
    unsigned char sha1[20];
    assert_int_equal(EVP_Digest(pub, (size_t)pub_len, sha1, NULL, EVP_sha1(), NULL), 1);
    OPENSSL_free(pub);
    assert_buf_equals(&ci->key_id, sha1, sizeof(sha1));
}

static void test_rsa_certificate(void **state)
{
    (void)state;
    EVP_PKEY *key = tu_rsa_key(2048);
    rssp_buf der = tu_self_signed(key, &default_spec);
    rssp_cert_info ci;
    assert_int_equal(rssp_cert_parse(der.data, der.len, &ci), RSSP_CRYPTO_OK);

    assert_int_equal(ci.key_type, RSSP_KEY_RSA);
    assert_int_equal(ci.key_bits, 2048);
    assert_common_fields(&ci, key, &der);
    assert_key_id(&ci, key);
    assert_false(ci.is_ca);

    BIGNUM *n = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n), 1);
    unsigned char modulus[256];
    assert_int_equal(BN_bn2bin(n, modulus), 256);
    BN_free(n);
    assert_buf_equals(&ci.modulus, modulus, 256);
    assert_true(ci.modulus.data[0] != 0);
    const unsigned char exponent[] = {0x01, 0x00, 0x01};
    assert_buf_equals(&ci.public_exponent, exponent, 3);
    assert_null(ci.ec_params.data);
    assert_null(ci.ec_point.data);
    assert_int_equal(ci.ec_field_len, 0);

    rssp_cert_info_clear(&ci);
    assert_null(ci.der.data);
    assert_null(ci.common_name);
    free(der.data);
    EVP_PKEY_free(key);
}

static void check_ec_certificate(const char *curve, const char *oid_hex, size_t order_bits,
                                 size_t field_len)
{
    EVP_PKEY *key = tu_ec_key(curve);
    tu_cert_spec spec = default_spec;
    spec.ca = true;
    rssp_buf der = tu_self_signed(key, &spec);
    rssp_cert_info ci;
    assert_int_equal(rssp_cert_parse(der.data, der.len, &ci), RSSP_CRYPTO_OK);

    assert_int_equal(ci.key_type, RSSP_KEY_EC);
    assert_int_equal(ci.key_bits, order_bits);
    assert_int_equal(ci.ec_field_len, field_len);
    assert_common_fields(&ci, key, &der);
    assert_key_id(&ci, key);
    assert_true(ci.is_ca);

    rssp_buf oid = tu_hex(oid_hex);
    assert_buf_equals(&ci.ec_params, oid.data, oid.len);
    free(oid.data);

    /* CKA_EC_POINT: OCTET STRING around the uncompressed point. */
    unsigned char point[200];
    size_t point_len = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                                     sizeof(point), &point_len),
                     1);
    assert_int_equal(point[0], 0x04);
    assert_int_equal(point_len, 1 + 2 * field_len);
    size_t header = point_len < 128 ? 2 : 3;
    assert_int_equal(ci.ec_point.len, header + point_len);
    assert_int_equal(ci.ec_point.data[0], 0x04);
    if (header == 2) {
        assert_int_equal(ci.ec_point.data[1], point_len);
    } else {
        assert_int_equal(ci.ec_point.data[1], 0x81);
        assert_int_equal(ci.ec_point.data[2], point_len);
    }
    assert_memory_equal(ci.ec_point.data + header, point, point_len);
    assert_null(ci.modulus.data);

    rssp_cert_info_clear(&ci);
    free(der.data);
    EVP_PKEY_free(key);
}

static void test_ec_certificates(void **state)
{
    (void)state;
    check_ec_certificate("P-256", "06082a8648ce3d030107", 256, 32);
    check_ec_certificate("P-384", "06052b81040022", 384, 48);
    check_ec_certificate("P-521", "06052b81040023", 521, 66);
}

static void test_no_common_name_and_late_dates(void **state)
{
    (void)state;
    EVP_PKEY *key = tu_ec_key("P-256");
    tu_cert_spec spec = default_spec;
    spec.common_name = NULL;
    spec.not_after = "20991231235959Z"; /* GeneralizedTime */
    spec.serial_hex = "01";
    rssp_buf der = tu_self_signed(key, &spec);
    rssp_cert_info ci;
    assert_int_equal(rssp_cert_parse(der.data, der.len, &ci), RSSP_CRYPTO_OK);
    assert_null(ci.common_name);
    assert_string_equal(ci.not_after, "20991231");
    const unsigned char serial[] = {0x02, 0x01, 0x01};
    assert_buf_equals(&ci.serial, serial, sizeof(serial));
    rssp_cert_info_clear(&ci);
    free(der.data);
    EVP_PKEY_free(key);
}

static void test_other_key_type_is_unknown(void **state)
{
    (void)state;
    EVP_PKEY *key = tu_ed25519_key();
    rssp_buf der = tu_self_signed(key, &default_spec);
    rssp_cert_info ci;
    assert_int_equal(rssp_cert_parse(der.data, der.len, &ci), RSSP_CRYPTO_OK);
    assert_int_equal(ci.key_type, RSSP_KEY_UNKNOWN);
    assert_non_null(ci.spki.data);
    assert_int_equal(ci.key_id.len, 20);
    rssp_cert_info_clear(&ci);
    free(der.data);
    EVP_PKEY_free(key);
}

static void test_rejects(void **state)
{
    (void)state;
    EVP_PKEY *key = tu_ec_key("P-256");
    rssp_buf der = tu_self_signed(key, &default_spec);
    rssp_cert_info ci;

    /* Trailing byte. */
    unsigned char *longer = malloc(der.len + 1);
    assert_non_null(longer);
    memcpy(longer, der.data, der.len);
    longer[der.len] = 0;
    assert_int_equal(rssp_cert_parse(longer, der.len + 1, &ci), RSSP_CRYPTO_INVALID);
    assert_null(ci.der.data);
    free(longer);

    /* Every truncation. */
    for (size_t len = 0; len < der.len; len++) {
        assert_int_equal(rssp_cert_parse(der.data, len, &ci), RSSP_CRYPTO_INVALID);
        assert_null(ci.der.data);
    }
    assert_int_equal(rssp_cert_parse(NULL, 10, &ci), RSSP_CRYPTO_INVALID);
    assert_int_equal(rssp_cert_parse(der.data, der.len, NULL), RSSP_CRYPTO_INVALID);
    rssp_cert_info_clear(NULL);
    free(der.data);
    EVP_PKEY_free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_certificate),
        cmocka_unit_test(test_ec_certificates),
        cmocka_unit_test(test_no_common_name_and_late_dates),
        cmocka_unit_test(test_other_key_type_is_unknown),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
