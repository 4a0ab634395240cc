/*
 * Hostile response bodies: every one must give an error (never a crash, never
 * a half-filled result): invalid or truncated JSON, wrong types, missing
 * fields, huge strings, deep nesting, non-object top level, NUL bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "client/codec_auth.h"
#include "client/codec_authorize.h"
#include "client/codec_credentials.h"
#include "client/codec_info.h"
#include "client/codec_owner.h"
#include "client/codec_sign.h"
#include "client/envelope.h"
#include "client/json.h"
#include "test_util.h"

static rssp_err envelope_len(const char *body, size_t len, cJSON **root, rssp_status *st)
{
    rssp_envelope_rules rules = {.accept_bare_info = true};
    rssp_status_reset(st);
    return rssp_envelope_parse(body, len, 200, &rules, root, st);
}

static void assert_refused(const char *body)
{
    rssp_status st;
    cJSON *root = NULL;
    rssp_err err = envelope_len(body, strlen(body), &root, &st);
    if (err != RSSP_ERR_PROTOCOL)
        print_error("accepted: %.80s\n", body);
    assert_int_equal(err, RSSP_ERR_PROTOCOL);
    assert_null(root);
    assert_true(st.message[0] != '\0');
}

static void test_invalid_json(void **state)
{
    (void)state;
    assert_refused("");
    assert_refused("{");
    assert_refused("{\"responseCode\":0");
    assert_refused("{\"responseCode\":0,}");
    assert_refused("{\"responseCode\":0} trailing");
    assert_refused("{\"responseCode\":0}{}");
    assert_refused("{'responseCode':0}");
    assert_refused("{\"responseCode\":0,\"a\":\"unterminated}");
    assert_refused("{\"responseCode\":00x}");
    assert_refused("\xef\xbb\xbf\xff\xfe");
}

static void test_top_level_not_object(void **state)
{
    (void)state;
    assert_refused("[]");
    assert_refused("[{\"responseCode\":0}]");
    assert_refused("\"responseCode\"");
    assert_refused("0");
    assert_refused("null");
    assert_refused("true");
}

static void test_envelope_wrong_types(void **state)
{
    (void)state;
    assert_refused("{\"responseCode\":\"0\"}");
    assert_refused("{\"responseCode\":true}");
    assert_refused("{\"responseCode\":1.5}");
    assert_refused("{\"responseCode\":1e300}");
    assert_refused("{\"responseCode\":{}}");
    assert_refused("{\"responseCode\":3011,\"remainingCounter\":\"4\"}");
    assert_refused("{\"responseCode\":3012,\"temporaryLockTime\":[300]}");
    assert_refused("{\"responseCode\":3012,\"temporaryLockTime\":-5}");
    assert_refused("{\"responseCode\":0,\"remainingSigningCounter\":99999999999}");
    assert_refused(
        "{\"responseCode\":0,\"signatures\":[\"AAEC\"],\"remainingSigningCounter\":\"x\"}");
    assert_refused("{\"error\":[]}");
    assert_refused("{\"responseCode\":null}");
}

/* A 200 envelope with responseCode 0 whose method fields are hostile. */
static cJSON *ok_root(const char *body)
{
    rssp_status st;
    cJSON *root = NULL;
    rssp_err err = envelope_len(body, strlen(body), &root, &st);
    if (err != RSSP_OK)
        print_error("envelope refused %s: %s\n", body, st.message);
    assert_int_equal(err, RSSP_OK);
    return root;
}

