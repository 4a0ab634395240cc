/*
 * Pieces shared by the request builders: the common request fields
 * (rssp-protocol.md §1.2), documentDigests, Base64 string arrays, and
 * argument checks. Builders send canonical names only (§1.8).
 */
#ifndef RSSP_CLIENT_CODEC_COMMON_H
#define RSSP_CLIENT_CODEC_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "rssp/status.h"
#include "rssp/types.h"

/* What the client adds to requests from its configuration. NULL members are not sent. */
typedef struct {
    const char *language;
    const char *agreement_uuid; /* sent on credential methods */
    const char *client_mac;     /* clientInfo.macAddr on authorize, extend, signHash */
    const char *relying_party;  /* sent where the method names it (auth/login, owner/assign) */
} rssp_req_common;

/* Which common fields a method carries. */
enum {
    RSSP_REQ_AGREEMENT = 1 << 0,
    RSSP_REQ_CLIENT_INFO = 1 << 1,
    RSSP_REQ_RELYING_PARTY = 1 << 2,
};

/* A new request object; RSSP_ERR_NOMEM on failure. */
rssp_err rssp_request_new(cJSON **out, rssp_status *st);

/* Add language and the common fields selected by flags. */
rssp_err rssp_request_finish(cJSON *req, const rssp_req_common *cm, unsigned flags,
                             rssp_status *st);

/* A required, non-empty string argument. */
rssp_err rssp_require_string(const char *value, const char *what, rssp_status *st);

/*
 * documentDigests {hashes: [Base64...], hashAlgorithmOID}. Every hash must be
 * rssp_hash_len(alg) bytes long (RSSP_ERR_ARGS otherwise).
 */
rssp_err rssp_add_document_digests(cJSON *req, rssp_hash_alg alg, const rssp_buf *hashes, size_t n,
                                   rssp_status *st);

/*
 * Decode an array of Base64 strings (strict) into buffers. An absent member
 * gives *out NULL and *n 0.
 */
rssp_err rssp_json_base64_array(const cJSON *obj, const char *const *names, size_t max_len,
                                rssp_buf **out, size_t *n, rssp_status *st);
/* Free an array of buffers (wiping them when secret). */
void rssp_buf_array_free(rssp_buf *items, size_t n, bool secret);

/* Add an array of Base64 strings of the buffers. */
bool rssp_json_add_base64_array(cJSON *obj, const char *name, const rssp_buf *items, size_t n);

#endif
