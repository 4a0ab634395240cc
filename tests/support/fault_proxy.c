#define _GNU_SOURCE /* accept4 */
#include "fault_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_HEAD 65536
#define MAX_BODY (8 * 1024 * 1024)
#define MATCH_MAX 128

typedef struct conn conn;

struct rssp_proxy {
    pthread_mutex_t lock; /* everything below except the constant fields */
    SSL_CTX *server_ctx;  /* constant after start */
    SSL_CTX *client_ctx;
    int upstream_port;
    int port;
    int listen_fd;  /* bound to port for the proxy's life (the port is never released) */
    bool listening; /* false while refusing: shut down, listen() again afterwards */
    pthread_t acceptor;
    bool stopping;

    rssp_proxy_conn_mode conn_mode;
    rssp_proxy_rule rule;
    char match[MATCH_MAX];
    long long refuse_until_ms;
    int reset_next; /* accept this many new connections and reset them at once */
    int slow_bytes, slow_ms;

    rssp_proxy_stats stats;
    conn *conns; /* every connection thread not yet joined */
};

struct conn {
    rssp_proxy *p;
    pthread_t thread;
    int cfd, ufd;
    bool done;
    conn *next;
};

/* A message read from one side: head (start line + headers), body, and bytes read beyond. */
typedef struct {
    char *data;
    size_t len, cap;
    size_t head_len; /* up to and including the blank line; 0 until complete */
    size_t total;    /* head_len + Content-Length; 0 = until the peer closes */
} msg;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- listening ---- */

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_upstream(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* ---- HTTP/1.1 framing ---- */

static void msg_free(msg *m)
{
    free(m->data);
    memset(m, 0, sizeof *m);
}

/* Drop the complete message at the front, keep what was read beyond it. */
static void msg_consume(msg *m, size_t n)
{
    memmove(m->data, m->data + n, m->len - n);
    m->len -= n;
    m->head_len = 0;
    m->total = 0;
}

static long content_length(const char *head, size_t len)
{
    static const char name[] = "\r\ncontent-length:";
    size_t n = sizeof name - 1;
    for (size_t i = 0; i + n <= len; i++) {
        if (strncasecmp(head + i, name, n) == 0)
            return strtol(head + i + n, NULL, 10);
    }
    return -1;
}

/* After new bytes: find the end of the head and the message's length. */
static void msg_frame(msg *m, bool is_request)
{
    if (m->head_len != 0)
        return;
    for (size_t i = 3; i < m->len; i++) {
        if (memcmp(m->data + i - 3, "\r\n\r\n", 4) == 0) {
            m->head_len = i + 1;
            long cl = content_length(m->data, m->head_len);
            if (cl < 0 || cl > MAX_BODY)
                cl = is_request ? 0 : -1;
            m->total = cl < 0 ? 0 : m->head_len + (size_t)cl;
            return;
        }
    }
}

static bool msg_complete(const msg *m)
{
    return m->head_len != 0 && m->total != 0 && m->len >= m->total;
}

/* Read until a complete message (or, for an answer without length, the close). 1, 0 at EOF, -1. */
static int msg_read(SSL *ssl, msg *m, bool is_request)
{
    msg_frame(m, is_request);
    while (!msg_complete(m)) {
        if (m->cap - m->len < 16384) {
            size_t cap = m->cap == 0 ? 32768 : m->cap * 2;
            if (cap > MAX_HEAD + MAX_BODY)
                return -1;
            char *n = realloc(m->data, cap);
            if (n == NULL)
                return -1;
            m->data = n;
            m->cap = cap;
        }
        int r = SSL_read(ssl, m->data + m->len, (int)(m->cap - m->len));
        if (r <= 0) {
            /* An answer without Content-Length ends with the connection. */
            if (!is_request && m->head_len != 0 && m->total == 0) {
                m->total = m->len;
                return 1;
            }
            return m->len == 0 ? 0 : -1;
        }
        m->len += (size_t)r;
        msg_frame(m, is_request);
        if (m->head_len == 0 && m->len > MAX_HEAD)
            return -1;
    }
    return 1;
}

static bool write_all(SSL *ssl, const char *data, size_t len, int chunk, int pause_ms)
{
    while (len > 0) {
        size_t n = chunk > 0 && (size_t)chunk < len ? (size_t)chunk : len;
        if (SSL_write(ssl, data, (int)n) <= 0)
            return false;
        data += n;
        len -= n;
        if (len > 0 && chunk > 0 && pause_ms > 0)
            sleep_ms(pause_ms);
    }
    return true;
}

/* The request path: second word of the start line. */
static void request_path(const msg *m, char *out, size_t out_len)
{
    out[0] = '\0';
    const char *sp = memchr(m->data, ' ', m->head_len);
    if (sp == NULL)
        return;
    sp++;
    size_t n = 0;
    while (sp + n < m->data + m->head_len && sp[n] != ' ' && sp[n] != '\r' && n + 1 < out_len)
        n++;
    memcpy(out, sp, n);
    out[n] = '\0';
}

/* ---- one connection ---- */

/* The rule's decision for one request (counts it). Lock not held. */
static rssp_proxy_req_action decide(rssp_proxy *p, const char *path, long index, int *refuse_ms)
{
    /* reset_next takes effect at once: the client may reconnect before the fault completes. */
    rssp_proxy_req_action a = RSSP_PROXY_REQ_PASS;
    *refuse_ms = 0;
    pthread_mutex_lock(&p->lock);
    p->stats.requests++;
    bool matches = p->match[0] == '\0' || strstr(path, p->match) != NULL;
    if (matches)
        p->stats.matched++;
    if (matches && p->rule.action != RSSP_PROXY_REQ_PASS && p->rule.count != 0 &&
        (!p->rule.reused_only || index > 1)) {
        a = p->rule.action;
        *refuse_ms = p->rule.refuse_ms;
        p->reset_next += p->rule.reset_next;
        if (p->rule.count > 0)
            p->rule.count--;
        p->stats.faults++;
    }
    pthread_mutex_unlock(&p->lock);
    return a;
}

static void in_flight(rssp_proxy *p, int delta)
{
    pthread_mutex_lock(&p->lock);
    p->stats.in_flight += delta;
    if (p->stats.in_flight > p->stats.max_in_flight)
        p->stats.max_in_flight = p->stats.in_flight;
    pthread_mutex_unlock(&p->lock);
}

/* Wait until the client closes (or the proxy stops), discarding what it sends. */
static void wait_client_close(int fd)
{
    char buf[4096];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r == 0 || (r < 0 && errno != EINTR))
            return;
    }
}

