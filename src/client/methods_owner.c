/* owner/list and owner/assign (relying party principal). */
#include <string.h>

#include "client/call.h"
#include "client/client_internal.h"
#include "client/codec_owner.h"
#include "client/dialect.h"
#include "client/json.h"
#include "client/status_internal.h"

rssp_err rssp_owner_list_call(rssp_client *c, const rssp_owner_query *q, rssp_owner_list *out,
                              rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (c == NULL || out == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client and output are required");
    if (!c->dialect->has_owner)
        return rssp_fail(st, RSSP_ERR_ARGS, "owner/list exists in RSSP only");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = rssp_encode_owner_list(q, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "owner/list",
        .bearer = true,
        .relogin = true,
        .read_only = true,
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    if (err == RSSP_OK)
        err = rssp_decode_owner_list(res.root, out, st);
    rssp_call_result_clear(&res);
    return err;
}

rssp_err rssp_owner_assign(rssp_client *c, const char *agreement_uuid, const char *owner_uuid,
                           rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (c == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client is required");
    if (!c->dialect->has_owner)
        return rssp_fail(st, RSSP_ERR_ARGS, "owner/assign exists in RSSP only");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = rssp_encode_owner_assign(agreement_uuid, owner_uuid, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "owner/assign",
        .bearer = true,
        .relogin = true,
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    rssp_call_result_clear(&res);
    return err;
}
