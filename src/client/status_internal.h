/* Filling an rssp_status from inside the client library. */
#ifndef RSSP_CLIENT_STATUS_INTERNAL_H
#define RSSP_CLIENT_STATUS_INTERNAL_H

#include <stddef.h>

#include "common/attributes.h"
#include "rssp/status.h"

/*
 * Record a failure of kind err in *st (never NULL here) with a printf-style
 * message, keeping the other fields, and return err. Never pass a secret.
 */
rssp_err rssp_fail(rssp_status *st, rssp_err err, const char *fmt, ...) RSSP_PRINTF_LIKE(3, 4);

/* Copy at most the field's size of text into a status string field. */
void rssp_status_copy(char *dst, size_t dst_size, const char *text);

#endif
