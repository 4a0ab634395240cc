/* owner/list and owner/assign: request bodies and the list response (rssp-protocol.md §2.10-2.11).
 */
#ifndef RSSP_CLIENT_CODEC_OWNER_H
#define RSSP_CLIENT_CODEC_OWNER_H

#include <cjson/cJSON.h>

#include "client/codec_common.h"
#include "rssp/client.h"

rssp_err rssp_encode_owner_list(const rssp_owner_query *q, const rssp_req_common *cm, cJSON **out,
                                rssp_status *st);
/* owners[] (or the flat single-owner form), paging fields. */
rssp_err rssp_decode_owner_list(const cJSON *root, rssp_owner_list *out, rssp_status *st);

/* {"relyingParty", "agreementUUID", "ownerUUID", "language"}. */
rssp_err rssp_encode_owner_assign(const char *agreement_uuid, const char *owner_uuid,
                                  const rssp_req_common *cm, cJSON **out, rssp_status *st);

#endif