static void test_method_fields_wrong_types(void **state)
{
    (void)state;
    rssp_status st;
    rssp_login_result lr;
    rssp_sad sad;
    rssp_credential_list cl;
    rssp_credential cr;
    rssp_signatures sg;
    rssp_info_result info;
    rssp_owner_list ol;
    struct {
        const char *body;
        int which;
    } cases[] = {
        {"{\"responseCode\":0,\"accessToken\":5}", 0},
        {"{\"responseCode\":0,\"accessToken\":\"\"}", 0},
        {"{\"responseCode\":0,\"accessToken\":\"a\",\"expiresIn\":\"3600\"}", 0},
        {"{\"responseCode\":0,\"accessToken\":\"a\",\"expiresIn\":0}", 0},
        {"{\"responseCode\":0,\"accessToken\":\"a\",\"expiresIn\":1.5}", 0},
        {"{\"responseCode\":0,\"accessToken\":\"a\",\"refreshToken\":{}}", 0},
        {"{\"responseCode\":0,\"SAD\":[\"x\"]}", 1},
        {"{\"responseCode\":0,\"SAD\":\"x\",\"expiresIn\":-1}", 1},
        {"{\"responseCode\":0,\"certificates\":{}}", 2},
        {"{\"responseCode\":0,\"certificates\":[\"84902\"]}", 2},
        {"{\"responseCode\":0,\"certificates\":[{\"credentialID\":84902.5}]}", 2},
        {"{\"responseCode\":0,\"certificates\":[{\"certificateID\":-1}]}", 2},
        {"{\"responseCode\":0,\"certificates\":[{\"credentialID\":\"1\",\"version\":\"1\"}]}", 2},
        {"{\"responseCode\":0,\"certificates\":[{\"credentialID\":\"1\",\"certificates\":[1]}]}",
         2},
        {"{\"responseCode\":0,\"certificates\":[{\"credentialID\":\"1\",\"certificates\":\"MIIC\"}]"
         "}",
         2},
        {"{\"responseCode\":0,\"certificates\":[{\"credentialID\":\"1\",\"status\":true}]}", 2},
        {"{\"responseCode\":0}", 2},
        {"{\"responseCode\":0,\"certificate\":[],\"numSignatures\":1,\"authModeSupported\":[],"
         "\"authMode\":\"x\"}",
         3},
        {"{\"responseCode\":0,\"certificate\":{},\"numSignatures\":\"1\",\"authModeSupported\":"
         "[],\"authMode\":\"x\"}",
         3},
        {"{\"responseCode\":0,\"certificate\":{},\"numSignatures\":1,\"authModeSupported\":"
         "\"EXPLICIT/PIN\",\"authMode\":\"x\"}",
         3},
        {"{\"responseCode\":0,\"certificate\":{},\"numSignatures\":1,\"authModeSupported\":[],"
         "\"authMode\":\"x\",\"key\":[]}",
         3},
        {"{\"responseCode\":0,\"certificate\":{},\"numSignatures\":1,\"authModeSupported\":[],"
         "\"authMode\":\"x\",\"key\":{\"len\":\"2048\"}}",
         3},
        {"{\"responseCode\":0,\"signatures\":\"AAEC\"}", 4},
        {"{\"responseCode\":0,\"signatures\":[null]}", 4},
        {"{\"responseCode\":0,\"signatures\":[\"\"]}", 4},
        {"{\"responseCode\":0,\"version\":1,\"name\":\"n\",\"languages\":[],\"authTypes\":[],"
         "\"methods\":[]}",
         5},
        {"{\"responseCode\":0,\"version\":\"1\",\"name\":\"n\",\"languages\":\"EN\","
         "\"authTypes\":[],\"methods\":[]}",
         5},
        {"{\"responseCode\":0,\"version\":\"1\",\"name\":\"n\",\"languages\":[],\"authTypes\":"
         "[],\"methods\":[\"a\",7]}",
         5},
        {"{\"responseCode\":0,\"owners\":{}}", 6},
        {"{\"responseCode\":0,\"owners\":[7]}", 6},
        {"{\"responseCode\":0,\"owners\":[{\"ownerUUID\":1,\"username\":\"a\"}]}", 6},
        {"{\"responseCode\":0,\"owners\":[],\"recordTotal\":\"1\"}", 6},
        {"{\"responseCode\":0}", 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *root = ok_root(cases[i].body);
        rssp_status_reset(&st);
        rssp_err err = RSSP_OK;
        switch (cases[i].which) {
        case 0:
            err = rssp_decode_login(root, &lr, &st);
            assert_null(lr.access_token);
            break;
        case 1:
            err = rssp_decode_sad(root, &sad, &st);
            assert_null(sad.sad);
            break;
        case 2:
            err = rssp_decode_list(root, &cl, &st);
            assert_null(cl.items);
            break;
        case 3:
            err = rssp_decode_credinfo(root, "1", &cr, &st);
            assert_null(cr.credential_id);
            break;
        case 4:
            err = rssp_decode_sign_hash(root, 1, &sg, &st);
            assert_null(sg.items);
            break;
        case 5:
            err = rssp_decode_info(root, &info, &st);
            assert_null(info.version);
            break;
        default:
            err = rssp_decode_owner_list(root, &ol, &st);
            assert_null(ol.items);
            break;
        }
        if (err != RSSP_ERR_PROTOCOL)
            print_error("accepted: %s\n", cases[i].body);
        assert_int_equal(err, RSSP_ERR_PROTOCOL);
        rssp_json_delete(root);
    }
}

static char *repeat(const char *unit, size_t n, const char *prefix, const char *suffix)
{
    size_t u = strlen(unit), p = strlen(prefix), s = strlen(suffix);
    char *out = malloc(p + u * n + s + 1);
    assert_non_null(out);
    memcpy(out, prefix, p);
    for (size_t i = 0; i < n; i++)
        memcpy(out + p + i * u, unit, u);
    memcpy(out + p + u * n, suffix, s + 1);
    return out;
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* 10000 levels of arrays and of objects: refused before cJSON recurses */
    char *open = repeat("[", 10000, "{\"responseCode\":0,\"x\":", "");
    char *arrays = repeat("]", 10000, open, "}");
    assert_refused(arrays);
    free(open);
    free(arrays);
    open = repeat("{\"a\":", 10000, "{\"responseCode\":0,\"x\":", "1");
    char *objects = repeat("}", 10001, open, "");
    assert_refused(objects);
    free(open);
    free(objects);
    /* unbalanced, deep, truncated */
    char *unclosed = repeat("[", 100000, "", "");
    assert_refused(unclosed);
    free(unclosed);

    /* the limit: 32 levels in all pass, 33 do not */
    open = repeat("[", 31, "{\"responseCode\":0,\"x\":", "");
    char *ok = repeat("]", 31, open, "}");
    rssp_status st;
    cJSON *root = NULL;
    assert_int_equal(envelope_len(ok, strlen(ok), &root, &st), RSSP_OK);
    rssp_json_delete(root);
    free(open);
    free(ok);
    open = repeat("[", 32, "{\"responseCode\":0,\"x\":", "");
    char *over = repeat("]", 32, open, "}");
    assert_refused(over);
    free(open);
    free(over);
    /* brackets inside strings do not count */
    char *in_string = repeat("[{", 1000, "{\"responseCode\":0,\"x\":\"", "\"}");
    assert_int_equal(envelope_len(in_string, strlen(in_string), &root, &st), RSSP_OK);
    rssp_json_delete(root);
    free(in_string);
}

static void test_nul_bytes(void **state)
{
    (void)state;
    rssp_status st;
    cJSON *root = NULL;
    /* "\u0000" would cut the string short inside cJSON */
    assert_refused("{\"responseCode\":0,\"accessToken\":\"abc\\u0000def\"}");
    assert_refused("{\"responseCode\":0,\"SAD\":\"\\u0000\"}");
    /* an escaped backslash followed by u0000 is an ordinary string */
    const char *escaped = "{\"responseCode\":0,\"a\":\"\\\\u0000\"}";
    assert_int_equal(envelope_len(escaped, strlen(escaped), &root, &st), RSSP_OK);
    rssp_json_delete(root);
    /* a raw NUL byte inside the body */
    const char raw[] = "{\"responseCode\":0,\"accessToken\":\"ab\0cd\"}";
    assert_int_equal(envelope_len(raw, sizeof raw - 1, &root, &st), RSSP_ERR_PROTOCOL);
    assert_null(root);
    const char trailing[] = "{\"responseCode\":0}\0garbage";
    assert_int_equal(envelope_len(trailing, sizeof trailing - 1, &root, &st), RSSP_ERR_PROTOCOL);
    assert_null(root);
}

static void test_huge_strings(void **state)
{
    (void)state;
    rssp_status st;
    /* a token over 4096 characters */
    char *body = repeat("A", 5000, "{\"responseCode\":0,\"accessToken\":\"", "\"}");
    cJSON *root = ok_root(body);
    rssp_login_result lr;
    assert_int_equal(rssp_decode_login(root, &lr, &st), RSSP_ERR_PROTOCOL);
    assert_null(lr.access_token);
    rssp_json_delete(root);
    free(body);
    /* a huge SAD */
    body = repeat("S", 100000, "{\"responseCode\":0,\"SAD\":\"", "\"}");
    root = ok_root(body);
    rssp_sad sad;
    assert_int_equal(rssp_decode_sad(root, &sad, &st), RSSP_ERR_PROTOCOL);
    rssp_json_delete(root);
    free(body);
    /* a huge message is cut to the status field, never overflows it */
    body = repeat("m", 200000, "{\"responseCode\":3100,\"responseMessage\":\"", "\"}");
    rssp_status_reset(&st);
    assert_int_equal(envelope_len(body, strlen(body), &root, &st), RSSP_ERR_SERVICE);
    assert_int_equal(strlen(st.message), sizeof st.message - 1);
    rssp_json_delete(root);
    free(body);
    /* a huge billCode likewise */
    body = repeat("b", 10000, "{\"responseCode\":0,\"billCode\":\"", "\"}");
    assert_int_equal(envelope_len(body, strlen(body), &root, &st), RSSP_OK);
    assert_int_equal(strlen(st.bill_code), sizeof st.bill_code - 1);
    rssp_json_delete(root);
    free(body);
    /* a huge name in a list item */
    body = repeat("x", RSSP_JSON_MAX_STRING + 1,
                  "{\"responseCode\":0,\"certificates\":[{\"credentialID\":\"", "\"}]}");
    root = ok_root(body);
    rssp_credential_list cl;
    assert_int_equal(rssp_decode_list(root, &cl, &st), RSSP_ERR_PROTOCOL);
    rssp_json_delete(root);
    free(body);
}

static void test_many_items(void **state)
{
    (void)state;
    /* 20000 list items parse (bounded only by the body size limit) */
    char *body = repeat("{\"credentialID\":\"1\"},", 20000,
                        "{\"responseCode\":0,\"certificates\":[", "{\"credentialID\":\"last\"}]}");
    cJSON *root = ok_root(body);
    rssp_status st;
    rssp_credential_list cl;
    assert_int_equal(rssp_decode_list(root, &cl, &st), RSSP_OK);
    assert_int_equal(cl.count, 20001);
    assert_string_equal(cl.items[20000].credential_id, "last");
    rssp_credential_list_clear(&cl);
    rssp_json_delete(root);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_top_level_not_object),
        cmocka_unit_test(test_envelope_wrong_types),
        cmocka_unit_test(test_method_fields_wrong_types),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_huge_strings),
        cmocka_unit_test(test_many_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
