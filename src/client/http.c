#include "client/http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "client/resolve.h"
#include "rssp/client.h"
#include "client/status_internal.h"
#include "common/platform.h"

/* Idle handles kept for reuse; more concurrent calls than this get handles that are freed after. */
#define POOL_MAX 16
#define BODY_INITIAL 4096

struct rssp_http {
    pthread_mutex_t lock; /* guards idle[] and n_idle only */
    CURL *idle[POOL_MAX];
    size_t n_idle;
    CURLSH *share; /* DNS cache and TLS sessions, so a new handle resumes quickly */
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
    char *ca_file;
    long connect_timeout_ms;
    size_t max_response_bytes;
    bool no_proxy;
    atomic_long connections;
    atomic_bool abort; /* rssp_http_abort: abandon every transfer, start none */
    /*
     * With resolve_in_caller, the service's address, resolved once by the
     * first call (resolve_lock held for that getaddrinfo only) and given to
     * every transfer as a CURLOPT_RESOLVE entry, so libcurl starts no thread.
     */
    bool resolve_in_caller;
    pthread_mutex_t resolve_lock;
    bool resolved;
    struct curl_slist *resolve;
};

/*
 * curl_global_init is not thread-safe in older libcurl and must run once.
 * curl_global_cleanup is deliberately never called: this library lives
 * inside host programs (browsers, office suites) that may use libcurl
 * themselves, and a cleanup from here would pull the ground from under them.
 */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

rssp_err rssp_http_global_init(rssp_status *st)
{
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return rssp_fail(st, RSSP_ERR_TRANSPORT, "libcurl initialisation failed: %s",
                         curl_easy_strerror(global_rc));
    return RSSP_OK;
}

bool rssp_entity_name_valid(const char *value, size_t len)
{
    if (value == NULL || len == 0 || len > RSSP_ENTITY_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)value[i];
        if (ch < 0x21 || ch > 0x7E)
            return false;
    }
    return true;
}

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr)
{
    (void)handle;
    (void)access;
    struct rssp_http *h = userptr;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&h->share_locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *userptr)
{
    (void)handle;
    struct rssp_http *h = userptr;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&h->share_locks[data]);
}

rssp_err rssp_http_new(const rssp_http_config *cfg, rssp_http **out, rssp_status *st)
{
    *out = NULL;
    rssp_err err = rssp_http_global_init(st);
    if (err != RSSP_OK)
        return err;
    rssp_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&h->lock, NULL);
    pthread_mutex_init(&h->resolve_lock, NULL);
    h->resolve_in_caller = cfg->resolve_in_caller;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&h->share_locks[i], NULL);
    h->connect_timeout_ms = cfg->connect_timeout_ms;
    h->max_response_bytes = cfg->max_response_bytes;
    h->no_proxy = cfg->no_proxy;
    atomic_init(&h->connections, 0);
    atomic_init(&h->abort, false);
    if (cfg->ca_file != NULL && (h->ca_file = strdup(cfg->ca_file)) == NULL) {
        rssp_http_free(h);
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    h->share = curl_share_init();
    if (h->share == NULL ||
        curl_share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(h->share, CURLSHOPT_USERDATA, h) != CURLSHE_OK ||
        curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
        curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        rssp_http_free(h);
        return rssp_fail(st, RSSP_ERR_NOMEM, "cannot set up libcurl sharing");
    }
    *out = h;
    return RSSP_OK;
}

void rssp_http_free(rssp_http *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n_idle; i++)
        curl_easy_cleanup(h->idle[i]);
    /* The share may only go once no easy handle refers to it. */
    if (h->share != NULL)
        curl_share_cleanup(h->share);
    free(h->ca_file);
    curl_slist_free_all(h->resolve);
    pthread_mutex_destroy(&h->resolve_lock);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&h->share_locks[i]);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

long rssp_http_connections(rssp_http *h)
{
    return atomic_load(&h->connections);
}

void rssp_http_abort(rssp_http *h, bool abort)
{
    atomic_store(&h->abort, abort);
}

/* ---- per-transfer state handed to the callbacks ---- */

typedef struct {
    rssp_http_response *resp;
    size_t cap;
    size_t max;
    bool oversize;
    bool nomem;
    const atomic_int *cancel;
    const atomic_bool *abort;
    unsigned attempts; /* on_prereq calls: requests libcurl began to send */
    bool resend_refused;
    bool replay_safe;
} transfer;

