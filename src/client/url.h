/* The service base URL: scheme policy (https, or http towards loopback only) and method URLs. */
#ifndef RSSP_CLIENT_URL_H
#define RSSP_CLIENT_URL_H

#include <stdbool.h>

#include "rssp/status.h"

/*
 * Check base_url: absolute https:// URL, or http:// towards a loopback host;
 * no query or fragment. *normalized (malloc'ed) ends with '/'; *loopback
 * tells whether the host is a loopback one. RSSP_ERR_CONFIG otherwise.
 */
rssp_err rssp_base_url_check(const char *base_url, char **normalized, bool *loopback,
                             rssp_status *st);

/* base (ending with '/') + method, malloc'ed; NULL on allocation failure. */
char *rssp_method_url(const char *base, const char *method);

#endif
