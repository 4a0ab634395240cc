#include "emu_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "config/config.h"
#include "crypto/crypto.h"

void et_start(et_env *env, const char *const *serve_args)
{
    rssp_emu_options opt = {.serve_args = serve_args};
    memset(env, 0, sizeof(*env));
    assert_int_equal(rssp_emu_start(&opt, &env->emu), 0);
    FILE *f = fopen(env->emu.fixture_json, "r");
    assert_non_null(f);
    char *text = calloc(1, 1 << 20);
    assert_non_null(text);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    text[n] = '\0';
    env->fixture = cJSON_Parse(text);
    free(text);
    assert_non_null(env->fixture);
}

void et_stop(et_env *env)
{
    cJSON_Delete(env->fixture);
    env->fixture = NULL;
    assert_int_equal(rssp_emu_stop(&env->emu), 0); /* a clean shutdown */
}

/* ---- clients ---- */

rssp_client *et_client(et_env *env, const char *config, const et_overrides *o)
{
    char path[PATH_MAX], err[512] = "";
    rssp_config cfg;
    rssp_client_config cc;
    rssp_client *c = NULL;
    rssp_status st;
    snprintf(path, sizeof(path), "%s/%s", env->emu.dir, config);
    if (rssp_config_load(path, &cfg, err, sizeof(err)) != 0)
        fail_msg("config %s: %s", path, err);
    rssp_config_client(&cfg, &cc);
    if (o != NULL) {
        if (o->client_mac != NULL)
            cc.client_mac = o->client_mac;
        if (o->no_remember)
            cc.remember_me = false;
        if (o->rp_only) {
            cc.username = NULL;
            cc.password = NULL;
        }
        if (o->agreement != NULL)
            cc.agreement_uuid = o->agreement;
        if (o->password != NULL)
            cc.password = o->password;
        if (o->timeout_ms > 0)
            cc.timeout_ms = cc.authorize_timeout_ms = o->timeout_ms;
    }
    if (rssp_client_new(&cc, &c, &st) != RSSP_OK)
        fail_msg("rssp_client_new: %s", st.message);
    rssp_config_clear(&cfg); /* the client copied what it needs */
    return c;
}

static const cJSON *find_in(et_env *env, const char *array, const char *key, const char *value)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(env->fixture, array))
    {
        const cJSON *k = cJSON_GetObjectItem(it, key);
        if (cJSON_IsString(k) && strcmp(k->valuestring, value) == 0)
            return it;
    }
    fail_msg("fixture.json: no %s with %s %s", array, key, value);
    return NULL;
}

static const char *field_of(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItem(o, field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *et_rp(et_env *env, const char *rp, const char *field)
{
    return field_of(find_in(env, "relyingParties", "name", rp), field);
}

const char *et_owner(et_env *env, const char *username, const char *field)
{
    return field_of(find_in(env, "owners", "username", username), field);
}

const char *et_cred(et_env *env, const char *id, const char *field)
{
    return field_of(find_in(env, "credentials", "id", id), field);
}

/* ---- raw HTTP ---- */

typedef struct {
    char *data;
    size_t len;
    char *entity;
    size_t entity_len;
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t add = size * n;
    char *d = realloc(s->data, s->len + add + 1);
    if (d == NULL)
        return 0;
    memcpy(d + s->len, p, add);
    s->len += add;
    d[s->len] = '\0';
    s->data = d;
    return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t len = size * n;
    static const char name[] = "rssp-entity-name:";
    if (len > sizeof(name) && strncasecmp(p, name, sizeof(name) - 1) == 0) {
        const char *v = p + sizeof(name) - 1;
        size_t vl = len - (sizeof(name) - 1);
        while (vl > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            vl--;
        }
        while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        if (vl < s->entity_len) {
            memcpy(s->entity, v, vl);
            s->entity[vl] = '\0';
        }
    }
    return len;
}

void et_request(et_env *env, const char *http_method, const char *path, const char *const *headers,
                const char *body, size_t body_len, et_resp *out)
{
    char url[512];
    struct curl_slist *hl = NULL;
    bool has_type = false;
    sink s = {NULL, 0, out->entity, sizeof(out->entity)};
    memset(out, 0, sizeof(*out));
    out->status = -1;
    s.entity = out->entity;
    /* root = https://host:port, the part of the URL before its path (/rssp/v1/, /csc/v2/) */
    const char *api = strchr(env->emu.url + strlen("https://"), '/');
    snprintf(url, sizeof(url), "%.*s%s", (int)(api - env->emu.url), env->emu.url, path);
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        hl = curl_slist_append(hl, headers[i]);
        if (strncasecmp(headers[i], "Content-Type:", 13) == 0)
            has_type = true;
    }
    if (!has_type)
        hl = curl_slist_append(hl, "Content-Type: application/json; charset=UTF-8");
    CURL *c = curl_easy_init();
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, env->emu.ca_file);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, http_method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    out->body = s.data;
    if (out->body != NULL)
        out->json = cJSON_Parse(out->body);
}

