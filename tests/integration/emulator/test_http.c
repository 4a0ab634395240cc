/* HTTP-level rules (§1.1): statuses, content types, limits, malformed bodies, field types. */
#include "emu_test.h"

#include <stdlib.h>
#include <string.h>

static et_env env;

static int setup(void **state)
{
    (void)state;
    et_start(&env, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    et_stop(&env);
    return 0;
}

static void test_info_and_alias_path(void **state)
{
    (void)state;
    et_resp r;
    et_post(&env, "info", NULL, "{}", &r);
    assert_int_equal(et_code(&r), 0);
    assert_string_equal(et_str(&r, "name"), "rssp-emulator");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(r.json, "methods")));
    et_resp_clear(&r);
    /* servers also accept an empty body for info */
    et_request(&env, "POST", "/rssp/v1/info", NULL, "", 0, &r);
    assert_int_equal(et_code(&r), 0);
    et_resp_clear(&r);
    /* the seed's singular path is routed too: a signHash without token */
    et_post(&env, "signature/signHash", NULL, "{}", &r);
    assert_int_equal(et_code(&r), 3006);
    et_resp_clear(&r);
}

static void test_bill_codes_unique(void **state)
{
    (void)state;
    et_resp a, b;
    et_post(&env, "info", NULL, "{}", &a);
    et_post(&env, "auth/login", NULL, "{}", &b); /* an error also carries one */
    et_code(&a);
    et_code(&b);
    assert_string_not_equal(et_str(&a, "billCode"), et_str(&b, "billCode"));
    et_resp_clear(&a);
    et_resp_clear(&b);
}

static void test_wrong_method_405(void **state)
{
    (void)state;
    et_resp r;
    et_request(&env, "GET", "/rssp/v1/credentials/list", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 405);
    et_resp_clear(&r);
    et_request(&env, "PUT", "/rssp/v1/info", NULL, "{}", 2, &r);
    assert_int_equal(r.status, 405);
    et_resp_clear(&r);
}

static void test_unknown_path_404(void **state)
{
    (void)state;
    et_resp r;
    et_post(&env, "credentials/nothing", NULL, "{}", &r);
    assert_int_equal(r.status, 404);
    et_resp_clear(&r);
    et_request(&env, "POST", "/other/info", NULL, "{}", 2, &r);
    assert_int_equal(r.status, 404);
    et_resp_clear(&r);
}

static void test_body_over_limit_413(void **state)
{
    (void)state;
    size_t n = (1u << 20) + 10;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    et_resp r;
    et_request(&env, "POST", "/rssp/v1/auth/login", NULL, big, n, &r);
    assert_int_equal(r.status, 413);
    et_resp_clear(&r);
    /* exactly at the limit is fine (and an ordinary 3001 follows) */
    big[(1u << 20) - 1] = '}';
    et_request(&env, "POST", "/rssp/v1/auth/login", NULL, big, 1u << 20, &r);
    assert_int_equal(et_code(&r), 3001);
    et_resp_clear(&r);
    free(big);
}

static void test_content_type_415(void **state)
{
    (void)state;
    const char *plain[] = {"Content-Type: text/plain", NULL};
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    const char *json_params[] = {"Content-Type: Application/JSON ; charset=utf-8", NULL};
    et_resp r;
    et_post(&env, "info", plain, "{}", &r);
    assert_int_equal(r.status, 415);
    et_resp_clear(&r);
    et_post(&env, "auth/login", form, "{}", &r);
    assert_int_equal(r.status, 415);
    et_resp_clear(&r);
    et_post(&env, "info", json_params, "{}", &r);
    assert_int_equal(et_code(&r), 0);
    et_resp_clear(&r);
}

static void test_invalid_json_3100(void **state)
{
    (void)state;
    static const char *const bodies[] = {"{",        "not json", "[1,2]",
                                         "\"text\"", "{\"a\":}", "{\"relyingParty\":\"DEMO-RP\",}"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        et_resp r;
        et_post(&env, "auth/login", NULL, bodies[i], &r);
        assert_int_equal(et_code(&r), 3100);
        et_resp_clear(&r);
    }
    et_resp r;
    et_request(&env, "POST", "/rssp/v1/credentials/list", NULL, "", 0, &r);
    assert_int_equal(et_code(&r), 3100); /* only info takes an empty body */
    et_resp_clear(&r);
}

