/* credentials/authorize, credentials/extendTransaction, signatures/signHash. */
#include <stdlib.h>
#include <string.h>

#include "client/call.h"
#include "client/client_internal.h"
#include "client/dialect.h"
#include "client/json.h"
#include "client/status_internal.h"
#include "common/secmem.h"

/* Take the rssp-entity-name of the response; an invalid one is a protocol error (§1.6). */
static rssp_err take_entity_name(const rssp_http_response *http, char **out, rssp_status *st)
{
    *out = NULL;
    if (http->entity_name_invalid)
        return rssp_fail(st, RSSP_ERR_PROTOCOL,
                         "rssp-entity-name header is not visible ASCII of at most %d characters",
                         RSSP_ENTITY_NAME_MAX);
    if (!http->has_entity_name)
        return RSSP_OK;
    *out = strdup(http->entity_name);
    return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
}

rssp_err rssp_authorize(rssp_client *c, const rssp_authorize_request *req, rssp_sad *out,
                        rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (c == NULL || out == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client and output are required");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = c->dialect->encode_authorize(req, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "credentials/authorize",
        .bearer = true,
        .relogin = true, /* 3005/3006: the service refused before acting */
        /* Only a call without a code waits for a person (phone approval, IMPLICIT). */
        .timeout_ms = req != NULL && req->authorize_code == NULL ? c->authorize_timeout_ms : 0,
        .cancel = req->cancel,
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    if (err == RSSP_OK)
        err = c->dialect->decode_sad(res.root, out, st);
    if (err == RSSP_OK) {
        err = take_entity_name(&res.http, &out->entity_name, st);
        out->obtained_ms = rssp_monotonic_ms();
    }
    if (err != RSSP_OK)
        rssp_sad_clear(out);
    rssp_call_result_clear(&res);
    return err;
}

rssp_err rssp_extend_transaction(rssp_client *c, const char *credential_id, rssp_sad *sad,
                                 rssp_hash_alg hash_alg, const rssp_buf *hashes, size_t n_hashes,
                                 rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (c == NULL || sad == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client and SAD are required");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = c->dialect->encode_extend(credential_id, sad->sad, hash_alg, hashes, n_hashes,
                                             &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "credentials/extendTransaction",
        .bearer = true,
        .relogin = true,
        .entity_name = sad->entity_name,
    };
    rssp_call_result res;
    rssp_sad fresh = {0};
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    if (err == RSSP_OK)
        err = c->dialect->decode_sad(res.root, &fresh, st);
    if (err == RSSP_OK)
        err = take_entity_name(&res.http, &fresh.entity_name, st);
    if (err == RSSP_OK) {
        /* The old SAD is dead on the service now; keep the entity name unless a new one came. */
        rssp_secret_free(sad->sad);
        sad->sad = fresh.sad;
        fresh.sad = NULL;
        if (fresh.entity_name != NULL) {
            free(sad->entity_name);
            sad->entity_name = fresh.entity_name;
            fresh.entity_name = NULL;
        }
        sad->expires_in = fresh.expires_in;
        sad->obtained_ms = rssp_monotonic_ms();
    }
    rssp_sad_clear(&fresh);
    rssp_call_result_clear(&res);
    return err;
}

rssp_err rssp_sign_hash(rssp_client *c, const rssp_sign_request *req, rssp_signatures *out,
                        rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out != NULL) {
        memset(out, 0, sizeof *out);
        out->remaining_signing_counter = -2;
    }
    if (c == NULL || out == NULL || req == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client, request and output are required");
    rssp_req_common cm = rssp_client_common(c);
    char *text = NULL;
    size_t text_len = 0;
    rssp_err err;
    if (c->dialect->write_sign_hash != NULL) {
        err = c->dialect->write_sign_hash(req, &cm, &text, &text_len, st);
    } else {
        cJSON *body = NULL;
        err = c->dialect->encode_sign_hash(req, &cm, &body, st);
        if (err == RSSP_OK)
            err = rssp_json_print(body, &text, &text_len, st);
        rssp_json_delete(body);
    }
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method =
            atomic_load(&c->sign_path_singular) ? "signature/signHash" : "signatures/signHash",
        .bearer = true,
        .relogin = true, /* 3005/3006: the service refused before signing */
        .entity_name = req->sad->entity_name,
        .cancel = req->cancel,
    };
    rssp_call_result res;
    err = rssp_call_run_text(c, &spec, text, text_len, &res, st);
    rssp_json_text_free(text);
    if (err == RSSP_OK)
        err = c->dialect->decode_sign_hash(res.root, req->n_hashes, out, st);
    rssp_call_result_clear(&res);
    return err;
}
