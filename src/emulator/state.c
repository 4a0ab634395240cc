#include "emulator/state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "common/log.h"
#include "crypto/crypto.h"
#include "emulator/fsutil.h"
#include "emulator/pki.h"

#define STATE_FILE "state.json"
#define STATE_FORMAT 1
#define STATE_MAX_BYTES (64u << 20)

static void seterr(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

int emu_state_new(const char *dir, emu_state **out)
{
    emu_state *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return -1;
    st->dir = strdup(dir);
    st->path = emu_path_join(dir, STATE_FILE);
    if (st->dir == NULL || st->path == NULL) {
        free(st->dir);
        free(st->path);
        free(st);
        return -1;
    }
    pthread_mutex_init(&st->lock, NULL);
    pthread_mutex_init(&st->persist_lock, NULL);
    *out = st;
    return 0;
}

static void free_credential(emu_credential *c)
{
    free(c->id);
    free(c->agreement);
    free(c->status);
    free(c->purpose);
    free(c->auth_mode);
    for (size_t i = 0; i < c->n_auth_modes; i++)
        free(c->auth_modes[i]);
    free(c->auth_modes);
    free(c->profile_name);
    free(c->profile_description);
    free(c->contract_expiration);
    free(c->shared_mode);
    free(c->created_rp);
    for (size_t i = 0; i < c->n_chain; i++)
        rssp_buf_clear(&c->chain[i]);
    free(c->chain);
    free(c->subject_dn);
    free(c->issuer_dn);
    free(c->serial_hex);
    OPENSSL_cleanse(c->otp, sizeof(c->otp));
}

void emu_state_free(emu_state *st)
{
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->n_rps; i++) {
        emu_rp *r = &st->rps[i];
        free(r->name);
        free(r->username);
        free(r->signature);
        free(r->ssl2_public_pem);
        EVP_PKEY_free(r->ssl2_key);
        free(r->api_key);
        if (r->api_secret != NULL) {
            OPENSSL_cleanse(r->api_secret, strlen(r->api_secret));
            free(r->api_secret);
        }
    }
    free(st->rps);
    for (size_t i = 0; i < st->n_owners; i++) {
        emu_owner *o = &st->owners[i];
        free(o->uuid);
        free(o->rp);
        free(o->user_type);
        free(o->username);
        free(o->full_name);
        free(o->company_name);
        free(o->personal_id);
        free(o->tax_id);
        free(o->passport_id);
        free(o->budget_id);
        free(o->phone);
        free(o->email);
    }
    free(st->owners);
    for (size_t i = 0; i < st->n_agreements; i++) {
        free(st->agreements[i].uuid);
        free(st->agreements[i].rp);
        free(st->agreements[i].owner_uuid);
    }
    free(st->agreements);
    for (size_t i = 0; i < st->n_credentials; i++)
        free_credential(&st->credentials[i]);
    free(st->credentials);
    free(st->pending);
    pthread_mutex_destroy(&st->lock);
    pthread_mutex_destroy(&st->persist_lock);
    free(st->dir);
    free(st->path);
    free(st);
}

/* ---- derived certificate fields ---- */

static void hex_lower(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static char *name_text(const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *s = NULL, *data = NULL;
    if (b == NULL)
        return NULL;
    /* RFC 4514 form, UTF-8 kept as is. */
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        long n = BIO_get_mem_data(b, &data);
        if (n >= 0 && (s = malloc((size_t)n + 1)) != NULL) {
            memcpy(s, data, (size_t)n);
            s[n] = '\0';
        }
    }
    BIO_free(b);
    return s;
}

static int time_fields(const ASN1_TIME *t, char out[16], time_t *when)
{
    struct tm tm;
    if (!ASN1_TIME_to_tm(t, &tm))
        return -1;
    if (strftime(out, 16, "%Y%m%d%H%M%SZ", &tm) != 15)
        return -1;
    *when = timegm(&tm);
    return 0;
}

