/*
 * CSC answers from the outcome of an RSSP handler: errors as HTTP status +
 * {"error", "error_description"} (CSC v1/v2 §10.1, RFC 6749 §5.2), results
 * with the CSC field names. The error strings and descriptions are the ones
 * the specifications list where they list one; docs/protocol.md has the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/csc.h"

typedef struct {
    int code;
    unsigned status;
    const char *error;
    const char *description;
} csc_error;

static const csc_error errors[] = {
    {3000, 401, "authentication_error", "Invalid username or password"},
    {3001, 401, "invalid_client", "Client authentication failed"},
    {3002, 401, "access_denied", "The account is locked"},
    {3003, 401, "authentication_error", "Invalid username or password"},
    {3004, 400, "invalid_grant", "Invalid refresh token"},
    {3005, 401, "invalid_token", "The access token has expired"},
    {3006, 401, "invalid_token", "The access token is not valid"},
    {3007, 400, "invalid_request", "Invalid parameter credentialID"},
    {3008, 400, "invalid_request", "Invalid parameter credentialID"},
    {3009, 400, "invalid_request", "The certificate is revoked"},
    {3010, 400, "invalid_request", "The certificate is expired or not yet valid"},
    {3011, 400, "invalid_pin", "The PIN is invalid"},
    {3012, 400, "access_denied", "The PIN is locked"},
    {3013, 400, "invalid_otp", "The OTP has expired"},
    {3014, 400, "invalid_request", "Invalid parameter SAD"},
    {3015, 400, "invalid_request", "SAD expired"},
    {3016, 400, "invalid_request", "Invalid parameter SAD: no signatures left"},
    {3017, 400, "invalid_request", "Hash not authorized by the SAD"},
    {3018, 403, "access_denied", "The signing counter of the credential is exhausted"},
    {3019, 400, "invalid_request", "Invalid parameter signAlgo or hashAlgo"},
    {3020, 403, "access_denied", "The credential is in use by another client"},
    {3021, 400, "invalid_request", "The authorization data does not fit the credential"},
    {3022, 403, "access_denied", "The request was denied by the user"},
    {3024, 403, "access_denied", "Not allowed"},
    {3026, 400, "invalid_request", "Invalid parameter numSignatures"},
    {3036, 403, "access_denied", "The request expired before the user approved it"},
    {3101, 400, "invalid_request", "The request is not supported"},
    {3213, 403, "access_denied", "The user has no authenticator app"},
    {9000, 500, "server_error", "Internal error"},
    {9001, 503, "temporarily_unavailable", "The service is unavailable"},
};

/* The OTP flavour of 3011/3012 when the request carried an OTP. */
static bool request_had_otp(const emu_req *r)
{
    return r->csc_otp;
}

static char *error_text(emu_req *r, unsigned *status)
{
    const csc_error *e = NULL;
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        if (errors[i].code == r->code)
            e = &errors[i];
    }
    const char *error = e != NULL ? e->error : "invalid_request";
    char description[400];
    /* the token endpoint answers in RFC 6749 §5.2 terms */
    if (r->csc_token_endpoint && (r->code == 3000 || r->code == 3002 || r->code == 3003))
        error = "invalid_client";
    else if (r->csc_token_endpoint && r->code == 3101)
        error = "unsupported_grant_type";
    if (e == NULL || r->code == 3101)
        snprintf(description, sizeof(description), "Invalid request%s%s",
                 r->detail[0] != '\0' ? ": " : "", r->detail);
    else if (request_had_otp(r) && (r->code == 3011 || r->code == 3012))
        snprintf(description, sizeof(description), "%s",
                 r->code == 3011 ? "The OTP is invalid" : "The OTP is locked");
    else
        snprintf(description, sizeof(description), "%s", e->description);
    if (request_had_otp(r) && r->code == 3011)
        error = "invalid_otp";
    *status = e != NULL ? e->status : 400;
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    if (o != NULL && cJSON_AddStringToObject(o, "error", error) != NULL &&
        cJSON_AddStringToObject(o, "error_description", description) != NULL)
        text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* Move member from of src to dst as to (absent: nothing). */
