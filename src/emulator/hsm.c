#include "emulator/hsm.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include <p11-kit/pkcs11.h>

/* Sessions kept open for reuse; more are opened on demand and closed on return. */
#define EMU_HSM_POOL 32

struct emu_hsm {
    void *lib;
    CK_FUNCTION_LIST_PTR f;
    int initialized;
    CK_SLOT_ID slot;
    int logged_in;
    CK_SESSION_HANDLE anchor; /* holds the login for the process */
    pthread_mutex_t pool_lock;
    CK_SESSION_HANDLE pool[EMU_HSM_POOL];
    size_t pool_len;
};

static void seterr(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static const char *rv_name(CK_RV rv)
{
    switch (rv) {
    case CKR_OK:
        return "CKR_OK";
    case CKR_ARGUMENTS_BAD:
        return "CKR_ARGUMENTS_BAD";
    case CKR_DEVICE_ERROR:
        return "CKR_DEVICE_ERROR";
    case CKR_GENERAL_ERROR:
        return "CKR_GENERAL_ERROR";
    case CKR_KEY_HANDLE_INVALID:
        return "CKR_KEY_HANDLE_INVALID";
    case CKR_MECHANISM_INVALID:
        return "CKR_MECHANISM_INVALID";
    case CKR_MECHANISM_PARAM_INVALID:
        return "CKR_MECHANISM_PARAM_INVALID";
    case CKR_DATA_LEN_RANGE:
        return "CKR_DATA_LEN_RANGE";
    case CKR_PIN_INCORRECT:
        return "CKR_PIN_INCORRECT";
    case CKR_SESSION_HANDLE_INVALID:
        return "CKR_SESSION_HANDLE_INVALID";
    case CKR_TOKEN_NOT_PRESENT:
        return "CKR_TOKEN_NOT_PRESENT";
    case CKR_USER_NOT_LOGGED_IN:
        return "CKR_USER_NOT_LOGGED_IN";
    case CKR_BUFFER_TOO_SMALL:
        return "CKR_BUFFER_TOO_SMALL";
    default:
        return "CKR_?";
    }
}

#define CK_FAIL(fn, rv) seterr(err, err_len, "%s: %s (0x%lx)", fn, rv_name(rv), (unsigned long)(rv))

const char *emu_hsm_default_module(void)
{
    static const char *const candidates[] = {
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib64/pkcs11/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    };
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    }
    return candidates[0];
}

int emu_hsm_open(const char *module_path, const char *softhsm_conf, emu_hsm **out, char *err,
                 size_t err_len)
{
    int rc = -1;
    emu_hsm *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        seterr(err, err_len, "out of memory");
        return -1;
    }
    pthread_mutex_init(&h->pool_lock, NULL);
    if (module_path == NULL)
        module_path = emu_hsm_default_module();
    if (setenv("SOFTHSM2_CONF", softhsm_conf, 1) != 0) {
        seterr(err, err_len, "cannot set SOFTHSM2_CONF");
        goto out;
    }
    h->lib = dlopen(module_path, RTLD_NOW | RTLD_LOCAL);
    if (h->lib == NULL) {
        seterr(err, err_len, "cannot load %s: %s", module_path, dlerror());
        goto out;
    }
    CK_C_GetFunctionList get;
    *(void **)&get = dlsym(h->lib, "C_GetFunctionList");
    if (get == NULL) {
        seterr(err, err_len, "%s has no C_GetFunctionList", module_path);
        goto out;
    }
    CK_RV rv = get(&h->f);
    if (rv != CKR_OK) {
        CK_FAIL("C_GetFunctionList", rv);
        goto out;
    }
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof(args));
    args.flags = CKF_OS_LOCKING_OK;
    rv = h->f->C_Initialize(&args);
    if (rv != CKR_OK) {
        CK_FAIL("C_Initialize", rv);
        goto out;
    }
    h->initialized = 1;
    *out = h;
    h = NULL;
    rc = 0;