static const char *curve_name(const char *group)
{
    if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
        return "P-256";
    if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
        return "P-384";
    if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
        return "P-521";
    return NULL;
}

static const char *curve_oid(const char *curve)
{
    if (strcmp(curve, "P-256") == 0)
        return "1.2.840.10045.3.1.7";
    if (strcmp(curve, "P-384") == 0)
        return "1.3.132.0.34";
    return "1.3.132.0.35";
}

int emu_credential_derive(emu_credential *c)
{
    int rc = -1;
    X509 *x = NULL;
    EVP_PKEY *pk = NULL;
    BIGNUM *serial = NULL;
    char *serial_hex = NULL;
    unsigned char md[32];
    if (c->n_chain == 0)
        return -1;
    const unsigned char *p = c->chain[0].data;
    x = d2i_X509(NULL, &p, (long)c->chain[0].len);
    if (x == NULL)
        goto out;
    if (EVP_Digest(c->chain[0].data, c->chain[0].len, md, NULL, EVP_sha256(), NULL) != 1)
        goto out;
    hex_lower(md, 32, c->thumbprint);
    if (EVP_Digest(c->chain[0].data, c->chain[0].len, md, NULL, EVP_sha1(), NULL) != 1)
        goto out;
    hex_lower(md, 20, c->thumbprint_sha1);
    free(c->subject_dn);
    free(c->issuer_dn);
    free(c->serial_hex);
    c->subject_dn = name_text(X509_get_subject_name(x));
    c->issuer_dn = name_text(X509_get_issuer_name(x));
    serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    serial_hex = serial == NULL ? NULL : BN_bn2hex(serial);
    c->serial_hex = serial_hex == NULL ? NULL : strdup(serial_hex);
    if (c->subject_dn == NULL || c->issuer_dn == NULL || c->serial_hex == NULL)
        goto out;
    if (time_fields(X509_get0_notBefore(x), c->valid_from, &c->not_before) != 0 ||
        time_fields(X509_get0_notAfter(x), c->valid_to, &c->not_after) != 0)
        goto out;
    pk = X509_get_pubkey(x);
    if (pk == NULL)
        goto out;
    c->key_bits = EVP_PKEY_get_bits(pk);
    if (EVP_PKEY_is_a(pk, "RSA")) {
        c->key_type = RSSP_KEY_RSA;
        c->rsa_bytes = (size_t)EVP_PKEY_get_size(pk);
        c->curve = NULL;
        c->curve_oid = NULL;
    } else if (EVP_PKEY_is_a(pk, "EC")) {
        char group[64];
        size_t glen = 0;
        if (!EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof(group), &glen))
            goto out;
        c->key_type = RSSP_KEY_EC;
        c->curve = curve_name(group);
        if (c->curve == NULL)
            goto out;
        c->curve_oid = curve_oid(c->curve);
        c->ec_field_len = ((size_t)c->key_bits + 7) / 8;
    } else {
        goto out;
    }
    rc = 0;
out:
    OPENSSL_free(serial_hex);
    BN_free(serial);
    EVP_PKEY_free(pk);
    X509_free(x);
    return rc;
}

const char *emu_credential_status(const emu_credential *c, time_t now)
{
    if (strcmp(c->status, "valid") != 0)
        return c->status;
    if (now > c->not_after)
        return "expired";
    if (now < c->not_before)
        return "unknown";
    return "valid";
}

/* ---- JSON helpers ---- */

static const char *jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *jdup(const cJSON *o, const char *name, int *bad)
{
    const char *s = jstr(o, name);
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *bad = 1;
    return d;
}

static char *jdup_req(const cJSON *o, const char *name, int *bad)
{
    const char *s = jstr(o, name);
    if (s == NULL) {
        *bad = 1;
        return NULL;
    }
    char *d = strdup(s);
    if (d == NULL)
        *bad = 1;
    return d;
}

static long long jnum(const cJSON *o, const char *name, long long def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
}

