#include "client/resolve.h"

#include "common/sockets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "client/status_internal.h"
#include "common/net.h"

static bool is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    char inner[INET6_ADDRSTRLEN + 1];
    size_t len = strlen(host);
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof inner) {
        memcpy(inner, host + 1, len - 2);
        inner[len - 2] = '\0';
        host = inner;
    }
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* Append "addr" (IPv6 in brackets, as CURLOPT_RESOLVE wants) to out. */
static bool append_address(char *out, size_t cap, const struct addrinfo *ai)
{
    char addr[INET6_ADDRSTRLEN];
    const void *src =
        ai->ai_family == AF_INET
            ? (const void *)&((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr
            : (const void *)&((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
    if (inet_ntop(ai->ai_family, src, addr, sizeof addr) == NULL)
        return false;
    size_t used = strlen(out);
    int n =
        snprintf(out + used, cap - used, "%s%s%s%s", out[used - 1] == ':' ? "" : ",",
                 ai->ai_family == AF_INET6 ? "[" : "", addr, ai->ai_family == AF_INET6 ? "]" : "");
    return n > 0 && (size_t)n < cap - used;
}

rssp_err rssp_resolve_entry(const char *url, char **entry, rssp_status *st)
{
    rssp_err err = RSSP_OK;
    char *host = NULL, *port = NULL;
    struct addrinfo *res = NULL;
    *entry = NULL;

    CURLU *u = curl_url();
    if (u == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot read the host of the service URL");
        goto out;
    }
    if (is_ip_literal(host))
        goto out;
    if (rssp_host_is_loopback(host)) {
        /*
         * "localhost" is loopback without asking the name service (RFC 6761
         * 6.3), as libcurl resolves it when it may use its own thread: a
         * minimal container or chroot has no /etc/hosts, and http:// is
         * accepted for this name only because it is loopback.
         */
        size_t cap = strlen(host) + strlen(port) + sizeof "::127.0.0.1,[::1]";
        char *out = malloc(cap);
        if (out == NULL)
            err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        else
            snprintf(out, cap, "%s:%s:127.0.0.1,[::1]", host, port);
        *entry = out;
        goto out;
    }

    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL) {
        err = rssp_fail(st, RSSP_ERR_TRANSPORT, "cannot resolve %s: %s", host, gai_strerror(rc));
        goto out;
    }
    size_t cap = strlen(host) + strlen(port) + 2 + 8 * (INET6_ADDRSTRLEN + 3);
    char *out = calloc(1, cap);
    if (out == NULL) {
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        goto out;
    }
    snprintf(out, cap, "%s:%s:", host, port);
    int n = 0;
    for (const struct addrinfo *ai = res; ai != NULL && n < 8; ai = ai->ai_next) {
        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) && append_address(out, cap, ai))
            n++;
    }
    if (n == 0) {
        free(out);
        err = rssp_fail(st, RSSP_ERR_TRANSPORT, "no IPv4 or IPv6 address for %s", host);
        goto out;
    }
    *entry = out;
out:
    if (res != NULL)
        freeaddrinfo(res);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return err;
}
