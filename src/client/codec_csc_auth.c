/* CSC auth/login, oauth2/token, auth/revoke and info (CSC v1 §11.1-11.3, v2 §11.1-11.3, §8.3). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/codec_csc.h"
#include "client/json.h"
#include "client/status_internal.h"
#include "common/secmem.h"

rssp_err rssp_csc_encode_login(const char *refresh_token, bool remember_me, cJSON **out,
                               rssp_status *st)
{
    rssp_err err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    if (refresh_token != NULL && strlen(refresh_token) > RSSP_JSON_MAX_TOKEN)
        err = rssp_fail(st, RSSP_ERR_ARGS, "refresh token too long");
    else if (!rssp_json_add_string(*out, "refresh_token", refresh_token) ||
             !rssp_json_add_bool(*out, "rememberMe", remember_me))
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}

rssp_err rssp_csc_decode_login(const cJSON *root, rssp_login_result *out, rssp_status *st)
{
    memset(out, 0, sizeof *out);
    long long expires = 0;
    rssp_err err = rssp_json_string_secret(root, RSSP_NAMES("access_token"), RSSP_JSON_MAX_TOKEN,
                                           &out->access_token, st);
    if (err == RSSP_OK && (out->access_token == NULL || out->access_token[0] == '\0'))
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "login response has no access_token");
    if (err == RSSP_OK)
        err = rssp_json_string_secret(root, RSSP_NAMES("refresh_token"), RSSP_JSON_MAX_TOKEN,
                                      &out->refresh_token, st);
    if (err == RSSP_OK)
        err = rssp_json_int(root, RSSP_NAMES("expires_in"), 1, INT_MAX, 3600, &expires, st);
    if (err != RSSP_OK) {
        rssp_login_result_clear(out);
        return err;
    }
    out->expires_in = (long)expires;
    return RSSP_OK;
}

/* Append name=<percent-encoded value> (RFC 6749 Appendix B) to buf; returns the new length. */
static size_t form_add(char *buf, size_t at, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    if (at > 0)
        buf[at++] = '&';
    size_t n = strlen(name);
    memcpy(buf + at, name, n);
    at += n;
    buf[at++] = '=';
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            buf[at++] = (char)*p;
        } else {
            buf[at++] = '%';
            buf[at++] = hex[*p >> 4];
            buf[at++] = hex[*p & 15];
        }
    }
    buf[at] = '\0';
    return at;
}

rssp_err rssp_csc_encode_token_form(const char *client_id, const char *client_secret,
                                    const char *refresh_token, char **out, size_t *out_len,
                                    rssp_status *st)
{
    *out = NULL;
    *out_len = 0;
    if (client_id == NULL || client_secret == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client id and secret are required");
    size_t lid = strlen(client_id), lsecret = strlen(client_secret);
    size_t lrefresh = refresh_token != NULL ? strlen(refresh_token) : 0;
    if (lid > RSSP_JSON_MAX_STRING || lsecret > RSSP_JSON_MAX_STRING ||
        lrefresh > RSSP_JSON_MAX_TOKEN)
        return rssp_fail(st, RSSP_ERR_ARGS, "client id, secret or refresh token too long");
    /* Every byte may become three; names, '=' and '&' fit in 128. */
    size_t cap = 3 * (lid + lsecret + lrefresh) + 128;
    char *buf = calloc(1, cap);
    if (buf == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    size_t at = 0;
    if (refresh_token != NULL) {
        at = form_add(buf, at, "grant_type", "refresh_token");
        at = form_add(buf, at, "refresh_token", refresh_token);
    } else {
        at = form_add(buf, at, "grant_type", "client_credentials");
    }
    at = form_add(buf, at, "client_id", client_id);
    at = form_add(buf, at, "client_secret", client_secret);
    *out = rssp_secret_dup(buf, at);
    OPENSSL_cleanse(buf, cap);
    free(buf);
    if (*out == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    *out_len = at;
    return RSSP_OK;
}

rssp_err rssp_csc_encode_revoke(rssp_token_type type, const char *token, const char *credential_id,
                                const rssp_req_common *cm, cJSON **out, rssp_status *st)
{
    (void)credential_id;
    (void)cm;
    *out = NULL;
    if (type != RSSP_TOKEN_ACCESS && type != RSSP_TOKEN_REFRESH)
        return rssp_fail(st, RSSP_ERR_ARGS, "CSC auth/revoke takes access and refresh tokens only");
    if (token == NULL || token[0] == '\0' || strlen(token) > RSSP_JSON_MAX_TOKEN)
        return rssp_fail(st, RSSP_ERR_ARGS, "token is required");
    rssp_err err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    if (!rssp_json_add_string(*out, "token", token) ||
        !rssp_json_add_string(*out, "token_type_hint",
                              type == RSSP_TOKEN_REFRESH ? "refresh_token" : "access_token")) {
        rssp_json_delete(*out);
        *out = NULL;
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    return RSSP_OK;
}

rssp_err rssp_csc_decode_info(const cJSON *root, rssp_info_result *out, rssp_status *st)
{
    memset(out, 0, sizeof *out);
    rssp_err err =
        rssp_json_string_dup(root, RSSP_NAMES("specs"), RSSP_JSON_MAX_STRING, &out->version, st);
    if (err == RSSP_OK && out->version == NULL)
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no specs");
    if (err == RSSP_OK)
        err = rssp_json_string_dup(root, RSSP_NAMES("name"), RSSP_JSON_MAX_STRING, &out->name, st);
    if (err == RSSP_OK && out->name == NULL)
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no name");
    if (err == RSSP_OK)
        err = rssp_json_string_dup(root, RSSP_NAMES("description"), RSSP_JSON_MAX_STRING,
                                   &out->description, st);
    if (err == RSSP_OK)
        err = rssp_json_string_array(root, RSSP_NAMES("lang"), RSSP_JSON_MAX_STRING, true,
                                     &out->languages, &out->n_languages, st);
    if (err == RSSP_OK)
        err = rssp_json_string_array(root, RSSP_NAMES("authType"), RSSP_JSON_MAX_STRING, true,
                                     &out->auth_types, &out->n_auth_types, st);
    if (err == RSSP_OK && rssp_json_member(root, RSSP_NAMES("methods")) == NULL)
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no methods");
    if (err == RSSP_OK)
        err = rssp_json_string_array(root, RSSP_NAMES("methods"), RSSP_JSON_MAX_STRING, false,
                                     &out->methods, &out->n_methods, st);
    if (err != RSSP_OK)
        rssp_info_result_clear(out);
    return err;
}
