/* rssp_config_cache_location: where the credential list cache lives (config.h). */
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/platform.h"
#include "crypto/crypto.h"

int rssp_config_cache_location(const rssp_config *c, char **path, char **key)
{
    *path = NULL;
    *key = NULL;
    if (c->cache_ttl_s <= 0)
        return 0;
    const char *rp = c->rp_name ? c->rp_name : "", *user = c->username ? c->username : "";
    const char *agreement = c->agreement_uuid ? c->agreement_uuid : "";
    int klen = snprintf(NULL, 0, "%s\n%s\n%s\n%s", c->url, rp, user, agreement);
    if (klen < 0 || (*key = malloc((size_t)klen + 1)) == NULL)
        return -1;
    snprintf(*key, (size_t)klen + 1, "%s\n%s\n%s\n%s", c->url, rp, user, agreement);

    char dir[4096];
    if (c->cache_dir != NULL) {
        snprintf(dir, sizeof dir, "%s", c->cache_dir);
    } else {
        char *base = rssp_user_cache_dir();
        if (base == NULL)
            return 0; /* nowhere to cache: always ask the service */
        snprintf(dir, sizeof dir, "%s/rssp-pkcs11", base);
        free(base);
    }

    unsigned char md[32];
    size_t plen = strlen(dir) + 64;
    if (rssp_digest(RSSP_HASH_SHA256, *key, strlen(*key), md) != RSSP_CRYPTO_OK ||
        (*path = malloc(plen)) == NULL) {
        free(*key);
        *key = NULL;
        return -1;
    }
    snprintf(*path, plen, "%s/credentials-%02x%02x%02x%02x%02x%02x%02x%02x.json", dir, md[0], md[1],
             md[2], md[3], md[4], md[5], md[6], md[7]);
    return 0;
}
