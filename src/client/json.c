#include "client/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/status_internal.h"
#include "common/secmem.h"

/*
 * One pass over the raw text before cJSON sees it: cJSON would accept 1000
 * levels of nesting (recursively) and silently cut strings at \u0000, which
 * would let "abc\u0000def" pass as "abc". Both are refused here, and NUL
 * bytes. It jumps from one character that matters to the next with
 * memchr/strcspn (text[len] is the NUL that ends the text) instead of
 * branching on every byte: it runs on every response.
 */
static rssp_err prescan(const char *text, size_t len, rssp_status *st)
{
    if (memchr(text, '\0', len) != NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response body contains a NUL byte");
    const char *p = text, *end = text + len;
    int depth = 0;
    while ((p += strcspn(p, "\"{}[]")) < end) {
        char ch = *p++;
        if (ch == '{' || ch == '[') {
            if (++depth > RSSP_JSON_MAX_DEPTH)
                return rssp_fail(st, RSSP_ERR_PROTOCOL, "response JSON nested deeper than %d",
                                 RSSP_JSON_MAX_DEPTH);
            continue;
        }
        if (ch != '"') {
            depth--; /* imbalance is left to the parser to reject */
            continue;
        }
        /* In a string: to its closing quote, past escapes. */
        for (;;) {
            p += strcspn(p, "\"\\");
            if (p >= end)
                return RSSP_OK; /* unterminated: the parser refuses it */
            if (*p == '"') {
                p++;
                break;
            }
            if (end - p > 5 && p[1] == 'u' && memcmp(p + 2, "0000", 4) == 0)
                return rssp_fail(st, RSSP_ERR_PROTOCOL, "response string contains \\u0000");
            if (end - p < 2)
                return RSSP_OK; /* a lone backslash at the end: the parser refuses it */
            p += 2;             /* the backslash and the escaped character */
        }
    }
    return RSSP_OK;
}

rssp_err rssp_json_parse(const char *text, size_t len, cJSON **out, rssp_status *st)
{
    *out = NULL;
    if (text == NULL || len == 0)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "empty response body");
    rssp_err err = prescan(text, len, st);
    if (err != RSSP_OK)
        return err;
    /* len + 1 includes the terminating NUL, which cJSON requires to accept the end. */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (root == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response is not valid JSON (at byte %zu)",
                         end != NULL && end >= text ? (size_t)(end - text) : (size_t)0);
    *out = root;
    return RSSP_OK;
}

static void wipe_strings(cJSON *item)
{
    /* Iterative over siblings, recursive over children: depth is bounded by the parser. */
    for (; item != NULL; item = item->next) {
        if (item->valuestring != NULL)
            OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
        if (item->child != NULL)
            wipe_strings(item->child);
    }
}

void rssp_json_delete(cJSON *root)
{
    if (root == NULL)
        return;
    wipe_strings(root);
    cJSON_Delete(root);
}

rssp_err rssp_json_print(const cJSON *root, char **out, size_t *len, rssp_status *st)
{
    char *text = cJSON_PrintUnformatted(root);
    if (text == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "cannot serialise the request");
    *out = text;
    *len = strlen(text);
    return RSSP_OK;
}

void rssp_json_text_free(char *text)
{
    if (text == NULL)
        return;
    OPENSSL_cleanse(text, strlen(text));
    cJSON_free(text);
}

const cJSON *rssp_json_member(const cJSON *obj, const char *const *names)
{
    if (!cJSON_IsObject(obj))
        return NULL;
    for (; *names != NULL; names++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, *names);
        if (m != NULL && !cJSON_IsNull(m))
            return m;
    }
    return NULL;
}

static rssp_err string_member(const cJSON *m, const char *name, size_t max_len, const char **out,
                              rssp_status *st)
{
    if (!cJSON_IsString(m) || m->valuestring == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is not a string", name);
    if (strlen(m->valuestring) > max_len)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is longer than %zu", name,
                         max_len);
    *out = m->valuestring;
    return RSSP_OK;
}

rssp_err rssp_json_string(const cJSON *obj, const char *const *names, size_t max_len,
                          const char **out, rssp_status *st)
{
    *out = NULL;
    const cJSON *m = rssp_json_member(obj, names);
    if (m == NULL)
        return RSSP_OK;
    return string_member(m, m->string, max_len, out, st);
}