static void relay(conn *c)
{
    rssp_proxy *p = c->p;
    SSL *cs = SSL_new(p->server_ctx), *us = NULL;
    msg rq = {0}, an = {0};
    if (cs == NULL || !SSL_set_fd(cs, c->cfd) || SSL_accept(cs) != 1)
        goto out;
    pthread_mutex_lock(&p->lock);
    c->ufd = connect_upstream(p->upstream_port);
    pthread_mutex_unlock(&p->lock);
    us = SSL_new(p->client_ctx);
    if (c->ufd < 0 || us == NULL || !SSL_set_fd(us, c->ufd) || SSL_connect(us) != 1)
        goto out;
    for (long index = 1;; index++) {
        if (msg_read(cs, &rq, true) != 1)
            break;
        char path[256];
        request_path(&rq, path, sizeof path);
        int refuse_ms;
        rssp_proxy_req_action a = decide(p, path, index, &refuse_ms);
        if (a == RSSP_PROXY_REQ_DROP) {
            if (refuse_ms > 0)
                rssp_proxy_refuse(p, refuse_ms);
            break;
        }
        /* In flight from the client's view: until its answer is delivered (or never is). */
        in_flight(p, 1);
        bool sent = write_all(us, rq.data, rq.total, 0, 0);
        int got = sent ? msg_read(us, &an, false) : -1;
        if (got == 1 && a == RSSP_PROXY_REQ_HOLD) {
            if (refuse_ms > 0)
                rssp_proxy_refuse(p, refuse_ms);
            wait_client_close(c->cfd);
        }
        if (got != 1 || a != RSSP_PROXY_REQ_PASS) {
            if (got == 1 && a == RSSP_PROXY_REQ_NO_ANSWER && refuse_ms > 0)
                rssp_proxy_refuse(p, refuse_ms);
            in_flight(p, -1);
            break;
        }
        pthread_mutex_lock(&p->lock);
        int chunk = p->slow_bytes, pause = p->slow_ms;
        pthread_mutex_unlock(&p->lock);
        bool delivered = write_all(cs, an.data, an.total, chunk, pause);
        in_flight(p, -1);
        if (!delivered)
            break;
        bool closes = an.total == an.len && content_length(an.data, an.head_len) < 0;
        msg_consume(&rq, rq.total);
        msg_consume(&an, an.total);
        if (closes)
            break;
    }
out:
    msg_free(&rq);
    msg_free(&an);
    SSL_free(us);
    SSL_free(cs);
}