/* Grow without realloc: the old block may already hold a token and must be wiped. */
static bool body_reserve(transfer *t, size_t need)
{
    if (need <= t->cap)
        return true;
    size_t cap = t->cap == 0 ? BODY_INITIAL : t->cap;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > t->max + 1)
        cap = t->max + 1;
    char *n = malloc(cap);
    if (n == NULL)
        return false;
    rssp_http_response *r = t->resp;
    if (r->body != NULL) {
        memcpy(n, r->body, r->body_len);
        OPENSSL_cleanse(r->body, t->cap);
        free(r->body);
    }
    r->body = n;
    t->cap = cap;
    return true;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    transfer *t = userdata;
    size_t n = size * nmemb;
    rssp_http_response *r = t->resp;
    if (n > t->max || r->body_len > t->max - n) {
        t->oversize = true;
        return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
    }
    if (!body_reserve(t, r->body_len + n + 1)) {
        t->nomem = true;
        return 0;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nitems, void *userdata)
{
    transfer *t = userdata;
    rssp_http_response *r = t->resp;
    size_t n = size * nitems;
    static const char name[] = "rssp-entity-name:";
    const size_t name_len = sizeof name - 1;

    /* A new status line starts a new header block (e.g. after 100 Continue). */
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        r->has_entity_name = false;
        r->entity_name_invalid = false;
        r->entity_name[0] = '\0';
        return n;
    }
    if (n < name_len || strncasecmp(data, name, name_len) != 0)
        return n;
    size_t start = name_len, end = n;
    while (start < end && (data[start] == ' ' || data[start] == '\t'))
        start++;
    while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' ' ||
                           data[end - 1] == '\t'))
        end--;
    if (rssp_entity_name_valid(data + start, end - start)) {
        memcpy(r->entity_name, data + start, end - start);
        r->entity_name[end - start] = '\0';
        r->has_entity_name = true;
        r->entity_name_invalid = false;
    } else {
        r->entity_name[0] = '\0';
        r->has_entity_name = false;
        r->entity_name_invalid = true;
    }
    return n;
}

/*
 * libcurl calls this before it sends the request, and again before it sends
 * it once more by itself on a new connection after a reused one died (its
 * own retry, which a body given as POSTFIELDS would not stop). The repeat
 * is refused for requests that are not safe to replay (see
 * rssp_http_request.replay_safe): the call then fails with maybe_sent set
 * as far as libcurl counted request bytes.
 */
static int on_prereq(void *userdata, char *conn_primary_ip, char *conn_local_ip,
                     int conn_primary_port, int conn_local_port)
{
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    transfer *t = userdata;
    if (t->attempts++ > 0 && !t->replay_safe) {
        t->resend_refused = true;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    transfer *t = userdata;
    return atomic_load(t->abort) || (t->cancel != NULL && atomic_load(t->cancel) != 0);
}

/* Options that stay the same for every transfer of this client. */
static CURL *handle_new(rssp_http *h)
{
    CURL *e = curl_easy_init();
    if (e == NULL)
        return NULL;
    bool ok = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_SHARE, h->share) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http") == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_POST, 1L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_VERBOSE, 0L) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
              curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK;
    if (ok && h->ca_file != NULL)
        ok = curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file) == CURLE_OK;
    /* Without ca_file: the system's trust store (Windows: OpenSSL has none of its own there). */
    if (ok && h->ca_file == NULL && rssp_tls_native_ca())
        ok = curl_easy_setopt(e, CURLOPT_SSL_OPTIONS, (long)CURLSSLOPT_NATIVE_CA) == CURLE_OK;
    if (ok && h->no_proxy)
        ok = curl_easy_setopt(e, CURLOPT_NOPROXY, "*") == CURLE_OK;
    if (!ok) {
        curl_easy_cleanup(e);
        return NULL;
    }
    return e;
}

static CURL *handle_take(rssp_http *h)
{
    CURL *e = NULL;
    pthread_mutex_lock(&h->lock);
    if (h->n_idle > 0)
        e = h->idle[--h->n_idle];
    pthread_mutex_unlock(&h->lock);
    return e != NULL ? e : handle_new(h);
}

static void handle_return(rssp_http *h, CURL *e, bool keep)
{
    /* Drop references to the caller's memory before the handle rests in the pool. */
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, NULL);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, NULL);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, NULL);
    if (keep) {
        pthread_mutex_lock(&h->lock);
        if (h->n_idle < POOL_MAX) {
            h->idle[h->n_idle++] = e;
            e = NULL;
        }
        pthread_mutex_unlock(&h->lock);
    }
    if (e != NULL)
        curl_easy_cleanup(e);
}

/*
 * The request's header lines, all in one allocation, linked by nodes that
 * live in the transfer (libcurl only reads the list): no allocation per
 * header. The lines may carry the Authorization secret and are wiped.
 */
