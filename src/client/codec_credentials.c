#include "client/codec_credentials.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "client/status_internal.h"

const char *rssp_certs_mode_name(rssp_certs_mode mode)
{
    switch (mode) {
    case RSSP_CERTS_NONE:
        return "none";
    case RSSP_CERTS_SINGLE:
        return "single";
    case RSSP_CERTS_CHAIN:
        return "chain";
    }
    return NULL;
}

static rssp_err finish_or_free(rssp_err err, cJSON **out)
{
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}

rssp_err rssp_encode_list(const rssp_list_request *req, const rssp_req_common *cm, cJSON **out,
                          rssp_status *st)
{
    *out = NULL;
    static const rssp_list_request defaults = {0};
    if (req == NULL)
        req = &defaults;
    const char *certs = rssp_certs_mode_name(req->certificates);
    if (certs == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "invalid certificates mode");
    rssp_err err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = true;
    if (req->certificate_status != NULL || req->certificate_purpose != NULL) {
        cJSON *sc = cJSON_AddObjectToObject(*out, "searchConditions");
        ok = sc != NULL && rssp_json_add_string(sc, "certificateStatus", req->certificate_status) &&
             rssp_json_add_string(sc, "certificatePurpose", req->certificate_purpose);
    }
    ok = ok && rssp_json_add_bool(*out, "certificateInfo", req->certificate_info);
    if (ok && req->certificates != RSSP_CERTS_NONE)
        ok = rssp_json_add_string(*out, "certificates", certs);
    err = ok ? rssp_request_finish(*out, cm, RSSP_REQ_AGREEMENT, st)
             : rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    return finish_or_free(err, out);
}

/* credentialID, else certificateID (string or number, §1.7), else thumbprint. */
static rssp_err parse_identifier(const cJSON *item, char **out, rssp_status *st)
{
    rssp_err err =
        rssp_json_string_dup(item, RSSP_NAMES("credentialID"), RSSP_JSON_MAX_STRING, out, st);
    if (err != RSSP_OK || *out != NULL)
        return err;
    const cJSON *cid = rssp_json_member(item, RSSP_NAMES("certificateID"));
    if (cJSON_IsNumber(cid)) {
        long long v = 0;
        err = rssp_json_int(item, RSSP_NAMES("certificateID"), 0, (1LL << 53), 0, &v, st);
        if (err != RSSP_OK)
            return err;
        char buf[24];
        snprintf(buf, sizeof buf, "%lld", v);
        *out = strdup(buf);
        return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
    }
    if (cid != NULL)
        return rssp_json_string_dup(item, RSSP_NAMES("certificateID"), RSSP_JSON_MAX_STRING, out,
                                    st);
    err = rssp_json_string_dup(item, RSSP_NAMES("thumbprint"), RSSP_JSON_MAX_STRING, out, st);
    if (err == RSSP_OK && *out == NULL)
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "credential without an identifier");
    if (err == RSSP_OK && (*out)[0] == '\0')
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "credential with an empty identifier");
    return err;
}

/* Fields that list items and the info "certificate" object share. */
static rssp_err parse_certificate_fields(const cJSON *o, rssp_credential *c, rssp_status *st)
{
    struct {
        const char *name;
        char **dst;
    } strings[] = {
        {"thumbprint", &c->thumbprint},      {"status", &c->status},
        {"subjectDN", &c->subject_dn},       {"issuerDN", &c->issuer_dn},
        {"serialNumber", &c->serial_number}, {"validFrom", &c->valid_from},
        {"validTo", &c->valid_to},           {"purpose", &c->purpose},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        if (*strings[i].dst != NULL)
            continue; /* already set from another place of the response */
        rssp_err err = rssp_json_string_dup(o, RSSP_NAMES(strings[i].name), RSSP_JSON_MAX_STRING,
                                            strings[i].dst, st);
        if (err != RSSP_OK)
            return err;
    }
    if (c->certificates != NULL)
        return RSSP_OK;
    return rssp_json_base64_array(o, RSSP_NAMES("certificates", "certs"), RSSP_JSON_MAX_CERT_B64,
                                  &c->certificates, &c->n_certificates, st);
}

/* Counters shared by list items and info. */
static rssp_err parse_counters(const cJSON *o, rssp_credential *c, rssp_status *st)
{
    long long v = 0;
    rssp_err err = rssp_json_int(o, RSSP_NAMES("version"), 0, INT_MAX, -1, &v, st);
    if (err != RSSP_OK)
        return err;
    c->version = (int)v;
    err = rssp_json_int(o, RSSP_NAMES("remainingSigningCounter"), -1, INT_MAX, -2, &v, st);
    if (err != RSSP_OK)
        return err;
    c->remaining_signing_counter = (int)v;
    err = rssp_json_int(o, RSSP_NAMES("numSignatures", "multisign"), 0, INT_MAX, 0, &v, st);
    if (err != RSSP_OK)
        return err;
    c->num_signatures = (int)v;
    return RSSP_OK;
}

static rssp_err parse_list_item(const cJSON *item, rssp_credential *c, rssp_status *st)
{
    if (!cJSON_IsObject(item))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "credential list item is not an object");
    rssp_err err = parse_identifier(item, &c->credential_id, st);
    if (err == RSSP_OK)
        err = parse_certificate_fields(item, c, st);
    if (err == RSSP_OK)
        err = parse_counters(item, c, st);
    return err;
}

