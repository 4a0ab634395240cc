/*
 * The CSC front ends (CSC API v1 1.0.4.0 and v2 2.0.0.2) over the one model
 * the RSSP handlers enforce: a CSC request is rewritten into the canonical
 * RSSP request, the same handler runs (same accounts, credentials, SADs,
 * counters and rules), and its answer is rewritten into the CSC answer
 * (HTTP 4xx/5xx with {"error", "error_description"} on failure).
 * docs/protocol.md has the field table; docs/emulator.md the choices.
 */
#ifndef EMU_CSC_H
#define EMU_CSC_H

#include <stddef.h>

#include "emulator/request.h"

typedef void (*emu_handler_fn)(emu_req *r);

/*
 * Serve one CSC method. r is prepared by the server (ctx, method, dialect,
 * headers, client address; r->resp allocated, r->code set by a fault).
 * fn: the RSSP handler, NULL for oauth2/token. body: the raw request body.
 * Returns the response text (malloc'ed, NULL on allocation failure) and its
 * HTTP status in *status (204: no body; the text is then "").
 */
char *emu_csc_serve(emu_req *r, emu_handler_fn fn, const char *body, size_t len, unsigned *status);

/* ---- parts, for the files of the front end ---- */

/* Rewrite r->body (a CSC request) into the canonical RSSP request. 0, or -1 with 3100 set. */
int emu_csc_translate_request(emu_req *r);

/* The CSC answer of a finished request. */
char *emu_csc_reply(emu_req *r, unsigned *status);

/* CSC info (handled here: its fields have no RSSP counterpart). */
void emu_csc_handle_info(emu_req *r);
/* CSC auth/login: HTTP Basic username:password (RFC 7617), or {"refresh_token"}. */
void emu_csc_handle_login(emu_req *r);
/* oauth2/token: form body with grant_type client_credentials or refresh_token. */
void emu_csc_handle_token(emu_req *r, const char *form, size_t len);

/* A credentials/info answer (the RSSP fields in info) as the CSC credential object. */
cJSON *emu_csc_credential_object(const emu_req *r, const cJSON *info);

#endif