out:
    emu_hsm_close(h);
    return rc;
}

void emu_hsm_close(emu_hsm *h)
{
    if (h == NULL)
        return;
    if (h->initialized) {
        for (size_t i = 0; i < h->pool_len; i++)
            h->f->C_CloseSession(h->pool[i]);
        if (h->logged_in) {
            h->f->C_Logout(h->anchor);
            h->f->C_CloseSession(h->anchor);
        }
        h->f->C_Finalize(NULL);
    }
    if (h->lib != NULL)
        dlclose(h->lib);
    pthread_mutex_destroy(&h->pool_lock);
    free(h);
}

/* A token label is 32 bytes padded with spaces. */
static void pad_label(const char *label, unsigned char out[32])
{
    size_t n = strlen(label);
    if (n > 32)
        n = 32;
    memset(out, ' ', 32);
    memcpy(out, label, n);
}

static int find_slot(emu_hsm *h, const char *label, int want_uninitialized, CK_SLOT_ID *slot,
                     char *err, size_t err_len)
{
    int rc = -1;
    CK_ULONG n = 0;
    CK_SLOT_ID *slots = NULL;
    unsigned char padded[32];
    CK_RV rv = h->f->C_GetSlotList(CK_TRUE, NULL, &n);
    if (rv != CKR_OK) {
        CK_FAIL("C_GetSlotList", rv);
        return -1;
    }
    slots = calloc(n + 1, sizeof(*slots));
    if (slots == NULL) {
        seterr(err, err_len, "out of memory");
        return -1;
    }
    rv = h->f->C_GetSlotList(CK_TRUE, slots, &n);
    if (rv != CKR_OK) {
        CK_FAIL("C_GetSlotList", rv);
        goto out;
    }
    if (label != NULL)
        pad_label(label, padded);
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (h->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            continue;
        int initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
        if (want_uninitialized ? !initialized
                               : (initialized && memcmp(ti.label, padded, 32) == 0)) {
            *slot = slots[i];
            rc = 0;
            goto out;
        }
    }
    if (want_uninitialized)
        seterr(err, err_len, "no free slot to initialise a token in");
    else
        seterr(err, err_len, "no token labelled '%s'", label);
out:
    free(slots);
    return rc;
}

int emu_hsm_init_token(emu_hsm *h, const char *label, const char *so_pin, const char *user_pin,
                       char *err, size_t err_len)
{
    CK_SLOT_ID slot;
    unsigned char padded[32];
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    int rc = -1;
    if (find_slot(h, NULL, 1, &slot, err, err_len) != 0)
        return -1;
    pad_label(label, padded);
    CK_RV rv = h->f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), padded);
    if (rv != CKR_OK) {
        CK_FAIL("C_InitToken", rv);
        return -1;
    }
    /* SoftHSM moves the new token to a new slot: look it up by label. */
    if (find_slot(h, label, 0, &slot, err, err_len) != 0)
        return -1;
    rv = h->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
    if (rv != CKR_OK) {
        CK_FAIL("C_OpenSession", rv);
        return -1;
    }
    rv = h->f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin));
    if (rv != CKR_OK) {
        CK_FAIL("C_Login(SO)", rv);
        goto out;
    }
    rv = h->f->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin));
    h->f->C_Logout(s);
    if (rv != CKR_OK) {
        CK_FAIL("C_InitPIN", rv);
        goto out;
    }
    rc = 0;
out:
    h->f->C_CloseSession(s);
    return rc;
}

