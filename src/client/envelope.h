/*
 * From an HTTP response to an outcome (rssp-protocol.md §1.1, §1.3): the
 * envelope (responseCode/responseMessage/billCode, or the v2 names
 * error/errorDescription, or a CSC error body) decides whatever the HTTP
 * status; without an envelope a non-200 status is a transport error.
 */
#ifndef RSSP_CLIENT_ENVELOPE_H
#define RSSP_CLIENT_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "rssp/status.h"

typedef struct {
    bool accept_1007;      /* sendOTP (and the seed's list/info): 1007 is success too */
    bool accept_bare_info; /* info: a 200 object with "version" and no envelope is success */
    bool csc; /* CSC: a 200 object is success; errors are HTTP 4xx {error, error_description} */
    const char *method; /* with csc: the method, for error strings whose meaning depends on it */
} rssp_envelope_rules;

/*
 * Parse body[0..len) (body[len] == '\0') received with HTTP status
 * http_status. On RSSP_OK *root is the response object (release with
 * rssp_json_delete); on RSSP_ERR_SERVICE *root is also set, for callers that
 * want more fields; otherwise *root is NULL. st gets responseCode, message,
 * billCode and the counters.
 */
rssp_err rssp_envelope_parse(const char *body, size_t len, long http_status,
                             const rssp_envelope_rules *rules, cJSON **root, rssp_status *st);

/* The envelope part alone, for an already parsed object (used by the above). */
rssp_err rssp_envelope_read(const cJSON *root, long http_status, const rssp_envelope_rules *rules,
                            rssp_status *st);

#endif