rssp_err rssp_decode_list(const cJSON *root, rssp_credential_list *out, rssp_status *st)
{
    memset(out, 0, sizeof *out);
    const cJSON *arr = rssp_json_member(root, RSSP_NAMES("certificates", "certs"));
    if (arr == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "list response has no certificates array");
    if (!cJSON_IsArray(arr))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "list response certificates is not an array");
    int size = cJSON_GetArraySize(arr);
    if (size == 0)
        return RSSP_OK;
    out->items = calloc((size_t)size, sizeof *out->items);
    if (out->items == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, arr)
    {
        rssp_credential *c = &out->items[out->count++];
        c->version = -1;
        c->remaining_signing_counter = -2;
        rssp_err err = parse_list_item(item, c, st);
        if (err != RSSP_OK) {
            rssp_credential_list_clear(out);
            return err;
        }
    }
    return RSSP_OK;
}

rssp_err rssp_encode_credinfo(const char *credential_id, rssp_certs_mode certs,
                              bool certificate_info, bool authentication_info,
                              const rssp_req_common *cm, cJSON **out, rssp_status *st)
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
              rssp_json_add_bool(*out, "certificateInfo", certificate_info) &&
              rssp_json_add_bool(*out, "authenticationInfo", authentication_info);
    err = ok ? rssp_request_finish(*out, cm, RSSP_REQ_AGREEMENT, st)
             : rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    return finish_or_free(err, out);
}

rssp_err rssp_decode_key_hints(const cJSON *key, rssp_credential *c, rssp_status *st)
{
    char **algos = NULL;
    size_t n = 0;
    rssp_err err =
        rssp_json_string_array(key, RSSP_NAMES("algo"), RSSP_JSON_MAX_STRING, true, &algos, &n, st);
    if (err != RSSP_OK)
        return err;
    if (n > 0) {
        c->key_algo_oid = algos[0];
        algos[0] = NULL;
    }
    rssp_string_array_free(algos, n);
    long long len = 0;
    err = rssp_json_int(key, RSSP_NAMES("len"), 0, INT_MAX, 0, &len, st);
    if (err != RSSP_OK)
        return err;
    c->key_len = (int)len;
    return rssp_json_string_dup(key, RSSP_NAMES("curve"), RSSP_JSON_MAX_STRING, &c->key_curve_oid,
                                st);
}

/* key {algo: [oid] or oid, len, curve}: hints only. */
static rssp_err parse_key(const cJSON *root, rssp_credential *c, rssp_status *st)
{
    const cJSON *key = NULL;
    rssp_err err = rssp_json_object(root, RSSP_NAMES("key"), &key, st);
    if (err != RSSP_OK || key == NULL)
        return err;
    return rssp_decode_key_hints(key, c, st);
}

static rssp_err parse_info(const cJSON *root, rssp_credential *c, rssp_status *st)
{
    const cJSON *cert = NULL;
    rssp_err err = rssp_json_object(root, RSSP_NAMES("certificate", "cert"), &cert, st);
    if (err != RSSP_OK)
        return err;
    if (cert == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no certificate object");
    err = parse_certificate_fields(cert, c, st);
    if (err != RSSP_OK)
        return err;
    err = parse_counters(root, c, st);
    if (err != RSSP_OK)
        return err;
    if (rssp_json_member(root, RSSP_NAMES("numSignatures", "multisign")) == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no numSignatures");

    if (rssp_json_member(root, RSSP_NAMES("authModeSupported", "authModes")) == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no authModeSupported");
    err = rssp_json_string_array(root, RSSP_NAMES("authModeSupported", "authModes"),
                                 RSSP_JSON_MAX_STRING, false, &c->auth_modes_supported,
                                 &c->n_auth_modes_supported, st);
    if (err != RSSP_OK)
        return err;
    err =
        rssp_json_string_dup(root, RSSP_NAMES("authMode"), RSSP_JSON_MAX_STRING, &c->auth_mode, st);
    if (err != RSSP_OK)
        return err;
    if (c->auth_mode == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no authMode");

    long long scal = 1;
    err = rssp_json_int(root, RSSP_NAMES("SCAL"), 1, 2, 1, &scal, st);
    if (err != RSSP_OK)
        return err;
    c->scal = (int)scal;
    err = rssp_json_string_dup(root, RSSP_NAMES("authorizationPhone"), RSSP_JSON_MAX_STRING,
                               &c->authorization_phone, st);
    if (err == RSSP_OK)
        err = rssp_json_string_dup(root, RSSP_NAMES("authorizationEmail"), RSSP_JSON_MAX_STRING,
                                   &c->authorization_email, st);
    if (err == RSSP_OK)
        err = parse_key(root, c, st);
    return err;
}

rssp_err rssp_decode_credinfo(const cJSON *root, const char *credential_id, rssp_credential *out,
                              rssp_status *st)
{
    memset(out, 0, sizeof *out);
    out->version = -1;
    out->remaining_signing_counter = -2;
    out->credential_id = strdup(credential_id);
    if (out->credential_id == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    out->has_auth_info = true;
    rssp_err err = parse_info(root, out, st);
    if (err != RSSP_OK)
        rssp_credential_clear(out);
    return err;
}

rssp_err rssp_encode_send_otp(const char *credential_id, const char *template_text,
                              const char *subject, const rssp_req_common *cm, cJSON **out,
                              rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_require_string(credential_id, "credential_id", st);
    if (err != RSSP_OK)
        return err;
    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = rssp_json_add_string(*out, "credentialID", credential_id) &&
              rssp_json_add_string(*out, "notificationTemplate", template_text) &&
              rssp_json_add_string(*out, "notificationSubject", subject);
    err = ok ? rssp_request_finish(*out, cm, RSSP_REQ_AGREEMENT, st)
             : rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    return finish_or_free(err, out);
}
