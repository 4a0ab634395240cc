#include "client/codec_authorize.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "client/status_internal.h"
#include "common/secmem.h"

/* IMPLICIT approval window (§2.7): at most 300 s. */
#define VALIDITY_PERIOD_MAX 300

rssp_err rssp_encode_authorize(const rssp_authorize_request *req, const rssp_req_common *cm,
                               cJSON **out, rssp_status *st)
{
    *out = NULL;
    if (req == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "no authorize request");
    rssp_err err = rssp_require_string(req->credential_id, "credential_id", st);
    if (err != RSSP_OK)
        return err;
    if (req->num_signatures < 1)
        return rssp_fail(st, RSSP_ERR_ARGS, "num_signatures must be at least 1");
    if (req->n_hashes > 0 && req->n_hashes != (size_t)req->num_signatures)
        return rssp_fail(st, RSSP_ERR_ARGS, "SCAL 2 needs exactly num_signatures hashes");
    if (req->validity_period < 0 || req->validity_period > VALIDITY_PERIOD_MAX)
        return rssp_fail(st, RSSP_ERR_ARGS, "validity_period must be 0..%d seconds",
                         VALIDITY_PERIOD_MAX);
    if (req->authorize_code != NULL && strlen(req->authorize_code) > RSSP_JSON_MAX_STRING)
        return rssp_fail(st, RSSP_ERR_ARGS, "authorize_code is too long");

    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = rssp_json_add_string(*out, "credentialID", req->credential_id) &&
              rssp_json_add_int(*out, "numSignatures", req->num_signatures) &&
              rssp_json_add_string(*out, "authorizeCode", req->authorize_code) &&
              rssp_json_add_string(*out, "signAlgo", req->sign_algo_oid) &&
              rssp_json_add_string(*out, "notificationMessage", req->notification_message);
    if (ok && req->validity_period > 0)
        ok = rssp_json_add_int(*out, "validityPeriod", req->validity_period);
    if (!ok)
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (err == RSSP_OK && req->n_hashes > 0)
        err = rssp_add_document_digests(*out, req->hash_alg, req->hashes, req->n_hashes, st);
    if (err == RSSP_OK)
        err = rssp_request_finish(*out, cm, RSSP_REQ_AGREEMENT | RSSP_REQ_CLIENT_INFO, st);
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}

rssp_err rssp_encode_extend(const char *credential_id, const char *sad, rssp_hash_alg hash_alg,
                            const rssp_buf *hashes, size_t n_hashes, const rssp_req_common *cm,
                            cJSON **out, rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_require_string(credential_id, "credential_id", st);
    if (err != RSSP_OK)
        return err;
    if (sad == NULL || sad[0] == '\0' || strlen(sad) > RSSP_JSON_MAX_TOKEN)
        return rssp_fail(st, RSSP_ERR_ARGS, "a SAD is required");
    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    if (!rssp_json_add_string(*out, "credentialID", credential_id) ||
        !rssp_json_add_string(*out, "SAD", sad))
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (err == RSSP_OK && n_hashes > 0)
        err = rssp_add_document_digests(*out, hash_alg, hashes, n_hashes, st);
    if (err == RSSP_OK)
        err = rssp_request_finish(*out, cm, RSSP_REQ_AGREEMENT | RSSP_REQ_CLIENT_INFO, st);
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}

rssp_err rssp_decode_sad(const cJSON *root, rssp_sad *out, rssp_status *st)
{
    memset(out, 0, sizeof *out);
    long long expires = 0, remaining = 0;
    rssp_err err =
        rssp_json_string_secret(root, RSSP_NAMES("SAD"), RSSP_JSON_MAX_TOKEN, &out->sad, st);
    if (err == RSSP_OK && (out->sad == NULL || out->sad[0] == '\0'))
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "response has no SAD");
    if (err == RSSP_OK)
        err = rssp_json_int(root, RSSP_NAMES("expiresIn"), 1, INT_MAX, 3600, &expires, st);
    if (err == RSSP_OK)
        err = rssp_json_int(root, RSSP_NAMES("remainingCounter"), -1, INT_MAX, -1, &remaining, st);
    if (err != RSSP_OK) {
        rssp_sad_clear(out);
        return err;
    }
    out->expires_in = (long)expires;
    out->remaining_counter = (int)remaining;
    return RSSP_OK;
}

void rssp_sad_clear(rssp_sad *sad)
{
    if (sad == NULL)
        return;
    rssp_secret_free(sad->sad);
    free(sad->entity_name);
    memset(sad, 0, sizeof *sad);
}
