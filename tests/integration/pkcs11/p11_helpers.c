#include "p11_helpers.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static void *lib;

CK_FUNCTION_LIST_3_0 *p11t_load(void)
{
    lib = dlopen(RSSP_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return NULL;
    }
    CK_C_GetInterface get = (CK_C_GetInterface)dlsym(lib, "C_GetInterface");
    CK_INTERFACE_PTR itf;
    if (get == NULL || get(NULL, NULL, &itf, 0) != CKR_OK)
        return NULL;
    return itf->pFunctionList;
}

void p11t_unload(void)
{
    if (lib != NULL)
        dlclose(lib);
    lib = NULL;
}

CK_OBJECT_HANDLE p11t_find(CK_FUNCTION_LIST_3_0 *f, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
    CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof cls};
    CK_OBJECT_HANDLE h = 0;
    CK_ULONG n = 0;
    if (f->C_FindObjectsInit(s, &t, 1) != CKR_OK)
        return 0;
    if (f->C_FindObjects(s, &h, 1, &n) != CKR_OK || n != 1)
        h = 0;
    f->C_FindObjectsFinal(s);
    return h;
}

unsigned char *p11t_attr(CK_FUNCTION_LIST_3_0 *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                         CK_ATTRIBUTE_TYPE type, size_t *len)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    if (f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
        return NULL;
    a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1);
    if (a.pValue == NULL || f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK) {
        free(a.pValue);
        return NULL;
    }
    *len = a.ulValueLen;
    return a.pValue;
}

static const EVP_MD *md_of(CK_MECHANISM_TYPE m)
{
    switch (m) {
    case CKM_SHA_1:
    case CKM_SHA1_RSA_PKCS:
    case CKM_SHA1_RSA_PKCS_PSS:
    case CKM_ECDSA_SHA1:
        return EVP_sha1();
    case CKM_SHA224:
    case CKM_SHA224_RSA_PKCS:
    case CKM_SHA224_RSA_PKCS_PSS:
    case CKM_ECDSA_SHA224:
        return EVP_sha224();
    case CKM_SHA256:
    case CKM_SHA256_RSA_PKCS:
    case CKM_SHA256_RSA_PKCS_PSS:
    case CKM_ECDSA_SHA256:
        return EVP_sha256();
    case CKM_SHA384:
    case CKM_SHA384_RSA_PKCS:
    case CKM_SHA384_RSA_PKCS_PSS:
    case CKM_ECDSA_SHA384:
        return EVP_sha384();
    case CKM_SHA512:
    case CKM_SHA512_RSA_PKCS:
    case CKM_SHA512_RSA_PKCS_PSS:
    case CKM_ECDSA_SHA512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

static const EVP_MD *mgf_md(CK_RSA_PKCS_MGF_TYPE mgf)
{
    switch (mgf) {
    case CKG_MGF1_SHA1:
        return EVP_sha1();
    case CKG_MGF1_SHA224:
        return EVP_sha224();
    case CKG_MGF1_SHA256:
        return EVP_sha256();
    case CKG_MGF1_SHA384:
        return EVP_sha384();
    default:
        return EVP_sha512();
    }
}

/* raw r||s -> DER */
static unsigned char *ecdsa_der(const unsigned char *sig, size_t len, int *der_len)
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

int p11t_openssl_verify(const unsigned char *cert_der, size_t cert_len, CK_MECHANISM_TYPE mech,
                        const CK_RSA_PKCS_PSS_PARAMS *pss, const unsigned char *data,
                        size_t data_len, const unsigned char *sig, size_t sig_len)
{
    int ok = 0;
    const unsigned char *p = cert_der;
    X509 *x = d2i_X509(NULL, &p, (long)cert_len);
    EVP_PKEY *key = x != NULL ? X509_get_pubkey(x) : NULL;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    int der_len = 0;
    const EVP_MD *md = md_of(mech);
    int is_ec = key != NULL && EVP_PKEY_is_a(key, "EC");

    if (key == NULL || mctx == NULL)
        goto out;
    if (is_ec) {
        if ((der = ecdsa_der(sig, sig_len, &der_len)) == NULL)
            goto out;
        sig = der;
        sig_len = (size_t)der_len;
    }
    if (md != NULL) { /* hash-and-sign: OpenSSL hashes the data */
        if (EVP_DigestVerifyInit(mctx, &pctx, md, NULL, key) != 1)
            goto out;
        if (pss != NULL && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf_md(pss->mgf)) != 1 ||
                            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)pss->sLen) != 1))
            goto out;
        ok = EVP_DigestVerify(mctx, sig, sig_len, data, data_len) == 1;
        goto out;
    }
    pctx = EVP_PKEY_CTX_new(key, NULL);
    if (pctx == NULL)
        goto out;
    if (mech == CKM_RSA_PKCS) { /* data is the DigestInfo: recover and compare */
        unsigned char rec[1024];
        size_t rec_len = sizeof rec;
        if (EVP_PKEY_verify_recover_init(pctx) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
            EVP_PKEY_verify_recover(pctx, rec, &rec_len, sig, sig_len) != 1)
            goto out;
        ok = rec_len == data_len && CRYPTO_memcmp(rec, data, data_len) == 0;
        goto out;
    }
    if (EVP_PKEY_verify_init(pctx) != 1)
        goto out;
    if (mech == CKM_RSA_PKCS_PSS &&
        (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
         EVP_PKEY_CTX_set_signature_md(pctx, md_of(pss->hashAlg)) != 1 ||
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf_md(pss->mgf)) != 1 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)pss->sLen) != 1))
        goto out;
    ok = EVP_PKEY_verify(pctx, sig, sig_len, data, data_len) == 1;
