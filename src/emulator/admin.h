/*
 * Test controls under /_emulator/ (only with --admin): OTP outbox, IMPLICIT
 * approvals, fault injection, forced expiry, statistics. Not part of the
 * RSSP protocol; documented in docs/emulator.md.
 */
#ifndef EMU_ADMIN_H
#define EMU_ADMIN_H

#include <stddef.h>

#include "emulator/context.h"

/*
 * Handle /_emulator/<what> for HTTP method http_method with the request
 * body; returns the HTTP status and sets *out to a malloc'ed JSON text.
 */
unsigned emu_admin_handle(emu_ctx *ctx, const char *what, const char *http_method, const char *body,
                          size_t body_len, char **out);

#endif
