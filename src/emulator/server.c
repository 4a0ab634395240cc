#include "emulator/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "emulator/admin.h"
#include "emulator/auth.h"
#include "emulator/authorize.h"
#include "emulator/credentials.h"
#include "emulator/csc.h"
#include "emulator/faults.h"
#include "emulator/info.h"
#include "emulator/otp.h"
#include "emulator/owner.h"
#include "emulator/request.h"
#include "emulator/sessions.h"
#include "emulator/sign.h"

#define BODY_LIMIT (1u << 20)
#define OVERSIZE_BYTES (5u << 20)
#define ADMIN_PREFIX "/_emulator/"
#define DRAIN_MS 10000

struct emu_server {
    struct MHD_Daemon *daemon;
    emu_ctx *ctx;
    atomic_int inflight;
};

typedef void (*handler_fn)(emu_req *r);

/* Which dialects serve a path. */
#define D_RSSP (1u << EMU_PROTO_RSSP)
#define D_CSC1 (1u << EMU_PROTO_CSC_V1)
#define D_CSC2 (1u << EMU_PROTO_CSC_V2)
#define D_ALL (D_RSSP | D_CSC1 | D_CSC2)

static const struct {
    const char *path;
    emu_method method;
    handler_fn fn; /* the RSSP handler; NULL for oauth2/token (CSC front end only) */
    unsigned dialects;
} routes[] = {
    {"info", EMU_M_INFO, emu_handle_info, D_ALL},
    {"auth/login", EMU_M_LOGIN, emu_handle_login, D_ALL},
    {"auth/revoke", EMU_M_REVOKE, emu_handle_revoke, D_ALL},
    {"credentials/list", EMU_M_LIST, emu_handle_list, D_ALL},
    {"credentials/info", EMU_M_CRED_INFO, emu_handle_credential_info, D_ALL},
    {"credentials/sendOTP", EMU_M_SEND_OTP, emu_handle_send_otp, D_ALL},
    {"credentials/authorize", EMU_M_AUTHORIZE, emu_handle_authorize, D_ALL},
    {"credentials/extendTransaction", EMU_M_EXTEND, emu_handle_extend, D_RSSP | D_CSC1},
    {"signatures/signHash", EMU_M_SIGN_HASH, emu_handle_sign_hash, D_ALL},
    {"signature/signHash", EMU_M_SIGN_HASH, emu_handle_sign_hash, D_RSSP}, /* seed spelling (S1) */
    {"owner/list", EMU_M_OWNER_LIST, emu_handle_owner_list, D_RSSP},
    {"owner/assign", EMU_M_OWNER_ASSIGN, emu_handle_owner_assign, D_RSSP},
    {"oauth2/token", EMU_M_LOGIN, NULL, D_CSC1 | D_CSC2}, /* RFC 6749 token endpoint */
};

#define N_ROUTES (int)(sizeof(routes) / sizeof(routes[0]))

/* One HTTP request while its body arrives. */
typedef struct {
    int route;         /* index into routes, -1 unknown */
    const char *admin; /* control name under /_emulator/, NULL otherwise */
    char *body;
    size_t len, cap;
    bool too_large;
    bool answered; /* a response is already queued (early 413) */
} http_req;

/* ---- responses ---- */

static void free_text(void *p)
{
    if (p != NULL)
        OPENSSL_cleanse(p, strlen(p));
    free(p);
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *resp,
                             const char *type)
{
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
    enum MHD_Result r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Send a malloc'ed NUL-terminated text (taken over, wiped when sent). */
static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, char *text,
                                 const char *type, const char *entity)
{
    if (text == NULL)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(strlen(text), text, free_text);
    if (resp == NULL) {
        free_text(text);
        return MHD_NO;
    }
    if (entity != NULL && entity[0] != '\0')
        MHD_add_response_header(resp, "rssp-entity-name", entity);
    return queue(c, status, resp, type);
}