#define HEADERS_MAX 5
typedef struct {
    struct curl_slist nodes[HEADERS_MAX];
    char *text;
    size_t size;
} header_list;

static void headers_free(header_list *hl)
{
    if (hl->text != NULL) {
        OPENSSL_cleanse(hl->text, hl->size);
        free(hl->text);
    }
    memset(hl, 0, sizeof *hl);
}

static bool headers_build(const rssp_http_request *rq, header_list *hl)
{
    const char *lines[HEADERS_MAX][2] = {
        {"Content-Type: ",
         rq->content_type != NULL ? rq->content_type : "application/json; charset=UTF-8"},
        {"Accept: ", "application/json"},
        {"Expect:", ""}, /* no "Expect: 100-continue" round trip for larger bodies */
        {"Authorization: ", rq->authorization},
        {"rssp-entity-name: ", rq->entity_name},
    };
    size_t size = 0;
    for (size_t i = 0; i < HEADERS_MAX; i++) {
        if (lines[i][1] != NULL)
            size += strlen(lines[i][0]) + strlen(lines[i][1]) + 1;
    }
    memset(hl, 0, sizeof *hl);
    if ((hl->text = malloc(size)) == NULL)
        return false;
    hl->size = size;
    char *p = hl->text;
    struct curl_slist *prev = NULL;
    for (size_t i = 0, n = 0; i < HEADERS_MAX; i++) {
        if (lines[i][1] == NULL)
            continue;
        size_t a = strlen(lines[i][0]), b = strlen(lines[i][1]);
        memcpy(p, lines[i][0], a);
        memcpy(p + a, lines[i][1], b + 1);
        hl->nodes[n] = (struct curl_slist){.data = p, .next = NULL};
        if (prev != NULL)
            prev->next = &hl->nodes[n];
        prev = &hl->nodes[n++];
        p += a + b + 1;
    }
    return true;
}

/*
 * Whether the request provably never left, from libcurl's facts about this
 * transfer rather than from the error class: a connect or TLS error may be
 * the failed *reconnect* libcurl attempts by itself after a kept-alive
 * connection carried the whole request and died (issue 10, defect 1).
 * The request left if libcurl counted request or upload bytes (both
 * counters add up over libcurl's own retries within one transfer).
 */
static bool provably_unsent(CURL *e)
{
    long request_size = 0;
    curl_off_t uploaded = 0;
    if (curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_size) != CURLE_OK ||
        curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &uploaded) != CURLE_OK)
        return false;
    return request_size == 0 && uploaded == 0;
}

/* No connection could be made (refused, unreachable, TLS failed, time out). */
static bool connect_phase_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return true;
    default:
        return false;
    }
}

bool rssp_http_timed_out(const rssp_http_response *resp)
{
    return resp->curl_code == CURLE_OPERATION_TIMEDOUT;
}

bool rssp_http_dead_reused_connection(const rssp_http_response *resp)
{
    return resp->reused_connection &&
           (resp->curl_code == CURLE_SEND_ERROR || resp->curl_code == CURLE_RECV_ERROR ||
            resp->curl_code == CURLE_GOT_NOTHING);
}

void rssp_http_response_clear(rssp_http_response *resp)
{
    if (resp == NULL)
        return;
    if (resp->body != NULL) {
        OPENSSL_cleanse(resp->body, resp->body_len);
        free(resp->body);
    }
    memset(resp, 0, sizeof *resp);
}

static rssp_err transfer_error(CURLcode rc, CURL *e, const transfer *t, const char *errbuf,
                               rssp_status *st)
{
    st->maybe_sent = !provably_unsent(e);
    if (t->oversize)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response body larger than %zu bytes", t->max);
    if (t->nomem || rc == CURLE_OUT_OF_MEMORY)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory while receiving the response");
    if (rc == CURLE_ABORTED_BY_CALLBACK && !t->resend_refused)
        return rssp_fail(st, RSSP_ERR_CANCELLED, "call cancelled");
    if (t->resend_refused)
        return rssp_fail(st, RSSP_ERR_TRANSPORT,
                         "the reused connection closed before an answer; the request is not "
                         "sent again on a new one");
    return rssp_fail(st, RSSP_ERR_TRANSPORT, "%s%s%s", curl_easy_strerror(rc),
                     errbuf[0] != '\0' ? ": " : "", errbuf);
}

