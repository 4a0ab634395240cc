/*
 * credentials/list, credentials/info, credentials/sendOTP: request bodies and
 * response parsing into rssp_credential (rssp-protocol.md §2.4-2.6).
 */
#ifndef RSSP_CLIENT_CODEC_CREDENTIALS_H
#define RSSP_CLIENT_CODEC_CREDENTIALS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "client/codec_common.h"
#include "rssp/client.h"

/* "none" / "single" / "chain", NULL for a value outside the enum. */
const char *rssp_certs_mode_name(rssp_certs_mode mode);

rssp_err rssp_encode_list(const rssp_list_request *req, const rssp_req_common *cm, cJSON **out,
                          rssp_status *st);
/* certificates[] (alias certs); each item needs an identifier
 * (credentialID/certificateID/thumbprint). */
rssp_err rssp_decode_list(const cJSON *root, rssp_credential_list *out, rssp_status *st);

rssp_err rssp_encode_credinfo(const char *credential_id, rssp_certs_mode certs,
                              bool certificate_info, bool authentication_info,
                              const rssp_req_common *cm, cJSON **out, rssp_status *st);
/* Fills out (zeroed first) with credential_id copied in; has_auth_info becomes true. */
rssp_err rssp_decode_credinfo(const cJSON *root, const char *credential_id, rssp_credential *out,
                              rssp_status *st);

/* The members of a key object {algo: [oid] or oid, len, curve} (hints only), both dialects. */
rssp_err rssp_decode_key_hints(const cJSON *key, rssp_credential *c, rssp_status *st);

rssp_err rssp_encode_send_otp(const char *credential_id, const char *template_text,
                              const char *subject, const rssp_req_common *cm, cJSON **out,
                              rssp_status *st);

#endif
