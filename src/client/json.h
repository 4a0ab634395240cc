/*
 * Bounded JSON handling for responses: a parser that refuses hostile input
 * (NUL bytes, \u0000, nesting deeper than RSSP_JSON_MAX_DEPTH) and typed
 * getters that accept the response aliases of rssp-protocol.md §1.8.
 * Getters treat an absent member and JSON null alike ("not given") and fail
 * with RSSP_ERR_PROTOCOL on a wrong type or an out-of-range value.
 */
#ifndef RSSP_CLIENT_JSON_H
#define RSSP_CLIENT_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "rssp/status.h"

/* Far above any RSSP response (which nests 3 levels) and far below cJSON's own 1000. */
#define RSSP_JSON_MAX_DEPTH 32
/* Longest ordinary string member accepted (names, DNs, messages, ids). */
#define RSSP_JSON_MAX_STRING 8192
/* Tokens and SADs are at most 4096 characters (rssp-protocol.md §1.5). */
#define RSSP_JSON_MAX_TOKEN 4096
/* Base64 of one certificate. */
#define RSSP_JSON_MAX_CERT_B64 (1024 * 1024)

/* A NULL-terminated list of member names: the canonical one first, then aliases. */
#define RSSP_NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * Parse text[0..len) (text[len] must be '\0'). The whole text must be one
 * JSON value with nothing but whitespace after it. *out must be released
 * with rssp_json_delete.
 */
rssp_err rssp_json_parse(const char *text, size_t len, cJSON **out, rssp_status *st);

/* Wipe every string of the tree (it may hold tokens, SADs, PINs), then free it. NULL ok. */
void rssp_json_delete(cJSON *root);

/* Print compactly; *out must be released with rssp_json_text_free (it wipes). */
rssp_err rssp_json_print(const cJSON *root, char **out, size_t *len, rssp_status *st);
void rssp_json_text_free(char *text);

/* The first member of obj named by names (case-sensitive) that is neither absent nor null. */
const cJSON *rssp_json_member(const cJSON *obj, const char *const *names);

/* String member: *out points into the tree, NULL when not given. */
rssp_err rssp_json_string(const cJSON *obj, const char *const *names, size_t max_len,
                          const char **out, rssp_status *st);
/* Same, copied with strdup (NULL when not given). */
rssp_err rssp_json_string_dup(const cJSON *obj, const char *const *names, size_t max_len,
                              char **out, rssp_status *st);
/* Same, copied into secret memory (rssp_secret_dup). */
rssp_err rssp_json_string_secret(const cJSON *obj, const char *const *names, size_t max_len,
                                 char **out, rssp_status *st);
/* Integer member within [min, max]; *out = absent_value when not given. */
rssp_err rssp_json_int(const cJSON *obj, const char *const *names, long long min, long long max,
                       long long absent_value, long long *out, rssp_status *st);
/* Boolean member; *out = absent_value when not given. */
rssp_err rssp_json_bool(const cJSON *obj, const char *const *names, bool absent_value, bool *out,
                        rssp_status *st);
/* Object member: *out NULL when not given. */
rssp_err rssp_json_object(const cJSON *obj, const char *const *names, const cJSON **out,
                          rssp_status *st);
/*
 * Array of strings, copied (strdup each). Not given: *out NULL, *n 0. A
 * single string is accepted as a one-element array when single_ok.
 */
rssp_err rssp_json_string_array(const cJSON *obj, const char *const *names, size_t max_len,
                                bool single_ok, char ***out, size_t *n, rssp_status *st);
/* Free what rssp_json_string_array returned. */
void rssp_string_array_free(char **items, size_t n);

/* Builders: add members, returning false on allocation failure. NULL values add nothing. */
bool rssp_json_add_string(cJSON *obj, const char *name, const char *value);
bool rssp_json_add_int(cJSON *obj, const char *name, long long value);
bool rssp_json_add_bool(cJSON *obj, const char *name, bool value);

#endif
