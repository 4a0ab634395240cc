#include "config/config_url.h"

#include "common/sockets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "common/net.h"

/* Fetch one part of a parsed URL; NULL when absent (or on allocation failure). */
static char *url_part(CURLU *h, CURLUPart part)
{
    char *value = NULL;
    if (curl_url_get(h, part, &value, 0) != CURLUE_OK)
        return NULL;
    return value;
}

int rssp_cfg_check_url(const char *url, char **out, char *why, size_t why_len)
{
    int rc = -1;
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL, *query = NULL,
         *fragment = NULL;
    CURLU *h = curl_url();

    *out = NULL;
    if (h == NULL) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    CURLUcode uc = curl_url_set(h, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        /* Not quoted: an unparsable URL may still carry a password. */
        snprintf(why, why_len, "url is not a valid URL (%s)", curl_url_strerror(uc));
        goto out;
    }
    user = url_part(h, CURLUPART_USER);
    password = url_part(h, CURLUPART_PASSWORD);
    if (user != NULL || password != NULL) {
        snprintf(why, why_len, "url must not contain a user name or password");
        goto out;
    }
    query = url_part(h, CURLUPART_QUERY);
    fragment = url_part(h, CURLUPART_FRAGMENT);
    if (query != NULL || fragment != NULL) {
        snprintf(why, why_len, "url '%.200s' must not have a query or fragment", url);
        goto out;
    }
    scheme = url_part(h, CURLUPART_SCHEME);
    host = url_part(h, CURLUPART_HOST);
    if (scheme == NULL || host == NULL) {
        snprintf(why, why_len, "url '%.200s' has no scheme or host", url);
        goto out;
    }
    if (strcasecmp(scheme, "http") == 0) {
        if (!rssp_host_is_loopback(host)) {
            snprintf(why, why_len,
                     "url '%.200s' uses http:// to a host that is not loopback; use https:// "
                     "(http:// is accepted only for 127.0.0.0/8, localhost and [::1])",
                     url);
            goto out;
        }
    } else if (strcasecmp(scheme, "https") != 0) {
        snprintf(why, why_len, "url '%.200s' must start with https:// (or http:// to loopback)",
                 url);
        goto out;
    }

    size_t len = strlen(url);
    bool slash = len > 0 && url[len - 1] == '/';
    *out = malloc(len + (slash ? 1 : 2));
    if (*out == NULL) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    memcpy(*out, url, len);
    if (!slash)
        (*out)[len++] = '/';
    (*out)[len] = '\0';
    rc = 0;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    curl_free(query);
    curl_free(fragment);
    curl_url_cleanup(h);
    return rc;
}
