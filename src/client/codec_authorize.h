/*
 * credentials/authorize and credentials/extendTransaction: request bodies and
 * the SAD response (rssp-protocol.md §2.7-2.8).
 */
#ifndef RSSP_CLIENT_CODEC_AUTHORIZE_H
#define RSSP_CLIENT_CODEC_AUTHORIZE_H

#include <cjson/cJSON.h>

#include "client/codec_common.h"
#include "rssp/client.h"

/* The body holds authorizeCode: release it with rssp_json_delete (wipes). */
rssp_err rssp_encode_authorize(const rssp_authorize_request *req, const rssp_req_common *cm,
                               cJSON **out, rssp_status *st);

rssp_err rssp_encode_extend(const char *credential_id, const char *sad, rssp_hash_alg hash_alg,
                            const rssp_buf *hashes, size_t n_hashes, const rssp_req_common *cm,
                            cJSON **out, rssp_status *st);

/*
 * SAD (secret memory), expiresIn (3600 when absent), remainingCounter (-1
 * when absent) into out (zeroed first). entity_name and obtained_ms are left
 * to the caller, who has the HTTP response.
 */
rssp_err rssp_decode_sad(const cJSON *root, rssp_sad *out, rssp_status *st);

#endif
