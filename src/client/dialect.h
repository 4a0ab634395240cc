/*
 * One dialect of the remote signing API: how requests are written and
 * responses read (RSSP, CSC v1, CSC v2). The client picks one at creation
 * (rssp_dialect_for) and the method files call through it, so the paths,
 * retry rules, session handling and public API are shared by all dialects
 * and nothing outside src/client/ knows which one is spoken.
 *
 * Every encoder makes a new request object (*out; NULL on failure, released
 * with rssp_json_delete, which wipes); every decoder fills its output from
 * a successful response object and leaves it cleared on failure.
 */
#ifndef RSSP_CLIENT_DIALECT_H
#define RSSP_CLIENT_DIALECT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "client/codec_auth.h"
#include "client/codec_common.h"
#include "rssp/client.h"

typedef struct rssp_dialect {
    const char *name; /* "rssp", "csc-v1", "csc-v2" */
    /* Errors come as HTTP 4xx with {"error", "error_description"}, success as a bare 200 object. */
    bool csc_envelope;
    /* auth/revoke knows SADs (tokenType 2); otherwise a SAD revocation is a no-op. */
    bool revokes_sad;
    /* credentials/extendTransaction exists. */
    bool has_extend;
    /* owner/list and owner/assign exist (RSSP relying parties only). */
    bool has_owner;

    /*
     * Obtain tokens: with refresh_token (secret) when not NULL, else with the
     * configured credentials. A refused refresh token is reported as 3004.
     */
    rssp_err (*login)(rssp_client *c, const char *refresh_token, rssp_login_result *out,
                      rssp_status *st);

    rssp_err (*decode_info)(const cJSON *root, rssp_info_result *out, rssp_status *st);

    rssp_err (*encode_revoke)(rssp_token_type type, const char *token, const char *credential_id,
                              const rssp_req_common *cm, cJSON **out, rssp_status *st);

    /* page_token: the previous answer's next page (NULL for the first page). */
    rssp_err (*encode_list)(const rssp_list_request *req, const char *page_token,
                            const rssp_req_common *cm, cJSON **out, rssp_status *st);
    /* *next_page: the token of the next page (malloc'ed) or NULL when this was the last one. */
    rssp_err (*decode_list)(const cJSON *root, rssp_credential_list *out, char **next_page,
                            rssp_status *st);

    rssp_err (*encode_credinfo)(const char *credential_id, rssp_certs_mode certs,
                                bool certificate_info, bool authentication_info,
                                const rssp_req_common *cm, cJSON **out, rssp_status *st);
    rssp_err (*decode_credinfo)(const cJSON *root, const char *credential_id, rssp_credential *out,
                                rssp_status *st);

    rssp_err (*encode_send_otp)(const char *credential_id, const char *template_text,
                                const char *subject, const rssp_req_common *cm, cJSON **out,
                                rssp_status *st);

    rssp_err (*encode_authorize)(const rssp_authorize_request *req, const rssp_req_common *cm,
                                 cJSON **out, rssp_status *st);
    rssp_err (*encode_extend)(const char *credential_id, const char *sad, rssp_hash_alg hash_alg,
                              const rssp_buf *hashes, size_t n_hashes, const rssp_req_common *cm,
                              cJSON **out, rssp_status *st);
    rssp_err (*decode_sad)(const cJSON *root, rssp_sad *out, rssp_status *st);

    rssp_err (*encode_sign_hash)(const rssp_sign_request *req, const rssp_req_common *cm,
                                 cJSON **out, rssp_status *st);
    /*
     * The same request written straight to text (no tree; the signing
     * path's cost), or NULL to print encode_sign_hash's tree.
     */
    rssp_err (*write_sign_hash)(const rssp_sign_request *req, const rssp_req_common *cm,
                                char **text, size_t *len, rssp_status *st);
    rssp_err (*decode_sign_hash)(const cJSON *root, size_t expected, rssp_signatures *out,
                                 rssp_status *st);
} rssp_dialect;

extern const rssp_dialect rssp_dialect_rssp;
extern const rssp_dialect rssp_dialect_csc_v1;
extern const rssp_dialect rssp_dialect_csc_v2;

/* The dialect of a protocol value, NULL for an unknown one. */
const rssp_dialect *rssp_dialect_for(rssp_protocol protocol);

#endif
