/* info, auth/login, auth/revoke and logout. */
#include <string.h>

#include "client/call.h"
#include "client/client_internal.h"
#include "client/codec_auth.h"
#include "client/codec_info.h"
#include "client/json.h"
#include "client/status_internal.h"
#include "common/secmem.h"

rssp_err rssp_info(rssp_client *c, rssp_info_result *out, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (c == NULL || out == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client and output are required");

    cJSON *body = NULL;
    rssp_err err = rssp_request_new(&body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "info",
        .read_only = true,
        .rules = {.accept_1007 = true, .accept_bare_info = true},
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    if (err == RSSP_OK)
        err = rssp_decode_info(res.root, out, st);
    if (err == RSSP_OK)
        atomic_store(&c->sign_path_singular, rssp_info_uses_singular_sign_path(out));
    rssp_call_result_clear(&res);
    rssp_json_delete(body);
    return err;
}

rssp_err rssp_login(rssp_client *c, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (c == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client is required");
    return rssp_session_login(c, true, st);
}

bool rssp_logged_in(rssp_client *c)
{
    return c != NULL && rssp_session_logged_in(&c->session);
}

/* auth/revoke with the held access token; relogin says whether 3005/3006 may log in again. */
static rssp_err revoke(rssp_client *c, rssp_token_type type, const char *token,
                       const char *credential_id, bool relogin, rssp_status *st)
{
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = rssp_encode_revoke(type, token, credential_id, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "auth/revoke",
        .bearer = true,
        .relogin = relogin,
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_call_result_clear(&res);
    rssp_json_delete(body);
    return err;
}

rssp_err rssp_revoke(rssp_client *c, rssp_token_type type, const char *token,
                     const char *credential_id, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (c == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client is required");
    return revoke(c, type, token, credential_id, true, st);
}

/*
 * auth/revoke authenticated by the token being revoked (or by the access token
 * for the refresh token); no login happens here: a token the service no longer
 * accepts (3005/3006) is as good as revoked.
 */
static rssp_err revoke_with(rssp_client *c, const char *bearer, rssp_token_type type,
                            const char *token, rssp_status *st)
{
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    char *authorization = NULL;
    rssp_err err = rssp_encode_revoke(type, token, NULL, &cm, &body, st);
    if (err == RSSP_OK)
        err = rssp_bearer_authorization(bearer, &authorization, st);
    if (err == RSSP_OK) {
        rssp_call_spec spec = {.method = "auth/revoke", .authorization = authorization};
        rssp_call_result res;
        err = rssp_call_run(c, &spec, body, &res, st);
        rssp_call_result_clear(&res);
    }
    if (err == RSSP_ERR_SERVICE && (st->response_code == RSSP_RC_ACCESS_TOKEN_EXPIRED ||
                                    st->response_code == RSSP_RC_ACCESS_TOKEN_INVALID)) {
        rssp_status_reset(st);
        err = RSSP_OK;
    }
    rssp_secret_free(authorization);
    rssp_json_delete(body);
    return err;
}

rssp_err rssp_logout(rssp_client *c, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (c == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client is required");
    char *access = NULL, *refresh = NULL;
    /* Forget first: whatever the service answers, this client no longer uses them. */
    rssp_session_take(&c->session, &access, &refresh);
    rssp_err err = RSSP_OK;
    if (access != NULL) {
        /* Revoking the refresh token also ends the access tokens issued from it (§2.3). */
        if (refresh != NULL)
            err = revoke_with(c, access, RSSP_TOKEN_REFRESH, refresh, st);
        else
            err = revoke_with(c, access, RSSP_TOKEN_ACCESS, access, st);
    } else if (refresh != NULL) {
        err = revoke_with(c, refresh, RSSP_TOKEN_REFRESH, refresh, st);
    }
    rssp_secret_free(access);
    rssp_secret_free(refresh);
    return err;
}
