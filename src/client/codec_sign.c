#include "client/codec_sign.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "client/json_writer.h"
#include "client/status_internal.h"
#include "crypto/crypto.h"

/* Largest signature accepted as Base64 (RSA-16384 is 2 KiB raw). */
#define SIGNATURE_B64_MAX 8192

rssp_err rssp_sign_request_check(const rssp_sign_request *req, rssp_status *st)
{
    if (req == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "no sign request");
    rssp_err err = rssp_require_string(req->credential_id, "credential_id", st);
    if (err != RSSP_OK)
        return err;
    if (req->sad == NULL || req->sad->sad == NULL || req->sad->sad[0] == '\0')
        return rssp_fail(st, RSSP_ERR_ARGS, "a SAD is required");
    err = rssp_require_string(req->sign_algo_oid, "sign_algo_oid", st);
    if (err != RSSP_OK)
        return err;
    if (req->sign_algo_params != NULL && req->sign_algo_params_len == 0)
        return rssp_fail(st, RSSP_ERR_ARGS, "empty sign_algo_params");
    return RSSP_OK;
}

rssp_err rssp_encode_sign_hash(const rssp_sign_request *req, const rssp_req_common *cm, cJSON **out,
                               rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_sign_request_check(req, st);
    if (err != RSSP_OK)
        return err;

    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    if (!rssp_json_add_string(*out, "credentialID", req->credential_id) ||
        !rssp_json_add_string(*out, "SAD", req->sad->sad))
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (err == RSSP_OK)
        err = rssp_add_document_digests(*out, req->hash_alg, req->hashes, req->n_hashes, st);
    if (err == RSSP_OK && !rssp_json_add_string(*out, "signAlgo", req->sign_algo_oid))
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (err == RSSP_OK && req->sign_algo_params != NULL) {
        char *params = rssp_base64_encode(req->sign_algo_params, req->sign_algo_params_len);
        if (params == NULL || !rssp_json_add_string(*out, "signAlgoParams", params))
            err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        free(params);
    }
    if (err == RSSP_OK)
        err = rssp_request_finish(*out, cm, RSSP_REQ_AGREEMENT | RSSP_REQ_CLIENT_INFO, st);
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}

rssp_err rssp_write_sign_hash(const rssp_sign_request *req, const rssp_req_common *cm, char **text,
                              size_t *len, rssp_status *st)
{
    *text = NULL;
    *len = 0;
    rssp_err err = rssp_sign_request_check(req, st);
    if (err != RSSP_OK)
        return err;
    size_t hash_len = rssp_hash_len(req->hash_alg);
    const char *oid = rssp_hash_oid(req->hash_alg);
    if (hash_len == 0 || oid == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "a hash algorithm is required with hashes");
    if (req->hashes == NULL || req->n_hashes == 0)
        return rssp_fail(st, RSSP_ERR_ARGS, "no hashes given");
    if (req->n_hashes > SIZE_MAX / (2 * hash_len + 8))
        return rssp_fail(st, RSSP_ERR_ARGS, "too many hashes");
    for (size_t i = 0; i < req->n_hashes; i++) {
        if (req->hashes[i].data == NULL || req->hashes[i].len != hash_len)
            return rssp_fail(st, RSSP_ERR_ARGS, "hash %zu is not %zu bytes long", i, hash_len);
    }
    char *params = NULL;
    if (req->sign_algo_params != NULL &&
        (params = rssp_base64_encode(req->sign_algo_params, req->sign_algo_params_len)) == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");

    /* Room for everything at once: the text holds the SAD and must not be copied by a regrowth. */
    size_t cap = 160 + rssp_jw_string_max(req->credential_id) + rssp_jw_string_max(req->sad->sad) +
                 req->n_hashes * (4 * (hash_len + 2) / 3 + 3) + rssp_jw_string_max(oid) +
                 rssp_jw_string_max(req->sign_algo_oid) + rssp_jw_string_max(params) +
                 rssp_jw_string_max(cm->agreement_uuid) + rssp_jw_string_max(cm->client_mac) +
                 rssp_jw_string_max(cm->language);
    rssp_json_writer w;
    if (rssp_jw_init(&w, cap)) {
        rssp_jw_open(&w, NULL, '{');
        rssp_jw_string(&w, "credentialID", req->credential_id);
        rssp_jw_string(&w, "SAD", req->sad->sad);
        rssp_jw_open(&w, "documentDigests", '{');
        rssp_jw_open(&w, "hashes", '[');
        for (size_t i = 0; i < req->n_hashes && !w.failed; i++) {
            char *b64 = rssp_base64_encode(req->hashes[i].data, req->hashes[i].len);
            w.failed = b64 == NULL;
            rssp_jw_string(&w, NULL, b64);
            free(b64);
        }
        rssp_jw_close(&w, ']');
        rssp_jw_string(&w, "hashAlgorithmOID", oid);
        rssp_jw_close(&w, '}');
        rssp_jw_string(&w, "signAlgo", req->sign_algo_oid);
        rssp_jw_string(&w, "signAlgoParams", params);
        rssp_jw_string(&w, "agreementUUID", cm->agreement_uuid);
        if (cm->client_mac != NULL) {
            rssp_jw_open(&w, "clientInfo", '{');
            rssp_jw_string(&w, "macAddr", cm->client_mac);
            rssp_jw_close(&w, '}');
        }
        rssp_jw_string(&w, "language", cm->language);
        rssp_jw_close(&w, '}');
    }
    free(params);
    if (!rssp_jw_finish(&w, text, len))
        return rssp_fail(st, RSSP_ERR_NOMEM, "cannot write the request");
    return RSSP_OK;
}

rssp_err rssp_decode_sign_hash(const cJSON *root, size_t expected, rssp_signatures *out,
                               rssp_status *st)
{
    memset(out, 0, sizeof *out);
    out->remaining_signing_counter = -2;
    if (rssp_json_member(root, RSSP_NAMES("signatures")) == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "signHash response has no signatures");
    rssp_err err = rssp_json_base64_array(root, RSSP_NAMES("signatures"), SIGNATURE_B64_MAX,
                                          &out->items, &out->count, st);
    if (err != RSSP_OK)
        return err;
    if (out->count != expected) {
        rssp_signatures_clear(out);
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "signHash returned %zu signatures for %zu hashes",
                         out->count, expected);
    }
    long long v = 0;
    err = rssp_json_int(root, RSSP_NAMES("remainingSigningCounter"), -1, INT_MAX, -2, &v, st);
    if (err != RSSP_OK) {
        rssp_signatures_clear(out);
        return err;
    }
    out->remaining_signing_counter = (int)v;
    return RSSP_OK;
}

void rssp_signatures_clear(rssp_signatures *s)
{
    if (s == NULL)
        return;
    rssp_buf_array_free(s->items, s->count, false);
    memset(s, 0, sizeof *s);
    s->remaining_signing_counter = -2;
}