static bool move_as(cJSON *src, const char *from, cJSON *dst, const char *to)
{
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(src, from);
    if (v == NULL)
        return true;
    if (!cJSON_AddItemToObject(dst, to, v)) {
        emu_json_wipe_delete(v);
        return false;
    }
    return true;
}

static bool add_copy(cJSON *dst, const char *to, const cJSON *src, const char *from)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, from);
    if (v == NULL)
        return true;
    cJSON *dup = cJSON_Duplicate(v, 1);
    if (dup == NULL || !cJSON_AddItemToObject(dst, to, dup)) {
        cJSON_Delete(dup);
        return false;
    }
    return true;
}

/* explicit / implicit and the factors of an RSSP authMode. */
static void mode_of(const char *auth_mode, const char **mode, bool *pin, bool *otp, bool *online)
{
    *mode = "explicit";
    *pin = *otp = false;
    *online = true;
    if (auth_mode == NULL || strncmp(auth_mode, "IMPLICIT/", 9) == 0) {
        *mode = "implicit";
    } else if (strncmp(auth_mode, "EXPLICIT/OTP-", 13) == 0) {
        *otp = true;
        *online = strcmp(auth_mode, "EXPLICIT/OTP-MOBILE") != 0;
    } else {
        *pin = true;
    }
}

static cJSON *factor_v2(const char *id, bool generator)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "type", "Password") == NULL ||
        cJSON_AddStringToObject(o, "id", id) == NULL ||
        cJSON_AddStringToObject(o, "format", "N") == NULL ||
        cJSON_AddStringToObject(o, "label", id) == NULL ||
        (generator && cJSON_AddStringToObject(o, "generator", "totp") == NULL)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool add_auth(cJSON *o, const cJSON *info, bool v2)
{
    const cJSON *am = cJSON_GetObjectItemCaseSensitive(info, "authMode");
    const char *mode;
    bool pin, otp, online;
    mode_of(cJSON_IsString(am) ? am->valuestring : NULL, &mode, &pin, &otp, &online);
    if (v2) {
        cJSON *auth = cJSON_AddObjectToObject(o, "auth");
        cJSON *objects = auth == NULL ? NULL : cJSON_AddArrayToObject(auth, "objects");
        if (objects == NULL || cJSON_AddStringToObject(auth, "mode", mode) == NULL)
            return false;
        if (pin || otp) {
            cJSON *f = factor_v2(pin ? "PIN" : "OTP", otp && !online);
            if (f == NULL || !cJSON_AddItemToArray(objects, f)) {
                cJSON_Delete(f);
                return false;
            }
            if (cJSON_AddStringToObject(auth, "expression", pin ? "PIN" : "OTP") == NULL)
                return false;
        }
        return true;
    }
    if (cJSON_AddStringToObject(o, "authMode", mode) == NULL)
        return false;
    if (pin) {
        cJSON *p = cJSON_AddObjectToObject(o, "PIN");
        return p != NULL && cJSON_AddStringToObject(p, "presence", "true") != NULL &&
               cJSON_AddStringToObject(p, "format", "N") != NULL &&
               cJSON_AddStringToObject(p, "label", "PIN") != NULL;
    }
    if (otp) {
        cJSON *p = cJSON_AddObjectToObject(o, "OTP");
        return p != NULL && cJSON_AddStringToObject(p, "presence", "true") != NULL &&
               cJSON_AddStringToObject(p, "type", online ? "online" : "offline") != NULL &&
               cJSON_AddStringToObject(p, "format", "N") != NULL &&
               cJSON_AddStringToObject(p, "label", "OTP") != NULL &&
               cJSON_AddStringToObject(p, "ID", "rssp-emulator") != NULL &&
               cJSON_AddStringToObject(p, "provider", "rssp-emulator") != NULL;
    }
    return true;
}

