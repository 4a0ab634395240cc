/*
 * Fault proxy: a small HTTPS proxy on loopback that tests place between a
 * client and a private rssp-emulator to make the network misbehave on cue.
 *
 * It terminates TLS with the emulator's own server certificate and key
 * (EMU_DIR/tls/), so the client keeps the emulator's ca.pem and host name,
 * and opens one upstream TLS connection per client connection (keep-alive on
 * one side is keep-alive on the other). Because it reads whole HTTP/1.1
 * requests and answers (Content-Length framing) it can act per request, and
 * it counts what it saw: that is what makes it deterministic — a fault hits
 * "the next N requests matching X", never "whatever arrives after 200 ms".
 *
 * What it can do:
 * - per new connection: pass, or stall (accept TCP, never answer: the TLS
 *   handshake hangs until the client gives up);
 * - refuse new connections for N ms (the listening socket is closed, so a
 *   connect gets ECONNREFUSED; the same port is bound again afterwards), or
 *   reset the next N new connections (accepted, then RST: a failed reconnect
 *   that libcurl reports as a connect/TLS error);
 * - per request (the next `count` requests whose path contains `match`,
 *   optionally only requests that reuse a connection): drop (close at once,
 *   the service never sees it), no_answer (forward, wait for the answer,
 *   discard it and close: the service handled the request but the client
 *   learns nothing), hold (forward and keep the answer back until the client
 *   closes or the proxy stops); each optionally followed by refusing or
 *   resetting new connections;
 * - slow bytes: answers are delivered in chunks of B bytes every M ms.
 *
 * One thread accepts, one thread per connection relays with blocking I/O.
 * From C: the functions below. From shell tests: the `rssp-fault-proxy`
 * program (fault_proxy_main.c) reads the same commands from stdin.
 */
#ifndef RSSP_FAULT_PROXY_H
#define RSSP_FAULT_PROXY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rssp_proxy rssp_proxy;

typedef enum {
    RSSP_PROXY_CONN_PASS = 0,
    RSSP_PROXY_CONN_STALL, /* accept TCP, read and ignore, never answer */
} rssp_proxy_conn_mode;

typedef enum {
    RSSP_PROXY_REQ_PASS = 0,
    RSSP_PROXY_REQ_DROP,      /* close when the request arrived; nothing forwarded */
    RSSP_PROXY_REQ_NO_ANSWER, /* forward, swallow the answer, close */
    RSSP_PROXY_REQ_HOLD,      /* forward, never deliver the answer */
} rssp_proxy_req_action;

typedef struct {
    rssp_proxy_req_action action;
    const char *match; /* substring of the request path; NULL = every request */
    int count;         /* requests to hit, then the rule ends; < 0 = until replaced */
    bool reused_only;  /* only requests that are not the first of their connection */
    int refuse_ms;     /* after hitting a request, refuse new connections this long */
    int reset_next;    /* after hitting a request, reset the next N new connections */
} rssp_proxy_rule;

typedef struct {
    long connections;   /* accepted (stalled ones included) */
    long refused_ms;    /* total time spent refusing */
    long resets;        /* connections reset by reset_next */
    long requests;      /* complete requests read from clients */
    long matched;       /* requests matching the current rule's `match` (reset by set_rule) */
    long faults;        /* requests a rule acted on */
    long in_flight;     /* requests read whose answer the client has not received (yet) */
    long max_in_flight; /* peak of in_flight since start or the last reset */
} rssp_proxy_stats;

/*
 * Listen on 127.0.0.1 (random port) and relay to 127.0.0.1:upstream_port,
 * an emulator serving emu_dir. 0, or -1 with a message on stderr.
 */
int rssp_proxy_start(const char *emu_dir, int upstream_port, rssp_proxy **out);
/* Close every connection, join every thread, free. NULL ok. */
void rssp_proxy_stop(rssp_proxy *p);

int rssp_proxy_port(const rssp_proxy *p);
/* base_url with its port replaced by the proxy's (out: at least 256 bytes). 0 or -1. */
int rssp_proxy_url(const rssp_proxy *p, const char *base_url, char *out, size_t out_len);

void rssp_proxy_set_conn_mode(rssp_proxy *p, rssp_proxy_conn_mode mode);
void rssp_proxy_set_rule(rssp_proxy *p, const rssp_proxy_rule *rule); /* NULL = pass everything */
void rssp_proxy_refuse(rssp_proxy *p, int ms); /* ms <= 0: end a refusal now */
/* Accept the next n new connections and reset them (RST) at once: a failed reconnect. */
void rssp_proxy_reset_next(rssp_proxy *p, int n);
void rssp_proxy_set_slow(rssp_proxy *p, int chunk_bytes, int pause_ms); /* 0,0 = off */
/* Close every open connection now (as a server restart would). */
void rssp_proxy_close_all(rssp_proxy *p);

void rssp_proxy_get_stats(rssp_proxy *p, rssp_proxy_stats *out);
void rssp_proxy_reset_stats(rssp_proxy *p);

/* The port of an https://host:port/... URL, or -1. */
int rssp_proxy_url_port(const char *url);

#endif
