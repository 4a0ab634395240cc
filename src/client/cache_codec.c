#include "client/cache_codec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "client/codec_common.h"
#include "client/json.h"
#include "client/status_internal.h"

/* Clock differences tolerated for a file that claims to come from the future. */
#define FUTURE_SKEW_S 300

/* String fields of rssp_credential and their names in the file. */
typedef struct {
    const char *name;
    size_t offset;
} string_field;

static const string_field string_fields[] = {
    {"credentialID", offsetof(rssp_credential, credential_id)},
    {"thumbprint", offsetof(rssp_credential, thumbprint)},
    {"status", offsetof(rssp_credential, status)},
    {"subjectDN", offsetof(rssp_credential, subject_dn)},
    {"issuerDN", offsetof(rssp_credential, issuer_dn)},
    {"serialNumber", offsetof(rssp_credential, serial_number)},
    {"validFrom", offsetof(rssp_credential, valid_from)},
    {"validTo", offsetof(rssp_credential, valid_to)},
    {"purpose", offsetof(rssp_credential, purpose)},
    {"authMode", offsetof(rssp_credential, auth_mode)},
    {"authorizationPhone", offsetof(rssp_credential, authorization_phone)},
    {"authorizationEmail", offsetof(rssp_credential, authorization_email)},
    {"keyAlgo", offsetof(rssp_credential, key_algo_oid)},
    {"keyCurve", offsetof(rssp_credential, key_curve_oid)},
};

typedef struct {
    const char *name;
    size_t offset;
    int min;
    int absent;
} int_field;

static const int_field int_fields[] = {
    {"version", offsetof(rssp_credential, version), -1, -1},
    {"remainingSigningCounter", offsetof(rssp_credential, remaining_signing_counter), -2, -2},
    {"numSignatures", offsetof(rssp_credential, num_signatures), 0, 0},
    {"SCAL", offsetof(rssp_credential, scal), 0, 0},
    {"keyLen", offsetof(rssp_credential, key_len), 0, 0},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static char **string_at(rssp_credential *c, size_t offset)
{
    return (char **)(void *)((unsigned char *)c + offset);
}

static int *int_at(rssp_credential *c, size_t offset)
{
    return (int *)(void *)((unsigned char *)c + offset);
}

static const char *string_of(const rssp_credential *c, size_t offset)
{
    return *(char *const *)(const void *)((const unsigned char *)c + offset);
}

static int int_of(const rssp_credential *c, size_t offset)
{
    return *(const int *)(const void *)((const unsigned char *)c + offset);
}

static bool encode_credential(cJSON *arr, const rssp_credential *c)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return false;
    if (!cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return false;
    }
    for (size_t i = 0; i < N_OF(string_fields); i++) {
        if (!rssp_json_add_string(o, string_fields[i].name, string_of(c, string_fields[i].offset)))
            return false;
    }
    for (size_t i = 0; i < N_OF(int_fields); i++) {
        if (!rssp_json_add_int(o, int_fields[i].name, int_of(c, int_fields[i].offset)))
            return false;
    }
    if (!rssp_json_add_base64_array(o, "certificates", c->certificates, c->n_certificates) ||
        !rssp_json_add_bool(o, "hasAuthInfo", c->has_auth_info))
        return false;
    cJSON *modes = cJSON_AddArrayToObject(o, "authModeSupported");
    if (modes == NULL)
        return false;
    for (size_t i = 0; i < c->n_auth_modes_supported; i++) {
        cJSON *s = cJSON_CreateString(c->auth_modes_supported[i]);
        if (s == NULL || !cJSON_AddItemToArray(modes, s)) {
            cJSON_Delete(s);
            return false;
        }
    }
    return true;
}

rssp_err rssp_cache_encode(const char *key, long long written, const rssp_credential_list *l,
                           char **text, size_t *len, rssp_status *st)
{
    *text = NULL;
    *len = 0;
    if (key == NULL || l == NULL || (l->count > 0 && l->items == NULL))
        return rssp_fail(st, RSSP_ERR_ARGS, "cache key and list are required");
    for (size_t i = 0; i < l->count; i++) {
        if (l->items[i].credential_id == NULL)
            return rssp_fail(st, RSSP_ERR_ARGS, "credential %zu has no identifier", i);
    }
    rssp_err err = RSSP_OK;
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = NULL;
    bool ok = root != NULL && rssp_json_add_int(root, "version", RSSP_CACHE_FORMAT_VERSION) &&
              rssp_json_add_string(root, "key", key) &&
              rssp_json_add_int(root, "written", written) &&
              (arr = cJSON_AddArrayToObject(root, "credentials")) != NULL;
    for (size_t i = 0; ok && i < l->count; i++)
        ok = encode_credential(arr, &l->items[i]);
    if (!ok)
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    else
        err = rssp_json_print(root, text, len, st);
    cJSON_Delete(root);
    return err;
}

