/*
 * The HTTPS server (libmicrohttpd with GnuTLS): routing of /rssp/v1/<method>
 * and /_emulator/<control>, request limits and HTTP statuses (§1.1), fault
 * injection on the way in and out.
 *
 * Threading: one thread per connection (MHD_USE_THREAD_PER_CONNECTION). A
 * held IMPLICIT authorization blocks only its own connection's thread, and
 * that thread watches its socket so a client that closes the connection
 * cancels the approval. Keep-alive connections keep their thread.
 */
#ifndef EMU_SERVER_H
#define EMU_SERVER_H

#include <stddef.h>

#include "emulator/context.h"

typedef struct emu_server emu_server;

typedef struct {
    const char *listen;       /* IPv4 or IPv6 literal */
    unsigned port;            /* 0 = any free port */
    unsigned max_connections; /* each has its own thread */
    const char *cert_pem;     /* server certificate and chain */
    const char *key_pem;
} emu_server_config;

int emu_server_start(emu_ctx *ctx, const emu_server_config *cfg, emu_server **out, unsigned *port,
                     char *err, size_t err_len);
/* Stop accepting, let running requests finish (bounded), close everything. */
void emu_server_stop(emu_server *s);

#endif
