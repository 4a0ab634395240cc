/*
 * CSC credentials/list, credentials/info and credentials/sendOTP (CSC v1
 * §11.4-11.7, v2 §11.4-11.5): requests, and responses into rssp_credential.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "client/codec_credentials.h"
#include "client/codec_csc.h"
#include "client/json.h"
#include "client/status_internal.h"

/* Enough for any real account; a service that pages forever is cut off (docs/protocol.md). */
#define CSC_LIST_MAX_RESULTS 100

static rssp_err finish_or_free(bool ok, cJSON **out, rssp_status *st)
{
    if (ok)
        return RSSP_OK;
    rssp_json_delete(*out);
    *out = NULL;
    return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
}

rssp_err rssp_csc_encode_list(int version, const rssp_list_request *req, const char *page_token,
                              cJSON **out, rssp_status *st)
{
    static const rssp_list_request defaults = {0};
    if (req == NULL)
        req = &defaults;
    const char *certs = rssp_certs_mode_name(req->certificates);
    if (certs == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "invalid certificates mode");
    rssp_err err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = rssp_json_add_int(*out, "maxResults", CSC_LIST_MAX_RESULTS) &&
              rssp_json_add_string(*out, "pageToken", page_token);
    if (ok && version >= 2 &&
        (req->authentication_info || req->certificate_info ||
         req->certificates != RSSP_CERTS_NONE)) {
        /* v2: the details of every credential in the same answer. */
        ok = rssp_json_add_bool(*out, "credentialInfo", true) &&
             rssp_json_add_string(*out, "certificates", certs) &&
             rssp_json_add_bool(*out, "certInfo", req->certificate_info) &&
             rssp_json_add_bool(*out, "authInfo", req->authentication_info);
    }
    return finish_or_free(ok, out, st);
}

rssp_err rssp_csc_encode_credinfo(const char *credential_id, rssp_certs_mode certs,
                                  bool certificate_info, bool authentication_info, cJSON **out,
                                  rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_require_string(credential_id, "credential_id", st);
    if (err != RSSP_OK)
        return err;
    const char *mode = rssp_certs_mode_name(certs);
    if (mode == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "invalid certificates mode");
    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = rssp_json_add_string(*out, "credentialID", credential_id) &&
              rssp_json_add_string(*out, "certificates", mode) &&
              rssp_json_add_bool(*out, "certInfo", certificate_info) &&
              rssp_json_add_bool(*out, "authInfo", authentication_info);
    return finish_or_free(ok, out, st);
}

rssp_err rssp_csc_encode_send_otp(const char *credential_id, cJSON **out, rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_require_string(credential_id, "credential_id", st);
    if (err != RSSP_OK)
        return err;
    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    return finish_or_free(rssp_json_add_string(*out, "credentialID", credential_id), out, st);
}

const char *rssp_csc_auth_mode(const char *mode, bool pin, bool otp, bool otp_online)
{
    if (strcmp(mode, "implicit") == 0)
        return "IMPLICIT/CSC";
    if (strcmp(mode, "oauth2code") == 0)
        return "OAUTH2CODE";
    if (strcmp(mode, "explicit") != 0)
        return NULL;
    if (pin && otp)
        return "EXPLICIT/PIN+OTP";
    if (otp)
        return otp_online ? "EXPLICIT/OTP-ONLINE" : "EXPLICIT/OTP-OFFLINE";
    /* explicit without a described factor: the spec's default factor is a PIN */
    return "EXPLICIT/PIN";
}

/* "true" (v1 presence), or a JSON true. */
static bool presence_required(const cJSON *obj)
{
    const cJSON *p = rssp_json_member(obj, RSSP_NAMES("presence"));
    if (cJSON_IsBool(p))
        return cJSON_IsTrue(p);
    return cJSON_IsString(p) && p->valuestring != NULL && strcmp(p->valuestring, "true") == 0;
}

