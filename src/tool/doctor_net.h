/*
 * rssp-tool doctor's network checks, each on its own so a failure names its
 * layer: the host name, a TCP connection, the TLS handshake against the
 * configured CA (docs/tool.md, doctor).
 */
#ifndef RSSP_TOOL_DOCTOR_NET_H
#define RSSP_TOOL_DOCTOR_NET_H

#include <stdbool.h>
#include <stddef.h>

struct addrinfo;

typedef struct {
    char *scheme;
    char *host;
    char *port;
    bool https;
    struct addrinfo *addrs;
    int fd; /* connected socket, -1 before */
} doctor_endpoint;

/* Split the service URL. 0, or -1 and err. */
int doctor_endpoint_parse(const char *url, doctor_endpoint *ep, char *err, size_t err_len);
void doctor_endpoint_clear(doctor_endpoint *ep);

/* Resolve the host; detail lists the addresses or the resolver's error. 0 or -1. */
int doctor_resolve(doctor_endpoint *ep, char *detail, size_t detail_len);

/* Connect to the first address that answers within timeout_ms each. 0 or -1. */
int doctor_connect(doctor_endpoint *ep, long timeout_ms, char *detail, size_t detail_len);

/*
 * TLS handshake on the connected socket, the certificate checked against
 * ca_file (NULL: the system store) and the host name. 0 or -1; on failure
 * fix says what to do.
 */
int doctor_tls(doctor_endpoint *ep, const char *ca_file, long timeout_ms, char *detail,
               size_t detail_len, char *fix, size_t fix_len);

#endif
