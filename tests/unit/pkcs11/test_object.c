/*
 * pkcs11/object.c: the objects of a token built from certificates that the
 * test makes with OpenSSL, their attributes, C_GetAttributeValue semantics,
 * template matching, handles and allocation failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "alloc_shim.h"
#include "pkcs11/object.h"

#define FIRST_HANDLE 100UL
#define NOT_BEFORE "20240102030405Z"
#define NOT_AFTER "20340405060708Z"
#define UNKNOWN_ATTRIBUTE (CKA_VENDOR_DEFINED | 0x1234UL)

/* One certificate made by the test: OpenSSL objects, DER and parsed form. */
typedef struct {
    EVP_PKEY *key;
    X509 *cert;
    unsigned char *der;
    int der_len;
    rssp_cert_info info;
} test_cert;

/* Root CA (EC P-384, CN) -> intermediate CA (RSA, no CN) -> RSA and P-384 leaves; P-256
 * self-signed. */
typedef struct {
    test_cert root;
    test_cert inter;
    test_cert rsa_ee;
    test_cert p256_ee;
    test_cert p384_ee;
    rssp_cert_info chain[2]; /* shallow copies: inter, root */
} fixture;

static const CK_MECHANISM_TYPE rsa_mechs[] = {CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS,
                                              CKM_SHA256_RSA_PKCS_PSS};
static const CK_MECHANISM_TYPE ec_mechs[] = {CKM_ECDSA, CKM_ECDSA_SHA256};

static void make_key(const char *alg, EVP_PKEY **out)
{
    *out = strcmp(alg, "RSA") == 0 ? EVP_RSA_gen(2048) : EVP_EC_gen(alg);
    assert_non_null(*out);
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* A certificate for tc->key; issuer NULL: self-signed. cn NULL: subject without CN. */
static void make_cert(test_cert *tc, const char *alg, const char *cn, long serial, bool ca,
                      const test_cert *issuer)
{
    make_key(alg, &tc->key);
    X509 *x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
    X509_NAME *name = X509_get_subject_name(x);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                                (const unsigned char *)"RSSP test", -1, -1, 0),
                     1);
    if (cn != NULL) {
        assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                    (const unsigned char *)cn, -1, -1, 0),
                         1);
    }
    X509 *issuer_cert = issuer != NULL ? issuer->cert : x;
    EVP_PKEY *issuer_key = issuer != NULL ? issuer->key : tc->key;
    assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(issuer_cert)), 1);
    assert_int_equal(ASN1_TIME_set_string(X509_getm_notBefore(x), NOT_BEFORE), 1);
    assert_int_equal(ASN1_TIME_set_string(X509_getm_notAfter(x), NOT_AFTER), 1);
    assert_int_equal(X509_set_pubkey(x, tc->key), 1);
    add_ext(x, issuer_cert, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    add_ext(x, issuer_cert, NID_subject_key_identifier, "hash");
    assert_true(X509_sign(x, issuer_key, EVP_sha256()) > 0);
    tc->cert = x;
    tc->der = NULL;
    tc->der_len = i2d_X509(x, &tc->der);
    assert_true(tc->der_len > 0);
    assert_int_equal(rssp_cert_parse(tc->der, (size_t)tc->der_len, &tc->info), RSSP_CRYPTO_OK);
}

static void free_cert(test_cert *tc)
{
    rssp_cert_info_clear(&tc->info);
    OPENSSL_free(tc->der);
    X509_free(tc->cert);
    EVP_PKEY_free(tc->key);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    make_cert(&f->root, "P-384", "RSSP Test Root CA", 1, true, NULL);
    make_cert(&f->inter, "RSA", NULL, 2, true, &f->root);
    make_cert(&f->rsa_ee, "RSA", "Alice RSA", 3, false, &f->inter);
    make_cert(&f->p256_ee, "P-256", "Bob P-256", 4, false, NULL);
    make_cert(&f->p384_ee, "P-384", "Carol P-384", 5, false, &f->root);
    f->chain[0] = f->inter.info;
    f->chain[1] = f->root.info;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    free_cert(&f->root);
    free_cert(&f->inter);
    free_cert(&f->rsa_ee);
    free_cert(&f->p256_ee);
    free_cert(&f->p384_ee);
    free(f);
    return 0;
}

static p11_object_spec rsa_spec(const fixture *f)
{
    p11_object_spec spec = {
        .ee = &f->rsa_ee.info,
        .chain = f->chain,
        .n_chain = 2,
        .label = "Alice signing key",
        .mechanisms = rsa_mechs,
        .n_mechanisms = sizeof(rsa_mechs) / sizeof(rsa_mechs[0]),
        .always_authenticate = false,
        .first_handle = FIRST_HANDLE,
    };
    return spec;
}

