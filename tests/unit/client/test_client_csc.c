/*
 * The CSC dialects of the client (src/client/codec_csc_*.c, envelope_csc.c):
 * every request against the field names of CSC API 1.0.4.0 and 2.0.0.2,
 * responses into the client's types, and CSC errors into RSSP codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/codec_csc.h"
#include "client/envelope.h"
#include "client/envelope_csc.h"
#include "client/json.h"
#include "common/secmem.h"
#include "test_util.h"

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_authorize_v1_and_v2(void **state)
{
    (void)state;
    unsigned char h[32] = {1};
    rssp_buf hash = {h, sizeof h};
    rssp_authorize_request req = {.credential_id = "c1",
                                  .num_signatures = 1,
                                  .authorize_code = "123456",
                                  .hash_alg = RSSP_HASH_SHA256,
                                  .hashes = &hash,
                                  .n_hashes = 1,
                                  .notification_message = "Sign"};
    rssp_status st;
    cJSON *v1 = NULL, *v2 = NULL;
    assert_int_equal(rssp_csc_encode_authorize(1, &req, &v1, &st), RSSP_OK);
    assert_string_equal(str(v1, "PIN"), "123456");
    assert_null(cJSON_GetObjectItem(v1, "OTP"));
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(v1, "hash")));
    assert_null(cJSON_GetObjectItem(v1, "hashes"));
    assert_string_equal(str(v1, "description"), "Sign");
    assert_null(cJSON_GetObjectItem(v1, "authorizeCode"));

    req.code_is_otp = true;
    assert_int_equal(rssp_csc_encode_authorize(2, &req, &v2, &st), RSSP_OK);
    const cJSON *data = cJSON_GetObjectItem(v2, "authData");
    assert_int_equal(cJSON_GetArraySize(data), 1);
    assert_string_equal(str(cJSON_GetArrayItem(data, 0), "id"), "OTP");
    assert_string_equal(str(cJSON_GetArrayItem(data, 0), "value"), "123456");
    assert_string_equal(str(v2, "hashAlgorithmOID"), "2.16.840.1.101.3.4.2.1");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(v2, "hashes")));
    assert_null(cJSON_GetObjectItem(v2, "PIN"));
    rssp_json_delete(v1);
    rssp_json_delete(v2);
}

static void test_sign_hash_names(void **state)
{
    (void)state;
    unsigned char h[48] = {2};
    rssp_buf hash = {h, sizeof h};
    rssp_sad sad = {.sad = "sad-1"};
    static const unsigned char pss[] = {0x30, 0x00};
    rssp_sign_request req = {.credential_id = "c1",
                             .sad = &sad,
                             .hash_alg = RSSP_HASH_SHA384,
                             .hashes = &hash,
                             .n_hashes = 1,
                             .sign_algo_oid = "1.2.840.113549.1.1.10",
                             .sign_algo_params = pss,
                             .sign_algo_params_len = sizeof pss};
    rssp_status st;
    cJSON *v1 = NULL, *v2 = NULL;
    assert_int_equal(rssp_csc_encode_sign_hash(1, &req, &v1, &st), RSSP_OK);
    assert_string_equal(str(v1, "hashAlgo"), "2.16.840.1.101.3.4.2.2");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(v1, "hash")));
    assert_string_equal(str(v1, "signAlgoParams"), "MAA=");
    assert_int_equal(rssp_csc_encode_sign_hash(2, &req, &v2, &st), RSSP_OK);
    assert_string_equal(str(v2, "hashAlgorithmOID"), "2.16.840.1.101.3.4.2.2");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(v2, "hashes")));
    assert_null(cJSON_GetObjectItem(v2, "documentDigests"));
    assert_string_equal(str(v2, "SAD"), "sad-1");
    rssp_json_delete(v1);
    rssp_json_delete(v2);
}

static void test_list_request(void **state)
{
    (void)state;
    rssp_list_request req = {
        .certificates = RSSP_CERTS_CHAIN, .certificate_info = true, .authentication_info = true};
    rssp_status st;
    cJSON *v1 = NULL, *v2 = NULL;
    assert_int_equal(rssp_csc_encode_list(1, &req, "p2", &v1, &st), RSSP_OK);
    assert_null(cJSON_GetObjectItem(v1, "credentialInfo")); /* v2 only */
    assert_string_equal(str(v1, "pageToken"), "p2");
    assert_int_equal(rssp_csc_encode_list(2, &req, NULL, &v2, &st), RSSP_OK);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v2, "credentialInfo")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v2, "authInfo")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v2, "certInfo")));
    assert_string_equal(str(v2, "certificates"), "chain");
    assert_null(cJSON_GetObjectItem(v2, "pageToken"));
    rssp_json_delete(v1);
    rssp_json_delete(v2);
}

