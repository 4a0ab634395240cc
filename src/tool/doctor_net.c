#include "tool/doctor_net.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static char *url_part(CURLU *h, CURLUPart part, unsigned flags)
{
    char *value = NULL;
    if (curl_url_get(h, part, &value, flags) != CURLUE_OK)
        return NULL;
    char *copy = strdup(value);
    curl_free(value);
    return copy;
}

int doctor_endpoint_parse(const char *url, doctor_endpoint *ep, char *err, size_t err_len)
{
    memset(ep, 0, sizeof *ep);
    ep->fd = -1;
    CURLU *h = curl_url();
    if (h == NULL || curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK) {
        snprintf(err, err_len, "'%s' is not a URL", url);
        curl_url_cleanup(h);
        return -1;
    }
    ep->scheme = url_part(h, CURLUPART_SCHEME, 0);
    ep->host = url_part(h, CURLUPART_HOST, 0);
    ep->port = url_part(h, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    curl_url_cleanup(h);
    if (ep->scheme == NULL || ep->host == NULL || ep->port == NULL) {
        snprintf(err, err_len, "'%s' has no scheme, host or port", url);
        doctor_endpoint_clear(ep);
        return -1;
    }
    ep->https = strcmp(ep->scheme, "https") == 0;
    /* An IPv6 literal comes in brackets. */
    size_t len = strlen(ep->host);
    if (len > 2 && ep->host[0] == '[' && ep->host[len - 1] == ']') {
        memmove(ep->host, ep->host + 1, len - 2);
        ep->host[len - 2] = '\0';
    }
    return 0;
}

void doctor_endpoint_clear(doctor_endpoint *ep)
{
    free(ep->scheme);
    free(ep->host);
    free(ep->port);
    if (ep->addrs != NULL)
        freeaddrinfo(ep->addrs);
    if (ep->fd >= 0)
        close(ep->fd);
    memset(ep, 0, sizeof *ep);
    ep->fd = -1;
}

static void address_text(const struct addrinfo *ai, char *out, size_t len)
{
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, out, (socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0)
        snprintf(out, len, "?");
}

static bool is_literal(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int doctor_resolve(doctor_endpoint *ep, char *detail, size_t detail_len)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
    int rc = getaddrinfo(ep->host, ep->port, &hints, &ep->addrs);
    if (rc != 0 && is_literal(ep->host)) {
        /* AI_ADDRCONFIG hides ::1 on a machine without IPv6 addresses. */
        hints.ai_flags = AI_NUMERICHOST;
        rc = getaddrinfo(ep->host, ep->port, &hints, &ep->addrs);
    }
    if (rc != 0) {
        snprintf(detail, detail_len, "cannot resolve %s: %s", ep->host, gai_strerror(rc));
        return -1;
    }
    if (is_literal(ep->host)) {
        snprintf(detail, detail_len, "%s is an address (no lookup)", ep->host);
        return 0;
    }
    size_t used = (size_t)snprintf(detail, detail_len, "%s -> ", ep->host);
    for (const struct addrinfo *ai = ep->addrs; ai != NULL && used < detail_len; ai = ai->ai_next) {
        char addr[INET6_ADDRSTRLEN + 8];
        address_text(ai, addr, sizeof addr);
        used += (size_t)snprintf(detail + used, detail_len - used, "%s%s",
                                 ai == ep->addrs ? "" : ", ", addr);
    }
    return 0;
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Non-blocking connect bounded by timeout_ms; the socket is left blocking. */
static int connect_one(const struct addrinfo *ai, long timeout_ms, int *err_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err_out = errno;
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    int rc =
        fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 ? connect(fd, ai->ai_addr, ai->ai_addrlen) : -1;
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int n = poll(&p, 1, (int)timeout_ms);
        int so_error = 0;
        socklen_t len = sizeof so_error;
        if (n == 0) {
            errno = ETIMEDOUT;
        } else if (n > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0) {
            errno = so_error;
            rc = so_error == 0 ? 0 : -1;
        }
    }
    if (rc != 0 || fcntl(fd, F_SETFL, flags) != 0) {
        *err_out = errno;
        close(fd);
        return -1;
    }
    /* Bound the TLS handshake's reads and writes as well. */
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

int doctor_connect(doctor_endpoint *ep, long timeout_ms, char *detail, size_t detail_len)
{
    int last_err = 0;
    char addr[INET6_ADDRSTRLEN + 8] = "";
    for (const struct addrinfo *ai = ep->addrs; ai != NULL; ai = ai->ai_next) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        address_text(ai, addr, sizeof addr);
        ep->fd = connect_one(ai, timeout_ms, &last_err);
        if (ep->fd >= 0) {
            snprintf(detail, detail_len, "connected to %s port %s in %ld ms", addr, ep->port,
                     elapsed_ms(&t0));
            return 0;
        }
    }
    snprintf(detail, detail_len, "cannot connect to %s port %s: %s", addr, ep->port,
             strerror(last_err));
    return -1;
}

static void name_text(const X509_NAME *name, char *out, size_t len)
{
    BIO *b = BIO_new(BIO_s_mem());
    out[0] = '\0';
    if (b == NULL)
        return;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        int n = BIO_read(b, out, (int)len - 1);
        out[n > 0 ? n : 0] = '\0';
    }
    BIO_free(b);
}

