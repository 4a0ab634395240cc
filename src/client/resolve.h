/*
 * Resolving the service's host name in the calling thread. libcurl resolves
 * names in a helper thread; applications that forbid a library to create
 * threads (CKF_LIBRARY_CANT_CREATE_OS_THREADS, which NSS always sets) get the
 * address from here instead, handed to libcurl as a CURLOPT_RESOLVE entry.
 */
#ifndef RSSP_CLIENT_RESOLVE_H
#define RSSP_CLIENT_RESOLVE_H

#include "rssp/status.h"

/*
 * For url's host: *entry = "host:port:addr[,addr...]" (malloc'ed), or NULL
 * when the host is an IP address already (nothing to resolve). "localhost"
 * is 127.0.0.1 and ::1 without a lookup; other names go to getaddrinfo in the
 * calling thread. RSSP_ERR_TRANSPORT when the name does not resolve.
 */
rssp_err rssp_resolve_entry(const char *url, char **entry, rssp_status *st);

#endif