rssp_err rssp_json_string_dup(const cJSON *obj, const char *const *names, size_t max_len,
                              char **out, rssp_status *st)
{
    *out = NULL;
    const char *s = NULL;
    rssp_err err = rssp_json_string(obj, names, max_len, &s, st);
    if (err != RSSP_OK || s == NULL)
        return err;
    *out = strdup(s);
    return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
}

rssp_err rssp_json_string_secret(const cJSON *obj, const char *const *names, size_t max_len,
                                 char **out, rssp_status *st)
{
    *out = NULL;
    const char *s = NULL;
    rssp_err err = rssp_json_string(obj, names, max_len, &s, st);
    if (err != RSSP_OK || s == NULL)
        return err;
    *out = rssp_secret_strdup(s);
    return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
}

rssp_err rssp_json_int(const cJSON *obj, const char *const *names, long long min, long long max,
                       long long absent_value, long long *out, rssp_status *st)
{
    *out = absent_value;
    const cJSON *m = rssp_json_member(obj, names);
    if (m == NULL)
        return RSSP_OK;
    if (!cJSON_IsNumber(m))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is not a number", m->string);
    double d = m->valuedouble;
    /*
     * Compare in double first: a cast of an out-of-range double is undefined.
     * NaN fails both comparisons, infinities the range.
     */
    if (!(d >= (double)min && d <= (double)max))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is out of range", m->string);
    long long v = (long long)d;
    if ((double)v != d)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is not an integer", m->string);
    *out = v;
    return RSSP_OK;
}

rssp_err rssp_json_bool(const cJSON *obj, const char *const *names, bool absent_value, bool *out,
                        rssp_status *st)
{
    *out = absent_value;
    const cJSON *m = rssp_json_member(obj, names);
    if (m == NULL)
        return RSSP_OK;
    if (!cJSON_IsBool(m))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is not a boolean", m->string);
    *out = cJSON_IsTrue(m);
    return RSSP_OK;
}

rssp_err rssp_json_object(const cJSON *obj, const char *const *names, const cJSON **out,
                          rssp_status *st)
{
    *out = NULL;
    const cJSON *m = rssp_json_member(obj, names);
    if (m == NULL)
        return RSSP_OK;
    if (!cJSON_IsObject(m))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is not an object", m->string);
    *out = m;
    return RSSP_OK;
}

void rssp_string_array_free(char **items, size_t n)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

rssp_err rssp_json_string_array(const cJSON *obj, const char *const *names, size_t max_len,
                                bool single_ok, char ***out, size_t *n, rssp_status *st)
{
    *out = NULL;
    *n = 0;
    const cJSON *m = rssp_json_member(obj, names);
    if (m == NULL)
        return RSSP_OK;

    const char *name = m->string;
    rssp_err err = RSSP_OK;
    char **items = NULL;
    size_t count = 0;

    if (cJSON_IsString(m) && single_ok) {
        const char *s = NULL;
        err = string_member(m, name, max_len, &s, st);
        if (err != RSSP_OK)
            return err;
        items = calloc(1, sizeof *items);
        if (items == NULL || (items[0] = strdup(s)) == NULL) {
            free(items);
            return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        }
        *out = items;
        *n = 1;
        return RSSP_OK;
    }
    if (!cJSON_IsArray(m))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response field %s is not an array", name);

    int size = cJSON_GetArraySize(m);
    if (size > 0) {
        items = calloc((size_t)size, sizeof *items);
        if (items == NULL)
            return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, m)
    {
        const char *s = NULL;
        err = string_member(e, name, max_len, &s, st);
        if (err != RSSP_OK)
            goto out;
        items[count] = strdup(s);
        if (items[count] == NULL) {
            err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
            goto out;
        }
        count++;
    }
    *out = items;
    *n = count;
    items = NULL;
out:
    rssp_string_array_free(items, count);
    return err;
}

bool rssp_json_add_string(cJSON *obj, const char *name, const char *value)
{
    if (value == NULL)
        return true;
    return cJSON_AddStringToObject(obj, name, value) != NULL;
}

bool rssp_json_add_int(cJSON *obj, const char *name, long long value)
{
    return cJSON_AddNumberToObject(obj, name, (double)value) != NULL;
}

bool rssp_json_add_bool(cJSON *obj, const char *name, bool value)
{
    return cJSON_AddBoolToObject(obj, name, value) != NULL;
}