static rssp_err decode_credential(const cJSON *o, rssp_credential *c, rssp_status *st)
{
    if (!cJSON_IsObject(o))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache entry is not an object");
    for (size_t i = 0; i < N_OF(string_fields); i++) {
        rssp_err err =
            rssp_json_string_dup(o, RSSP_NAMES(string_fields[i].name), RSSP_JSON_MAX_STRING,
                                 string_at(c, string_fields[i].offset), st);
        if (err != RSSP_OK)
            return err;
    }
    if (c->credential_id == NULL || c->credential_id[0] == '\0')
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache entry without credentialID");
    for (size_t i = 0; i < N_OF(int_fields); i++) {
        long long v = 0;
        rssp_err err = rssp_json_int(o, RSSP_NAMES(int_fields[i].name), int_fields[i].min, INT_MAX,
                                     int_fields[i].absent, &v, st);
        if (err != RSSP_OK)
            return err;
        *int_at(c, int_fields[i].offset) = (int)v;
    }
    rssp_err err = rssp_json_base64_array(o, RSSP_NAMES("certificates"), RSSP_JSON_MAX_CERT_B64,
                                          &c->certificates, &c->n_certificates, st);
    if (err == RSSP_OK)
        err = rssp_json_bool(o, RSSP_NAMES("hasAuthInfo"), false, &c->has_auth_info, st);
    if (err == RSSP_OK)
        err =
            rssp_json_string_array(o, RSSP_NAMES("authModeSupported"), RSSP_JSON_MAX_STRING, false,
                                   &c->auth_modes_supported, &c->n_auth_modes_supported, st);
    return err;
}

static rssp_err decode_root(const cJSON *root, const char *key, long max_age_s, long long now,
                            rssp_credential_list *out, rssp_status *st)
{
    if (!cJSON_IsObject(root))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache is not a JSON object");
    long long version = 0, written = 0;
    const char *file_key = NULL;
    rssp_err err = rssp_json_int(root, RSSP_NAMES("version"), 0, INT_MAX, 0, &version, st);
    if (err != RSSP_OK)
        return err;
    if (version != RSSP_CACHE_FORMAT_VERSION)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache format version %lld is not supported",
                         version);
    err = rssp_json_string(root, RSSP_NAMES("key"), RSSP_JSON_MAX_STRING, &file_key, st);
    if (err != RSSP_OK)
        return err;
    if (file_key == NULL || strcmp(file_key, key) != 0)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache belongs to another service or account");
    err = rssp_json_int(root, RSSP_NAMES("written"), 0, 1LL << 53, -1, &written, st);
    if (err != RSSP_OK)
        return err;
    if (written < 0)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache has no write time");
    if (written > now + FUTURE_SKEW_S)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache was written in the future");
    if (now - written > max_age_s)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache is older than %ld seconds", max_age_s);

    const cJSON *arr = rssp_json_member(root, RSSP_NAMES("credentials"));
    if (!cJSON_IsArray(arr))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "cache has no credentials array");
    int size = cJSON_GetArraySize(arr);
    if (size == 0)
        return RSSP_OK;
    out->items = calloc((size_t)size, sizeof *out->items);
    if (out->items == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    const cJSON *o = NULL;
    cJSON_ArrayForEach(o, arr)
    {
        err = decode_credential(o, &out->items[out->count++], st);
        if (err != RSSP_OK)
            return err;
    }
    return RSSP_OK;
}

rssp_err rssp_cache_decode(const char *text, size_t len, const char *key, long max_age_s,
                           long long now, rssp_credential_list *out, rssp_status *st)
{
    memset(out, 0, sizeof *out);
    cJSON *root = NULL;
    rssp_err err = rssp_json_parse(text, len, &root, st);
    if (err == RSSP_OK)
        err = decode_root(root, key, max_age_s, now, out, st);
    cJSON_Delete(root);
    if (err != RSSP_OK) {
        rssp_credential_list_clear(out);
        /* Anything wrong with the file is a configuration matter for the caller. */
        if (err != RSSP_ERR_NOMEM)
            st->err = err = RSSP_ERR_CONFIG;
    }
    return err;
}
