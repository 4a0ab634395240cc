/*
 * The client's bounded JSON parser (client/json.h) and its typed getters:
 * parse the input as a response body, then read every member of every
 * object (depth-first) with each getter, and check that what the parser
 * accepted prints and parses again.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "client/codec_common.h"
#include "client/json.h"
#include "common/secmem.h"
#include "crypto/crypto.h"
#include "fuzz.h"

static void read_member(const cJSON *obj, const char *name)
{
    const char *const names[] = {name, NULL};
    rssp_status st;
    rssp_status_reset(&st);
    const char *s = NULL;
    char *copy = NULL;
    long long ll = 0;
    bool b = false;
    const cJSON *o = NULL;
    char **items = NULL;
    size_t n = 0;
    rssp_buf *bufs = NULL;

    (void)rssp_json_string(obj, names, RSSP_JSON_MAX_STRING, &s, &st);
    if (rssp_json_string_dup(obj, names, RSSP_JSON_MAX_TOKEN, &copy, &st) == RSSP_OK)
        free(copy);
    copy = NULL;
    if (rssp_json_string_secret(obj, names, RSSP_JSON_MAX_TOKEN, &copy, &st) == RSSP_OK)
        rssp_secret_free(copy);
    (void)rssp_json_int(obj, names, INT_MIN, INT_MAX, 0, &ll, &st);
    (void)rssp_json_int(obj, names, 0, 1LL << 53, -1, &ll, &st);
    (void)rssp_json_bool(obj, names, false, &b, &st);
    (void)rssp_json_object(obj, names, &o, &st);
    if (rssp_json_string_array(obj, names, RSSP_JSON_MAX_STRING, true, &items, &n, &st) == RSSP_OK)
        rssp_string_array_free(items, n);
    if (rssp_json_base64_array(obj, names, RSSP_JSON_MAX_CERT_B64, &bufs, &n, &st) == RSSP_OK)
        rssp_buf_array_free(bufs, n, true);
}

/* Recursion is bounded by RSSP_JSON_MAX_DEPTH, which the parser enforces. */
static void walk(const cJSON *item)
{
    if (cJSON_IsObject(item)) {
        const cJSON *m;
        cJSON_ArrayForEach(m, item)
        {
            if (m->string != NULL)
                read_member(item, m->string);
        }
    }
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
        const cJSON *c;
        cJSON_ArrayForEach(c, item)
        {
            walk(c);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    cJSON *root = NULL;
    rssp_status st;
    rssp_status_reset(&st);
    if (rssp_json_parse(text, size, &root, &st) == RSSP_OK) {
        walk(root);
        char *printed = NULL;
        size_t printed_len = 0;
        if (rssp_json_print(root, &printed, &printed_len, &st) == RSSP_OK) {
            /* What the parser accepted must survive a round trip through the printer. */
            cJSON *again = NULL;
            if (rssp_json_parse(printed, printed_len, &again, &st) != RSSP_OK)
                abort();
            rssp_json_delete(again);
            rssp_json_text_free(printed);
        }
    }
    rssp_json_delete(root);
    free(text);
    return 0;
}