int doctor_tls(doctor_endpoint *ep, const char *ca_file, long timeout_ms, char *detail,
               size_t detail_len, char *fix, size_t fix_len)
{
    (void)timeout_ms; /* the socket carries it (connect_one) */
    const char *trust = ca_file != NULL ? ca_file : "the system's CA store";
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = NULL;
    int rc = -1;
    fix[0] = '\0';
    ERR_clear_error();
    if (ctx == NULL) {
        snprintf(detail, detail_len, "OpenSSL cannot make a TLS context");
        goto out;
    }
    if ((ca_file != NULL ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                         : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
        snprintf(detail, detail_len, "cannot read CA certificates from %s", trust);
        snprintf(fix, fix_len, "ca_file must name a PEM file of CA certificates");
        goto out;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    ssl = SSL_new(ctx);
    if (ssl == NULL || SSL_set_fd(ssl, ep->fd) != 1) {
        snprintf(detail, detail_len, "OpenSSL cannot make a TLS connection");
        goto out;
    }
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    if (is_literal(ep->host)) {
        X509_VERIFY_PARAM_set1_ip_asc(param, ep->host);
    } else {
        SSL_set_tlsext_host_name(ssl, ep->host);
        X509_VERIFY_PARAM_set1_host(param, ep->host, 0);
    }
    if (SSL_connect(ssl) != 1) {
        long verify = SSL_get_verify_result(ssl);
        if (verify != X509_V_OK) {
            snprintf(detail, detail_len,
                     "the service's certificate is not trusted: %s (checked "
                     "against %s)",
                     X509_verify_cert_error_string(verify), trust);
            snprintf(fix, fix_len,
                     verify == X509_V_ERR_HOSTNAME_MISMATCH ||
                             verify == X509_V_ERR_IP_ADDRESS_MISMATCH
                         ? "the certificate is for another name: check the host in url"
                         : "ca_file must hold the CA that issued the service's certificate: ask "
                           "your organisation for it");
        } else {
            unsigned long e = ERR_peek_last_error();
            snprintf(detail, detail_len, "TLS handshake failed: %s",
                     e != 0 ? ERR_reason_error_string(e) : strerror(errno));
            snprintf(fix, fix_len, "is this the service's https port? check url");
        }
        goto out;
    }
    X509 *peer = SSL_get1_peer_certificate(ssl);
    char subject[256] = "?", issuer[256] = "?";
    if (peer != NULL) {
        name_text(X509_get_subject_name(peer), subject, sizeof subject);
        name_text(X509_get_issuer_name(peer), issuer, sizeof issuer);
        X509_free(peer);
    }
    snprintf(detail, detail_len, "%s, certificate '%s' issued by '%s', trusted through %s",
             SSL_get_version(ssl), subject, issuer, trust);
    rc = 0;
out:
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}
