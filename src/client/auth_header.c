#include "client/auth_header.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>

#include "client/status_internal.h"
#include "common/secmem.h"
#include "crypto/crypto.h"
#include "crypto/hash_md.h"
#include "rssp/appsign.h"

/* A key file larger than this is not a key file. */
#define KEY_FILE_MAX (1024 * 1024)

/* Never prompt on a terminal: no password configured means the key must be unencrypted. */
static int pem_password(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *password = u;
    if (password == NULL || size < 0)
        return -1;
    size_t n = strlen(password);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, password, n);
    return (int)n;
}

static rssp_err read_key_file(const char *path, unsigned char **data, size_t *len, rssp_status *st)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return rssp_fail(st, RSSP_ERR_CONFIG, "cannot open the relying party key file");
    unsigned char *buf = malloc(KEY_FILE_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, KEY_FILE_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n == 0 || n > KEY_FILE_MAX) {
        OPENSSL_cleanse(buf, n);
        free(buf);
        return rssp_fail(st, RSSP_ERR_CONFIG,
                         "relying party key file is unreadable, empty "
                         "or too large");
    }
    *data = buf;
    *len = n;
    return RSSP_OK;
}

static bool looks_like_pem(const unsigned char *data, size_t len)
{
    static const char marker[] = "-----BEGIN";
    for (size_t i = 0; i + sizeof marker - 1 <= len; i++) {
        if (memcmp(data + i, marker, sizeof marker - 1) == 0)
            return true;
    }
    return false;
}

static EVP_PKEY *load_pem(const unsigned char *data, size_t len, const char *password)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL)
        return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, pem_password, (void *)password);
    BIO_free(bio);
    return key;
}

static EVP_PKEY *load_pkcs12(const unsigned char *data, size_t len, const char *password)
{
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    if (p12 == NULL)
        return NULL;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    STACK_OF(X509) *ca = NULL;
    if (PKCS12_parse(p12, password, &key, &cert, &ca) != 1)
        key = NULL;
    X509_free(cert);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);
    return key;
}

rssp_err rssp_rp_key_load(const char *path, const char *password, EVP_PKEY **out, rssp_status *st)
{
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return rssp_fail(st, RSSP_ERR_CONFIG, "no relying party key file configured");
    unsigned char *data = NULL;
    size_t len = 0;
    rssp_err err = read_key_file(path, &data, &len, st);
    if (err != RSSP_OK)
        return err;

    bool pem = looks_like_pem(data, len);
    EVP_PKEY *key = pem ? load_pem(data, len, password) : load_pkcs12(data, len, password);
    OPENSSL_cleanse(data, len);
    free(data);
    if (key == NULL)
        return rssp_fail(st, RSSP_ERR_CONFIG,
                         "cannot read the relying party key (%s): wrong format or password",
                         pem ? "PEM" : "PKCS#12");
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        EVP_PKEY_free(key);
        return rssp_fail(st, RSSP_ERR_CONFIG, "the relying party key is not an RSA key");
    }
    *out = key;
    return RSSP_OK;
}

/* Concatenate parts with sep between them (sep '\0' = none) into secret memory. */
static char *secret_join(const char *const *parts, size_t n, char sep)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(parts[i]) + 1;
    char *tmp = malloc(total + 1);
    if (tmp == NULL)
        return NULL;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && sep != '\0')
            tmp[pos++] = sep;
        size_t l = strlen(parts[i]);
        memcpy(tmp + pos, parts[i], l);
        pos += l;
    }
    char *out = rssp_secret_dup(tmp, pos);
    OPENSSL_cleanse(tmp, total + 1);
    free(tmp);
    return out;
}

/* Base64 of data, in secret memory. */
static char *base64_secret(const void *data, size_t len)
{
    char *enc = rssp_base64_encode(data, len);
    if (enc == NULL)
        return NULL;
    char *out = rssp_secret_strdup(enc);
    rssp_str_free_secret(enc);
    return out;
}

/* SSL2 signs with SHA-1 unless configured otherwise (rssp-protocol.md §1.4). */
static const EVP_MD *ssl2_md(rssp_hash_alg hash)
{
    return rssp_hash_md(hash == RSSP_HASH_NONE ? RSSP_HASH_SHA1 : hash);
}

/* RSASSA-PKCS1-v1_5 signature of msg, Base64-encoded (not secret: it is public proof). */
static rssp_err pkcs1_sign_base64(EVP_PKEY *key, const EVP_MD *md, const char *msg, char **out,
                                  rssp_status *st)
{
    *out = NULL;
    rssp_err err = RSSP_OK;
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (EVP_DigestSignInit(ctx, &pctx, md, NULL, key) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_DigestSign(ctx, NULL, &sig_len, (const unsigned char *)msg, strlen(msg)) != 1) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot sign with the relying party key");
        goto out;
    }
    sig = malloc(sig_len);
    if (sig == NULL) {
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)msg, strlen(msg)) != 1) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot sign with the relying party key");
        goto out;
    }
    *out = rssp_base64_encode(sig, sig_len);
    if (*out == NULL)
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
out:
    free(sig);
    EVP_MD_CTX_free(ctx);
    return err;
}

