#include "client/codec_owner.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "client/status_internal.h"

#define RECORD_COUNT_MAX 100

rssp_err rssp_encode_owner_list(const rssp_owner_query *q, const rssp_req_common *cm, cJSON **out,
                                rssp_status *st)
{
    *out = NULL;
    static const rssp_owner_query all = {0};
    if (q == NULL)
        q = &all;
    if (q->page_number < 0 || q->record_count < 0 || q->record_count > RECORD_COUNT_MAX)
        return rssp_fail(st, RSSP_ERR_ARGS, "page_number must be >= 0, record_count 0..%d",
                         RECORD_COUNT_MAX);
    rssp_err err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = true;
    if (q->username != NULL || q->personal_id != NULL || q->tax_id != NULL) {
        cJSON *sc = cJSON_AddObjectToObject(*out, "searchConditions");
        ok = sc != NULL && rssp_json_add_string(sc, "username", q->username) &&
             rssp_json_add_string(sc, "personalID", q->personal_id) &&
             rssp_json_add_string(sc, "taxID", q->tax_id);
    }
    ok = ok && rssp_json_add_string(*out, "ownerUUID", q->owner_uuid) &&
         rssp_json_add_int(*out, "pageNumber", q->page_number > 0 ? q->page_number : 1);
    if (ok && q->record_count > 0)
        ok = rssp_json_add_int(*out, "recordCount", q->record_count);
    err =
        ok ? rssp_request_finish(*out, cm, 0, st) : rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}

static rssp_err parse_owner(const cJSON *o, rssp_owner *w, rssp_status *st)
{
    if (!cJSON_IsObject(o))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "owner entry is not an object");
    struct {
        const char *const *names;
        char **dst;
    } fields[] = {
        {RSSP_NAMES("ownerUUID"), &w->owner_uuid},
        {RSSP_NAMES("username"), &w->username},
        {RSSP_NAMES("userType"), &w->user_type},
        {RSSP_NAMES("fullName", "personalName"), &w->full_name},
        {RSSP_NAMES("phone"), &w->phone},
        {RSSP_NAMES("email"), &w->email},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        rssp_err err =
            rssp_json_string_dup(o, fields[i].names, RSSP_JSON_MAX_STRING, fields[i].dst, st);
        if (err != RSSP_OK)
            return err;
    }
    if (w->owner_uuid == NULL || w->username == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "owner entry without ownerUUID or username");
    return RSSP_OK;
}

static void owner_clear(rssp_owner *w)
{
    free(w->owner_uuid);
    free(w->username);
    free(w->user_type);
    free(w->full_name);
    free(w->phone);
    free(w->email);
    memset(w, 0, sizeof *w);
}

void rssp_owner_list_clear(rssp_owner_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->count; i++)
        owner_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static rssp_err parse_owners(const cJSON *root, rssp_owner_list *out, rssp_status *st)
{
    const cJSON *arr = rssp_json_member(root, RSSP_NAMES("owners"));
    if (arr == NULL) {
        /* The flat single-owner answer of the public v2 client, or no match. */
        if (rssp_json_member(root, RSSP_NAMES("ownerUUID")) == NULL)
            return rssp_fail(st, RSSP_ERR_PROTOCOL, "owner/list response has no owners");
        out->items = calloc(1, sizeof *out->items);
        if (out->items == NULL)
            return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        out->count = 1;
        return parse_owner(root, &out->items[0], st);
    }
    if (!cJSON_IsArray(arr))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "owner/list owners is not an array");
    int size = cJSON_GetArraySize(arr);
    if (size == 0)
        return RSSP_OK;
    out->items = calloc((size_t)size, sizeof *out->items);
    if (out->items == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    const cJSON *o = NULL;
    cJSON_ArrayForEach(o, arr)
    {
        rssp_err err = parse_owner(o, &out->items[out->count++], st);
        if (err != RSSP_OK)
            return err;
    }
    return RSSP_OK;
}

rssp_err rssp_decode_owner_list(const cJSON *root, rssp_owner_list *out, rssp_status *st)
{
    memset(out, 0, sizeof *out);
    long long page = 0, total = 0;
    rssp_err err = parse_owners(root, out, st);
    if (err == RSSP_OK)
        err = rssp_json_int(root, RSSP_NAMES("currentPage"), 0, INT_MAX, 1, &page, st);
    if (err == RSSP_OK)
        err = rssp_json_int(root, RSSP_NAMES("recordTotal"), 0, INT_MAX, (long long)out->count,
                            &total, st);
    if (err != RSSP_OK) {
        rssp_owner_list_clear(out);
        return err;
    }
    out->current_page = (int)page;
    out->record_total = (int)total;
    return RSSP_OK;
}

rssp_err rssp_encode_owner_assign(const char *agreement_uuid, const char *owner_uuid,
                                  const rssp_req_common *cm, cJSON **out, rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_require_string(agreement_uuid, "agreement_uuid", st);
    if (err == RSSP_OK)
        err = rssp_require_string(owner_uuid, "owner_uuid", st);
    if (err != RSSP_OK)
        return err;
    err = rssp_request_new(out, st);
    if (err != RSSP_OK)
        return err;
    bool ok = rssp_json_add_string(*out, "agreementUUID", agreement_uuid) &&
              rssp_json_add_string(*out, "ownerUUID", owner_uuid);
    err = ok ? rssp_request_finish(*out, cm, RSSP_REQ_RELYING_PARTY, st)
             : rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (err != RSSP_OK) {
        rssp_json_delete(*out);
        *out = NULL;
    }
    return err;
}