static bool jbool(const cJSON *o, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int jhash(const cJSON *o, const char *name, emu_passhash *out)
{
    return emu_passhash_parse(jstr(o, name), out);
}

/* ---- load ---- */

static int load_rp(const cJSON *j, emu_rp *r)
{
    int bad = 0;
    r->name = jdup_req(j, "name", &bad);
    r->username = jdup_req(j, "username", &bad);
    r->signature = jdup_req(j, "signature", &bad);
    r->ssl2_public_pem = jdup_req(j, "ssl2PublicKey", &bad);
    r->api_key = jdup(j, "apiKey", &bad);
    r->api_secret = jdup(j, "apiSecret", &bad);
    if (bad || jhash(j, "passwordHash", &r->password) != 0)
        return -1;
    r->ssl2_key = emu_pki_pub_from_pem(r->ssl2_public_pem);
    return r->ssl2_key == NULL ? -1 : 0;
}

static int load_owner(const cJSON *j, emu_owner *o)
{
    int bad = 0;
    o->uuid = jdup_req(j, "uuid", &bad);
    o->rp = jdup_req(j, "relyingParty", &bad);
    o->user_type = jdup_req(j, "userType", &bad);
    o->username = jdup_req(j, "username", &bad);
    o->full_name = jdup(j, "fullName", &bad);
    o->company_name = jdup(j, "companyName", &bad);
    o->personal_id = jdup(j, "personalID", &bad);
    o->tax_id = jdup(j, "taxID", &bad);
    o->passport_id = jdup(j, "passportID", &bad);
    o->budget_id = jdup(j, "budgetID", &bad);
    o->phone = jdup(j, "phone", &bad);
    o->email = jdup(j, "email", &bad);
    o->phone_app = jbool(j, "phoneApp");
    o->failed_attempts = (int)jnum(j, "failedAttempts", 0);
    o->lock_until = jnum(j, "lockUntil", 0);
    if (bad || jhash(j, "passwordHash", &o->password) != 0)
        return -1;
    return 0;
}

static int load_agreement(const cJSON *j, emu_agreement *a)
{
    int bad = 0;
    a->uuid = jdup_req(j, "uuid", &bad);
    a->rp = jdup_req(j, "relyingParty", &bad);
    a->owner_uuid = jdup(j, "owner", &bad);
    return bad ? -1 : 0;
}

static int load_strings(const cJSON *arr, char ***out, size_t *n)
{
    int count = cJSON_GetArraySize(arr);
    if (!cJSON_IsArray(arr) || count <= 0)
        return -1;
    *out = calloc((size_t)count, sizeof(char *));
    if (*out == NULL)
        return -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || ((*out)[*n] = strdup(it->valuestring)) == NULL)
            return -1;
        (*n)++;
    }
    return 0;
}

static int load_chain(const cJSON *arr, emu_credential *c)
{
    int count = cJSON_GetArraySize(arr);
    if (!cJSON_IsArray(arr) || count <= 0)
        return -1;
    c->chain = calloc((size_t)count, sizeof(rssp_buf));
    if (c->chain == NULL)
        return -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || rssp_base64_decode(it->valuestring, strlen(it->valuestring),
                                                      &c->chain[c->n_chain]) != RSSP_CRYPTO_OK)
            return -1;
        c->n_chain++;
    }
    return 0;
}