void et_post(et_env *env, const char *method, const char *const *headers, const char *body,
             et_resp *out)
{
    char path[128];
    snprintf(path, sizeof(path), "/rssp/v1/%s", method);
    et_request(env, "POST", path, headers, body, body == NULL ? 0 : strlen(body), out);
}

void et_resp_clear(et_resp *r)
{
    free(r->body);
    cJSON_Delete(r->json);
    memset(r, 0, sizeof(*r));
}

int et_code(const et_resp *r)
{
    if (r->status != 200 || !cJSON_IsNumber(cJSON_GetObjectItem(r->json, "responseCode")))
        fail_msg("no envelope: HTTP %ld, body %.300s", r->status, r->body ? r->body : "");
    /* every response carries a message and a bill code */
    assert_true(cJSON_IsString(cJSON_GetObjectItem(r->json, "responseMessage")));
    assert_true(cJSON_IsString(cJSON_GetObjectItem(r->json, "billCode")));
    return cJSON_GetObjectItem(r->json, "responseCode")->valueint;
}

long et_int(const et_resp *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(r->json, name);
    if (!cJSON_IsNumber(v))
        fail_msg("response has no integer %s: %.300s", name, r->body ? r->body : "");
    return (long)v->valuedouble;
}

const char *et_str(const et_resp *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(r->json, name);
    if (!cJSON_IsString(v))
        fail_msg("response has no string %s: %.300s", name, r->body ? r->body : "");
    return v->valuestring;
}

/* ---- headers ---- */

static char *b64(const void *data, size_t len)
{
    char *s = rssp_base64_encode(data, len);
    assert_non_null(s);
    return s;
}

static EVP_PKEY *rp_key(et_env *env, const char *rp)
{
    FILE *f = fopen(et_rp(env, rp, "keyPem"), "r");
    assert_non_null(f);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(k);
    return k;
}

char *et_ssl2_header(et_env *env, const char *rp, et_ssl2_variant v, long long offset_ms)
{
    const char *u = et_rp(env, rp, "username"), *s = et_rp(env, rp, "signature");
    const char *p = v == ET_SSL2_BAD_PASS ? "not-the-password" : et_rp(env, rp, "password");
    char t[32], data[512], cred[2048], header[3072];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset_ms;
    if (v == ET_SSL2_DATE) {
        time_t secs = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(t, sizeof(t), "%Y%m%d%H%M%S", &tm);
    } else {
        snprintf(t, sizeof(t), "%lld", ms);
    }
    snprintf(data, sizeof(data), "%s%s%s%s%s", u, p, s, t, v == ET_SSL2_BAD_SIG ? "x" : "");
    EVP_PKEY *key = rp_key(env, rp);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t sig_len = sizeof(sig);
    assert_int_equal(
        EVP_DigestSignInit(md, NULL, v == ET_SSL2_SHA256 ? EVP_sha256() : EVP_sha1(), NULL, key),
        1);
    assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)data, strlen(data)),
                     1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    char *x = b64(sig, sig_len);
    if (v == ET_SSL2_SWAPPED)
        snprintf(cred, sizeof(cred), "%s:%s:%s:%s:%s", u, p, s, x, t);
    else if (v == ET_SSL2_FOUR)
        snprintf(cred, sizeof(cred), "%s:%s:%s:%s", u, p, s, t);
    else
        snprintf(cred, sizeof(cred), "%s:%s:%s:%s:%s", u, p, s, t, x);
    free(x);
    char *c64 = b64(cred, strlen(cred));
    snprintf(header, sizeof(header), "Authorization: SSL2 %s", c64);
    free(c64);
    char *out = strdup(header);
    assert_non_null(out);
    return out;
}