out:
    if (md == NULL)
        EVP_PKEY_CTX_free(pctx);
    OPENSSL_free(der);
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_free(key);
    X509_free(x);
    return ok;
}

CK_RV p11t_sign_once(CK_FUNCTION_LIST_3_0 *f, CK_SESSION_HANDLE s)
{
    static const unsigned char data[] = "rssp-pkcs11 test";
    CK_OBJECT_HANDLE priv = p11t_find(f, s, CKO_PRIVATE_KEY);
    CK_OBJECT_HANDLE cert = p11t_find(f, s, CKO_CERTIFICATE);
    size_t cert_len;
    unsigned char *der = p11t_attr(f, s, cert, CKA_VALUE, &cert_len);
    assert_non_null(der);
    CK_KEY_TYPE kt;
    CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof kt};
    assert_int_equal(f->C_GetAttributeValue(s, priv, &a, 1), CKR_OK);
    CK_MECHANISM m = {kt == CKK_EC ? CKM_ECDSA_SHA256 : CKM_SHA256_RSA_PKCS, NULL, 0};
    unsigned char sig[512];
    CK_ULONG len = sizeof sig;
    CK_RV rv = f->C_SignInit(s, &m, priv);
    if (rv == CKR_OK)
        rv = f->C_Sign(s, (CK_BYTE_PTR)data, sizeof data, sig, &len);
    if (rv == CKR_OK)
        assert_true(
            p11t_openssl_verify(der, cert_len, m.mechanism, NULL, data, sizeof data, sig, len));
    free(der);
    return rv;
}

long p11t_served(const rssp_emu *emu, const char *method)
{
    char *body = NULL;
    long n = -1;
    if (rssp_emu_admin(emu, "GET", "stats", NULL, &body) == 200) {
        cJSON *j = cJSON_Parse(body);
        cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(j, "requests"), method);
        if (cJSON_IsNumber(v))
            n = (long)v->valuedouble;
        cJSON_Delete(j);
    }
    free(body);
    return n;
}

long p11t_live_tokens(const rssp_emu *emu, const char *kind)
{
    char *body = NULL;
    long n = -1;
    if (rssp_emu_admin(emu, "GET", "stats", NULL, &body) == 200) {
        cJSON *j = cJSON_Parse(body);
        cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(j, "tokens"), kind);
        if (cJSON_IsNumber(v))
            n = (long)v->valuedouble;
        cJSON_Delete(j);
    }
    free(body);
    return n;
}

int p11t_demo_config(const rssp_emu *emu, const char *name, const char *const edits[][2])
{
    char src[PATH_MAX], dst[PATH_MAX], line[1024];
    /* in the protocol's folder, so that the relative paths of the demo stay valid */
    rssp_emu_config(emu, "rssp-pkcs11.conf", src, sizeof src);
    rssp_emu_config(emu, name, dst, sizeof dst);
    FILE *in = fopen(src, "r");
    int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (in == NULL || out == NULL) {
        if (in != NULL)
            fclose(in);
        if (out != NULL)
            fclose(out);
        else if (fd >= 0)
            close(fd);
        return -1;
    }
    while (fgets(line, sizeof line, in) != NULL) {
        const char *repl = NULL;
        for (size_t i = 0; edits[i][0] != NULL && repl == NULL; i++) {
            if (strncmp(line, edits[i][0], strlen(edits[i][0])) == 0)
                repl = edits[i][1];
        }
        if (repl != NULL)
            fprintf(out, "%s\n", repl);
        else
            fputs(line, out);
    }
    fclose(in);
    int rc = fclose(out) == 0 ? 0 : -1;
    setenv("RSSP_PKCS11_CONF", dst, 1);
    return rc;
}
