#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/envelope.h"
#include "crypto/crypto.h"

cJSON *tu_json(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

char *tu_b64_text(const char *b64, size_t *len)
{
    rssp_buf b = {0};
    assert_int_equal(rssp_base64_decode(b64, strlen(b64), &b), RSSP_CRYPTO_OK);
    char *s = malloc(b.len + 1);
    assert_non_null(s);
    memcpy(s, b.data, b.len);
    s[b.len] = '\0';
    if (len != NULL)
        *len = b.len;
    rssp_buf_clear(&b);
    return s;
}

rssp_err tu_envelope(const char *text, cJSON **root, rssp_status *st)
{
    rssp_envelope_rules rules = {0};
    rssp_status_reset(st);
    return rssp_envelope_parse(text, strlen(text), 200, &rules, root, st);
}

const char *tu_data(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", RSSP_CLIENT_TEST_DATA, name);
    return path;
}
