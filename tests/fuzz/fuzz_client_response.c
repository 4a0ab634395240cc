/*
 * The client's response path: a body as the service would send it goes
 * through the envelope (rssp_envelope_parse) and then the decoder of one
 * method, exactly as call.c and methods_*.c chain them. A decoded
 * credentials/info becomes a token as at the module's start-up.
 *
 * Input: byte 0 picks the method (mod 8; the seeds use '0'..'7'), byte 1 the
 * HTTP status (mod 8, '0' = 200) and in its top two bits how many signatures
 * signHash must return, the rest is the body.
 */
#include <stdlib.h>
#include <string.h>

#include "client/codec_auth.h"
#include "client/codec_authorize.h"
#include "client/codec_credentials.h"
#include "client/codec_info.h"
#include "client/codec_owner.h"
#include "client/codec_sign.h"
#include "client/envelope.h"
#include "client/json.h"
#include "fuzz.h"
#include "fuzz_tokens.h"

enum {
    M_ENVELOPE = 0, /* methods with an envelope only (revoke, sendOTP, owner/assign) */
    M_INFO,
    M_LOGIN,
    M_LIST,
    M_CREDINFO,
    M_AUTHORIZE, /* also extendTransaction */
    M_SIGN_HASH,
    M_OWNER_LIST,
};

static const long http_statuses[8] = {200, 400, 401, 403, 404, 500, 502, 503};

static void decode(int method, const cJSON *root, size_t expected_signatures)
{
    rssp_status st;
    rssp_status_reset(&st);
    switch (method) {
    case M_INFO: {
        rssp_info_result r;
        if (rssp_decode_info(root, &r, &st) == RSSP_OK)
            (void)rssp_info_uses_singular_sign_path(&r);
        rssp_info_result_clear(&r);
        break;
    }
    case M_LOGIN: {
        rssp_login_result r;
        (void)rssp_decode_login(root, &r, &st);
        rssp_login_result_clear(&r);
        break;
    }
    case M_LIST: {
        rssp_credential_list l;
        (void)rssp_decode_list(root, &l, &st);
        rssp_credential_list_clear(&l);
        break;
    }
    case M_CREDINFO: {
        rssp_credential c;
        if (rssp_decode_credinfo(root, "84902", &c, &st) == RSSP_OK)
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
    case M_SIGN_HASH: {
        rssp_signatures s;
        (void)rssp_decode_sign_hash(root, expected_signatures, &s, &st);
        rssp_signatures_clear(&s);
        break;
    }
    case M_OWNER_LIST: {
        rssp_owner_list l;
        (void)rssp_decode_owner_list(root, &l, &st);
        rssp_owner_list_clear(&l);
        break;
    }
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int method = data[0] % 8;
    long http_status = http_statuses[data[1] % 8];
    /* The rules each method really uses (methods_*.c). */
    rssp_envelope_rules rules = {
        .accept_1007 =
            method == M_ENVELOPE || method == M_INFO || method == M_LIST || method == M_CREDINFO,
        .accept_bare_info = method == M_INFO,
    };
    /* signHash expects as many signatures as hashes were sent: 1..4 here ('0' = 1, 'p' = 2). */
    size_t expected = 1 + (size_t)(data[1] >> 6);

    char *body = fuzz_strndup(data + 2, size - 2);
    cJSON *root = NULL;
    rssp_status st;
    rssp_status_reset(&st);
    rssp_err err = rssp_envelope_parse(body, size - 2, http_status, &rules, &root, &st);
    if (err == RSSP_OK)
        decode(method, root, expected);
    rssp_json_delete(root);
    free(body);
    return 0;
}