static void test_list_v2_with_infos(void **state)
{
    (void)state;
    cJSON *root = tu_json(
        "{\"credentialIDs\":[\"a\",\"b\"],\"nextPageToken\":\"n\",\"credentialInfos\":[{"
        "\"credentialID\":\"b\",\"key\":{\"status\":\"enabled\",\"algo\":[\"1.2.840.10045.2.1\"],"
        "\"len\":256},\"cert\":{\"status\":\"valid\",\"certificates\":[\"MAA=\"]},"
        "\"auth\":{\"mode\":\"explicit\",\"objects\":[{\"id\":\"PIN\"}]},\"SCAL\":\"2\","
        "\"multisign\":5}]}");
    rssp_credential_list l;
    char *next = NULL;
    rssp_status st;
    assert_int_equal(rssp_csc_decode_list(root, &l, &next, &st), RSSP_OK);
    assert_int_equal(l.count, 2);
    assert_string_equal(next, "n");
    assert_false(l.items[0].has_auth_info); /* a: needs credentials/info */
    assert_true(l.items[1].has_auth_info);
    assert_string_equal(l.items[1].auth_mode, "EXPLICIT/PIN");
    assert_int_equal(l.items[1].scal, 2);
    assert_int_equal(l.items[1].num_signatures, 5);
    assert_int_equal(l.items[1].n_certificates, 1);
    assert_string_equal(l.items[1].status, "valid");
    free(next);
    rssp_credential_list_clear(&l);
    cJSON_Delete(root);
}

