#include "client/json_writer.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

bool rssp_jw_init(rssp_json_writer *w, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->first = true;
    w->text = cJSON_malloc(cap + 1);
    w->cap = cap;
    w->failed = w->text == NULL;
    return !w->failed;
}

size_t rssp_jw_string_max(const char *s)
{
    return s == NULL ? 0 : 6 * strlen(s) + 2; /* every byte as \u00XX, and the quotes */
}

static void put(rssp_json_writer *w, const char *s, size_t n)
{
    if (w->failed || n > w->cap - w->len) {
        w->failed = true;
        return;
    }
    memcpy(w->text + w->len, s, n);
    w->len += n;
}

/* Quoted and escaped as cJSON's print_string_ptr does. */
static void quoted(rssp_json_writer *w, const char *s)
{
    put(w, "\"", 1);
    for (const char *run = s;; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 32 && ch != '"' && ch != '\\')
            continue;
        put(w, run, (size_t)(s - run)); /* the characters that need no escape */
        if (ch == '\0')
            break;
        const char *short_form = ch == '"'    ? "\\\""
                                 : ch == '\\' ? "\\\\"
                                 : ch == '\b' ? "\\b"
                                 : ch == '\f' ? "\\f"
                                 : ch == '\n' ? "\\n"
                                 : ch == '\r' ? "\\r"
                                 : ch == '\t' ? "\\t"
                                              : NULL;
        if (short_form != NULL) {
            put(w, short_form, 2);
        } else {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            put(w, esc, 6);
        }
        run = s + 1;
    }
    put(w, "\"", 1);
}

static void member_start(rssp_json_writer *w, const char *name)
{
    if (!w->first)
        put(w, ",", 1);
    w->first = false;
    if (name != NULL) {
        quoted(w, name);
        put(w, ":", 1);
    }
}

void rssp_jw_open(rssp_json_writer *w, const char *name, char bracket)
{
    if (w->len > 0)
        member_start(w, name);
    put(w, &bracket, 1);
    w->first = true;
}

void rssp_jw_close(rssp_json_writer *w, char bracket)
{
    put(w, &bracket, 1);
    w->first = false;
}

void rssp_jw_string(rssp_json_writer *w, const char *name, const char *value)
{
    if (value == NULL)
        return;
    member_start(w, name);
    quoted(w, value);
}

bool rssp_jw_finish(rssp_json_writer *w, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    if (w->text == NULL)
        return false;
    if (w->failed) {
        OPENSSL_cleanse(w->text, w->len);
        cJSON_free(w->text);
        w->text = NULL;
        return false;
    }
    w->text[w->len] = '\0';
    *text = w->text;
    *len = w->len;
    w->text = NULL;
    return true;
}