char *et_owner_header(et_env *env, const char *owner, const char *password)
{
    char basic[256], header[4096];
    char *ssl2 = et_ssl2_header(env, "DEMO-RP", ET_SSL2_OK, 0);
    snprintf(basic, sizeof(basic), "USERNAME:%s:%s", owner,
             password != NULL ? password : et_owner(env, owner, "password"));
    char *bb = b64(basic, strlen(basic));
    snprintf(header, sizeof(header), "%s, Basic %s", ssl2, bb);
    free(bb);
    free(ssl2);
    char *out = strdup(header);
    assert_non_null(out);
    return out;
}

char *et_bearer(const char *token)
{
    size_t n = strlen(token) + 32;
    char *h = malloc(n);
    assert_non_null(h);
    snprintf(h, n, "Authorization: Bearer %s", token);
    return h;
}

char *et_login(et_env *env, const char *owner, bool remember, char **refresh)
{
    char *auth = owner != NULL ? et_owner_header(env, owner, NULL)
                               : et_ssl2_header(env, "DEMO-RP", ET_SSL2_OK, 0);
    const char *headers[] = {auth, NULL};
    et_resp r;
    et_post(env, "auth/login", headers,
            remember ? "{\"relyingParty\":\"DEMO-RP\",\"rememberMe\":true}"
                     : "{\"relyingParty\":\"DEMO-RP\"}",
            &r);
    free(auth);
    assert_int_equal(et_code(&r), 0);
    char *token = strdup(et_str(&r, "accessToken"));
    if (refresh != NULL)
        *refresh = remember ? strdup(et_str(&r, "refreshToken")) : NULL;
    et_resp_clear(&r);
    assert_non_null(token);
    return token;
}

/* ---- hashes and signatures ---- */

char *et_sha256_b64(const char *text, unsigned char out[32])
{
    assert_int_equal(rssp_digest(RSSP_HASH_SHA256, text, strlen(text), out), RSSP_CRYPTO_OK);
    return b64(out, 32);
}

static const EVP_MD *md_of(rssp_hash_alg alg)
{
    switch (alg) {
    case RSSP_HASH_SHA1:
        return EVP_sha1();
    case RSSP_HASH_SHA224:
        return EVP_sha224();
    case RSSP_HASH_SHA256:
        return EVP_sha256();
    case RSSP_HASH_SHA384:
        return EVP_sha384();
    case RSSP_HASH_SHA512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

bool et_verify(et_env *env, const char *credential_id, et_scheme scheme, rssp_hash_alg alg,
               const unsigned char *hash, size_t hash_len, const rssp_buf *sig)
{
    FILE *f = fopen(et_cred(env, credential_id, "certificate"), "r");
    assert_non_null(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    EVP_PKEY *pub = X509_get_pubkey(x);
    X509_free(x);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    rssp_buf der = {NULL, 0};
    const unsigned char *s = sig->data;
    size_t s_len = sig->len;
    bool ok = false;
    if (ctx == NULL || EVP_PKEY_verify_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(ctx, md_of(alg)) <= 0)
        goto out;
    if (scheme == ET_PKCS1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
        goto out;
    if (scheme == ET_PSS && (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
                             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md_of(alg)) <= 0 ||
                             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)hash_len) <= 0))
        goto out;
    if (scheme == ET_ECDSA) {
        size_t field = ((size_t)EVP_PKEY_get_bits(pub) + 7) / 8;
        if (s_len == 2 * field) { /* raw r||s: make it DER for OpenSSL */
            assert_int_equal(rssp_ecdsa_raw_to_der(s, s_len, &der), RSSP_CRYPTO_OK);
            s = der.data;
            s_len = der.len;
        }
    }
    ok = EVP_PKEY_verify(ctx, s, s_len, hash, hash_len) == 1;
out:
    rssp_buf_clear(&der);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pub);
    return ok;
}