/* The CURLOPT_RESOLVE list for url's host (NULL when libcurl may resolve by itself). */
static rssp_err resolved_hosts(rssp_http *h, const char *url, struct curl_slist **out,
                               rssp_status *st)
{
    rssp_err err = RSSP_OK;
    *out = NULL;
    if (!h->resolve_in_caller)
        return RSSP_OK;
    pthread_mutex_lock(&h->resolve_lock);
    if (!h->resolved) {
        char *entry = NULL;
        err = rssp_resolve_entry(url, &entry, st);
        if (err == RSSP_OK && entry != NULL &&
            (h->resolve = curl_slist_append(NULL, entry)) == NULL)
            err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        h->resolved = err == RSSP_OK;
        free(entry);
    }
    *out = h->resolve;
    pthread_mutex_unlock(&h->resolve_lock);
    return err;
}

/* One transfer's handle, headers and callback state, from setup to finish. */
typedef struct {
    CURL *e;
    header_list headers;
    transfer t;
    char errbuf[CURL_ERROR_SIZE];
    bool pooled; /* the handle came from (and goes back to) the pool */
} xfer;

/* Take a handle and set up one POST. timeout_ms bounds the whole call, connect included. */
static rssp_err xfer_setup(rssp_http *h, const rssp_http_request *rq, long timeout_ms, bool pooled,
                           xfer *x, rssp_http_response *resp, rssp_status *st)
{
    memset(resp, 0, sizeof *resp);
    st->maybe_sent = false;
    st->http_status = 0;
    if (atomic_load(&h->abort) || (rq->cancel != NULL && atomic_load(rq->cancel) != 0))
        return rssp_fail(st, RSSP_ERR_CANCELLED, "call cancelled");

    struct curl_slist *resolve;
    rssp_err rerr = resolved_hosts(h, rq->url, &resolve, st);
    if (rerr != RSSP_OK)
        return rerr;

    x->pooled = pooled;
    x->e = pooled ? handle_take(h) : handle_new(h);
    if (x->e == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "cannot create an HTTP handle");
    if (!headers_build(rq, &x->headers)) {
        handle_return(h, x->e, x->pooled);
        x->e = NULL;
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    x->errbuf[0] = '\0';
    x->t = (transfer){
        .resp = resp,
        .max = h->max_response_bytes,
        .cancel = rq->cancel,
        .abort = &h->abort,
        .replay_safe = rq->replay_safe,
    };
    /* The connect timeout is part of the call's time, never added to it. */
    long connect_ms = h->connect_timeout_ms < timeout_ms ? h->connect_timeout_ms : timeout_ms;
    CURL *e = x->e;
    bool ok =
        curl_easy_setopt(e, CURLOPT_URL, rq->url) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_RESOLVE, resolve) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers.nodes) == CURLE_OK &&
        /* The body from memory: libcurl sends it with the headers, in one TLS record. */
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body != NULL ? rq->body : "") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_PREREQDATA, &x->t) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &x->t) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &x->t) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_XFERINFODATA, &x->t) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L) == CURLE_OK && /* on_progress: cancel, abort */
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) == CURLE_OK;
    if (!ok) {
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
        handle_return(h, e, false);
        headers_free(&x->headers);
        x->e = NULL;
        return rssp_fail(st, RSSP_ERR_TRANSPORT, "cannot set up the HTTP request");
    }
    return RSSP_OK;
}

/* Read the outcome of a finished transfer and give the handle back. */
static rssp_err xfer_finish(rssp_http *h, xfer *x, CURLcode rc, rssp_http_response *resp,
                            rssp_status *st)
{
    CURL *e = x->e;
    resp->curl_code = (int)rc;
    long connects = 0;
    if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) {
        resp->reused_connection = connects == 0;
        atomic_fetch_add(&h->connections, connects);
    }
    long status = 0;
    if (curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        resp->status = status;
    st->http_status = resp->status;

    rssp_err err = RSSP_OK;
    if (rc != CURLE_OK) {
        err = transfer_error(rc, e, &x->t, x->errbuf, st);
        resp->connect_failed = connect_phase_error(rc);
    } else {
        st->maybe_sent = true;
        if (resp->body == NULL && !body_reserve(&x->t, 1))
            err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        else
            resp->body[resp->body_len] = '\0';
    }
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
    /*
     * A failed transfer's handle is not pooled again: libcurl may keep state
     * from it (a refused resend) that would fail the next request.
     */
    handle_return(h, e, x->pooled && rc == CURLE_OK);
    headers_free(&x->headers);
    x->e = NULL;
    return err;
}