static p11_object_spec ec_spec(const test_cert *ee, bool with_root, const fixture *f)
{
    p11_object_spec spec = {
        .ee = &ee->info,
        .chain = with_root ? &f->chain[1] : NULL,
        .n_chain = with_root ? 1 : 0,
        .label = "EC key",
        .mechanisms = ec_mechs,
        .n_mechanisms = sizeof(ec_mechs) / sizeof(ec_mechs[0]),
        .always_authenticate = true,
        .first_handle = FIRST_HANDLE,
    };
    return spec;
}

/* ---- independent expectations, computed from the OpenSSL objects ---- */

/* SHA-1 of the subjectPublicKey BIT STRING contents. */
static void expected_key_id(const test_cert *tc, unsigned char out[20])
{
    ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(tc->cert);
    assert_non_null(bits);
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), out,
                                &len, EVP_sha1(), NULL),
                     1);
    assert_int_equal(len, 20);
}

static size_t bn_bytes(const test_cert *tc, const char *param, unsigned char *out, size_t cap)
{
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(tc->key, param, &bn), 1);
    size_t len = (size_t)BN_num_bytes(bn);
    assert_true(len <= cap);
    assert_int_equal(BN_bn2bin(bn, out), (int)len);
    BN_free(bn);
    return len;
}

static size_t der_of_name(const X509_NAME *name, unsigned char *out, size_t cap)
{
    unsigned char *der = NULL;
    int len = i2d_X509_NAME(name, &der);
    assert_true(len > 0 && (size_t)len <= cap);
    memcpy(out, der, (size_t)len);
    OPENSSL_free(der);
    return (size_t)len;
}

static size_t curve_oid_der(int nid, unsigned char *out, size_t cap)
{
    unsigned char *der = NULL;
    int len = i2d_ASN1_OBJECT(OBJ_nid2obj(nid), &der);
    assert_true(len > 0 && (size_t)len <= cap);
    memcpy(out, der, (size_t)len);
    OPENSSL_free(der);
    return (size_t)len;
}

/* DER OCTET STRING of the uncompressed public point. */
static size_t ec_point_der(const test_cert *tc, unsigned char *out, size_t cap)
{
    unsigned char point[200];
    size_t point_len = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(tc->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                                     point, sizeof(point), &point_len),
                     1);
    assert_int_equal(point[0], 0x04);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    assert_non_null(os);
    assert_int_equal(ASN1_OCTET_STRING_set(os, point, (int)point_len), 1);
    unsigned char *der = NULL;
    int len = i2d_ASN1_OCTET_STRING(os, &der);
    assert_true(len > 0 && (size_t)len <= cap);
    memcpy(out, der, (size_t)len);
    OPENSSL_free(der);
    ASN1_OCTET_STRING_free(os);
    return (size_t)len;
}

/* ---- attribute helpers ---- */

static void assert_attr_bytes(const p11_object *obj, CK_ATTRIBUTE_TYPE type, const void *value,
                              size_t len)
{
    const CK_ATTRIBUTE *a = p11_object_attr(obj, type);
    if (a == NULL) {
        fail_msg("attribute 0x%lx missing on object %lu", type, obj->handle);
    }
    assert_int_equal(a->ulValueLen, len);
    if (len > 0) {
        assert_memory_equal(a->pValue, value, len);
    } else {
        assert_null(a->pValue);
    }
}

static void assert_attr_ulong(const p11_object *obj, CK_ATTRIBUTE_TYPE type, CK_ULONG value)
{
    assert_attr_bytes(obj, type, &value, sizeof(value));
}

static void assert_attr_bool(const p11_object *obj, CK_ATTRIBUTE_TYPE type, bool value)
{
    CK_BBOOL b = value ? CK_TRUE : CK_FALSE;
    assert_attr_bytes(obj, type, &b, sizeof(b));
}

static void assert_attr_absent(const p11_object *obj, CK_ATTRIBUTE_TYPE type)
{
    if (p11_object_attr(obj, type) != NULL) {
        fail_msg("attribute 0x%lx present on object %lu", type, obj->handle);
    }
}

static void assert_attr_string(const p11_object *obj, CK_ATTRIBUTE_TYPE type, const char *s)
{
    assert_attr_bytes(obj, type, s, strlen(s));
}

static void assert_storage(const p11_object *obj, CK_OBJECT_CLASS cls, bool is_private,
                           const char *label)
{
    assert_int_equal(obj->cls, cls);
    assert_int_equal(obj->is_private, is_private);
    assert_attr_ulong(obj, CKA_CLASS, cls);
    assert_attr_bool(obj, CKA_TOKEN, true);
    assert_attr_bool(obj, CKA_PRIVATE, is_private);
    assert_attr_bool(obj, CKA_MODIFIABLE, false);
    assert_attr_bool(obj, CKA_COPYABLE, false);
    assert_attr_bool(obj, CKA_DESTROYABLE, false);
    assert_attr_string(obj, CKA_LABEL, label);
}

