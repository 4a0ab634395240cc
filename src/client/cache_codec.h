/*
 * The credential list cache file format: one JSON object
 *   {"version":1, "key":"...", "written":<unix seconds>, "credentials":[...]}
 * where each credential carries every field of rssp_credential (certificates
 * as Base64 DER). Pure functions; the file handling is in cache.c.
 */
#ifndef RSSP_CLIENT_CACHE_CODEC_H
#define RSSP_CLIENT_CACHE_CODEC_H

#include <stddef.h>

#include "rssp/client.h"

#define RSSP_CACHE_FORMAT_VERSION 1

/* *text is malloc'ed (free with rssp_json_text_free). */
rssp_err rssp_cache_encode(const char *key, long long written, const rssp_credential_list *l,
                           char **text, size_t *len, rssp_status *st);

/*
 * Decode text[0..len) (text[len] == '\0') and check it: format version, key
 * equal to key, written no older than max_age_s before now (and not in the
 * future beyond a small skew). Every failure is RSSP_ERR_CONFIG (or NOMEM).
 */
rssp_err rssp_cache_decode(const char *text, size_t len, const char *key, long max_age_s,
                           long long now, rssp_credential_list *out, rssp_status *st);

#endif
