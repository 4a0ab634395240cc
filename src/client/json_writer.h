/*
 * Request text written directly, for the one request on the signing path
 * (signHash): no cJSON tree built, printed and freed per signature. The
 * output is what cJSON_PrintUnformatted gives for the same members in the
 * same order (strings escaped as cJSON escapes them), so the two request
 * paths cannot drift apart unnoticed (tests/unit/client compares them).
 */
#ifndef RSSP_CLIENT_JSON_WRITER_H
#define RSSP_CLIENT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *text; /* cJSON_malloc'ed; release with rssp_json_text_free (it wipes) */
    size_t len;
    size_t cap;
    bool failed; /* out of room or memory: every later call does nothing */
    bool first;  /* no member yet in the innermost open object or array */
} rssp_json_writer;

/* Start with room for cap bytes (the text never grows: a grown copy would leave a secret behind).
 */
bool rssp_jw_init(rssp_json_writer *w, size_t cap);
/* Bytes a string takes at most once quoted and escaped. */
size_t rssp_jw_string_max(const char *s);

void rssp_jw_open(rssp_json_writer *w, const char *name, char bracket); /* name NULL in arrays */
void rssp_jw_close(rssp_json_writer *w, char bracket);
/* A string member (name NULL in arrays); nothing when value is NULL. */
void rssp_jw_string(rssp_json_writer *w, const char *name, const char *value);

/* The text (NUL-terminated) and its length; false (and the text wiped) when writing failed. */
bool rssp_jw_finish(rssp_json_writer *w, char **text, size_t *len);

#endif
