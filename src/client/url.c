#include "client/url.h"

#include "common/sockets.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "client/http.h"
#include "common/net.h"
#include "client/status_internal.h"

rssp_err rssp_base_url_check(const char *base_url, char **normalized, bool *loopback,
                             rssp_status *st)
{
    *normalized = NULL;
    *loopback = false;
    if (base_url == NULL || base_url[0] == '\0')
        return rssp_fail(st, RSSP_ERR_CONFIG, "no service URL configured");
    rssp_err err = rssp_http_global_init(st);
    if (err != RSSP_OK)
        return err;

    char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *fragment = NULL;
    char *full = NULL;
    CURLU *u = curl_url();
    if (u == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, base_url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "service URL is not a valid absolute URL");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "service URL must not contain credentials");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "service URL must not have a query or fragment");
        goto out;
    }
    *loopback = rssp_host_is_loopback(host);
    if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && *loopback)) {
        err = rssp_fail(st, RSSP_ERR_CONFIG,
                        strcmp(scheme, "http") == 0
                            ? "http:// is allowed only towards loopback; use https://"
                            : "service URL must use https://");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "service URL is not a valid absolute URL");
        goto out;
    }
    size_t len = strlen(full);
    bool slash = len > 0 && full[len - 1] == '/';
    char *n = malloc(len + 2);
    if (n == NULL) {
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(n, full, len);
    if (!slash)
        n[len++] = '/';
    n[len] = '\0';
    *normalized = n;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(query);
    curl_free(fragment);
    curl_free(full);
    curl_url_cleanup(u);
    return err;
}

char *rssp_method_url(const char *base, const char *method)
{
    size_t a = strlen(base), b = strlen(method);
    char *url = malloc(a + b + 1);
    if (url == NULL)
        return NULL;
    memcpy(url, base, a);
    memcpy(url + a, method, b + 1);
    return url;
}