rssp_err rssp_ssl2_credential(const char *u, const char *p, const char *s, long long now_ms,
                              EVP_PKEY *key, rssp_hash_alg hash, char **out, rssp_status *st)
{
    *out = NULL;
    if (u == NULL || p == NULL || s == NULL || key == NULL)
        return rssp_fail(st, RSSP_ERR_CONFIG,
                         "SSL2 needs the RP username, password, "
                         "signature and key");
    /* The server splits on ':' with P as the only field that may hold one. */
    if (strchr(u, ':') != NULL || strchr(s, ':') != NULL)
        return rssp_fail(st, RSSP_ERR_CONFIG, "SSL2 username and signature must not contain ':'");
    const EVP_MD *md = ssl2_md(hash);
    if (md == NULL || now_ms < 0)
        return rssp_fail(st, RSSP_ERR_ARGS, "invalid SSL2 hash or time");

    char t[24];
    snprintf(t, sizeof t, "%lld", now_ms);
    rssp_err err = RSSP_OK;
    char *x = NULL;
    char *cred = NULL;
    char *signed_text = secret_join((const char *const[]){u, p, s, t}, 4, '\0');
    if (signed_text == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    err = pkcs1_sign_base64(key, md, signed_text, &x, st);
    if (err != RSSP_OK)
        goto out;
    cred = secret_join((const char *const[]){u, p, s, t, x}, 5, ':');
    if (cred == NULL) {
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        goto out;
    }
    *out = base64_secret(cred, strlen(cred));
    if (*out == NULL)
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
out:
    rssp_secret_free(signed_text);
    rssp_secret_free(cred);
    free(x);
    return err;
}

rssp_err rssp_basic_credential(const char *user_type, const char *username, const char *password,
                               char **out, rssp_status *st)
{
    *out = NULL;
    if (user_type == NULL)
        user_type = "USERNAME";
    if (username == NULL || password == NULL)
        return rssp_fail(st, RSSP_ERR_CONFIG, "Basic needs a username and a password");
    /* The server splits at the first two colons; only the password may contain one. */
    if (strchr(user_type, ':') != NULL || strchr(username, ':') != NULL)
        return rssp_fail(st, RSSP_ERR_CONFIG, "user type and username must not contain ':'");
    char *plain = secret_join((const char *const[]){user_type, username, password}, 3, ':');
    if (plain == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    *out = base64_secret(plain, strlen(plain));
    rssp_secret_free(plain);
    return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
}

static rssp_err appsign_value(const rssp_login_material *m, long long now_ms, char **out,
                              rssp_status *st)
{
    *out = NULL;
    if (m->app_api_key == NULL || m->app_api_secret == NULL)
        return rssp_fail(st, RSSP_ERR_CONFIG, "AppSign needs an api_key and an api_secret");
    if (m->app_sign_ttl < 0)
        return rssp_fail(st, RSSP_ERR_CONFIG, "AppSign ttl must not be negative");
    char *sign = NULL;
    rssp_appsign_result r = rssp_appsign_make(
        m->app_api_key, (const unsigned char *)m->app_api_secret, strlen(m->app_api_secret),
        (int64_t)(now_ms / 1000), (int64_t)m->app_sign_ttl, NULL, &sign);
    if (r == RSSP_APPSIGN_NOMEM)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (r != RSSP_APPSIGN_OK)
        return rssp_fail(st, RSSP_ERR_CONFIG, "cannot make the AppSign: %s",
                         rssp_appsign_message(r));
    *out = rssp_secret_strdup(sign);
    rssp_str_free_secret(sign);
    return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
}

rssp_err rssp_login_authorization(const rssp_login_material *m, long long now_ms, char **out,
                                  rssp_status *st)
{
    *out = NULL;
    rssp_err err = RSSP_OK;
    char *rp = NULL;
    char *owner = NULL;
    const char *scheme = NULL;

    switch (m->rp_auth) {
    case RSSP_RP_AUTH_SSL2:
        scheme = "SSL2 ";
        err = rssp_ssl2_credential(m->rp_username, m->rp_password, m->rp_signature, now_ms,
                                   m->rp_key, m->ssl2_hash, &rp, st);
        break;
    case RSSP_RP_AUTH_APPSIGN:
        scheme = "AppSign ";
        err = appsign_value(m, now_ms, &rp, st);
        break;
    default:
        err = rssp_fail(st, RSSP_ERR_CONFIG, "unknown relying party authentication");
        break;
    }
    if (err != RSSP_OK)
        goto out;
    if (m->username != NULL) {
        err = rssp_basic_credential(m->user_type, m->username, m->password, &owner, st);
        if (err != RSSP_OK)
            goto out;
        *out = secret_join((const char *const[]){scheme, rp, ", Basic ", owner}, 4, '\0');
    } else {
        *out = secret_join((const char *const[]){scheme, rp}, 2, '\0');
    }
    if (*out == NULL)
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
out:
    rssp_secret_free(rp);
    rssp_secret_free(owner);
    return err;
}

rssp_err rssp_bearer_authorization(const char *token, char **out, rssp_status *st)
{
    *out = secret_join((const char *const[]){"Bearer ", token}, 2, '\0');
    return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
}