int emu_hsm_login(emu_hsm *h, const char *label, const char *user_pin, char *err, size_t err_len)
{
    if (h->logged_in)
        return 0;
    if (find_slot(h, label, 0, &h->slot, err, err_len) != 0)
        return -1;
    CK_RV rv =
        h->f->C_OpenSession(h->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h->anchor);
    if (rv != CKR_OK) {
        CK_FAIL("C_OpenSession", rv);
        return -1;
    }
    rv = h->f->C_Login(h->anchor, CKU_USER, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        CK_FAIL("C_Login", rv);
        h->f->C_CloseSession(h->anchor);
        return -1;
    }
    h->logged_in = 1;
    return 0;
}

static int get_attr(emu_hsm *h, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
                    unsigned char **val, size_t *len, char *err, size_t err_len)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    CK_RV rv = h->f->C_GetAttributeValue(s, o, &a, 1);
    if (rv != CKR_OK || a.ulValueLen == (CK_ULONG)-1) {
        CK_FAIL("C_GetAttributeValue", rv);
        return -1;
    }
    a.pValue = malloc(a.ulValueLen + 1);
    if (a.pValue == NULL) {
        seterr(err, err_len, "out of memory");
        return -1;
    }
    rv = h->f->C_GetAttributeValue(s, o, &a, 1);
    if (rv != CKR_OK) {
        free(a.pValue);
        CK_FAIL("C_GetAttributeValue", rv);
        return -1;
    }
    *val = a.pValue;
    *len = a.ulValueLen;
    return 0;
}

/* Build an OpenSSL public key from the token's RSA public key object. */
static int rsa_public(emu_hsm *h, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, EVP_PKEY **pub,
                      char *err, size_t err_len)
{
    int rc = -1;
    unsigned char *n = NULL, *e = NULL;
    size_t n_len = 0, e_len = 0;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;

    if (get_attr(h, s, o, CKA_MODULUS, &n, &n_len, err, err_len) != 0 ||
        get_attr(h, s, o, CKA_PUBLIC_EXPONENT, &e, &e_len, err, err_len) != 0)
        goto out;
    bn_n = BN_bin2bn(n, (int)n_len, NULL);
    bn_e = BN_bin2bn(e, (int)e_len, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (bn_n == NULL || bn_e == NULL || bld == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, pub, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        seterr(err, err_len, "cannot build the RSA public key");
        goto out;
    }
    rc = 0;
out:
    free(n);
    free(e);
    BN_free(bn_n);
    BN_free(bn_e);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* Build an OpenSSL public key from the token's EC public key object. */
static int ec_public(emu_hsm *h, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, int nid, EVP_PKEY **pub,
                     char *err, size_t err_len)
{
    int rc = -1;
    unsigned char *der = NULL;
    size_t der_len = 0;
    ASN1_OCTET_STRING *os = NULL;
    OSSL_PARAM params[3];
    EVP_PKEY_CTX *ctx = NULL;

    if (get_attr(h, s, o, CKA_EC_POINT, &der, &der_len, err, err_len) != 0)
        goto out;
    /* CKA_EC_POINT is the DER OCTET STRING holding the uncompressed point. */
    const unsigned char *p = der;
    os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)der_len);
    if (os == NULL) {
        seterr(err, err_len, "CKA_EC_POINT is not a DER OCTET STRING");
        goto out;
    }
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)OBJ_nid2sn(nid), 0);
    params[1] = OSSL_PARAM_construct_octet_string(
        OSSL_PKEY_PARAM_PUB_KEY, (void *)ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os));
    params[2] = OSSL_PARAM_construct_end();
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, pub, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        seterr(err, err_len, "cannot build the EC public key");
        goto out;
    }
    rc = 0;