static int load_credential(const cJSON *j, emu_credential *c)
{
    int bad = 0;
    c->id = jdup_req(j, "id", &bad);
    c->agreement = jdup_req(j, "agreement", &bad);
    c->status = jdup_req(j, "status", &bad);
    c->purpose = jdup_req(j, "purpose", &bad);
    c->auth_mode = jdup_req(j, "authMode", &bad);
    c->profile_name = jdup(j, "profileName", &bad);
    c->profile_description = jdup(j, "profileDescription", &bad);
    c->contract_expiration = jdup(j, "contractExpiration", &bad);
    c->shared_mode = jdup(j, "sharedMode", &bad);
    c->created_rp = jdup(j, "createdRP", &bad);
    if (bad)
        return -1;
    c->scal = (int)jnum(j, "SCAL", 1);
    c->num_signatures = (int)jnum(j, "numSignatures", 1);
    c->remaining_signing_counter = jnum(j, "remainingSigningCounter", -1);
    c->failed_attempts = (int)jnum(j, "failedAttempts", 0);
    c->lock_until = jnum(j, "lockUntil", 0);
    c->version = (int)jnum(j, "version", 1);
    if (c->scal != 1 && c->scal != 2)
        return -1;
    if (c->num_signatures < 1)
        return -1;
    if (jstr(j, "pinHash") != NULL) {
        if (jhash(j, "pinHash", &c->pin) != 0)
            return -1;
        c->has_pin = true;
    }
    const cJSON *otp = cJSON_GetObjectItemCaseSensitive(j, "otp");
    if (cJSON_IsObject(otp)) {
        const char *code = jstr(otp, "code");
        if (code == NULL || strlen(code) >= sizeof(c->otp))
            return -1;
        snprintf(c->otp, sizeof(c->otp), "%s", code);
        c->otp_time = jnum(otp, "time", 0);
    }
    if (load_strings(cJSON_GetObjectItemCaseSensitive(j, "authModeSupported"), &c->auth_modes,
                     &c->n_auth_modes) != 0)
        return -1;
    if (load_chain(cJSON_GetObjectItemCaseSensitive(j, "certificates"), c) != 0)
        return -1;
    return emu_credential_derive(c);
}

#define LOAD_ARRAY(json, key, arr, count, fn, what)                                                \
    do {                                                                                           \
        const cJSON *a_ = cJSON_GetObjectItemCaseSensitive(json, key);                             \
        int n_ = cJSON_GetArraySize(a_);                                                           \
        if (!cJSON_IsArray(a_)) {                                                                  \
            seterr(err, err_len, "%s: '%s' is not an array", st->path, key);                       \
            goto out;                                                                              \
        }                                                                                          \
        arr = calloc((size_t)n_ + 1, sizeof(*arr));                                                \
        if (arr == NULL)                                                                           \
            goto nomem;                                                                            \
        const cJSON *it_;                                                                          \
        cJSON_ArrayForEach(it_, a_)                                                                \
        {                                                                                          \
            if (fn(it_, &arr[count]) != 0) {                                                       \
                count++;                                                                           \
                seterr(err, err_len, "%s: %s #%zu is invalid", st->path, what, count);             \
                goto out;                                                                          \
            }                                                                                      \
            count++;                                                                               \
        }                                                                                          \
    } while (0)

int emu_state_load(const char *dir, emu_state **out, char *err, size_t err_len)
{
    int rc = -1;
    emu_state *st = NULL;
    char *text = NULL;
    cJSON *root = NULL;

    if (emu_state_new(dir, &st) != 0)
        goto nomem;
    if (emu_read_file(st->path, STATE_MAX_BYTES, &text, NULL) != 0) {
        seterr(err, err_len, "cannot read %s: %s (run 'rssp-emulator init %s' first)", st->path,
               strerror(errno), dir);
        goto out;
    }
    root = cJSON_Parse(text);
    if (!cJSON_IsObject(root) || jnum(root, "format", 0) != STATE_FORMAT) {
        seterr(err, err_len, "%s: not an emulator state of format %d", st->path, STATE_FORMAT);
        goto out;
    }
    LOAD_ARRAY(root, "relyingParties", st->rps, st->n_rps, load_rp, "relying party");
    LOAD_ARRAY(root, "owners", st->owners, st->n_owners, load_owner, "owner");
    LOAD_ARRAY(root, "agreements", st->agreements, st->n_agreements, load_agreement, "agreement");
    LOAD_ARRAY(root, "credentials", st->credentials, st->n_credentials, load_credential,
               "credential");
    *out = st;
    st = NULL;
    rc = 0;
    goto out;
nomem:
    seterr(err, err_len, "out of memory");
out:
    cJSON_Delete(root);
    if (text != NULL) {
        OPENSSL_cleanse(text, strlen(text));
        free(text);
    }
    emu_state_free(st);
    return rc;
}

