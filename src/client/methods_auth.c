/* info, auth/login, auth/revoke and logout. */
#include <string.h>

#include "client/call.h"
#include "client/client_internal.h"
#include "client/codec_info.h"
#include "client/dialect.h"
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
        err = c->dialect->decode_info(res.root, out, st);
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
    rssp_err err = c->dialect->encode_revoke(type, token, credential_id, &cm, &body, st);
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
    /* CSC cannot revoke a SAD: it ends by itself at expiry (docs/protocol.md). */
    if (type == RSSP_TOKEN_SAD && !c->dialect->revokes_sad)
        return RSSP_OK;
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
    rssp_err err = c->dialect->encode_revoke(type, token, NULL, &cm, &body, st);
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

/* A token the service no longer accepts as bearer (3005/3006) is as good as revoked. */
static bool token_gone(rssp_err err, const rssp_status *st)
{
    return err == RSSP_ERR_SERVICE && (st->response_code == RSSP_RC_ACCESS_TOKEN_EXPIRED ||
                                       st->response_code == RSSP_RC_ACCESS_TOKEN_INVALID);
}

/*
 * Run n prepared auth/revoke calls at once by the deadline. The first
 * failure is reported in *st (and returned); bodies are freed.
 */
static rssp_err revoke_round(rssp_client *c, rssp_call_item *items, size_t n, bool sessions,
                             long long deadline_ms, bool *ran_out, rssp_status *st)
{
    rssp_call_run_many(c, items, n, deadline_ms);
    rssp_err first = RSSP_OK;
    *ran_out = false;
    for (size_t i = 0; i < n; i++) {
        rssp_err err = items[i].err;
        *ran_out |= rssp_http_timed_out(&items[i].res.http);
        if (sessions && token_gone(err, &items[i].st))
            err = RSSP_OK;
        if (err != RSSP_OK && first == RSSP_OK) {
            first = err;
            *st = items[i].st;
        }
        rssp_call_result_clear(&items[i].res);
        rssp_json_delete((cJSON *)items[i].body);
        items[i].body = NULL;
    }
    return first;
}

rssp_err rssp_revoke_all(rssp_client *c, const rssp_sad_ref *sads, size_t n_sads, bool logout,
                         rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (c == NULL || (n_sads > 0 && sads == NULL))
        return rssp_fail(st, RSSP_ERR_ARGS, "client is required");
    long long deadline = rssp_monotonic_ms() + c->revoke_budget_ms;
    char *access = NULL, *refresh = NULL, *bearer = NULL;
    /* With logout, forget the tokens first: whatever happens, this client no longer uses them. */
    if (logout)
        rssp_session_take(&c->session, &access, &refresh);
    else
        rssp_session_copy(&c->session, &access, &refresh);
    const char *bearer_token = access != NULL ? access : refresh;
    rssp_req_common cm = rssp_client_common(c);
    rssp_err err = RSSP_OK, first = RSSP_OK;
    bool sads_ran_out = false;

    /* Round 1: every SAD at once, authenticated by the session (no new login at the end). */
    size_t n = 0;
    rssp_call_item *items = calloc(n_sads > 0 ? n_sads : 1, sizeof *items);
    rssp_call_spec sad_spec = {.method = "auth/revoke"};
    if (items == NULL) {
        first = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (n_sads > 0 && bearer_token == NULL)
        first = rssp_fail(st, RSSP_ERR_ARGS, "no session token: the SADs are left to expire");
    if (bearer_token != NULL &&
        (first = rssp_bearer_authorization(bearer_token, &bearer, st)) == RSSP_OK) {
        sad_spec.authorization = bearer;
        for (size_t i = 0; i < n_sads; i++) {
            cJSON *body = NULL;
            /* CSC cannot revoke a SAD: it ends at its expiry (docs/protocol.md). */
            if (sads[i].sad == NULL || !c->dialect->revokes_sad)
                continue;
            err = c->dialect->encode_revoke(RSSP_TOKEN_SAD, sads[i].sad, sads[i].credential_id, &cm,
                                            &body, st);
            if (err != RSSP_OK) {
                first = first == RSSP_OK ? err : first;
                continue;
            }
            items[n++] = (rssp_call_item){.spec = &sad_spec, .body = body};
        }
        if (n > 0 &&
            (err = revoke_round(c, items, n, false, deadline, &sads_ran_out, st)) != RSSP_OK &&
            first == RSSP_OK)
            first = err;
    }

    /*
     * Round 2: the session, after the SADs (revoking the refresh token ends
     * the access token the SAD revocations authenticate with; §2.3). Not
     * when a SAD revocation ran out of time: the budget is spent, and that
     * revocation may still be on its way, so the session's could overtake
     * it and make it fail.
     */
    if (logout && bearer != NULL && !sads_ran_out) {
        rssp_call_item item = {0};
        rssp_call_spec spec = {.method = "auth/revoke", .authorization = bearer};
        cJSON *body = NULL;
        err = refresh != NULL
                  ? c->dialect->encode_revoke(RSSP_TOKEN_REFRESH, refresh, NULL, &cm, &body, st)
                  : c->dialect->encode_revoke(RSSP_TOKEN_ACCESS, access, NULL, &cm, &body, st);
        if (err == RSSP_OK) {
            item = (rssp_call_item){.spec = &spec, .body = body};
            bool ran_out;
            err = revoke_round(c, &item, 1, true, deadline, &ran_out, st);
        }
        if (err != RSSP_OK && first == RSSP_OK)
            first = err;
    }
out:
    free(items);
    rssp_secret_free(bearer);
    rssp_secret_free(access);
    rssp_secret_free(refresh);
    if (first == RSSP_OK)
        rssp_status_reset(st);
    return first;
}