static enum MHD_Result send_status(struct MHD_Connection *c, emu_ctx *ctx, unsigned status,
                                   const char *message)
{
    char buf[256];
    atomic_fetch_add(&ctx->stats.http_errors, 1);
    snprintf(buf, sizeof(buf), "{\"error\":\"%s\"}", message);
    return send_text(c, status, strdup(buf), "application/json", NULL);
}

/* Fault: truncated body. The reader stops half way and MHD closes the connection. */
typedef struct {
    char *text;
    size_t len, cut;
} truncated_body;

static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    truncated_body *t = cls;
    if (pos >= t->cut)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = t->cut - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, t->text + pos, n);
    return (ssize_t)n;
}

static void truncated_free(void *cls)
{
    truncated_body *t = cls;
    free_text(t->text);
    free(t);
}

static enum MHD_Result send_truncated(struct MHD_Connection *c, char *text)
{
    truncated_body *t = malloc(sizeof(*t));
    if (t == NULL) {
        free_text(text);
        return MHD_NO;
    }
    t->text = text;
    t->len = strlen(text);
    t->cut = t->len / 2;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(t->len, 4096, truncated_reader, t, truncated_free);
    if (resp == NULL) {
        truncated_free(t);
        return MHD_NO;
    }
    return queue(c, MHD_HTTP_OK, resp, "application/json; charset=utf-8");
}

/* Fault: a valid envelope padded beyond any sane client limit. */
static char *oversize(char *text)
{
    size_t n = strlen(text);
    const char *pad_key = ",\"padding\":\"";
    size_t total = n - 1 + strlen(pad_key) + OVERSIZE_BYTES + 3;
    char *big = malloc(total);
    if (big == NULL || n < 2) {
        free(big);
        return text;
    }
    size_t o = n - 1; /* drop the closing brace */
    memcpy(big, text, o);
    memcpy(big + o, pad_key, strlen(pad_key));
    o += strlen(pad_key);
    memset(big + o, 'x', OVERSIZE_BYTES);
    o += OVERSIZE_BYTES;
    memcpy(big + o, "\"}", 3);
    free_text(text);
    return big;
}

/* Fault: cut the JSON in the middle and add a stray character. */
static char *malform(char *text)
{
    size_t n = strlen(text);
    text[n / 2] = '#';
    text[n / 2 + 1] = '\0';
    return text;
}

/* ---- the RSSP methods ---- */

static bool json_content_type(const char *ct)
{
    if (ct == NULL)
        return true; /* absent: accepted */
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    return n == strlen("application/json") && strncasecmp(ct, "application/json", n) == 0;
}

static void client_address(struct MHD_Connection *c, emu_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->client_ip, sizeof(r->client_ip), "unknown");
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      r->client_ip, sizeof(r->client_ip));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->client_ip, sizeof(r->client_ip));
    }
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    r->client_fd = fd != NULL ? fd->connect_fd : -1;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A CSC method: the front end of csc.h over the same handlers; faults as for RSSP. */
static enum MHD_Result run_csc_method(struct MHD_Connection *c, emu_ctx *ctx, http_req *h,
                                      emu_req *r, const emu_fault *fault)
{
    if (fault != NULL && fault->response_code != 0)
        emu_fail(r, fault->response_code, "fault injected");
    r->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    client_address(c, r);
    unsigned status = 200;
    char *text = emu_csc_serve(r, routes[h->route].fn, h->body, h->len, &status);
    emu_json_wipe_delete(r->resp);
    if (text == NULL)
        return MHD_NO;
    rssp_debug("emulator: %s %s -> %d (HTTP %u)", emu_protocol_name(ctx->protocol),
               routes[h->route].path, r->code, status);
    if (fault != NULL && fault->truncated)
        return send_truncated(c, text);
    if (fault != NULL && fault->malformed && text[0] != '\0')
        text = malform(text);
    else if (fault != NULL && fault->oversized && text[0] != '\0')
        text = oversize(text);
    return send_text(c, status, text, "application/json; charset=utf-8", NULL);
}