rssp_err rssp_http_post(rssp_http *h, const rssp_http_request *rq, rssp_http_response *resp,
                        rssp_status *st)
{
    xfer x;
    rssp_err err = xfer_setup(h, rq, rq->timeout_ms, true, &x, resp, st);
    if (err != RSSP_OK)
        return err;
    return xfer_finish(h, &x, curl_easy_perform(x.e), resp, st);
}

/* An exchange's own timeout, shortened to the deadline (0 = none); <= 0 when no time is left. */
static long timeout_by(const rssp_http_request *rq, long long deadline_ms)
{
    long timeout_ms = rq->timeout_ms;
    long long left = deadline_ms - rssp_monotonic_ms();
    if (deadline_ms > 0 && left < timeout_ms)
        timeout_ms = (long)left;
    return timeout_ms;
}

void rssp_http_post_many(rssp_http *h, rssp_http_exchange *xs, size_t n, long long deadline_ms)
{
    if (n == 1) {
        /* Nothing to overlap: a pooled kept-alive connection saves a connect and a handshake. */
        rssp_status_reset(&xs[0].st);
        long timeout_ms = timeout_by(xs[0].rq, deadline_ms);
        xfer one;
        if (timeout_ms <= 0) {
            memset(&xs[0].resp, 0, sizeof xs[0].resp);
            xs[0].err = rssp_fail(&xs[0].st, RSSP_ERR_TRANSPORT, "no time left for the call");
        } else if ((xs[0].err = xfer_setup(h, xs[0].rq, timeout_ms, true, &one, &xs[0].resp,
                                           &xs[0].st)) == RSSP_OK) {
            xs[0].err = xfer_finish(h, &one, curl_easy_perform(one.e), &xs[0].resp, &xs[0].st);
        }
        return;
    }
    xfer *x = calloc(n ? n : 1, sizeof *x);
    CURLM *m = curl_multi_init();
    size_t running = 0;
    for (size_t i = 0; i < n; i++) {
        xs[i].err = RSSP_OK;
        rssp_status_reset(&xs[i].st);
        if (x == NULL || m == NULL) {
            memset(&xs[i].resp, 0, sizeof xs[i].resp);
            xs[i].err = rssp_fail(&xs[i].st, RSSP_ERR_NOMEM, "out of memory");
            continue;
        }
        long timeout_ms = timeout_by(xs[i].rq, deadline_ms);
        if (timeout_ms <= 0) {
            memset(&xs[i].resp, 0, sizeof xs[i].resp);
            xs[i].err = rssp_fail(&xs[i].st, RSSP_ERR_TRANSPORT, "no time left for the call");
            continue;
        }
        /*
         * Fresh handles: a multi handle keeps its own connections, and a
         * pooled handle's connection lives in that handle's private multi
         * (curl_easy_perform), which curl_multi_add_handle would close.
         */
        xs[i].err = xfer_setup(h, xs[i].rq, timeout_ms, false, &x[i], &xs[i].resp, &xs[i].st);
        if (xs[i].err != RSSP_OK)
            continue;
        if (curl_easy_setopt(x[i].e, CURLOPT_PRIVATE, (void *)&xs[i]) != CURLE_OK ||
            curl_multi_add_handle(m, x[i].e) != CURLM_OK) {
            rssp_http_response_clear(&xs[i].resp);
            xs[i].err = xfer_finish(h, &x[i], CURLE_FAILED_INIT, &xs[i].resp, &xs[i].st);
            continue;
        }
        running++;
    }
    /*
     * Every transfer carries its own time-out, which ends it by the deadline;
     * libcurl's multi interface drives them all from this thread.
     */
    int still = (int)running;
    while (still > 0) {
        if (curl_multi_perform(m, &still) != CURLM_OK)
            break;
        int queued;
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(m, &queued)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *e = msg->easy_handle;
            CURLcode rc = msg->data.result;
            char *priv = NULL;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
            rssp_http_exchange *xe = (rssp_http_exchange *)(void *)priv;
            size_t i = (size_t)(xe - xs);
            curl_multi_remove_handle(m, e);
            xe->err = xfer_finish(h, &x[i], rc, &xe->resp, &xe->st);
        }
        if (still > 0 && curl_multi_poll(m, NULL, 0, 100, NULL) != CURLM_OK)
            break;
    }
    /* Only after a multi failure: whatever still runs is abandoned. */
    for (size_t i = 0; x != NULL && i < n; i++) {
        if (x[i].e == NULL)
            continue;
        CURL *e = x[i].e;
        curl_multi_remove_handle(m, e);
        xs[i].err = xfer_finish(h, &x[i], CURLE_ABORTED_BY_CALLBACK, &xs[i].resp, &xs[i].st);
    }
    curl_multi_cleanup(m);
    free(x);
}
