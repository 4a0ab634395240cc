/* The RSSP dialect (rssp-protocol.md): the codec_*.c functions and the SSL2/AppSign login. */
#include <string.h>

#include "client/auth_header.h"
#include "client/call.h"
#include "client/client_internal.h"
#include "client/clock.h"
#include "client/codec_authorize.h"
#include "client/codec_credentials.h"
#include "client/codec_info.h"
#include "client/codec_sign.h"
#include "client/dialect.h"
#include "client/json.h"
#include "common/secmem.h"

/* One auth/login exchange with the given Authorization value. */
static rssp_err login_exchange(rssp_client *c, const char *authorization, rssp_login_result *result,
                               rssp_status *st)
{
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = rssp_encode_login(&cm, c->remember_me, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "auth/login",
        .authorization = authorization,
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    if (err == RSSP_OK)
        err = rssp_decode_login(res.root, result, st);
    rssp_call_result_clear(&res);
    rssp_json_delete(body);
    return err;
}

/* Bearer <refresh token>, or SSL2/AppSign [+ Basic] from the configuration. */
static rssp_err ssl2_login(rssp_client *c, const char *refresh, rssp_login_result *out,
                           rssp_status *st)
{
    memset(out, 0, sizeof *out);
    char *authorization = NULL;
    rssp_err err;
    if (refresh != NULL) {
        err = rssp_bearer_authorization(refresh, &authorization, st);
    } else {
        rssp_login_material m;
        rssp_client_login_material(c, &m);
        err = rssp_login_authorization(&m, rssp_wall_ms(), &authorization, st);
    }
    if (err == RSSP_OK)
        err = login_exchange(c, authorization, out, st);
    rssp_secret_free(authorization);
    return err;
}

static rssp_err rssp_list_encode(const rssp_list_request *req, const char *page_token,
                                 const rssp_req_common *cm, cJSON **out, rssp_status *st)
{
    (void)page_token; /* one page holds every credential */
    if (req != NULL && req->authentication_info) {
        /*
         * An RSSP list never carries authorization data, so credentials/info
         * follows for every credential anyway: certificates in the list
         * would only travel twice.
         */
        rssp_list_request brief = *req;
        brief.certificates = RSSP_CERTS_NONE;
        brief.certificate_info = false;
        return rssp_encode_list(&brief, cm, out, st);
    }
    return rssp_encode_list(req, cm, out, st);
}

static rssp_err rssp_list_decode(const cJSON *root, rssp_credential_list *out, char **next_page,
                                 rssp_status *st)
{
    *next_page = NULL;
    return rssp_decode_list(root, out, st);
}

const rssp_dialect rssp_dialect_rssp = {
    .name = "rssp",
    .csc_envelope = false,
    .revokes_sad = true,
    .has_extend = true,
    .has_owner = true,
    .login = ssl2_login,
    .decode_info = rssp_decode_info,
    .encode_revoke = rssp_encode_revoke,
    .encode_list = rssp_list_encode,
    .decode_list = rssp_list_decode,
    .encode_credinfo = rssp_encode_credinfo,
    .decode_credinfo = rssp_decode_credinfo,
    .encode_send_otp = rssp_encode_send_otp,
    .encode_authorize = rssp_encode_authorize,
    .encode_extend = rssp_encode_extend,
    .decode_sad = rssp_decode_sad,
    .encode_sign_hash = rssp_encode_sign_hash,
    .write_sign_hash = rssp_write_sign_hash,
    .decode_sign_hash = rssp_decode_sign_hash,
};

const rssp_dialect *rssp_dialect_for(rssp_protocol protocol)
{
    switch (protocol) {
    case RSSP_PROTOCOL_RSSP:
        return &rssp_dialect_rssp;
    case RSSP_PROTOCOL_CSC_V1:
        return &rssp_dialect_csc_v1;
    case RSSP_PROTOCOL_CSC_V2:
        return &rssp_dialect_csc_v2;
    }
    return NULL;
}