static void assert_dates(const p11_object *obj)
{
    CK_DATE start, end;
    memcpy(&start, "20240102", sizeof(start));
    memcpy(&end, "20340405", sizeof(end));
    assert_attr_bytes(obj, CKA_START_DATE, &start, sizeof(start));
    assert_attr_bytes(obj, CKA_END_DATE, &end, sizeof(end));
}

/* Everything a certificate object carries, checked against tc made by OpenSSL. */
static void assert_certificate(const p11_object *obj, const test_cert *tc, const char *label,
                               CK_ULONG category, const test_cert *issuer)
{
    unsigned char buf[4096];
    unsigned char key_id[20];
    assert_storage(obj, CKO_CERTIFICATE, false, label);
    assert_null(obj->sensitive);
    assert_int_equal(obj->n_sensitive, 0);
    assert_attr_ulong(obj, CKA_CERTIFICATE_TYPE, CKC_X_509);
    assert_attr_ulong(obj, CKA_CERTIFICATE_CATEGORY, category);
    assert_attr_bool(obj, CKA_TRUSTED, false);
    assert_attr_bytes(obj, CKA_VALUE, tc->der, (size_t)tc->der_len);
    expected_key_id(tc, key_id);
    assert_attr_bytes(obj, CKA_ID, key_id, sizeof(key_id));
    assert_attr_bytes(obj, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, key_id, sizeof(key_id));
    if (issuer != NULL) {
        expected_key_id(issuer, key_id);
        assert_attr_bytes(obj, CKA_HASH_OF_ISSUER_PUBLIC_KEY, key_id, sizeof(key_id));
    } else {
        assert_attr_bytes(obj, CKA_HASH_OF_ISSUER_PUBLIC_KEY, NULL, 0);
    }
    unsigned char sha1[20];
    unsigned int sha1_len = 0;
    assert_int_equal(EVP_Digest(tc->der, (size_t)tc->der_len, sha1, &sha1_len, EVP_sha1(), NULL),
                     1);
    assert_attr_bytes(obj, CKA_CHECK_VALUE, sha1, 3);
    size_t len = der_of_name(X509_get_subject_name(tc->cert), buf, sizeof(buf));
    assert_attr_bytes(obj, CKA_SUBJECT, buf, len);
    len = der_of_name(X509_get_issuer_name(tc->cert), buf, sizeof(buf));
    assert_attr_bytes(obj, CKA_ISSUER, buf, len);
    unsigned char *der = NULL;
    int der_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(tc->cert), &der);
    assert_true(der_len > 0);
    assert_attr_bytes(obj, CKA_SERIAL_NUMBER, der, (size_t)der_len);
    OPENSSL_free(der);
    der = NULL;
    der_len = i2d_PUBKEY(tc->key, &der);
    assert_true(der_len > 0);
    assert_attr_bytes(obj, CKA_PUBLIC_KEY_INFO, der, (size_t)der_len);
    OPENSSL_free(der);
    assert_attr_bytes(obj, CKA_URL, NULL, 0);
    assert_attr_ulong(obj, CKA_JAVA_MIDP_SECURITY_DOMAIN, 0);
    assert_attr_ulong(obj, CKA_NAME_HASH_ALGORITHM, CKM_SHA_1);
    assert_dates(obj);
    assert_attr_absent(obj, CKA_KEY_TYPE);
    assert_attr_absent(obj, CKA_MODULUS);
    assert_attr_absent(obj, CKA_SIGN);
}