out:
    free(der);
    ASN1_OCTET_STRING_free(os);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int emu_hsm_generate(emu_hsm *h, size_t rsa_bits, int ec_nid, const char *id, EVP_PKEY **pub,
                     char *err, size_t err_len)
{
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG bits = rsa_bits;
    CK_BYTE exponent[] = {0x01, 0x00, 0x01};
    CK_OBJECT_HANDLE pub_h, priv_h;
    unsigned char *curve_der = NULL;
    int rc = -1;
    char label[80];

    if (!h->logged_in) {
        seterr(err, err_len, "token not logged in");
        return -1;
    }
    snprintf(label, sizeof(label), "credential %s", id);
    CK_ATTRIBUTE pub_t[8] = {
        {CKA_TOKEN, &yes, sizeof(yes)},   {CKA_PRIVATE, &no, sizeof(no)},
        {CKA_VERIFY, &yes, sizeof(yes)},  {CKA_ENCRYPT, &no, sizeof(no)},
        {CKA_ID, (void *)id, strlen(id)}, {CKA_LABEL, label, strlen(label)},
    };
    CK_ULONG pub_n = 6;
    CK_ATTRIBUTE priv_t[] = {
        {CKA_TOKEN, &yes, sizeof(yes)},     {CKA_PRIVATE, &yes, sizeof(yes)},
        {CKA_SENSITIVE, &yes, sizeof(yes)}, {CKA_EXTRACTABLE, &no, sizeof(no)},
        {CKA_SIGN, &yes, sizeof(yes)},      {CKA_DECRYPT, &no, sizeof(no)},
        {CKA_UNWRAP, &no, sizeof(no)},      {CKA_DERIVE, &no, sizeof(no)},
        {CKA_ID, (void *)id, strlen(id)},   {CKA_LABEL, label, strlen(label)},
    };
    CK_MECHANISM mech = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    if (rsa_bits > 0) {
        pub_t[pub_n++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof(bits)};
        pub_t[pub_n++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, exponent, sizeof(exponent)};
    } else {
        ASN1_OBJECT *obj = OBJ_nid2obj(ec_nid);
        int len = obj == NULL ? -1 : i2d_ASN1_OBJECT(obj, &curve_der);
        if (len <= 0) {
            seterr(err, err_len, "unknown curve");
            return -1;
        }
        pub_t[pub_n++] = (CK_ATTRIBUTE){CKA_EC_PARAMS, curve_der, (CK_ULONG)len};
        mech.mechanism = CKM_EC_KEY_PAIR_GEN;
    }
    CK_RV rv = h->f->C_GenerateKeyPair(h->anchor, &mech, pub_t, pub_n, priv_t,
                                       sizeof(priv_t) / sizeof(priv_t[0]), &pub_h, &priv_h);
    if (rv != CKR_OK) {
        CK_FAIL("C_GenerateKeyPair", rv);
        goto out;
    }
    if (rsa_bits > 0)
        rc = rsa_public(h, h->anchor, pub_h, pub, err, err_len);
    else
        rc = ec_public(h, h->anchor, pub_h, ec_nid, pub, err, err_len);
out:
    OPENSSL_free(curve_der);
    return rc;
}

int emu_hsm_find_key(emu_hsm *h, const char *id, unsigned long *handle, char *err, size_t err_len)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls, sizeof(cls)},
        {CKA_ID, (void *)id, strlen(id)},
    };
    CK_OBJECT_HANDLE found[2];
    CK_ULONG n = 0;
    if (!h->logged_in) {
        seterr(err, err_len, "token not logged in");
        return -1;
    }
    CK_RV rv = h->f->C_FindObjectsInit(h->anchor, t, 2);
    if (rv != CKR_OK) {
        CK_FAIL("C_FindObjectsInit", rv);
        return -1;
    }
    rv = h->f->C_FindObjects(h->anchor, found, 2, &n);
    h->f->C_FindObjectsFinal(h->anchor);
    if (rv != CKR_OK) {
        CK_FAIL("C_FindObjects", rv);
        return -1;
    }
    if (n != 1) {
        seterr(err, err_len, "%s private key with CKA_ID '%s' in the token",
               n == 0 ? "no" : "more than one", id);
        return -1;
    }
    *handle = found[0];
    return 0;
}

