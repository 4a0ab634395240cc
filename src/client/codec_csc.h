/*
 * The Cloud Signature Consortium API, v1 (1.0.4.0) and v2 (2.0.0.x):
 * request bodies and response parsing into the client's types. Pure
 * functions (no network); version is 1 or 2 where the dialects differ.
 * docs/protocol.md has the table of RSSP <-> CSC v1 <-> CSC v2 fields.
 */
#ifndef RSSP_CLIENT_CODEC_CSC_H
#define RSSP_CLIENT_CODEC_CSC_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "client/codec_auth.h"
#include "client/codec_common.h"
#include "rssp/client.h"

/* ---- auth ---- */

/* auth/login body: {"rememberMe"} or, with a refresh token, {"refresh_token", "rememberMe"}. */
rssp_err rssp_csc_encode_login(const char *refresh_token, bool remember_me, cJSON **out,
                               rssp_status *st);
/* auth/login and oauth2/token: access_token, refresh_token (optional), expires_in (3600). */
rssp_err rssp_csc_decode_login(const cJSON *root, rssp_login_result *out, rssp_status *st);
/*
 * oauth2/token form (application/x-www-form-urlencoded, RFC 6749 §4.4 and
 * §6): client_credentials, or refresh_token when refresh_token is not NULL.
 * *out is secret memory (rssp_secret_free).
 */
rssp_err rssp_csc_encode_token_form(const char *client_id, const char *client_secret,
                                    const char *refresh_token, char **out, size_t *out_len,
                                    rssp_status *st);
/* auth/revoke: {"token", "token_type_hint"}; SADs are not revocable in CSC (RSSP_ERR_ARGS). */
rssp_err rssp_csc_encode_revoke(rssp_token_type type, const char *token, const char *credential_id,
                                const rssp_req_common *cm, cJSON **out, rssp_status *st);

/* info: specs, name, description, lang, authType, methods. */
rssp_err rssp_csc_decode_info(const cJSON *root, rssp_info_result *out, rssp_status *st);

/* ---- credentials ---- */

rssp_err rssp_csc_encode_list(int version, const rssp_list_request *req, const char *page_token,
                              cJSON **out, rssp_status *st);
/*
 * credentialIDs, with v2 credentialInfos merged in (those items get
 * has_auth_info), and nextPageToken.
 */
rssp_err rssp_csc_decode_list(const cJSON *root, rssp_credential_list *out, char **next_page,
                              rssp_status *st);

rssp_err rssp_csc_encode_credinfo(const char *credential_id, rssp_certs_mode certs,
                                  bool certificate_info, bool authentication_info, cJSON **out,
                                  rssp_status *st);
/* key, cert, authMode/PIN/OTP (v1) or auth (v2), SCAL, multisign. */
rssp_err rssp_csc_decode_credinfo(const cJSON *root, const char *credential_id,
                                  rssp_credential *out, rssp_status *st);

rssp_err rssp_csc_encode_send_otp(const char *credential_id, cJSON **out, rssp_status *st);

/* ---- authorization and signing ---- */

/* v1: PIN or OTP, hash[]; v2: authData [{id, value}], hashes[] + hashAlgorithmOID. */
rssp_err rssp_csc_encode_authorize(int version, const rssp_authorize_request *req, cJSON **out,
                                   rssp_status *st);
/* v1 only: {"credentialID", "SAD", "hash"}. */
rssp_err rssp_csc_encode_extend(const char *credential_id, const char *sad, const rssp_buf *hashes,
                                size_t n_hashes, cJSON **out, rssp_status *st);
/* v1: hash[] + hashAlgo; v2: hashes[] + hashAlgorithmOID; signAlgo, signAlgoParams. */
rssp_err rssp_csc_encode_sign_hash(int version, const rssp_sign_request *req, cJSON **out,
                                   rssp_status *st);

/*
 * The authorization mode the module understands, from CSC's mode and
 * factors: "EXPLICIT/PIN", "EXPLICIT/OTP-ONLINE", "EXPLICIT/OTP-OFFLINE",
 * "EXPLICIT/PIN+OTP", "IMPLICIT/CSC", "OAUTH2CODE". NULL for an unknown mode.
 */
const char *rssp_csc_auth_mode(const char *mode, bool pin, bool otp, bool otp_online);

#endif