static rssp_err set_auth_mode(rssp_credential *c, const char *mode, bool pin, bool otp, bool online,
                              rssp_status *st)
{
    const char *name = rssp_csc_auth_mode(mode, pin, otp, online);
    if (name == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "unknown authorization mode '%.40s'", mode);
    c->auth_mode = strdup(name);
    c->auth_modes_supported = calloc(1, sizeof(char *));
    if (c->auth_modes_supported != NULL)
        c->auth_modes_supported[0] = strdup(name);
    if (c->auth_mode == NULL || c->auth_modes_supported == NULL ||
        c->auth_modes_supported[0] == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    c->n_auth_modes_supported = 1;
    c->has_auth_info = true;
    return RSSP_OK;
}

/* v1: authMode with the PIN and OTP objects. */
static rssp_err parse_auth_v1(const cJSON *o, const char *mode, rssp_credential *c, rssp_status *st)
{
    const cJSON *pin = NULL, *otp = NULL;
    rssp_err err = rssp_json_object(o, RSSP_NAMES("PIN"), &pin, st);
    if (err == RSSP_OK)
        err = rssp_json_object(o, RSSP_NAMES("OTP"), &otp, st);
    if (err != RSSP_OK)
        return err;
    bool has_otp = otp != NULL && presence_required(otp);
    const char *type = NULL;
    if (otp != NULL && (err = rssp_json_string(otp, RSSP_NAMES("type"), RSSP_JSON_MAX_STRING, &type,
                                               st)) != RSSP_OK)
        return err;
    return set_auth_mode(c, mode, pin != NULL && presence_required(pin), has_otp,
                         type == NULL || strcmp(type, "online") == 0, st);
}

/* v2: auth {mode, objects: [{id: "PIN"|"OTP", generator?}]}. */
static rssp_err parse_auth_v2(const cJSON *auth, rssp_credential *c, rssp_status *st)
{
    const char *mode = NULL;
    rssp_err err = rssp_json_string(auth, RSSP_NAMES("mode"), RSSP_JSON_MAX_STRING, &mode, st);
    if (err != RSSP_OK)
        return err;
    if (mode == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "auth has no mode");
    bool pin = false, otp = false, online = true;
    const cJSON *objects = rssp_json_member(auth, RSSP_NAMES("objects"));
    if (objects != NULL && !cJSON_IsArray(objects))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "auth objects is not an array");
    const cJSON *obj = NULL;
    cJSON_ArrayForEach(obj, objects)
    {
        const char *id = NULL;
        if (!cJSON_IsObject(obj))
            return rssp_fail(st, RSSP_ERR_PROTOCOL, "auth object is not an object");
        err = rssp_json_string(obj, RSSP_NAMES("id"), RSSP_JSON_MAX_STRING, &id, st);
        if (err != RSSP_OK)
            return err;
        if (id != NULL && strcmp(id, "PIN") == 0) {
            pin = true;
        } else if (id != NULL && strcmp(id, "OTP") == 0) {
            otp = true;
            /* an OTP from a generator the user holds needs no sendOTP */
            online = rssp_json_member(obj, RSSP_NAMES("generator")) == NULL;
        }
    }
    return set_auth_mode(c, mode, pin, otp, online, st);
}

static rssp_err parse_key(const cJSON *o, rssp_credential *c, bool *disabled, rssp_status *st)
{
    const cJSON *key = NULL;
    rssp_err err = rssp_json_object(o, RSSP_NAMES("key"), &key, st);
    if (err != RSSP_OK || key == NULL)
        return err;
    const char *status = NULL;
    err = rssp_json_string(key, RSSP_NAMES("status"), RSSP_JSON_MAX_STRING, &status, st);
    if (err != RSSP_OK)
        return err;
    *disabled = status != NULL && strcmp(status, "disabled") == 0;
    return rssp_decode_key_hints(key, c, st);
}

static rssp_err parse_cert(const cJSON *o, rssp_credential *c, rssp_status *st)
{
    const cJSON *cert = NULL;
    rssp_err err = rssp_json_object(o, RSSP_NAMES("cert"), &cert, st);
    if (err != RSSP_OK || cert == NULL)
        return err;
    struct {
        const char *name;
        char **dst;
    } strings[] = {
        {"status", &c->status},        {"subjectDN", &c->subject_dn},
        {"issuerDN", &c->issuer_dn},   {"serialNumber", &c->serial_number},
        {"validFrom", &c->valid_from}, {"validTo", &c->valid_to},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        err = rssp_json_string_dup(cert, RSSP_NAMES(strings[i].name), RSSP_JSON_MAX_STRING,
                                   strings[i].dst, st);
        if (err != RSSP_OK)
            return err;
    }
    return rssp_json_base64_array(cert, RSSP_NAMES("certificates"), RSSP_JSON_MAX_CERT_B64,
                                  &c->certificates, &c->n_certificates, st);
}

/* SCAL: "1" or "2" as the specs write it; a number is tolerated. Absent: 1. */
static rssp_err parse_scal(const cJSON *o, rssp_credential *c, rssp_status *st)
{
    const cJSON *m = rssp_json_member(o, RSSP_NAMES("SCAL"));
    c->scal = 1;
    if (m == NULL)
        return RSSP_OK;
    if (cJSON_IsString(m) && m->valuestring != NULL &&
        (strcmp(m->valuestring, "1") == 0 || strcmp(m->valuestring, "2") == 0)) {
        c->scal = m->valuestring[0] - '0';
        return RSSP_OK;
    }
    long long v = 0;
    rssp_err err = rssp_json_int(o, RSSP_NAMES("SCAL"), 1, 2, 1, &v, st);
    c->scal = (int)v;
    return err;
}