cJSON *emu_csc_credential_object(const emu_req *r, const cJSON *info)
{
    bool v2 = r->dialect == EMU_PROTO_CSC_V2;
    const cJSON *cert = cJSON_GetObjectItemCaseSensitive(info, "certificate");
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(info, "key");
    const cJSON *scal = cJSON_GetObjectItemCaseSensitive(info, "SCAL");
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(info, "numSignatures");
    cJSON *o = cJSON_CreateObject();
    cJSON *k = o == NULL ? NULL : cJSON_AddObjectToObject(o, "key");
    cJSON *c = o == NULL ? NULL : cJSON_AddObjectToObject(o, "cert");
    bool ok = k != NULL && c != NULL && cJSON_AddStringToObject(k, "status", "enabled") != NULL &&
              add_copy(k, "algo", key, "algo") && add_copy(k, "len", key, "len") &&
              add_copy(k, "curve", key, "curve") && add_copy(c, "status", cert, "status") &&
              add_copy(c, "certificates", cert, "certificates") &&
              add_copy(c, "issuerDN", cert, "issuerDN") &&
              add_copy(c, "serialNumber", cert, "serialNumber") &&
              add_copy(c, "subjectDN", cert, "subjectDN") &&
              add_copy(c, "validFrom", cert, "validFrom") &&
              add_copy(c, "validTo", cert, "validTo") && add_auth(o, info, v2) &&
              cJSON_AddStringToObject(
                  o, "SCAL", cJSON_IsNumber(scal) && scal->valueint == 2 ? "2" : "1") != NULL &&
              cJSON_AddNumberToObject(o, "multisign", cJSON_IsNumber(num) ? num->valuedouble : 1) !=
                  NULL &&
              cJSON_AddStringToObject(o, "lang", "en-US") != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* credentialIDs of the RSSP list answer. */
static bool list_ids(cJSON *resp, cJSON *out)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(resp, "certificates");
    cJSON *ids = cJSON_AddArrayToObject(out, "credentialIDs");
    const cJSON *it = NULL;
    if (ids == NULL)
        return false;
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "credentialID");
        if (cJSON_IsString(id) && !cJSON_AddItemToArray(ids, cJSON_CreateString(id->valuestring)))
            return false;
    }
    return true;
}

static bool success_fields(emu_req *r, cJSON *out)
{
    cJSON *resp = r->resp;
    switch (r->method) {
    case EMU_M_INFO:
        /* emu_csc_handle_info wrote the CSC fields already */
        while (resp->child != NULL) {
            cJSON *item = cJSON_DetachItemViaPointer(resp, resp->child);
            if (!cJSON_AddItemToObject(out, item->string, item)) {
                cJSON_Delete(item);
                return false;
            }
        }
        return true;
    case EMU_M_LOGIN:
        return move_as(resp, "accessToken", out, "access_token") &&
               move_as(resp, "refreshToken", out, "refresh_token") &&
               (!r->csc_token_endpoint ||
                cJSON_AddStringToObject(out, "token_type", "Bearer") != NULL) &&
               move_as(resp, "expiresIn", out, "expires_in");
    case EMU_M_LIST:
        return list_ids(resp, out) && move_as(resp, "credentialInfos", out, "credentialInfos");
    case EMU_M_CRED_INFO: {
        cJSON *o = emu_csc_credential_object(r, resp);
        if (o == NULL)
            return false;
        while (o->child != NULL) {
            cJSON *item = cJSON_DetachItemViaPointer(o, o->child);
            if (!cJSON_AddItemToObject(out, item->string, item)) {
                cJSON_Delete(item);
                cJSON_Delete(o);
                return false;
            }
        }
        cJSON_Delete(o);
        return true;
    }
    case EMU_M_AUTHORIZE:
    case EMU_M_EXTEND:
        return move_as(resp, "SAD", out, "SAD") && move_as(resp, "expiresIn", out, "expiresIn");
    case EMU_M_SIGN_HASH:
        return move_as(resp, "signatures", out, "signatures");
    default:
        return true;
    }
}

char *emu_csc_reply(emu_req *r, unsigned *status)
{
    if (r->code == 1007 && r->method == EMU_M_SEND_OTP)
        r->code = 0; /* RSSP's "request accepted": the code is on its way */
    if (r->code != 0)
        return error_text(r, status);
    if (r->method == EMU_M_REVOKE || r->method == EMU_M_SEND_OTP) {
        *status = 204; /* CSC v1 §11.3, §11.7: no content */
        return strdup("");
    }
    *status = 200;
    cJSON *out = cJSON_CreateObject();
    char *text = NULL;
    if (out != NULL && success_fields(r, out))
        text = cJSON_PrintUnformatted(out);
    emu_json_wipe_delete(out);
    return text;
}
