/* credentials/list, credentials/info, credentials/sendOTP. */
#include <string.h>

#include "client/call.h"
#include "client/client_internal.h"
#include "client/codec_credentials.h"
#include "client/json.h"
#include "client/status_internal.h"

rssp_err rssp_credentials_list(rssp_client *c, const rssp_list_request *req,
                               rssp_credential_list *out, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (c == NULL || out == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client and output are required");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = rssp_encode_list(req, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "credentials/list",
        .bearer = true,
        .relogin = true,
        .read_only = true,
        .rules = {.accept_1007 = true},
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    if (err == RSSP_OK)
        err = rssp_decode_list(res.root, out, st);
    rssp_call_result_clear(&res);
    return err;
}

rssp_err rssp_credentials_info(rssp_client *c, const char *credential_id, rssp_certs_mode certs,
                               bool certificate_info, bool authentication_info,
                               rssp_credential *out, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (c == NULL || out == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client and output are required");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = rssp_encode_credinfo(credential_id, certs, certificate_info, authentication_info,
                                        &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "credentials/info",
        .bearer = true,
        .relogin = true,
        .read_only = true,
        .rules = {.accept_1007 = true},
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    if (err == RSSP_OK)
        err = rssp_decode_credinfo(res.root, credential_id, out, st);
    rssp_call_result_clear(&res);
    return err;
}

rssp_err rssp_send_otp(rssp_client *c, const char *credential_id, const char *template_text,
                       const char *subject, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (c == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client is required");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = rssp_encode_send_otp(credential_id, template_text, subject, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "credentials/sendOTP",
        .bearer = true,
        .relogin = true,
        .rules = {.accept_1007 = true},
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    rssp_call_result_clear(&res);
    return err;
}
