/* Facts about network addresses that policy decisions rest on. */
#ifndef RSSP_NET_H
#define RSSP_NET_H

#include <stdbool.h>

/*
 * Whether host names this machine's loopback: "localhost" (any case), an IPv4
 * address in 127.0.0.0/8, or ::1 (bare or in brackets). No name resolution.
 */
bool rssp_host_is_loopback(const char *host);

#endif
