/*
 * A tiny scripted HTTP/1.1 server on 127.0.0.1 for the client transport
 * tests: keep-alive connections, one thread per connection, a handler that
 * decides each answer (status, headers, body, delay, or dropping the
 * connection), and a record of every request for assertions.
 */
#ifndef RSSP_TEST_SCRIPT_SERVER_H
#define RSSP_TEST_SCRIPT_SERVER_H

#include <stddef.h>

typedef struct {
    char path[256];
    char authorization[8192];
    char entity_name[512];
    char content_type[128];
    char *body; /* NUL-terminated */
    size_t body_len;
    int connection; /* 1-based number of the connection it came on */
} ts_request;

typedef enum {
    TS_ANSWER = 0, /* answer and keep the connection */
    TS_CLOSE,      /* answer, then close the connection */
    TS_DROP,       /* close the connection without answering */
} ts_action;

typedef struct {
    int status;               /* 0 = 200 */
    char *body;               /* malloc'ed by the handler, freed by the server; NULL = empty */
    char extra_headers[1024]; /* "Name: value\r\n" lines */
    ts_action action;
    int delay_ms;
} ts_response;

typedef void (*ts_handler)(void *ctx, const ts_request *rq, ts_response *resp);

typedef struct ts_server ts_server;

ts_server *ts_start(ts_handler handler, void *ctx);
void ts_stop(ts_server *s);
/* "http://127.0.0.1:<port>/rssp/v1/" */
const char *ts_url(ts_server *s);
size_t ts_request_count(ts_server *s);
/* Valid until ts_stop. */
const ts_request *ts_request_at(ts_server *s, size_t i);
/* Requests whose path ends with method. */
size_t ts_count_method(ts_server *s, const char *method);
int ts_connections(ts_server *s);

/* A malloc'ed copy of text (for ts_response.body). */
char *ts_body(const char *text);

#endif
