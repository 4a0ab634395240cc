/*
 * HTTP transport over libcurl: POST a JSON body, collect the response.
 * A pool of easy handles keeps keep-alive connections alive across calls and
 * threads; the pool mutex is held only to take or return a handle, never
 * during a transfer. Nothing is ever printed.
 */
#ifndef RSSP_CLIENT_HTTP_H
#define RSSP_CLIENT_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "rssp/status.h"

/* rssp-entity-name values are visible ASCII, at most 128 characters (§1.6). */
#define RSSP_ENTITY_NAME_MAX 128

typedef struct rssp_http rssp_http;

typedef struct {
    const char *ca_file;       /* NULL = system default */
    long connect_timeout_ms;   /* > 0 */
    size_t max_response_bytes; /* > 0 */
    bool no_proxy;             /* loopback service: never go through a proxy */
    bool resolve_in_caller;    /* resolve host names in the calling thread (no resolver thread) */
} rssp_http_config;

typedef struct {
    const char *url;
    const char *body; /* JSON text, or of content_type */
    size_t body_len;
    const char *content_type;  /* NULL = application/json (oauth2/token sends a form) */
    const char *authorization; /* header value (secret) or NULL */
    const char *entity_name;   /* rssp-entity-name to send, or NULL */
    long timeout_ms;           /* total, > 0 */
    const atomic_int *cancel;  /* non-zero = abandon the transfer; may be NULL */
    /*
     * The request has no effect on the server, so libcurl may resend it by
     * itself when a reused connection turns out dead. When false, such a
     * resend is refused (the body cannot be rewound) and the call fails
     * with maybe_sent set: signHash and authorize are never sent twice.
     */
    bool replay_safe;
} rssp_http_request;

typedef struct {
    long status;
    char *body; /* NUL-terminated; may hold secrets, wiped by rssp_http_response_clear */
    size_t body_len;
    char entity_name[RSSP_ENTITY_NAME_MAX + 1];
    bool has_entity_name;     /* a valid rssp-entity-name header came back */
    bool entity_name_invalid; /* the header came back but was not visible ASCII <= 128 */
    bool reused_connection;   /* no new connection was opened for this transfer */
    int curl_code;            /* CURLcode of the transfer, 0 on success */
    /*
     * The transfer failed making a connection (refused, TLS, or a time-out,
     * which includes the connect timeout): repeating at once would only wait
     * again. Says nothing about maybe_sent (a failed reconnect may follow a
     * request that was sent).
     */
    bool connect_failed;
} rssp_http_response;

/* curl_global_init, exactly once per process (pthread_once). */
rssp_err rssp_http_global_init(rssp_status *st);

rssp_err rssp_http_new(const rssp_http_config *cfg, rssp_http **out, rssp_status *st);
/* Frees idle handles and their connections. No transfer may be running. NULL ok. */
void rssp_http_free(rssp_http *h);

/*
 * One POST. RSSP_OK whenever an HTTP response arrived (any status: the
 * caller reads the envelope); RSSP_ERR_TRANSPORT (st->maybe_sent says whether
 * the request may have reached the server: false only when libcurl never
 * took a byte of the body nor counted a request byte, whatever the error), RSSP_ERR_CANCELLED,
 * RSSP_ERR_PROTOCOL (body over the limit) or RSSP_ERR_NOMEM otherwise.
 * *resp is filled as far as the transfer went; release it with
 * rssp_http_response_clear.
 */
rssp_err rssp_http_post(rssp_http *h, const rssp_http_request *rq, rssp_http_response *resp,
                        rssp_status *st);
void rssp_http_response_clear(rssp_http_response *resp);

/* One exchange of rssp_http_post_many. */
typedef struct {
    const rssp_http_request *rq; /* in */
    rssp_http_response resp;     /* out, as rssp_http_post fills it */
    rssp_status st;              /* out */
    rssp_err err;                /* out, as rssp_http_post returns it */
} rssp_http_exchange;

/*
 * Several POSTs at once over libcurl's multi interface, driven from the
 * calling thread (no thread is created), each on a new connection (TLS
 * sessions are resumed); a single one goes over a pooled kept-alive
 * connection like rssp_http_post. Every exchange ends by its own timeout_ms
 * and, when deadline_ms (monotonic, rssp_monotonic_ms) is not 0, by that
 * time too.
 */
void rssp_http_post_many(rssp_http *h, rssp_http_exchange *xs, size_t n, long long deadline_ms);

/* True when a transfer ended by its time-out (or the deadline of rssp_http_post_many). */
bool rssp_http_timed_out(const rssp_http_response *resp);

/* True when a failed transfer ran on a reused connection that the server had closed. */
bool rssp_http_dead_reused_connection(const rssp_http_response *resp);

/*
 * While abort is true, transfers in progress are abandoned (libcurl calls the
 * progress callback at least about once a second) and new ones fail at once,
 * all with RSSP_ERR_CANCELLED. Any thread may call it.
 */
void rssp_http_abort(rssp_http *h, bool abort);

/* New TCP connections opened so far (for tests and diagnostics). */
long rssp_http_connections(rssp_http *h);

/*
 * Check an rssp-entity-name value: 1..128 characters, each 0x21-0x7E.
 * Used on received headers and before sending one.
 */
bool rssp_entity_name_valid(const char *value, size_t len);

#endif