static enum MHD_Result run_method(struct MHD_Connection *c, emu_ctx *ctx, http_req *h)
{
    const char *name = emu_method_name(routes[h->route].method);
    emu_fault fault;
    bool faulty = emu_faults_take(ctx->faults, name, &fault);
    emu_req r;
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.method = routes[h->route].method;

    if (faulty && fault.latency_ms > 0)
        sleep_ms(fault.latency_ms);
    if (faulty && fault.drop)
        return MHD_NO;
    if (faulty && fault.http_status != 0)
        return send_text(c, (unsigned)fault.http_status, strdup("fault injected\n"), "text/plain",
                         NULL);
    r.resp = cJSON_CreateObject();
    if (r.resp == NULL)
        return MHD_NO;
    r.dialect = ctx->protocol;
    if (ctx->protocol != EMU_PROTO_RSSP)
        return run_csc_method(c, ctx, h, &r, faulty ? &fault : NULL);
    if (faulty && fault.response_code != 0) {
        emu_fail(&r, fault.response_code, "fault injected");
    } else {
        r.body = h->len == 0 && r.method == EMU_M_INFO ? cJSON_CreateObject()
                                                       : cJSON_ParseWithLength(h->body, h->len);
        r.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        r.entity_name = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "rssp-entity-name");
        client_address(c, &r);
        if (h->len == 0 && r.method != EMU_M_INFO)
            emu_fail(&r, 3100, "empty request body");
        else if (!cJSON_IsObject(r.body))
            emu_fail(&r, 3100, "the body is not a JSON object");
        else if (emu_check_common_fields(&r) == 0)
            routes[h->route].fn(&r);
    }
    emu_json_wipe_delete(r.body);
    if (r.client_gone) {
        emu_json_wipe_delete(r.resp);
        return MHD_NO; /* the client left (cancelled IMPLICIT approval) */
    }
    char *text = emu_response_text(&r);
    emu_json_wipe_delete(r.resp);
    if (text == NULL)
        return MHD_NO;
    rssp_debug("emulator: %s -> %d", name, r.code);
    if (faulty && fault.truncated)
        return send_truncated(c, text);
    if (faulty && fault.malformed)
        text = malform(text);
    else if (faulty && fault.oversized)
        text = oversize(text);
    return send_text(c, MHD_HTTP_OK, text, "application/json; charset=utf-8", r.entity_out);
}

/* ---- libmicrohttpd callbacks ---- */

static int find_route(const emu_ctx *ctx, const char *url)
{
    const char *prefix = emu_protocol_prefix(ctx->protocol);
    if (strncmp(url, prefix, strlen(prefix)) != 0)
        return -1;
    url += strlen(prefix);
    for (int i = 0; i < N_ROUTES; i++) {
        if (strcmp(url, routes[i].path) == 0 && (routes[i].dialects & (1u << ctx->protocol)))
            return i;
    }
    return -1;
}

/* oauth2/token takes a form (RFC 6749 §4.4.2); the other methods JSON. */
static bool form_content_type(const char *ct)
{
    const char *form = "application/x-www-form-urlencoded";
    return ct != NULL && strncasecmp(ct, form, strlen(form)) == 0 &&
           (ct[strlen(form)] == '\0' || ct[strlen(form)] == ';');
}

static enum MHD_Result finish(struct MHD_Connection *c, emu_server *s, http_req *h,
                              const char *method)
{
    emu_ctx *ctx = s->ctx;
    if (h->admin != NULL) {
        char *out = NULL;
        unsigned status = emu_admin_handle(ctx, h->admin, method, h->body, h->len, &out);
        return send_text(c, status, out, "application/json", NULL);
    }
    if (h->route < 0)
        return send_status(c, ctx, MHD_HTTP_NOT_FOUND, "unknown method path");
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return send_status(c, ctx, MHD_HTTP_METHOD_NOT_ALLOWED, "RSSP methods take POST only");
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (routes[h->route].fn == NULL ? !form_content_type(ct) : !json_content_type(ct))
        return send_status(c, ctx, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                           routes[h->route].fn == NULL
                               ? "Content-Type must be application/x-www-form-urlencoded"
                               : "Content-Type must be application/json");
    if (h->too_large)
        return send_status(c, ctx, MHD_HTTP_CONTENT_TOO_LARGE, "request body over 1 MiB");
    atomic_fetch_add(&ctx->stats.requests[routes[h->route].method], 1);
    atomic_fetch_add(&s->inflight, 1);
    enum MHD_Result r = run_method(c, ctx, h);
    atomic_fetch_sub(&s->inflight, 1);
    return r;
}

