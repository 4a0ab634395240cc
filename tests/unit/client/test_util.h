/* Helpers shared by the client unit tests. */
#ifndef RSSP_TEST_CLIENT_UTIL_H
#define RSSP_TEST_CLIENT_UTIL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "rssp/status.h"

/* Parse text (must be valid JSON, else the test fails). */
cJSON *tu_json(const char *text);
/* Base64-decode text into a malloc'ed NUL-terminated string (the test fails on bad input). */
char *tu_b64_text(const char *b64, size_t *len);
/* Run the client's envelope + JSON parser over text as an HTTP 200 body. */
rssp_err tu_envelope(const char *text, cJSON **root, rssp_status *st);
/* Path of a fixture in tests/unit/client/data (static buffer). */
const char *tu_data(const char *name);

#endif