/* The credential object of credentials/info and of v2 credentialInfos. */
static rssp_err parse_info_object(const cJSON *o, rssp_credential *c, rssp_status *st)
{
    bool disabled = false;
    rssp_err err = parse_key(o, c, &disabled, st);
    if (err == RSSP_OK)
        err = parse_cert(o, c, st);
    if (err != RSSP_OK)
        return err;
    if (disabled) {
        /* a disabled key cannot sign whatever its certificate says */
        free(c->status);
        c->status = strdup("disabled");
        if (c->status == NULL)
            return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    const cJSON *auth = NULL;
    const char *mode = NULL;
    err = rssp_json_object(o, RSSP_NAMES("auth"), &auth, st);
    if (err == RSSP_OK)
        err = rssp_json_string(o, RSSP_NAMES("authMode"), RSSP_JSON_MAX_STRING, &mode, st);
    if (err == RSSP_OK && auth != NULL)
        err = parse_auth_v2(auth, c, st);
    else if (err == RSSP_OK && mode != NULL)
        err = parse_auth_v1(o, mode, c, st);
    if (err == RSSP_OK)
        err = parse_scal(o, c, st);
    if (err != RSSP_OK)
        return err;
    long long multisign = 0;
    err = rssp_json_int(o, RSSP_NAMES("multisign"), 1, INT_MAX, 1, &multisign, st);
    c->num_signatures = (int)multisign;
    return err;
}

static void init_credential(rssp_credential *c)
{
    memset(c, 0, sizeof *c);
    c->version = -1;
    c->remaining_signing_counter = -2;
}

rssp_err rssp_csc_decode_credinfo(const cJSON *root, const char *credential_id,
                                  rssp_credential *out, rssp_status *st)
{
    init_credential(out);
    out->credential_id = strdup(credential_id);
    if (out->credential_id == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    rssp_err err = parse_info_object(root, out, st);
    if (err == RSSP_OK && rssp_json_member(root, RSSP_NAMES("cert")) == NULL)
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no cert object");
    if (err == RSSP_OK && !out->has_auth_info)
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no authorization mode");
    if (err != RSSP_OK)
        rssp_credential_clear(out);
    return err;
}

/* The v2 credentialInfos entry of id, or NULL. */
static const cJSON *find_info(const cJSON *infos, const char *id)
{
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, infos)
    {
        const cJSON *cid =
            cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "credentialID") : NULL;
        if (cJSON_IsString(cid) && cid->valuestring != NULL && strcmp(cid->valuestring, id) == 0)
            return e;
    }
    return NULL;
}

rssp_err rssp_csc_decode_list(const cJSON *root, rssp_credential_list *out, char **next_page,
                              rssp_status *st)
{
    memset(out, 0, sizeof *out);
    *next_page = NULL;
    char **ids = NULL;
    size_t n = 0;
    if (rssp_json_member(root, RSSP_NAMES("credentialIDs")) == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "list response has no credentialIDs");
    rssp_err err = rssp_json_string_array(root, RSSP_NAMES("credentialIDs"), RSSP_JSON_MAX_STRING,
                                          false, &ids, &n, st);
    if (err != RSSP_OK)
        return err;
    const cJSON *infos = rssp_json_member(root, RSSP_NAMES("credentialInfos"));
    if (infos != NULL && !cJSON_IsArray(infos))
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "credentialInfos is not an array");
    if (err == RSSP_OK)
        err = rssp_json_string_dup(root, RSSP_NAMES("nextPageToken"), RSSP_JSON_MAX_TOKEN,
                                   next_page, st);
    if (err == RSSP_OK && n > 0 && (out->items = calloc(n, sizeof *out->items)) == NULL)
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; err == RSSP_OK && i < n; i++) {
        rssp_credential *c = &out->items[out->count++];
        init_credential(c);
        if (ids[i][0] == '\0') {
            err = rssp_fail(st, RSSP_ERR_PROTOCOL, "credential with an empty identifier");
            break;
        }
        c->credential_id = ids[i];
        ids[i] = NULL;
        const cJSON *info = find_info(infos, c->credential_id);
        if (info != NULL)
            err = parse_info_object(info, c, st);
    }
    rssp_string_array_free(ids, n);
    if (err != RSSP_OK) {
        rssp_credential_list_clear(out);
        free(*next_page);
        *next_page = NULL;
    }
    return err;
}