/* Attributes both keys of the credential carry. */
static void assert_key_common(const p11_object *obj, const test_cert *ee, CK_KEY_TYPE key_type,
                              const CK_MECHANISM_TYPE *mechs, size_t n_mechs)
{
    unsigned char buf[4096];
    unsigned char key_id[20];
    expected_key_id(ee, key_id);
    assert_attr_bytes(obj, CKA_ID, key_id, sizeof(key_id));
    assert_attr_ulong(obj, CKA_KEY_TYPE, key_type);
    assert_attr_bool(obj, CKA_DERIVE, false);
    assert_attr_bool(obj, CKA_LOCAL, false);
    assert_attr_ulong(obj, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
    assert_attr_bytes(obj, CKA_ALLOWED_MECHANISMS, mechs, n_mechs * sizeof(*mechs));
    size_t len = der_of_name(X509_get_subject_name(ee->cert), buf, sizeof(buf));
    assert_attr_bytes(obj, CKA_SUBJECT, buf, len);
    unsigned char *der = NULL;
    int der_len = i2d_PUBKEY(ee->key, &der);
    assert_true(der_len > 0);
    assert_attr_bytes(obj, CKA_PUBLIC_KEY_INFO, der, (size_t)der_len);
    OPENSSL_free(der);
    assert_dates(obj);
    assert_attr_absent(obj, CKA_VALUE);
    assert_attr_absent(obj, CKA_CERTIFICATE_TYPE);
}

static void assert_private_key_flags(const p11_object *obj, bool always_authenticate)
{
    assert_attr_bool(obj, CKA_SENSITIVE, true);
    assert_attr_bool(obj, CKA_DECRYPT, false);
    assert_attr_bool(obj, CKA_SIGN, true);
    assert_attr_bool(obj, CKA_SIGN_RECOVER, false);
    assert_attr_bool(obj, CKA_UNWRAP, false);
    assert_attr_bool(obj, CKA_EXTRACTABLE, false);
    assert_attr_bool(obj, CKA_ALWAYS_SENSITIVE, true);
    assert_attr_bool(obj, CKA_NEVER_EXTRACTABLE, true);
    assert_attr_bool(obj, CKA_WRAP_WITH_TRUSTED, false);
    assert_attr_bool(obj, CKA_ALWAYS_AUTHENTICATE, always_authenticate);
    assert_attr_absent(obj, CKA_VERIFY);
}

static void assert_public_key_flags(const p11_object *obj)
{
    assert_attr_bool(obj, CKA_ENCRYPT, false);
    assert_attr_bool(obj, CKA_VERIFY, true);
    assert_attr_bool(obj, CKA_VERIFY_RECOVER, false);
    assert_attr_bool(obj, CKA_WRAP, false);
    assert_attr_bool(obj, CKA_TRUSTED, false);
    assert_attr_absent(obj, CKA_SIGN);
    assert_attr_absent(obj, CKA_SENSITIVE);
}

/* ---- the object sets ---- */

static void test_rsa_objects(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    assert_int_equal(set.count, 5);
    for (size_t i = 0; i < set.count; i++) {
        assert_int_equal(set.items[i].handle, FIRST_HANDLE + i);
    }

    assert_certificate(&set.items[0], &f->rsa_ee, "Alice signing key", 1, &f->inter);
    assert_certificate(&set.items[3], &f->inter, "CA certificate 1", 2, &f->root);
    assert_certificate(&set.items[4], &f->root, "RSSP Test Root CA", 2, &f->root);

    unsigned char n[512], e[8];
    size_t n_len = bn_bytes(&f->rsa_ee, OSSL_PKEY_PARAM_RSA_N, n, sizeof(n));
    size_t e_len = bn_bytes(&f->rsa_ee, OSSL_PKEY_PARAM_RSA_E, e, sizeof(e));
    assert_int_equal(n_len, 256);

    const p11_object *priv = &set.items[1];
    assert_storage(priv, CKO_PRIVATE_KEY, true, "Alice signing key");
    assert_key_common(priv, &f->rsa_ee, CKK_RSA, rsa_mechs, 3);
    assert_private_key_flags(priv, false);
    assert_attr_bytes(priv, CKA_MODULUS, n, n_len);
    assert_attr_bytes(priv, CKA_PUBLIC_EXPONENT, e, e_len);
    assert_attr_ulong(priv, CKA_MODULUS_BITS, 2048);
    assert_int_equal(priv->n_sensitive, 6);

    const p11_object *pub = &set.items[2];
    assert_storage(pub, CKO_PUBLIC_KEY, false, "Alice signing key");
    assert_key_common(pub, &f->rsa_ee, CKK_RSA, rsa_mechs, 3);
    assert_public_key_flags(pub);
    assert_attr_bytes(pub, CKA_MODULUS, n, n_len);
    assert_attr_bytes(pub, CKA_PUBLIC_EXPONENT, e, e_len);
    assert_attr_ulong(pub, CKA_MODULUS_BITS, 2048);
    assert_attr_absent(pub, CKA_EC_POINT);
    assert_null(pub->sensitive);

    p11_object_set_clear(&set);
    assert_null(set.items);
    assert_int_equal(set.count, 0);
    p11_object_set_clear(&set);
}

static void check_ec_objects(const fixture *f, const test_cert *ee, int curve_nid, bool with_root)
{
    p11_object_spec spec = ec_spec(ee, with_root, f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    assert_int_equal(set.count, with_root ? 4 : 3);
    /* self-signed: its own key is the issuer's */
    assert_certificate(&set.items[0], ee, "EC key", 1, with_root ? &f->root : ee);
    if (with_root) {
        assert_certificate(&set.items[3], &f->root, "RSSP Test Root CA", 2, &f->root);
    }

    unsigned char params[32], point[200];
    size_t params_len = curve_oid_der(curve_nid, params, sizeof(params));
    size_t point_len = ec_point_der(ee, point, sizeof(point));
    size_t field = curve_nid == NID_X9_62_prime256v1 ? 32 : 48;
    assert_int_equal(point_len, 2 + 1 + 2 * field);

    const p11_object *priv = &set.items[1];
    assert_storage(priv, CKO_PRIVATE_KEY, true, "EC key");
    assert_key_common(priv, ee, CKK_EC, ec_mechs, 2);
    assert_private_key_flags(priv, true);
    assert_attr_bytes(priv, CKA_EC_PARAMS, params, params_len);
    assert_attr_absent(priv, CKA_EC_POINT);
    assert_attr_absent(priv, CKA_MODULUS);
    assert_int_equal(priv->n_sensitive, 1);

    const p11_object *pub = &set.items[2];
    assert_storage(pub, CKO_PUBLIC_KEY, false, "EC key");
    assert_key_common(pub, ee, CKK_EC, ec_mechs, 2);
    assert_public_key_flags(pub);
    assert_attr_bytes(pub, CKA_EC_PARAMS, params, params_len);
    assert_attr_bytes(pub, CKA_EC_POINT, point, point_len);
    assert_attr_absent(pub, CKA_MODULUS);
    p11_object_set_clear(&set);
}

static void test_ec_p256_self_signed(void **state)
{
    const fixture *f = *state;
    check_ec_objects(f, &f->p256_ee, NID_X9_62_prime256v1, false);
}

static void test_ec_p384_with_root(void **state)
{
    const fixture *f = *state;
    check_ec_objects(f, &f->p384_ee, NID_secp384r1, true);
}

/* The certificate and both keys share CKA_ID; the CA certificates have their own. */
static void test_shared_id(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    unsigned char ee_id[20], inter_id[20];
    expected_key_id(&f->rsa_ee, ee_id);
    expected_key_id(&f->inter, inter_id);
    assert_memory_not_equal(ee_id, inter_id, sizeof(ee_id));
    CK_ATTRIBUTE tmpl = {CKA_ID, ee_id, sizeof(ee_id)};
    size_t matched = 0;
    for (size_t i = 0; i < set.count; i++) {
        if (p11_object_matches(&set.items[i], &tmpl, 1)) {
            assert_true(i < 3);
            matched++;
        }
    }
    assert_int_equal(matched, 3);
    p11_object_set_clear(&set);
}

static void test_no_label_and_no_mechanisms(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = ec_spec(&f->p256_ee, false, f);
    spec.label = NULL;
    spec.mechanisms = NULL;
    spec.n_mechanisms = 0;
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    assert_attr_bytes(&set.items[0], CKA_LABEL, NULL, 0);
    assert_attr_bytes(&set.items[1], CKA_LABEL, NULL, 0);
    assert_attr_bytes(&set.items[1], CKA_ALLOWED_MECHANISMS, NULL, 0);
    p11_object_set_clear(&set);
}

static void test_unusable_spec(void **state)
{
    const fixture *f = *state;
    static p11_object dummy;
    p11_object_set set = {&dummy, 99};
    rssp_cert_info broken = f->rsa_ee.info;
    broken.key_type = RSSP_KEY_UNKNOWN;
    p11_object_spec spec = rsa_spec(f);
    spec.ee = &broken;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_GENERAL_ERROR);
    assert_null(set.items);
    assert_int_equal(set.count, 0);

    broken = f->p256_ee.info;
    broken.ec_point.len = 0;
    spec.ee = &broken;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_GENERAL_ERROR);

    spec = rsa_spec(f);
    spec.first_handle = CK_INVALID_HANDLE;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_GENERAL_ERROR);
    spec.first_handle = ~0UL - 2; /* five objects would wrap */
    assert_int_equal(p11_objects_build(&spec, &set), CKR_GENERAL_ERROR);

    spec = rsa_spec(f);
    spec.chain = NULL;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_GENERAL_ERROR);
    spec = rsa_spec(f);
    spec.ee = NULL;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_GENERAL_ERROR);
    assert_int_equal(p11_objects_build(NULL, &set), CKR_GENERAL_ERROR);
}