static void *conn_main(void *arg)
{
    conn *c = arg;
    rssp_proxy *p = c->p;
    pthread_mutex_lock(&p->lock);
    rssp_proxy_conn_mode mode = p->conn_mode;
    pthread_mutex_unlock(&p->lock);
    if (mode == RSSP_PROXY_CONN_STALL)
        wait_client_close(c->cfd);
    else
        relay(c);
    pthread_mutex_lock(&p->lock);
    shutdown(c->cfd, SHUT_RDWR);
    if (c->ufd >= 0)
        shutdown(c->ufd, SHUT_RDWR);
    c->done = true;
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Join and free finished connections (all of them when stopping). Lock held on entry and exit. */
static void reap(rssp_proxy *p, bool all)
{
    conn **pp = &p->conns;
    while (*pp != NULL) {
        conn *c = *pp;
        if (!c->done && !all) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        pthread_mutex_unlock(&p->lock);
        pthread_join(c->thread, NULL);
        close(c->cfd);
        if (c->ufd >= 0)
            close(c->ufd);
        free(c);
        pthread_mutex_lock(&p->lock);
    }
}

static void *accept_main(void *arg)
{
    rssp_proxy *p = arg;
    /*
     * A write to a connection the client closed must fail with EPIPE, not
     * kill the test: SIGPIPE stays blocked in this thread and the connection
     * threads it starts (they inherit the mask).
     */
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, NULL);
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        reap(p, false);
        long long now = now_ms();
        if (p->refuse_until_ms > now) {
            if (p->listening) {
                shutdown(p->listen_fd, SHUT_RDWR);
                p->listening = false;
            }
            pthread_mutex_unlock(&p->lock);
            sleep_ms(5);
            pthread_mutex_lock(&p->lock);
            continue;
        }
        /*
         * The socket keeps its explicitly bound port while shut down, so
         * listening again cannot lose the port to another process.
         */
        if (!p->listening) {
            if (listen(p->listen_fd, 128) != 0) {
                pthread_mutex_unlock(&p->lock);
                sleep_ms(5);
                pthread_mutex_lock(&p->lock);
                continue;
            }
            p->listening = true;
        }
        struct pollfd pf = {.fd = p->listen_fd, .events = POLLIN};
        pthread_mutex_unlock(&p->lock);
        int r = poll(&pf, 1, 20);
        int fd = r > 0 ? accept4(pf.fd, NULL, NULL, SOCK_CLOEXEC) : -1;
        pthread_mutex_lock(&p->lock);
        if (fd < 0)
            continue;
        if (p->stopping || p->refuse_until_ms > now_ms()) {
            close(fd);
            continue;
        }
        if (p->reset_next > 0) {
            /* Linger 0: close sends RST, the client's connect or handshake fails at once. */
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            close(fd);
            p->reset_next--;
            p->stats.resets++;
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn *c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        *c = (conn){.p = p, .cfd = fd, .ufd = -1, .next = p->conns};
        if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
            close(fd);
            free(c);
            continue;
        }
        p->conns = c;
        p->stats.connections++;
    }
    reap(p, true);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- public ---- */