/* ---- save ---- */

static int add_str(cJSON *o, const char *name, const char *value)
{
    if (value == NULL)
        return 0;
    return cJSON_AddStringToObject(o, name, value) == NULL ? -1 : 0;
}

static int add_num(cJSON *o, const char *name, double value)
{
    return cJSON_AddNumberToObject(o, name, value) == NULL ? -1 : 0;
}

static int add_hash(cJSON *o, const char *name, const emu_passhash *h)
{
    char text[98];
    emu_passhash_format(h, text);
    return add_str(o, name, text);
}

static cJSON *rp_json(const emu_rp *r)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL || add_str(j, "name", r->name) || add_str(j, "username", r->username) ||
        add_hash(j, "passwordHash", &r->password) || add_str(j, "signature", r->signature) ||
        add_str(j, "ssl2PublicKey", r->ssl2_public_pem) || add_str(j, "apiKey", r->api_key) ||
        add_str(j, "apiSecret", r->api_secret)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static cJSON *owner_json(const emu_owner *o)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL || add_str(j, "uuid", o->uuid) || add_str(j, "relyingParty", o->rp) ||
        add_str(j, "userType", o->user_type) || add_str(j, "username", o->username) ||
        add_hash(j, "passwordHash", &o->password) || add_str(j, "fullName", o->full_name) ||
        add_str(j, "companyName", o->company_name) || add_str(j, "personalID", o->personal_id) ||
        add_str(j, "taxID", o->tax_id) || add_str(j, "passportID", o->passport_id) ||
        add_str(j, "budgetID", o->budget_id) || add_str(j, "phone", o->phone) ||
        add_str(j, "email", o->email) ||
        cJSON_AddBoolToObject(j, "phoneApp", o->phone_app) == NULL ||
        add_num(j, "failedAttempts", o->failed_attempts) ||
        add_num(j, "lockUntil", (double)o->lock_until)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static cJSON *agreement_json(const emu_agreement *a)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL || add_str(j, "uuid", a->uuid) || add_str(j, "relyingParty", a->rp) ||
        add_str(j, "owner", a->owner_uuid)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static cJSON *credential_json(const emu_credential *c)
{
    cJSON *j = cJSON_CreateObject();
    cJSON *modes = NULL, *certs = NULL, *otp = NULL;
    if (j == NULL || add_str(j, "id", c->id) || add_str(j, "agreement", c->agreement) ||
        add_str(j, "status", c->status) || add_str(j, "purpose", c->purpose) ||
        add_num(j, "SCAL", c->scal) || add_str(j, "authMode", c->auth_mode) ||
        add_num(j, "numSignatures", c->num_signatures) ||
        add_num(j, "remainingSigningCounter", (double)c->remaining_signing_counter) ||
        (c->has_pin && add_hash(j, "pinHash", &c->pin)) ||
        add_num(j, "failedAttempts", c->failed_attempts) ||
        add_num(j, "lockUntil", (double)c->lock_until) || add_num(j, "version", c->version) ||
        add_str(j, "profileName", c->profile_name) ||
        add_str(j, "profileDescription", c->profile_description) ||
        add_str(j, "contractExpiration", c->contract_expiration) ||
        add_str(j, "sharedMode", c->shared_mode) || add_str(j, "createdRP", c->created_rp))
        goto fail;
    if (c->otp[0] != '\0') {
        otp = cJSON_AddObjectToObject(j, "otp");
        if (otp == NULL || add_str(otp, "code", c->otp) ||
            add_num(otp, "time", (double)c->otp_time))
            goto fail;
    }
    modes = cJSON_AddArrayToObject(j, "authModeSupported");
    certs = cJSON_AddArrayToObject(j, "certificates");
    if (modes == NULL || certs == NULL)
        goto fail;
    for (size_t i = 0; i < c->n_auth_modes; i++) {
        if (!cJSON_AddItemToArray(modes, cJSON_CreateString(c->auth_modes[i])))
            goto fail;
    }
    for (size_t i = 0; i < c->n_chain; i++) {
        char *b64 = rssp_base64_encode(c->chain[i].data, c->chain[i].len);
        cJSON *s = b64 == NULL ? NULL : cJSON_CreateString(b64);
        free(b64);
        if (!cJSON_AddItemToArray(certs, s))
            goto fail;
    }
    return j;
fail:
    cJSON_Delete(j);
    return NULL;
}