/* ---- C_GetAttributeValue ---- */

static void test_get_values_and_lengths(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    const p11_object *cert = &set.items[0];

    CK_OBJECT_CLASS cls = 0;
    CK_ATTRIBUTE tmpl[] = {
        {CKA_CLASS, &cls, sizeof(cls)},
        {CKA_VALUE, NULL, 0},
        {CKA_URL, NULL, 12345},
    };
    assert_int_equal(p11_object_get_attributes(cert, tmpl, 3), CKR_OK);
    assert_int_equal(cls, CKO_CERTIFICATE);
    assert_int_equal(tmpl[0].ulValueLen, sizeof(cls));
    assert_int_equal(tmpl[1].ulValueLen, (CK_ULONG)f->rsa_ee.der_len);
    assert_int_equal(tmpl[2].ulValueLen, 0);

    /* exact size, then larger: copied, length set to the exact size */
    unsigned char *value = malloc((size_t)f->rsa_ee.der_len + 10);
    assert_non_null(value);
    tmpl[1].pValue = value;
    tmpl[1].ulValueLen = (CK_ULONG)f->rsa_ee.der_len + 10;
    assert_int_equal(p11_object_get_attributes(cert, &tmpl[1], 1), CKR_OK);
    assert_int_equal(tmpl[1].ulValueLen, (CK_ULONG)f->rsa_ee.der_len);
    assert_memory_equal(value, f->rsa_ee.der, (size_t)f->rsa_ee.der_len);

    /* too small: CK_UNAVAILABLE_INFORMATION, nothing written past the buffer */
    memset(value, 0xA5, (size_t)f->rsa_ee.der_len + 10);
    tmpl[1].ulValueLen = (CK_ULONG)f->rsa_ee.der_len - 1;
    cls = 0;
    assert_int_equal(p11_object_get_attributes(cert, tmpl, 2), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(tmpl[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(value[f->rsa_ee.der_len - 1], 0xA5);
    assert_int_equal(cls, CKO_CERTIFICATE); /* the other attribute still filled */
    free(value);

    /* an empty value into a non-NULL buffer */
    unsigned char url[4] = {0};
    CK_ATTRIBUTE empty = {CKA_URL, url, sizeof(url)};
    assert_int_equal(p11_object_get_attributes(cert, &empty, 1), CKR_OK);
    assert_int_equal(empty.ulValueLen, 0);

    assert_int_equal(p11_object_get_attributes(cert, NULL, 0), CKR_OK);
    assert_int_equal(p11_object_get_attributes(cert, NULL, 1), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11_object_get_attributes(NULL, tmpl, 1), CKR_ARGUMENTS_BAD);
    p11_object_set_clear(&set);
}

static void test_unknown_attribute(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    const p11_object *pub = &set.items[2];

    CK_KEY_TYPE kt = 0;
    char label[64] = {0};
    unsigned char junk[8];
    CK_ATTRIBUTE tmpl[] = {
        {CKA_KEY_TYPE, &kt, sizeof(kt)},
        {UNKNOWN_ATTRIBUTE, junk, sizeof(junk)},
        {CKA_EC_POINT, junk, sizeof(junk)}, /* not on an RSA key */
        {CKA_LABEL, label, sizeof(label)},
    };
    assert_int_equal(p11_object_get_attributes(pub, tmpl, 4), CKR_ATTRIBUTE_TYPE_INVALID);
    assert_int_equal(tmpl[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(tmpl[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(kt, CKK_RSA);
    assert_int_equal(tmpl[0].ulValueLen, sizeof(kt));
    assert_int_equal(tmpl[3].ulValueLen, strlen("Alice signing key"));
    assert_string_equal(label, "Alice signing key");
    p11_object_set_clear(&set);
}

static void check_sensitive(const p11_object *priv, const CK_ATTRIBUTE_TYPE *types, size_t n)
{
    unsigned char buf[600];
    for (size_t i = 0; i < n; i++) {
        CK_ATTRIBUTE tmpl[] = {{types[i], buf, sizeof(buf)}, {types[i], NULL, 0}};
        assert_int_equal(p11_object_get_attributes(priv, tmpl, 2), CKR_ATTRIBUTE_SENSITIVE);
        assert_int_equal(tmpl[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
        assert_int_equal(tmpl[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
        /* a sensitive attribute is never found by a search either */
        assert_false(p11_object_matches(priv, tmpl, 1));
    }
}

static void test_sensitive_attributes(void **state)
{
    const fixture *f = *state;
    static const CK_ATTRIBUTE_TYPE rsa[] = {CKA_PRIVATE_EXPONENT, CKA_PRIME_1,    CKA_PRIME_2,
                                            CKA_EXPONENT_1,       CKA_EXPONENT_2, CKA_COEFFICIENT};
    static const CK_ATTRIBUTE_TYPE ec[] = {CKA_VALUE};
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    check_sensitive(&set.items[1], rsa, 6);
    /* the public key has no private parts at all */
    CK_ATTRIBUTE pe = {CKA_PRIVATE_EXPONENT, NULL, 0};
    assert_int_equal(p11_object_get_attributes(&set.items[2], &pe, 1), CKR_ATTRIBUTE_TYPE_INVALID);
    p11_object_set_clear(&set);

    spec = ec_spec(&f->p256_ee, false, f);
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    check_sensitive(&set.items[1], ec, 1);
    /* CKA_VALUE of the certificate stays readable */
    CK_ATTRIBUTE value = {CKA_VALUE, NULL, 0};
    assert_int_equal(p11_object_get_attributes(&set.items[0], &value, 1), CKR_OK);
    assert_int_equal(value.ulValueLen, (CK_ULONG)f->p256_ee.der_len);
    p11_object_set_clear(&set);
}

/* Sensitive wins over type-invalid, which wins over buffer-too-small; all are processed. */
static void test_error_precedence(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    const p11_object *priv = &set.items[1];
    unsigned char small[1], modulus[256];
    CK_BBOOL sign = CK_FALSE;
    CK_ATTRIBUTE tmpl[] = {
        {CKA_MODULUS, small, sizeof(small)},
        {UNKNOWN_ATTRIBUTE, NULL, 0},
        {CKA_PRIME_1, NULL, 0},
        {CKA_SIGN, &sign, sizeof(sign)},
    };
    assert_int_equal(p11_object_get_attributes(priv, tmpl, 4), CKR_ATTRIBUTE_SENSITIVE);
    assert_int_equal(tmpl[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(tmpl[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(tmpl[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(sign, CK_TRUE);

    tmpl[0].ulValueLen = sizeof(small);
    assert_int_equal(p11_object_get_attributes(priv, tmpl, 2), CKR_ATTRIBUTE_TYPE_INVALID);
    tmpl[0].ulValueLen = sizeof(small);
    assert_int_equal(p11_object_get_attributes(priv, tmpl, 1), CKR_BUFFER_TOO_SMALL);
    tmpl[0].pValue = modulus;
    tmpl[0].ulValueLen = sizeof(modulus);
    assert_int_equal(p11_object_get_attributes(priv, tmpl, 1), CKR_OK);
    assert_int_equal(tmpl[0].ulValueLen, 256);
    p11_object_set_clear(&set);
}

/* ---- C_FindObjects matching and handles ---- */

static size_t count_matches(const p11_object_set *set, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
    size_t matched = 0;
    for (size_t i = 0; i < set->count; i++) {
        matched += p11_object_matches(&set->items[i], tmpl, n) ? 1 : 0;
    }
    return matched;
}

static void test_matching(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);

    CK_OBJECT_CLASS cert = CKO_CERTIFICATE, priv = CKO_PRIVATE_KEY, data = CKO_DATA;
    CK_ULONG authority = 2;
    unsigned char id[20];
    expected_key_id(&f->rsa_ee, id);
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE, odd_true = 0xff;
    char label[] = "Alice signing key";
    char root_label[] = "RSSP Test Root CA";

    assert_int_equal(count_matches(&set, NULL, 0), 5);
    CK_ATTRIBUTE by_class = {CKA_CLASS, &cert, sizeof(cert)};
    assert_int_equal(count_matches(&set, &by_class, 1), 3);
    CK_ATTRIBUTE by_data = {CKA_CLASS, &data, sizeof(data)};
    assert_int_equal(count_matches(&set, &by_data, 1), 0);
    CK_ATTRIBUTE class_id[] = {{CKA_CLASS, &priv, sizeof(priv)}, {CKA_ID, id, sizeof(id)}};
    assert_int_equal(count_matches(&set, class_id, 2), 1);
    assert_true(p11_object_matches(&set.items[1], class_id, 2));
    CK_ATTRIBUTE cert_id[] = {{CKA_CLASS, &cert, sizeof(cert)}, {CKA_ID, id, sizeof(id)}};
    assert_int_equal(count_matches(&set, cert_id, 2), 1);
    assert_true(p11_object_matches(&set.items[0], cert_id, 2));
    CK_ATTRIBUTE ca_certs[] = {{CKA_CLASS, &cert, sizeof(cert)},
                               {CKA_CERTIFICATE_CATEGORY, &authority, sizeof(authority)}};
    assert_int_equal(count_matches(&set, ca_certs, 2), 2);

    CK_ATTRIBUTE by_label = {CKA_LABEL, label, strlen(label)};
    assert_int_equal(count_matches(&set, &by_label, 1), 3);
    CK_ATTRIBUTE by_root_label = {CKA_LABEL, root_label, strlen(root_label)};
    assert_int_equal(count_matches(&set, &by_root_label, 1), 1);
    assert_true(p11_object_matches(&set.items[4], &by_root_label, 1));
    /* a prefix of the label is a different value */
    CK_ATTRIBUTE label_prefix = {CKA_LABEL, label, 5};
    assert_int_equal(count_matches(&set, &label_prefix, 1), 0);

    id[19] ^= 1;
    assert_int_equal(count_matches(&set, class_id, 2), 0);
    id[19] ^= 1;
    /* wrong length of the same value */
    CK_ATTRIBUTE short_class = {CKA_CLASS, &cert, 4};
    assert_int_equal(count_matches(&set, &short_class, 1), 0);
    /* an attribute only the keys have */
    unsigned char n[512];
    size_t n_len = bn_bytes(&f->rsa_ee, OSSL_PKEY_PARAM_RSA_N, n, sizeof(n));
    CK_ATTRIBUTE by_modulus = {CKA_MODULUS, n, n_len};
    assert_int_equal(count_matches(&set, &by_modulus, 1), 2);
    CK_ATTRIBUTE cert_modulus[] = {{CKA_CLASS, &cert, sizeof(cert)}, by_modulus};
    assert_int_equal(count_matches(&set, cert_modulus, 2), 0);
    CK_ATTRIBUTE unknown = {UNKNOWN_ATTRIBUTE, NULL, 0};
    assert_int_equal(count_matches(&set, &unknown, 1), 0);
    CK_ATTRIBUTE null_value = {CKA_CLASS, NULL, sizeof(cert)};
    assert_int_equal(count_matches(&set, &null_value, 1), 0);

    /* booleans: by truth value */
    CK_ATTRIBUTE sign[] = {{CKA_SIGN, &yes, sizeof(yes)}};
    assert_int_equal(count_matches(&set, sign, 1), 1);
    sign[0].pValue = &odd_true;
    assert_int_equal(count_matches(&set, sign, 1), 1);
    assert_true(p11_object_matches(&set.items[1], sign, 1));
    sign[0].pValue = &no;
    assert_int_equal(count_matches(&set, sign, 1), 0);
    CK_ATTRIBUTE is_private = {CKA_PRIVATE, &no, sizeof(no)};
    assert_int_equal(count_matches(&set, &is_private, 1), 4);
    CK_ATTRIBUTE token = {CKA_TOKEN, &yes, sizeof(yes)};
    assert_int_equal(count_matches(&set, &token, 1), 5);
    /* empty value matches only an empty attribute */
    CK_ATTRIBUTE url = {CKA_URL, NULL, 0};
    assert_int_equal(count_matches(&set, &url, 1), 3);
    assert_false(p11_object_matches(NULL, NULL, 0));
    p11_object_set_clear(&set);
}

static void test_find_by_handle(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    assert_int_equal(p11_objects_build(&spec, &set), CKR_OK);
    for (CK_OBJECT_HANDLE h = FIRST_HANDLE; h < FIRST_HANDLE + 5; h++) {
        const p11_object *obj = p11_object_find(&set, h);
        assert_non_null(obj);
        assert_int_equal(obj->handle, h);
    }
    assert_int_equal(p11_object_find(&set, FIRST_HANDLE + 1)->cls, CKO_PRIVATE_KEY);
    assert_int_equal(p11_object_find(&set, FIRST_HANDLE + 2)->cls, CKO_PUBLIC_KEY);
    assert_null(p11_object_find(&set, FIRST_HANDLE - 1));
    assert_null(p11_object_find(&set, FIRST_HANDLE + 5));
    assert_null(p11_object_find(&set, CK_INVALID_HANDLE));
    assert_null(p11_object_find(NULL, FIRST_HANDLE));
    p11_object_set_clear(&set);
    assert_null(p11_object_find(&set, FIRST_HANDLE));
}

/* Every allocation of the build fails once: CKR_HOST_MEMORY, nothing left over (cmocka checks). */
static void test_allocation_failures(void **state)
{
    const fixture *f = *state;
    p11_object_spec spec = rsa_spec(f);
    p11_object_set set;
    long failures = 0;
    for (long n = 0;; n++) {
        alloc_shim_fail_at(n);
        CK_RV rv = p11_objects_build(&spec, &set);
        if (rv == CKR_OK) {
            break;
        }
        assert_int_equal(rv, CKR_HOST_MEMORY);
        assert_null(set.items);
        assert_int_equal(set.count, 0);
        failures++;
        assert_true(failures < 10000);
    }
    /* one array, the object array growth and one copy per attribute at least */
    assert_true(failures > 100);
    alloc_shim_fail_at(-1);
    assert_int_equal(set.count, 5);
    p11_object_set_clear(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_objects),
        cmocka_unit_test(test_ec_p256_self_signed),
        cmocka_unit_test(test_ec_p384_with_root),
        cmocka_unit_test(test_shared_id),
        cmocka_unit_test(test_no_label_and_no_mechanisms),
        cmocka_unit_test(test_unusable_spec),
        cmocka_unit_test(test_get_values_and_lengths),
        cmocka_unit_test(test_unknown_attribute),
        cmocka_unit_test(test_sensitive_attributes),
        cmocka_unit_test(test_error_precedence),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_find_by_handle),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