static void test_auth_modes(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        const char *mode;
    } cases[] = {
        {"\"authMode\":\"explicit\",\"PIN\":{\"presence\":\"true\"}", "EXPLICIT/PIN"},
        {"\"authMode\":\"explicit\",\"OTP\":{\"presence\":\"true\",\"type\":\"online\"}",
         "EXPLICIT/OTP-ONLINE"},
        {"\"authMode\":\"explicit\",\"OTP\":{\"presence\":\"true\",\"type\":\"offline\"}",
         "EXPLICIT/OTP-OFFLINE"},
        {"\"authMode\":\"explicit\",\"PIN\":{\"presence\":\"true\"},\"OTP\":{\"presence\":"
         "\"true\"}",
         "EXPLICIT/PIN+OTP"},
        {"\"authMode\":\"implicit\"", "IMPLICIT/CSC"},
        {"\"auth\":{\"mode\":\"oauth2code\"}", "OAUTH2CODE"},
        {"\"auth\":{\"mode\":\"explicit\",\"objects\":[{\"id\":\"OTP\",\"generator\":\"totp\"}]}",
         "EXPLICIT/OTP-OFFLINE"},
        {"\"auth\":{\"mode\":\"explicit\",\"objects\":[{\"id\":\"OTP\"}]}", "EXPLICIT/OTP-ONLINE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "{\"cert\":{\"status\":\"valid\"},%s}", cases[i].body);
        cJSON *root = tu_json(text);
        rssp_credential c;
        rssp_status st;
        assert_int_equal(rssp_csc_decode_credinfo(root, "x", &c, &st), RSSP_OK);
        assert_string_equal(c.auth_mode, cases[i].mode);
        rssp_credential_clear(&c);
        cJSON_Delete(root);
    }
    /* no authorization data at all: a protocol error, not a guess */
    cJSON *root = tu_json("{\"cert\":{\"status\":\"valid\"}}");
    rssp_credential c;
    rssp_status st;
    assert_int_equal(rssp_csc_decode_credinfo(root, "x", &c, &st), RSSP_ERR_PROTOCOL);
    cJSON_Delete(root);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *error, *description, *method;
        int code;
    } cases[] = {
        {"invalid_pin", "The PIN is invalid", "credentials/authorize", 3011},
        {"invalid_otp", "The OTP is invalid", "credentials/authorize", 3011},
        {"invalid_otp", "The OTP has expired", "credentials/authorize", 3013},
        {"access_denied", "The PIN is locked", "credentials/authorize", 3012},
        {"access_denied", "The account is locked", "auth/login", 3002},
        {"authentication_error", "Invalid username or password", "auth/login", 3000},
        {"invalid_grant", NULL, "oauth2/token", 3004},
        {"invalid_client", NULL, "oauth2/token", 3001},
        {"invalid_token", "The access token has expired", "credentials/list", 3005},
        {"invalid_token", NULL, "credentials/list", 3006},
        {"invalid_request", "SAD expired", "signatures/signHash", 3015},
        {"invalid_request", "Invalid parameter SAD", "signatures/signHash", 3014},
        {"invalid_request", "Hash not authorized by the SAD", "signatures/signHash", 3017},
        {"invalid_request", "Invalid parameter signAlgo", "signatures/signHash", 3019},
        {"invalid_request", "Invalid parameter credentialID", "credentials/info", 3008},
        {"invalid_request", "Missing parameter", "credentials/info", 3100},
        {"access_denied", "The request was denied by the user", "credentials/authorize", 3022},
        {"temporarily_unavailable", NULL, "info", 9001},
        {"something_new", NULL, "info", 9000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(rssp_csc_error_code(cases[i].error, cases[i].description, cases[i].method),
                         cases[i].code);

    /* through the envelope: HTTP 400 with an error body; 204 without a body is success */
    rssp_envelope_rules rules = {.csc = true, .method = "credentials/authorize"};
    static const char body[] = "{\"error\":\"invalid_pin\",\"error_description\":\"bad PIN\"}";
    cJSON *root = NULL;
    rssp_status st;
    rssp_status_reset(&st);
    assert_int_equal(rssp_envelope_parse(body, strlen(body), 400, &rules, &root, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3011);
    assert_string_equal(st.message, "bad PIN");
    rssp_json_delete(root);
    rssp_status_reset(&st);
    assert_int_equal(rssp_envelope_parse("", 0, 204, &rules, &root, &st), RSSP_OK);
    rssp_json_delete(root);
    rssp_status_reset(&st);
    assert_int_equal(rssp_envelope_parse("", 0, 401, &rules, &root, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3006); /* a refused Bearer token: log in again */
    rssp_status_reset(&st);
    assert_int_equal(rssp_envelope_parse("oops", 4, 502, &rules, &root, &st), RSSP_ERR_TRANSPORT);
}

static void test_token_form(void **state)
{
    (void)state;
    char *form = NULL;
    size_t len = 0;
    rssp_status st;
    assert_int_equal(rssp_csc_encode_token_form("app 1", "s&e=c+r%t", NULL, &form, &len, &st),
                     RSSP_OK);
    assert_string_equal(form, "grant_type=client_credentials&client_id=app%201&client_secret="
                              "s%26e%3Dc%2Br%25t");
    assert_int_equal(len, strlen(form));
    rssp_secret_free(form);
    assert_int_equal(rssp_csc_encode_token_form("a", "b", "r/t", &form, &len, &st), RSSP_OK);
    assert_string_equal(form,
                        "grant_type=refresh_token&refresh_token=r%2Ft&client_id=a&client_secret=b");
    rssp_secret_free(form);

    cJSON *root = tu_json("{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":60}");
    rssp_login_result r;
    assert_int_equal(rssp_csc_decode_login(root, &r, &st), RSSP_OK);
    assert_string_equal(r.access_token, "at");
    assert_null(r.refresh_token);
    assert_int_equal(r.expires_in, 60);
    rssp_login_result_clear(&r);
    cJSON_Delete(root);
}

static void test_revoke(void **state)
{
    (void)state;
    cJSON *body = NULL;
    rssp_status st;
    assert_int_equal(rssp_csc_encode_revoke(RSSP_TOKEN_REFRESH, "rt", NULL, NULL, &body, &st),
                     RSSP_OK);
    assert_string_equal(str(body, "token_type_hint"), "refresh_token");
    assert_null(cJSON_GetObjectItem(body, "tokenType"));
    rssp_json_delete(body);
    assert_int_equal(rssp_csc_encode_revoke(RSSP_TOKEN_SAD, "s", "c", NULL, &body, &st),
                     RSSP_ERR_ARGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_authorize_v1_and_v2), cmocka_unit_test(test_sign_hash_names),
        cmocka_unit_test(test_list_request),        cmocka_unit_test(test_list_v2_with_infos),
        cmocka_unit_test(test_auth_modes),          cmocka_unit_test(test_errors),
        cmocka_unit_test(test_token_form),          cmocka_unit_test(test_revoke),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
