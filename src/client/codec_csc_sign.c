/*
 * CSC credentials/authorize, credentials/extendTransaction (v1) and
 * signatures/signHash (CSC v1 §11.6, §11.8, §11.9; v2 §11.6, §11.9).
 * The SAD and signature responses are read by the shared decoders
 * (rssp_decode_sad, rssp_decode_sign_hash): the fields are the same.
 */
#include <stdlib.h>
#include <string.h>

#include "client/codec_csc.h"
#include "client/codec_sign.h"
#include "client/json.h"
#include "client/status_internal.h"
#include "crypto/crypto.h"

/* Every hash must have the length of alg (when alg is known). */
static rssp_err check_hashes(rssp_hash_alg alg, const rssp_buf *hashes, size_t n, rssp_status *st)
{
    size_t len = rssp_hash_len(alg);
    for (size_t i = 0; i < n; i++) {
        if (hashes[i].data == NULL || hashes[i].len == 0 || (len != 0 && hashes[i].len != len))
            return rssp_fail(st, RSSP_ERR_ARGS, "hash %zu has a wrong length", i);
    }
    return RSSP_OK;
}

rssp_err rssp_csc_encode_authorize(int version, const rssp_authorize_request *req, cJSON **out,
                                   rssp_status *st)
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
    if (req->authorize_code != NULL && strlen(req->authorize_code) > RSSP_JSON_MAX_STRING)
        return rssp_fail(st, RSSP_ERR_ARGS, "authorize_code is too long");
    if (req->n_hashes > 0 &&
        (err = check_hashes(req->hash_alg, req->hashes, req->n_hashes, st)) != RSSP_OK)
        return err;
    if (version >= 2 && req->n_hashes > 0 && rssp_hash_oid(req->hash_alg) == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "a hash algorithm is required with hashes");

    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    const char *factor = req->code_is_otp ? "OTP" : "PIN";
    bool ok = rssp_json_add_string(*out, "credentialID", req->credential_id) &&
              rssp_json_add_int(*out, "numSignatures", req->num_signatures) &&
              rssp_json_add_string(*out, "description", req->notification_message);
    if (ok && req->n_hashes > 0)
        ok = rssp_json_add_base64_array(*out, version >= 2 ? "hashes" : "hash", req->hashes,
                                        req->n_hashes) &&
             (version < 2 ||
              rssp_json_add_string(*out, "hashAlgorithmOID", rssp_hash_oid(req->hash_alg)));
    if (ok && req->authorize_code != NULL) {
        if (version >= 2) {
            cJSON *data = cJSON_AddArrayToObject(*out, "authData");
            cJSON *item = data != NULL ? cJSON_CreateObject() : NULL;
            ok = item != NULL && cJSON_AddItemToArray(data, item);
            if (!ok)
                cJSON_Delete(item);
            ok = ok && rssp_json_add_string(item, "id", factor) &&
                 rssp_json_add_string(item, "value", req->authorize_code);
        } else {
            ok = rssp_json_add_string(*out, factor, req->authorize_code);
        }
    }
    if (!ok) {
        rssp_json_delete(*out);
        *out = NULL;
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    return RSSP_OK;
}

rssp_err rssp_csc_encode_extend(const char *credential_id, const char *sad, const rssp_buf *hashes,
                                size_t n_hashes, cJSON **out, rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_require_string(credential_id, "credential_id", st);
    if (err != RSSP_OK)
        return err;
    if (sad == NULL || sad[0] == '\0' || strlen(sad) > RSSP_JSON_MAX_TOKEN)
        return rssp_fail(st, RSSP_ERR_ARGS, "a SAD is required");
    if ((err = check_hashes(RSSP_HASH_NONE, hashes, n_hashes, st)) != RSSP_OK)
        return err;
    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = rssp_json_add_string(*out, "credentialID", credential_id) &&
              rssp_json_add_string(*out, "SAD", sad) &&
              (n_hashes == 0 || rssp_json_add_base64_array(*out, "hash", hashes, n_hashes));
    if (!ok) {
        rssp_json_delete(*out);
        *out = NULL;
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    return RSSP_OK;
}

rssp_err rssp_csc_encode_sign_hash(int version, const rssp_sign_request *req, cJSON **out,
                                   rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_sign_request_check(req, st);
    if (err != RSSP_OK)
        return err;
    const char *hash_oid = rssp_hash_oid(req->hash_alg);
    if (hash_oid == NULL || req->hashes == NULL || req->n_hashes == 0)
        return rssp_fail(st, RSSP_ERR_ARGS, "hashes and their algorithm are required");
    if ((err = check_hashes(req->hash_alg, req->hashes, req->n_hashes, st)) != RSSP_OK)
        return err;

    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok =
        rssp_json_add_string(*out, "credentialID", req->credential_id) &&
        rssp_json_add_string(*out, "SAD", req->sad->sad) &&
        rssp_json_add_base64_array(*out, version >= 2 ? "hashes" : "hash", req->hashes,
                                   req->n_hashes) &&
        rssp_json_add_string(*out, version >= 2 ? "hashAlgorithmOID" : "hashAlgo", hash_oid) &&
        rssp_json_add_string(*out, "signAlgo", req->sign_algo_oid);
    if (ok && req->sign_algo_params != NULL) {
        char *params = rssp_base64_encode(req->sign_algo_params, req->sign_algo_params_len);
        ok = params != NULL && rssp_json_add_string(*out, "signAlgoParams", params);
        free(params);
    }
    if (!ok) {
        rssp_json_delete(*out);
        *out = NULL;
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    return RSSP_OK;
}
