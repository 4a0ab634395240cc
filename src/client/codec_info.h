/* info: the response (rssp-protocol.md §2.1); the request is {}. */
#ifndef RSSP_CLIENT_CODEC_INFO_H
#define RSSP_CLIENT_CODEC_INFO_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "rssp/client.h"

/* Fills out (zeroed first); version, name, languages, authTypes and methods are mandatory. */
rssp_err rssp_decode_info(const cJSON *root, rssp_info_result *out, rssp_status *st);

/* True when methods lists only the seed's singular signature/signHash path (§2.1). */
bool rssp_info_uses_singular_sign_path(const rssp_info_result *info);

#endif