#define SAVE_ARRAY(key, arr, count, fn)                                                            \
    do {                                                                                           \
        cJSON *a_ = cJSON_AddArrayToObject(root, key);                                             \
        if (a_ == NULL)                                                                            \
            goto out;                                                                              \
        for (size_t i_ = 0; i_ < (count); i_++) {                                                  \
            if (!cJSON_AddItemToArray(a_, fn(&(arr)[i_])))                                         \
                goto out;                                                                          \
        }                                                                                          \
    } while (0)

static char *serialize(const emu_state *st)
{
    char *text = NULL;
    cJSON *root = cJSON_CreateObject();
    if (root == NULL || add_num(root, "format", STATE_FORMAT))
        goto out;
    SAVE_ARRAY("relyingParties", st->rps, st->n_rps, rp_json);
    SAVE_ARRAY("owners", st->owners, st->n_owners, owner_json);
    SAVE_ARRAY("agreements", st->agreements, st->n_agreements, agreement_json);
    SAVE_ARRAY("credentials", st->credentials, st->n_credentials, credential_json);
    text = cJSON_Print(root);
out:
    cJSON_Delete(root);
    return text;
}

static void free_text(char *text)
{
    if (text != NULL) {
        OPENSSL_cleanse(text, strlen(text));
        cJSON_free(text);
    }
}

static int write_text(emu_state *st, char *text)
{
    int rc = emu_write_atomic(st->path, text, strlen(text), 0600);
    if (rc != 0)
        rssp_error("emulator: cannot write %s: %s", st->path, strerror(errno));
    return rc;
}

int emu_state_save(emu_state *st)
{
    pthread_mutex_lock(&st->persist_lock);
    pthread_mutex_lock(&st->lock);
    char *text = serialize(st);
    free_text(st->pending);
    st->pending = NULL;
    pthread_mutex_unlock(&st->lock);
    int rc = text == NULL ? -1 : write_text(st, text);
    free_text(text);
    pthread_mutex_unlock(&st->persist_lock);
    return rc;
}

void emu_state_changed(emu_state *st)
{
    char *text = serialize(st);
    if (text == NULL) {
        rssp_error("emulator: cannot serialise the state (out of memory)");
        return;
    }
    free_text(st->pending);
    st->pending = text;
}

int emu_state_flush(emu_state *st)
{
    int rc = 0;
    pthread_mutex_lock(&st->persist_lock);
    pthread_mutex_lock(&st->lock);
    char *text = st->pending;
    st->pending = NULL;
    pthread_mutex_unlock(&st->lock);
    if (text != NULL)
        rc = write_text(st, text);
    free_text(text);
    pthread_mutex_unlock(&st->persist_lock);
    return rc;
}

/* ---- lookups ---- */

emu_rp *emu_find_rp(emu_state *st, const char *name)
{
    for (size_t i = 0; name != NULL && i < st->n_rps; i++) {
        if (strcmp(st->rps[i].name, name) == 0)
            return &st->rps[i];
    }
    return NULL;
}

emu_rp *emu_find_rp_by_username(emu_state *st, const char *username)
{
    for (size_t i = 0; username != NULL && i < st->n_rps; i++) {
        if (strcmp(st->rps[i].username, username) == 0)
            return &st->rps[i];
    }
    return NULL;
}

