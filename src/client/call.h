/*
 * One RSSP method call: JSON body out, envelope in, with the retry rules of
 * rssp-protocol.md: log in again and repeat once on 3005/3006; repeat once
 * after a transport failure only when the request provably never left (and
 * a connection had been made: a failed connect or TLS handshake, or a time
 * out, is not repeated), or for read-only methods whose reused connection
 * had died.
 * The observer sees every exchange.
 */
#ifndef RSSP_CLIENT_CALL_H
#define RSSP_CLIENT_CALL_H

#include <stdatomic.h>
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "client/envelope.h"
#include "client/http.h"
#include "rssp/client.h"

typedef struct {
    const char *method;        /* path below the base URL, e.g. "credentials/list" */
    bool bearer;               /* send the access token, logging in when needed */
    bool read_only;            /* no effect on the server: may be repeated */
    bool relogin;              /* with bearer: on 3005/3006 log in again and repeat once */
    const char *authorization; /* without bearer: this Authorization value, or none */
    const char *entity_name;   /* rssp-entity-name to send, or NULL */
    const char *url;           /* absolute URL instead of base URL + method (oauth2/token) */
    const char *content_type;  /* of a text body (rssp_call_run_text); NULL = JSON */
    long timeout_ms;           /* 0 = the client's timeout */
    const atomic_int *cancel;
    rssp_envelope_rules rules;
} rssp_call_spec;

typedef struct {
    cJSON *root;             /* the response object after RSSP_OK or RSSP_ERR_SERVICE */
    rssp_http_response http; /* status and headers of the last exchange */
} rssp_call_result;

rssp_err rssp_call_run(rssp_client *c, const rssp_call_spec *spec, const cJSON *body,
                       rssp_call_result *res, rssp_status *st);
/* The same with a body already in text form (body_len bytes, of spec->content_type). */
rssp_err rssp_call_run_text(rssp_client *c, const rssp_call_spec *spec, const char *body,
                            size_t body_len, rssp_call_result *res, rssp_status *st);
void rssp_call_result_clear(rssp_call_result *res);

/* One call of rssp_call_run_many. */
typedef struct {
    const rssp_call_spec *spec; /* in */
    const cJSON *body;          /* in */
    rssp_call_result res;       /* out: clear with rssp_call_result_clear */
    rssp_status st;             /* out */
    rssp_err err;               /* out */
} rssp_call_item;

/*
 * Several calls at once (rssp_http_post_many: libcurl multi, no thread),
 * each with the rules of rssp_call_run; a repeat or relogin of one item
 * goes out with the next round of the others. Every exchange ends by
 * deadline_ms (monotonic) when it is not 0.
 */
void rssp_call_run_many(rssp_client *c, rssp_call_item *items, size_t n, long long deadline_ms);

#endif