static int append_body(http_req *h, const char *data, size_t n)
{
    if (h->too_large)
        return 0;
    if (h->len + n > BODY_LIMIT) {
        h->too_large = true;
        free(h->body);
        h->body = NULL;
        h->len = h->cap = 0;
        return 0;
    }
    if (h->len + n + 1 > h->cap) {
        size_t cap = h->cap == 0 ? 4096 : h->cap;
        while (cap < h->len + n + 1)
            cap *= 2;
        char *b = realloc(h->body, cap);
        if (b == NULL)
            return -1;
        h->body = b;
        h->cap = cap;
    }
    memcpy(h->body + h->len, data, n);
    h->len += n;
    h->body[h->len] = '\0';
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    emu_server *s = cls;
    http_req *h = *con_cls;
    (void)version;
    if (h == NULL) {
        h = calloc(1, sizeof(*h));
        if (h == NULL)
            return MHD_NO;
        h->route = find_route(s->ctx, url);
        if (s->ctx->rules.admin && strncmp(url, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) == 0)
            h->admin = url + strlen(ADMIN_PREFIX);
        *con_cls = h;
        /* A declared body over the limit is refused before it is read. */
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > BODY_LIMIT && h->route >= 0 &&
            strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
            h->too_large = true;
            h->answered = true;
            return send_status(c, s->ctx, MHD_HTTP_CONTENT_TOO_LARGE, "request body over 1 MiB");
        }
        return MHD_YES;
    }
    if (h->answered) {
        *upload_size = 0; /* discard whatever still arrives */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (append_body(h, upload, *upload_size) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    return finish(c, s, h, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_req *h = *con_cls;
    (void)cls;
    (void)c;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        rssp_debug("emulator: request ended early (%d)", (int)toe);
    if (h != NULL) {
        if (h->body != NULL) {
            OPENSSL_cleanse(h->body, h->len);
            free(h->body);
        }
        free(h);
    }
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    emu_server *s = cls;
    (void)c;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&s->ctx->stats.connections, 1);
}

int emu_server_start(emu_ctx *ctx, const emu_server_config *cfg, emu_server **out, unsigned *port,
                     char *err, size_t err_len)
{
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof(addr));
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_TLS | MHD_USE_ITC;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
    if (inet_pton(AF_INET, cfg->listen, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)cfg->port);
    } else if (inet_pton(AF_INET6, cfg->listen, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)cfg->port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, err_len, "--listen %s is not an IPv4 or IPv6 address", cfg->listen);
        return -1;
    }
    emu_server *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    s->ctx = ctx;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_HTTPS_MEM_KEY, cfg->key_pem, MHD_OPTION_HTTPS_MEM_CERT, cfg->cert_pem,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_END);
    if (s->daemon == NULL) {
        snprintf(err, err_len, "cannot listen on %s port %u (in use, or bad TLS key/certificate)",
                 cfg->listen, cfg->port);
        free(s);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = di != NULL ? di->port : cfg->port;
    *out = s;
    return 0;
}

void emu_server_stop(emu_server *s)
{
    if (s == NULL)
        return;
    MHD_socket listener = MHD_quiesce_daemon(s->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    for (int waited = 0; atomic_load(&s->inflight) > 0 && waited < DRAIN_MS; waited += 10)
        sleep_ms(10);
    MHD_stop_daemon(s->daemon);
    free(s);
}
