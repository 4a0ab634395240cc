/*
 * The client's CSC response path (CSC API v1/v2): a body as a CSC service
 * would send it goes through rssp_envelope_parse with the CSC rules (HTTP
 * status + {"error", "error_description"} mapped to RSSP codes) and then the
 * CSC decoder of one method, as call.c and the dialect chain them. A decoded
 * credentials/info, and every described item of a v2 list, becomes a token
 * as at the module's start-up.
 *
 * Input: byte 0 picks the method (mod 6; the seeds use '0'..'5'), byte 1
 * the HTTP status (mod 8, '0' = 200), the rest is the body.
 */
#include <stdlib.h>
#include <string.h>

#include "client/codec_authorize.h"
#include "client/codec_csc.h"
#include "client/codec_sign.h"
#include "client/envelope.h"
#include "client/json.h"
#include "fuzz.h"
#include "fuzz_tokens.h"

enum { M_INFO = 0, M_LOGIN, M_LIST, M_CREDINFO, M_AUTHORIZE, M_SIGN_HASH };

static const char *const method_names[6] = {
    "info",
    "auth/login",
    "credentials/list",
    "credentials/info",
    "credentials/authorize",
    "signatures/signHash",
};
static const long http_statuses[8] = {200, 400, 401, 403, 404, 500, 204, 503};

static void decode(int method, const cJSON *root)
{
    rssp_status st;
    rssp_status_reset(&st);
    switch (method) {
    case M_INFO: {
        rssp_info_result r;
        (void)rssp_csc_decode_info(root, &r, &st);
        rssp_info_result_clear(&r);
        break;
    }
    case M_LOGIN: {
        rssp_login_result r;
        (void)rssp_csc_decode_login(root, &r, &st);
        rssp_login_result_clear(&r);
        break;
    }
    case M_LIST: {
        rssp_credential_list l;
        char *next = NULL;
        if (rssp_csc_decode_list(root, &l, &next, &st) == RSSP_OK) {
            for (size_t i = 0; i < l.count; i++) {
                if (l.items[i].has_auth_info)
                    fuzz_make_token(&l.items[i]);
            }
        }
        free(next);
        rssp_credential_list_clear(&l);
        break;
    }
    case M_CREDINFO: {
        rssp_credential c;
        if (rssp_csc_decode_credinfo(root, "cred-1", &c, &st) == RSSP_OK)
            fuzz_make_token(&c);
        rssp_credential_clear(&c);
        break;
    }
    case M_AUTHORIZE: {
        rssp_sad s;
        (void)rssp_decode_sad(root, &s, &st);
        rssp_sad_clear(&s);
        break;
    }
    default: {
        rssp_signatures s;
        (void)rssp_decode_sign_hash(root, 1, &s, &st);
        rssp_signatures_clear(&s);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int method = data[0] % 6;
    rssp_envelope_rules rules = {.csc = true, .method = method_names[method]};
    long http_status = http_statuses[data[1] % 8];
    char *body = fuzz_strndup(data + 2, size - 2);
    cJSON *root = NULL;
    rssp_status st;
    rssp_status_reset(&st);
    rssp_err err = rssp_envelope_parse(body, size - 2, http_status, &rules, &root, &st);
    if (err == RSSP_OK)
        decode(method, root);
    rssp_json_delete(root);
    free(body);
    return 0;
}
