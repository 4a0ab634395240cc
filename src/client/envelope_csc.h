/* CSC outcomes: HTTP status and {"error", "error_description"} to an RSSP code. */
#ifndef RSSP_CLIENT_ENVELOPE_CSC_H
#define RSSP_CLIENT_ENVELOPE_CSC_H

#include <cjson/cJSON.h>

#include "rssp/status.h"

/* The RSSP code of a CSC error string (RSSP_RC_INTERNAL_ERROR when unknown). */
int rssp_csc_error_code(const char *error, const char *description, const char *method);

/*
 * root: the parsed body (any JSON value) of a response with http_status to
 * method. RSSP_OK for a 200 object without "error"; RSSP_ERR_SERVICE with
 * st->response_code for an error body; RSSP_ERR_TRANSPORT for another
 * status without one.
 */
rssp_err rssp_envelope_read_csc(const cJSON *root, long http_status, const char *method,
                                rssp_status *st);

#endif