emu_rp *emu_find_rp_by_api_key(emu_state *st, const char *api_key)
{
    for (size_t i = 0; api_key != NULL && i < st->n_rps; i++) {
        if (st->rps[i].api_key != NULL && strcmp(st->rps[i].api_key, api_key) == 0)
            return &st->rps[i];
    }
    return NULL;
}

emu_owner *emu_find_owner(emu_state *st, const char *uuid)
{
    for (size_t i = 0; uuid != NULL && i < st->n_owners; i++) {
        if (strcasecmp(st->owners[i].uuid, uuid) == 0)
            return &st->owners[i];
    }
    return NULL;
}

static const char *login_field(const emu_owner *o, const char *user_type, bool *known)
{
    *known = true;
    if (strcmp(user_type, "USERNAME") == 0)
        return o->username;
    if (strcmp(user_type, "PERSONAL-ID") == 0 || strcmp(user_type, "CITIZEN-IDENTITY-CARD") == 0)
        return o->personal_id;
    if (strcmp(user_type, "PASSPORT-ID") == 0)
        return o->passport_id;
    if (strcmp(user_type, "BUDGET-CODE") == 0)
        return o->budget_id;
    if (strcmp(user_type, "TAX-CODE") == 0)
        return o->tax_id;
    if (strcmp(user_type, "UUID") == 0)
        return o->uuid;
    *known = false;
    return NULL;
}

emu_owner *emu_find_owner_by_login(emu_state *st, const char *user_type, const char *value,
                                   bool *type_known)
{
    *type_known = true;
    for (size_t i = 0; i < st->n_owners; i++) {
        const char *f = login_field(&st->owners[i], user_type, type_known);
        if (!*type_known)
            return NULL;
        if (f != NULL && strcmp(f, value) == 0)
            return &st->owners[i];
    }
    return NULL;
}

emu_agreement *emu_find_agreement(emu_state *st, const char *uuid)
{
    for (size_t i = 0; uuid != NULL && i < st->n_agreements; i++) {
        if (strcmp(st->agreements[i].uuid, uuid) == 0)
            return &st->agreements[i];
    }
    return NULL;
}

emu_credential *emu_find_credential(emu_state *st, const char *id)
{
    for (size_t i = 0; id != NULL && i < st->n_credentials; i++) {
        if (strcmp(st->credentials[i].id, id) == 0)
            return &st->credentials[i];
    }
    return NULL;
}

emu_credential *emu_find_credential_by_thumbprint(emu_state *st, const char *thumbprint)
{
    size_t n = thumbprint == NULL ? 0 : strlen(thumbprint);
    for (size_t i = 0; i < st->n_credentials; i++) {
        emu_credential *c = &st->credentials[i];
        if ((n == 64 && strcasecmp(c->thumbprint, thumbprint) == 0) ||
            (n == 40 && strcasecmp(c->thumbprint_sha1, thumbprint) == 0))
            return c;
    }
    return NULL;
}

/* ---- masking ---- */

char *emu_mask_phone(const char *phone)
{
    if (phone == NULL)
        return NULL;
    size_t n = strlen(phone);
    if (n < 8)
        return strdup(phone);
    /* "0912345678" -> "0912***678" */
    char *m = malloc(11);
    if (m == NULL)
        return NULL;
    memcpy(m, phone, 4);
    memcpy(m + 4, "***", 3);
    memcpy(m + 7, phone + n - 3, 4);
    return m;
}

char *emu_mask_email(const char *email)
{
    if (email == NULL)
        return NULL;
    const char *at = strchr(email, '@');
    if (at == NULL || at == email)
        return strdup(email);
    size_t n = strlen(at);
    char *m = malloc(n + 5);
    if (m == NULL)
        return NULL;
    m[0] = email[0];
    memcpy(m + 1, "***", 3);
    memcpy(m + 4, at, n + 1);
    return m;
}
