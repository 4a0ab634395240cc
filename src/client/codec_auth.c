#include "client/codec_auth.h"

#include <limits.h>
#include <string.h>

#include "client/json.h"
#include "client/status_internal.h"
#include "common/secmem.h"

rssp_err rssp_encode_login(const rssp_req_common *cm, bool remember_me, cJSON **out,
                           rssp_status *st)
{
    rssp_err err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    if (!rssp_json_add_bool(*out, "rememberMe", remember_me))
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    else
        err = rssp_request_finish(*out, cm, RSSP_REQ_RELYING_PARTY, st);
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}

rssp_err rssp_decode_login(const cJSON *root, rssp_login_result *out, rssp_status *st)
{
    memset(out, 0, sizeof *out);
    long long expires = 0;
    rssp_err err = rssp_json_string_secret(root, RSSP_NAMES("accessToken"), RSSP_JSON_MAX_TOKEN,
                                           &out->access_token, st);
    if (err == RSSP_OK && (out->access_token == NULL || out->access_token[0] == '\0'))
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "login response has no accessToken");
    if (err == RSSP_OK)
        err = rssp_json_string_secret(root, RSSP_NAMES("refreshToken"), RSSP_JSON_MAX_TOKEN,
                                      &out->refresh_token, st);
    if (err == RSSP_OK)
        err = rssp_json_int(root, RSSP_NAMES("expiresIn"), 1, INT_MAX, 3600, &expires, st);
    if (err != RSSP_OK) {
        rssp_login_result_clear(out);
        return err;
    }
    out->expires_in = (long)expires;
    return RSSP_OK;
}

void rssp_login_result_clear(rssp_login_result *r)
{
    rssp_secret_free(r->access_token);
    rssp_secret_free(r->refresh_token);
    memset(r, 0, sizeof *r);
}

rssp_err rssp_encode_revoke(rssp_token_type type, const char *token, const char *credential_id,
                            const rssp_req_common *cm, cJSON **out, rssp_status *st)
{
    *out = NULL;
    if (type != RSSP_TOKEN_ACCESS && type != RSSP_TOKEN_REFRESH && type != RSSP_TOKEN_SAD)
        return rssp_fail(st, RSSP_ERR_ARGS, "unknown token type");
    if (token == NULL || token[0] == '\0' || strlen(token) > RSSP_JSON_MAX_TOKEN)
        return rssp_fail(st, RSSP_ERR_ARGS, "token is required");
    rssp_err err = RSSP_OK;
    if (type == RSSP_TOKEN_SAD) {
        err = rssp_require_string(credential_id, "credential_id", st);
        if (err != RSSP_OK)
            return err;
    }
    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = rssp_json_add_int(*out, "tokenType", (long long)type) &&
              rssp_json_add_string(*out, "token", token);
    if (ok && type == RSSP_TOKEN_SAD)
        ok = rssp_json_add_string(*out, "credentialID", credential_id);
    if (!ok)
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    else
        err = rssp_request_finish(*out, cm, type == RSSP_TOKEN_SAD ? RSSP_REQ_AGREEMENT : 0u, st);
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}
