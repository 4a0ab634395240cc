/* rssp-tool doctor: one credential's certificate — status, dates, chain (docs/tool.md). */
#ifndef RSSP_TOOL_DOCTOR_CERTS_H
#define RSSP_TOOL_DOCTOR_CERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "rssp/client.h"

/*
 * Check cred (with its chain, end entity first) at time now: the service's
 * status, the validity period of every certificate, and each certificate
 * signed by the next (the last one is trusted as the anchor: services
 * rarely send their root). true when usable; detail says what was found, and
 * on failure fix what to do.
 */
bool doctor_check_certificate(const rssp_credential *cred, time_t now, char *detail,
                              size_t detail_len, char *fix, size_t fix_len);

#endif
