/* signatures/signHash: request body and response (rssp-protocol.md §2.9). */
#ifndef RSSP_CLIENT_CODEC_SIGN_H
#define RSSP_CLIENT_CODEC_SIGN_H

#include <cjson/cJSON.h>

#include "client/codec_common.h"
#include "rssp/client.h"

/* The body holds the SAD: release it with rssp_json_delete (wipes). */
/* The fields every dialect's signHash needs: credential, SAD, algorithm, non-empty params. */
rssp_err rssp_sign_request_check(const rssp_sign_request *req, rssp_status *st);

rssp_err rssp_encode_sign_hash(const rssp_sign_request *req, const rssp_req_common *cm, cJSON **out,
                               rssp_status *st);

/*
 * The same request as rssp_encode_sign_hash, printed as
 * cJSON_PrintUnformatted prints it, written directly (no tree) into *text
 * (release with rssp_json_text_free, which wipes: it holds the SAD).
 */
rssp_err rssp_write_sign_hash(const rssp_sign_request *req, const rssp_req_common *cm, char **text,
                              size_t *len, rssp_status *st);

/*
 * signatures[] decoded from Base64 (exactly expected of them, in order) and
 * remainingSigningCounter (-2 when absent).
 */
rssp_err rssp_decode_sign_hash(const cJSON *root, size_t expected, rssp_signatures *out,
                               rssp_status *st);

#endif