static int borrow_session(emu_hsm *h, CK_SESSION_HANDLE *s)
{
    pthread_mutex_lock(&h->pool_lock);
    if (h->pool_len > 0) {
        *s = h->pool[--h->pool_len];
        pthread_mutex_unlock(&h->pool_lock);
        return 0;
    }
    pthread_mutex_unlock(&h->pool_lock);
    CK_RV rv = h->f->C_OpenSession(h->slot, CKF_SERIAL_SESSION, NULL, NULL, s);
    return rv == CKR_OK ? 0 : -1;
}

static void return_session(emu_hsm *h, CK_SESSION_HANDLE s, int broken)
{
    if (!broken) {
        pthread_mutex_lock(&h->pool_lock);
        if (h->pool_len < EMU_HSM_POOL) {
            h->pool[h->pool_len++] = s;
            s = CK_INVALID_HANDLE;
        }
        pthread_mutex_unlock(&h->pool_lock);
    }
    if (s != CK_INVALID_HANDLE)
        h->f->C_CloseSession(s);
}

static CK_MECHANISM_TYPE hash_mech(rssp_hash_alg alg)
{
    switch (alg) {
    case RSSP_HASH_SHA1:
        return CKM_SHA_1;
    case RSSP_HASH_SHA224:
        return CKM_SHA224;
    case RSSP_HASH_SHA256:
        return CKM_SHA256;
    case RSSP_HASH_SHA384:
        return CKM_SHA384;
    case RSSP_HASH_SHA512:
        return CKM_SHA512;
    default:
        return CK_UNAVAILABLE_INFORMATION;
    }
}

static CK_RSA_PKCS_MGF_TYPE mgf_type(rssp_hash_alg alg)
{
    switch (alg) {
    case RSSP_HASH_SHA1:
        return CKG_MGF1_SHA1;
    case RSSP_HASH_SHA224:
        return CKG_MGF1_SHA224;
    case RSSP_HASH_SHA256:
        return CKG_MGF1_SHA256;
    case RSSP_HASH_SHA384:
        return CKG_MGF1_SHA384;
    case RSSP_HASH_SHA512:
        return CKG_MGF1_SHA512;
    default:
        return 0;
    }
}

int emu_hsm_sign(emu_hsm *h, unsigned long handle, const emu_mech *mech, const unsigned char *in,
                 size_t in_len, unsigned char *out, size_t out_cap, size_t *out_len, char *err,
                 size_t err_len)
{
    CK_RSA_PKCS_PSS_PARAMS pss;
    CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
    CK_SESSION_HANDLE s;
    int broken = 0;

    switch (mech->kind) {
    case EMU_MECH_RSA_PKCS:
        break;
    case EMU_MECH_RSA_PSS:
        pss.hashAlg = hash_mech(mech->pss_hash);
        pss.mgf = mgf_type(mech->pss_mgf1);
        pss.sLen = mech->pss_salt_len;
        m = (CK_MECHANISM){CKM_RSA_PKCS_PSS, &pss, sizeof(pss)};
        break;
    case EMU_MECH_ECDSA:
        m.mechanism = CKM_ECDSA;
        break;
    }
    if (borrow_session(h, &s) != 0) {
        seterr(err, err_len, "C_OpenSession failed");
        return -1;
    }
    CK_ULONG len = out_cap;
    CK_RV rv = h->f->C_SignInit(s, &m, handle);
    if (rv == CKR_OK)
        rv = h->f->C_Sign(s, (CK_BYTE_PTR)in, in_len, out, &len);
    if (rv != CKR_OK) {
        CK_FAIL("C_Sign", rv);
        /* A failed C_SignInit/C_Sign ends the operation; only odd errors break the session. */
        broken = rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
                 rv == CKR_OPERATION_ACTIVE || rv == CKR_DEVICE_ERROR;
        return_session(h, s, broken);
        return -1;
    }
    return_session(h, s, 0);
    *out_len = len;
    return 0;
}