static SSL_CTX *server_ctx(const char *emu_dir)
{
    char cert[4096], key[4096];
    snprintf(cert, sizeof cert, "%s/tls/server-cert.pem", emu_dir);
    snprintf(key, sizeof key, "%s/tls/server-key.pem", emu_dir);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int rssp_proxy_start(const char *emu_dir, int upstream_port, rssp_proxy **out)
{
    *out = NULL;
    rssp_proxy *p = calloc(1, sizeof *p);
    if (p == NULL)
        return -1;
    pthread_mutex_init(&p->lock, NULL);
    p->upstream_port = upstream_port;
    p->listen_fd = -1;
    p->server_ctx = server_ctx(emu_dir);
    p->client_ctx = SSL_CTX_new(TLS_client_method());
    if (p->server_ctx == NULL || p->client_ctx == NULL) {
        fprintf(stderr, "fault proxy: cannot load the TLS identity of %s\n", emu_dir);
        goto fail;
    }
    SSL_CTX_set_verify(p->client_ctx, SSL_VERIFY_NONE, NULL); /* loopback, our own emulator */
    /*
     * A free port, then bound by its number: only an explicitly bound port
     * stays reserved while the socket is shut down for a refusal.
     */
    for (int i = 0; i < 20 && p->listen_fd < 0; i++) {
        int probe = listen_on(0);
        struct sockaddr_in a;
        socklen_t alen = sizeof a;
        if (probe < 0 || getsockname(probe, (struct sockaddr *)&a, &alen) != 0) {
            if (probe >= 0)
                close(probe);
            continue;
        }
        close(probe);
        p->port = ntohs(a.sin_port);
        p->listen_fd = listen_on(p->port);
    }
    if (p->listen_fd < 0) {
        fprintf(stderr, "fault proxy: cannot listen: %s\n", strerror(errno));
        goto fail;
    }
    p->listening = true;
    if (pthread_create(&p->acceptor, NULL, accept_main, p) != 0)
        goto fail;
    *out = p;
    return 0;
fail:
    if (p->listen_fd >= 0)
        close(p->listen_fd);
    SSL_CTX_free(p->server_ctx);
    SSL_CTX_free(p->client_ctx);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return -1;
}

void rssp_proxy_close_all(rssp_proxy *p)
{
    pthread_mutex_lock(&p->lock);
    for (conn *c = p->conns; c != NULL; c = c->next) {
        shutdown(c->cfd, SHUT_RDWR);
        if (c->ufd >= 0)
            shutdown(c->ufd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&p->lock);
}

void rssp_proxy_stop(rssp_proxy *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_mutex_unlock(&p->lock);
    rssp_proxy_close_all(p);
    pthread_join(p->acceptor, NULL);
    if (p->listen_fd >= 0)
        close(p->listen_fd);
    SSL_CTX_free(p->server_ctx);
    SSL_CTX_free(p->client_ctx);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int rssp_proxy_port(const rssp_proxy *p)
{
    return p->port;
}

int rssp_proxy_url_port(const char *url)
{
    const char *host = strstr(url, "://");
    if (host == NULL)
        return -1;
    const char *colon = strchr(host + 3, ':');
    const char *slash = strchr(host + 3, '/');
    if (colon == NULL || (slash != NULL && colon > slash))
        return -1;
    return (int)strtol(colon + 1, NULL, 10);
}

int rssp_proxy_url(const rssp_proxy *p, const char *base_url, char *out, size_t out_len)
{
    const char *host = strstr(base_url, "://");
    const char *colon = host != NULL ? strchr(host + 3, ':') : NULL;
    const char *rest = colon != NULL ? strchr(colon, '/') : NULL;
    if (rest == NULL)
        return -1;
    int n = snprintf(out, out_len, "%.*s:%d%s", (int)(colon - base_url), base_url, p->port, rest);
    return n > 0 && (size_t)n < out_len ? 0 : -1;
}

void rssp_proxy_set_conn_mode(rssp_proxy *p, rssp_proxy_conn_mode mode)
{
    pthread_mutex_lock(&p->lock);
    p->conn_mode = mode;
    pthread_mutex_unlock(&p->lock);
}

void rssp_proxy_set_rule(rssp_proxy *p, const rssp_proxy_rule *rule)
{
    pthread_mutex_lock(&p->lock);
    memset(&p->rule, 0, sizeof p->rule);
    p->match[0] = '\0';
    if (rule != NULL) {
        p->rule = *rule;
        if (rule->match != NULL)
            snprintf(p->match, sizeof p->match, "%s", rule->match);
    }
    p->rule.match = NULL; /* p->match holds the copy */
    p->stats.matched = 0;
    pthread_mutex_unlock(&p->lock);
}

void rssp_proxy_refuse(rssp_proxy *p, int ms)
{
    pthread_mutex_lock(&p->lock);
    long long now = now_ms();
    if (ms <= 0) {
        if (p->refuse_until_ms > now) {
            p->stats.refused_ms -= (long)(p->refuse_until_ms - now);
            p->refuse_until_ms = now;
        }
        pthread_mutex_unlock(&p->lock);
        return;
    }
    long long until = now + ms;
    if (until > p->refuse_until_ms) {
        long long from = p->refuse_until_ms > now ? p->refuse_until_ms : now;
        p->stats.refused_ms += (long)(until - from);
        p->refuse_until_ms = until;
    }
    /*
     * Stop listening at once, not at the acceptor's next turn: the very next
     * connect must be refused. shutdown() on a listening socket does that on
     * Linux and wakes the acceptor's poll(); the acceptor listens again later.
     */
    if (p->listening) {
        shutdown(p->listen_fd, SHUT_RDWR);
        p->listening = false;
    }
    pthread_mutex_unlock(&p->lock);
}

void rssp_proxy_reset_next(rssp_proxy *p, int n)
{
    pthread_mutex_lock(&p->lock);
    p->reset_next = n;
    pthread_mutex_unlock(&p->lock);
}

void rssp_proxy_set_slow(rssp_proxy *p, int chunk_bytes, int pause_ms)
{
    pthread_mutex_lock(&p->lock);
    p->slow_bytes = chunk_bytes;
    p->slow_ms = pause_ms;
    pthread_mutex_unlock(&p->lock);
}

void rssp_proxy_get_stats(rssp_proxy *p, rssp_proxy_stats *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->stats;
    pthread_mutex_unlock(&p->lock);
}

void rssp_proxy_reset_stats(rssp_proxy *p)
{
    pthread_mutex_lock(&p->lock);
    long in = p->stats.in_flight;
    memset(&p->stats, 0, sizeof p->stats);
    p->stats.in_flight = in;
    p->stats.max_in_flight = in;
    pthread_mutex_unlock(&p->lock);
}
