#include "client/codec_common.h"

#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "client/status_internal.h"
#include "crypto/crypto.h"

rssp_err rssp_request_new(cJSON **out, rssp_status *st)
{
    *out = cJSON_CreateObject();
    return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
}

rssp_err rssp_request_finish(cJSON *req, const rssp_req_common *cm, unsigned flags, rssp_status *st)
{
    bool ok = true;
    if (flags & RSSP_REQ_RELYING_PARTY)
        ok = ok && rssp_json_add_string(req, "relyingParty", cm->relying_party);
    if (flags & RSSP_REQ_AGREEMENT)
        ok = ok && rssp_json_add_string(req, "agreementUUID", cm->agreement_uuid);
    if ((flags & RSSP_REQ_CLIENT_INFO) && cm->client_mac != NULL) {
        cJSON *ci = cJSON_AddObjectToObject(req, "clientInfo");
        ok = ok && ci != NULL && rssp_json_add_string(ci, "macAddr", cm->client_mac);
    }
    ok = ok && rssp_json_add_string(req, "language", cm->language);
    return ok ? RSSP_OK : rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
}

rssp_err rssp_require_string(const char *value, const char *what, rssp_status *st)
{
    if (value == NULL || value[0] == '\0')
        return rssp_fail(st, RSSP_ERR_ARGS, "%s is required", what);
    if (strlen(value) > RSSP_JSON_MAX_STRING)
        return rssp_fail(st, RSSP_ERR_ARGS, "%s is too long", what);
    return RSSP_OK;
}

bool rssp_json_add_base64_array(cJSON *obj, const char *name, const rssp_buf *items, size_t n)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, name);
    if (arr == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        char *b64 = rssp_base64_encode(items[i].data, items[i].len);
        if (b64 == NULL)
            return false;
        cJSON *s = cJSON_CreateString(b64);
        free(b64);
        if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            return false;
        }
    }
    return true;
}

rssp_err rssp_add_document_digests(cJSON *req, rssp_hash_alg alg, const rssp_buf *hashes, size_t n,
                                   rssp_status *st)
{
    size_t len = rssp_hash_len(alg);
    const char *oid = rssp_hash_oid(alg);
    if (len == 0 || oid == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "a hash algorithm is required with hashes");
    if (hashes == NULL || n == 0)
        return rssp_fail(st, RSSP_ERR_ARGS, "no hashes given");
    for (size_t i = 0; i < n; i++) {
        if (hashes[i].data == NULL || hashes[i].len != len)
            return rssp_fail(st, RSSP_ERR_ARGS, "hash %zu is not %zu bytes long", i, len);
    }
    cJSON *dd = cJSON_AddObjectToObject(req, "documentDigests");
    if (dd == NULL || !rssp_json_add_base64_array(dd, "hashes", hashes, n) ||
        !rssp_json_add_string(dd, "hashAlgorithmOID", oid))
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    return RSSP_OK;
}

void rssp_buf_array_free(rssp_buf *items, size_t n, bool secret)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        if (secret)
            rssp_buf_clear_secret(&items[i]);
        else
            rssp_buf_clear(&items[i]);
    }
    free(items);
}

rssp_err rssp_json_base64_array(const cJSON *obj, const char *const *names, size_t max_len,
                                rssp_buf **out, size_t *n, rssp_status *st)
{
    *out = NULL;
    *n = 0;
    const cJSON *m = rssp_json_member(obj, names);
    if (m == NULL)
        return RSSP_OK;
    if (!cJSON_IsArray(m))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is not an array", m->string);
    const char *name = m->string;
    int size = cJSON_GetArraySize(m);
    rssp_buf *items = NULL;
    size_t count = 0;
    rssp_err err = RSSP_OK;
    if (size > 0) {
        items = calloc((size_t)size, sizeof *items);
        if (items == NULL)
            return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, m)
    {
        if (!cJSON_IsString(e) || e->valuestring == NULL) {
            err = rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s holds a non-string", name);
            goto out;
        }
        size_t len = strlen(e->valuestring);
        if (len > max_len) {
            err =
                rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s holds a value too long", name);
            goto out;
        }
        rssp_crv crv = rssp_base64_decode(e->valuestring, len, &items[count]);
        if (crv == RSSP_CRYPTO_NOMEM) {
            err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (crv != RSSP_CRYPTO_OK || items[count].len == 0) {
            rssp_buf_clear(&items[count]);
            err = rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s holds invalid Base64", name);
            goto out;
        }
        count++;
    }
    *out = items;
    *n = count;
    items = NULL;
out:
    rssp_buf_array_free(items, count, false);
    return err;
}
