/*
 * The credential list cache on disk: atomic, private writes and suspicious
 * reads (owner, permissions, size, age, key). The format is in cache_codec.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client/cache_codec.h"
#include "common/platform.h"
#include "client/json.h"
#include "client/status_internal.h"
#include "rssp/client.h"

/* A cache larger than this is not ours. */
#define CACHE_MAX_BYTES (16 * 1024 * 1024)

rssp_err rssp_credential_cache_write(const char *path, const char *key,
                                     const rssp_credential_list *l, rssp_status *st)
{
    rssp_status local;
    st = st != NULL ? st : &local;
    rssp_status_reset(st);
    if (path == NULL || path[0] == '\0' || key == NULL || l == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "path, key and list are required");
    char *text = NULL;
    size_t len = 0;
    rssp_err err = rssp_cache_encode(key, (long long)time(NULL), l, &text, &len, st);
    char why[512];
    if (err == RSSP_OK && rssp_make_private_parents(path) != 0)
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot create the cache folder for %s: %s", path,
                        strerror(errno));
    if (err == RSSP_OK && rssp_private_file_replace(path, text, len, why, sizeof why) != 0)
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot write the cache: %s", why);
    rssp_json_text_free(text);
    return err;
}

rssp_err rssp_credential_cache_read(const char *path, const char *key, long max_age_s,
                                    rssp_credential_list *out, rssp_status *st)
{
    rssp_status local;
    st = st != NULL ? st : &local;
    rssp_status_reset(st);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (path == NULL || key == NULL || out == NULL || max_age_s < 0)
        return rssp_fail(st, RSSP_ERR_ARGS, "path, key, output and a max age >= 0 are required");
    char *text = NULL;
    size_t len = 0;
    char why[512];
    rssp_err err = RSSP_OK;
    if (rssp_private_file_read(path, CACHE_MAX_BYTES, &text, &len, why, sizeof why) != 0)
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cache: %s", why);
    if (err == RSSP_OK)
        err = rssp_cache_decode(text, len, key, max_age_s, (long long)time(NULL), out, st);
    free(text);
    return err;
}