static void test_wrong_types_and_missing_fields_3100(void **state)
{
    (void)state;
    char *token = et_login(&env, "alice", false, NULL);
    char *bearer = et_bearer(token);
    const char *h[] = {bearer, NULL};
    static const struct {
        const char *method, *body;
    } cases[] = {
        {"credentials/list", "{\"certificateInfo\":\"yes\"}"},
        {"credentials/list", "{\"certificates\":\"all\"}"},
        {"credentials/list", "{\"searchConditions\":\"GOOD\"}"},
        {"credentials/list", "{\"searchConditions\":{\"certificateStatus\":\"NICE\"}}"},
        {"credentials/list", "{\"language\":5}"},
        {"credentials/list", "{\"language\":\"FR\"}"},
        {"credentials/list", "{\"clientInfo\":\"mac\"}"},
        {"credentials/list", "{\"clientInfo\":{\"macAddr\":7}}"},
        {"credentials/info", "{}"},
        {"credentials/info", "{\"credentialID\":10001}"},
        {"credentials/info", "{\"credentialID\":\"10001\",\"thumbprint\":\"abc\"}"},
        {"credentials/info", "{\"credentialID\":\"10001\",\"certificateID\":10003}"},
        {"credentials/authorize", "{\"credentialID\":\"10001\",\"authorizeCode\":\"123456\"}"},
        {"credentials/authorize",
         "{\"credentialID\":\"10001\",\"numSignatures\":\"1\",\"authorizeCode\":\"123456\"}"},
        {"credentials/authorize",
         "{\"credentialID\":\"10001\",\"numSignatures\":1.5,\"authorizeCode\":\"123456\"}"},
        {"credentials/authorize",
         "{\"credentialID\":\"10001\",\"numSignatures\":1,\"authorizeCode\":123456}"},
        {"credentials/authorize",
         "{\"credentialID\":\"10001\",\"numSignatures\":0,\"authorizeCode\":\"123456\"}"},
        {"signatures/signHash", "{\"credentialID\":\"10001\"}"},
        {"auth/revoke", "{}"},
        {"auth/revoke", "{\"token\":true}"},
        {"owner/assign", "{}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        et_resp r;
        et_post(&env, cases[i].method, h, cases[i].body, &r);
        if (et_code(&r) != 3100 &&
            !(strncmp(cases[i].method, "owner/", 6) == 0 && et_code(&r) == 3024))
            fail_msg("%s %s: expected 3100, got %s", cases[i].method, cases[i].body, r.body);
        et_resp_clear(&r);
    }
    free(bearer);
    free(token);
}

static void test_language_vn(void **state)
{
    (void)state;
    et_resp en, vn;
    et_post(&env, "credentials/list", NULL, "{\"language\":\"EN\"}", &en);
    et_post(&env, "credentials/list", NULL, "{\"lang\":\"VN\"}", &vn);
    assert_int_equal(et_code(&en), 3006);
    assert_int_equal(et_code(&vn), 3006);
    assert_string_not_equal(et_str(&en, "responseMessage"), et_str(&vn, "responseMessage"));
    et_resp_clear(&en);
    et_resp_clear(&vn);
}

static void test_keep_alive_connection_reuse(void **state)
{
    (void)state;
    /* One client, many calls: the connections counter grows by at most a few. */
    char *before = NULL, *after = NULL;
    assert_int_equal(rssp_emu_admin(&env.emu, "GET", "stats", NULL, &before), 200);
    cJSON *b = cJSON_Parse(before);
    double c0 = cJSON_GetObjectItem(b, "connections")->valuedouble;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    for (int i = 0; i < 20; i++) {
        rssp_credential_list l;
        rssp_list_request req = {0};
        assert_int_equal(rssp_credentials_list(c, &req, &l, &st), RSSP_OK);
        rssp_credential_list_clear(&l);
    }
    rssp_client_free(c);
    assert_int_equal(rssp_emu_admin(&env.emu, "GET", "stats", NULL, &after), 200);
    cJSON *a = cJSON_Parse(after);
    double c1 = cJSON_GetObjectItem(a, "connections")->valuedouble;
    assert_true(c1 - c0 <= 3);
    assert_true(
        cJSON_GetObjectItem(cJSON_GetObjectItem(a, "requests"), "credentials/list")->valuedouble >=
        20);
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_and_alias_path),
        cmocka_unit_test(test_bill_codes_unique),
        cmocka_unit_test(test_wrong_method_405),
        cmocka_unit_test(test_unknown_path_404),
        cmocka_unit_test(test_body_over_limit_413),
        cmocka_unit_test(test_content_type_415),
        cmocka_unit_test(test_invalid_json_3100),
        cmocka_unit_test(test_wrong_types_and_missing_fields_3100),
        cmocka_unit_test(test_language_vn),
        cmocka_unit_test(test_keep_alive_connection_reuse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
