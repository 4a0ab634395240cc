#include "script_server.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 128
#define MAX_REQUESTS 4096
#define MAX_HEAD 65536

typedef struct {
    ts_server *server;
    int fd;
    int number;
    pthread_t thread;
} connection;

struct ts_server {
    int listen_fd;
    char url[64];
    pthread_t accept_thread;
    ts_handler handler;
    void *ctx;
    pthread_mutex_t lock;
    connection conns[MAX_CONNECTIONS];
    int n_conns;
    ts_request *requests[MAX_REQUESTS];
    size_t n_requests;
};

char *ts_body(const char *text)
{
    char *b = strdup(text);
    assert_non_null(b);
    return b;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Copy the value of header name from the head block into dst. */
static void header_value(const char *head, const char *name, char *dst, size_t cap)
{
    dst[0] = '\0';
    size_t nl = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line, "\r\n")) {
        line += 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            const char *end = strstr(v, "\r\n");
            size_t len = end != NULL ? (size_t)(end - v) : strlen(v);
            if (len >= cap)
                len = cap - 1;
            memcpy(dst, v, len);
            dst[len] = '\0';
            return;
        }
    }
}

/* Read one request; 0 on success, -1 on EOF or error. buf keeps bytes of the next one. */
static int read_request(int fd, char *buf, size_t *have, ts_request *rq)
{
    char *end = NULL;
    for (;;) {
        buf[*have] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end != NULL)
            break;
        if (*have >= MAX_HEAD)
            return -1;
        ssize_t n = recv(fd, buf + *have, MAX_HEAD - *have, 0);
        if (n <= 0)
            return -1;
        *have += (size_t)n;
    }
    size_t head_len = (size_t)(end - buf) + 4;
    char *head = strndup(buf, head_len);
    assert_non_null(head);
    char method[16] = "", path[256] = "";
    sscanf(head, "%15s %255s", method, path);
    snprintf(rq->path, sizeof rq->path, "%s", path);
    header_value(head, "Authorization", rq->authorization, sizeof rq->authorization);
    header_value(head, "rssp-entity-name", rq->entity_name, sizeof rq->entity_name);
    header_value(head, "Content-Type", rq->content_type, sizeof rq->content_type);
    char cl[32];
    header_value(head, "Content-Length", cl, sizeof cl);
    free(head);
    size_t body_len = (size_t)strtoul(cl, NULL, 10);
    rq->body = malloc(body_len + 1);
    assert_non_null(rq->body);
    size_t from_buf = *have - head_len < body_len ? *have - head_len : body_len;
    memcpy(rq->body, buf + head_len, from_buf);
    size_t got = from_buf;
    while (got < body_len) {
        ssize_t n = recv(fd, rq->body + got, body_len - got, 0);
        if (n <= 0) {
            free(rq->body);
            rq->body = NULL;
            return -1;
        }
        got += (size_t)n;
    }
    rq->body[body_len] = '\0';
    rq->body_len = body_len;
    size_t used = head_len + from_buf;
    memmove(buf, buf + used, *have - used);
    *have -= used;
    return 0;
}

static void *connection_main(void *arg)
{
    connection *c = arg;
    ts_server *s = c->server;
    char *buf = malloc(MAX_HEAD + 1);
    assert_non_null(buf);
    size_t have = 0;
    for (;;) {
        ts_request *rq = calloc(1, sizeof *rq);
        assert_non_null(rq);
        if (read_request(c->fd, buf, &have, rq) != 0) {
            free(rq);
            break;
        }
        rq->connection = c->number;
        pthread_mutex_lock(&s->lock);
        if (s->n_requests < MAX_REQUESTS)
            s->requests[s->n_requests++] = rq;
        pthread_mutex_unlock(&s->lock);

        ts_response resp = {0};
        s->handler(s->ctx, rq, &resp);
        if (resp.delay_ms > 0)
            sleep_ms(resp.delay_ms);
        if (resp.action == TS_DROP) {
            free(resp.body);
            break;
        }
        size_t body_len = resp.body != NULL ? strlen(resp.body) : 0;
        char head[2048];
        int n = snprintf(head, sizeof head,
                         "HTTP/1.1 %d Scripted\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\n%s%s\r\n",
                         resp.status != 0 ? resp.status : 200, body_len, resp.extra_headers,
                         resp.action == TS_CLOSE ? "Connection: close\r\n" : "");
        int rc = write_all(c->fd, head, (size_t)n);
        if (rc == 0 && body_len > 0)
            rc = write_all(c->fd, resp.body, body_len);
        free(resp.body);
        if (rc != 0 || resp.action == TS_CLOSE)
            break;
    }
    shutdown(c->fd, SHUT_RDWR);
    free(buf);
    return NULL;
}

static void *accept_main(void *arg)
{
    ts_server *s = arg;
    for (;;) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            break;
        pthread_mutex_lock(&s->lock);
        if (s->n_conns >= MAX_CONNECTIONS) {
            pthread_mutex_unlock(&s->lock);
            close(fd);
            continue;
        }
        connection *c = &s->conns[s->n_conns++];
        c->server = s;
        c->fd = fd;
        c->number = s->n_conns;
        assert_int_equal(pthread_create(&c->thread, NULL, connection_main, c), 0);
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

ts_server *ts_start(ts_handler handler, void *ctx)
{
    ts_server *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->handler = handler;
    s->ctx = ctx;
    pthread_mutex_init(&s->lock, NULL);
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listen_fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->listen_fd, 64), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &len), 0);
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d/rssp/v1/", ntohs(a.sin_port));
    assert_int_equal(pthread_create(&s->accept_thread, NULL, accept_main, s), 0);
    return s;
}

void ts_stop(ts_server *s)
{
    shutdown(s->listen_fd, SHUT_RDWR);
    pthread_join(s->accept_thread, NULL);
    close(s->listen_fd);
    for (int i = 0; i < s->n_conns; i++) {
        shutdown(s->conns[i].fd, SHUT_RDWR);
        pthread_join(s->conns[i].thread, NULL);
        close(s->conns[i].fd);
    }
    for (size_t i = 0; i < s->n_requests; i++) {
        free(s->requests[i]->body);
        free(s->requests[i]);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *ts_url(ts_server *s)
{
    return s->url;
}

size_t ts_request_count(ts_server *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->n_requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

const ts_request *ts_request_at(ts_server *s, size_t i)
{
    pthread_mutex_lock(&s->lock);
    assert_true(i < s->n_requests);
    const ts_request *rq = s->requests[i];
    pthread_mutex_unlock(&s->lock);
    return rq;
}

size_t ts_count_method(ts_server *s, const char *method)
{
    size_t n = 0, ml = strlen(method);
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n_requests; i++) {
        size_t pl = strlen(s->requests[i]->path);
        if (pl >= ml && strcmp(s->requests[i]->path + pl - ml, method) == 0)
            n++;
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

int ts_connections(ts_server *s)
{
    pthread_mutex_lock(&s->lock);
    int n = s->n_conns;
    pthread_mutex_unlock(&s->lock);
    return n;
}
