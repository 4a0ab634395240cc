/*
 * The emulator's CSC front ends (serve --protocol csc-v1 / csc-v2) over raw
 * HTTP: field names, HTTP statuses and error strings of the CSC API, logins
 * (RFC 7617 Basic, OAuth 2.0 token endpoint), and that the RSSP rules hold
 * unchanged behind them (PIN counter, SCAL 2 hash binding, signatures that
 * verify). Every case runs for v1 and v2.
 */
#include "emu_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

static et_env env;
static int version; /* 1 or 2: the group being run */

static int setup(void **state)
{
    (void)state;
    setenv("RSSP_TEST_PROTOCOL", version == 1 ? "csc-v1" : "csc-v2", 1);
    et_start(&env, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    et_stop(&env);
    return 0;
}

static void post(const char *method, const char *const *headers, const char *body, et_resp *out)
{
    char path[160];
    snprintf(path, sizeof path, "/csc/v%d/%s", version, method);
    et_request(&env, "POST", path, headers, body, body == NULL ? 0 : strlen(body), out);
}

static const char *field(const et_resp *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An error answer: HTTP status and the CSC error string. */
static void assert_error(const et_resp *r, long status, const char *error)
{
    if (r->status != status || field(r, "error") == NULL || strcmp(field(r, "error"), error) != 0)
        fail_msg("expected HTTP %ld %s, got HTTP %ld %.300s", status, error, r->status,
                 r->body != NULL ? r->body : "");
    assert_non_null(field(r, "error_description"));
    assert_null(cJSON_GetObjectItem(r->json, "responseCode")); /* no RSSP envelope */
}

/* "Authorization: Basic base64(user:password)" (RFC 7617), malloc'ed. */
static char *basic(const char *user, const char *password)
{
    char plain[256];
    snprintf(plain, sizeof plain, "%s:%s", user, password);
    char *b64 = rssp_base64_encode(plain, strlen(plain));
    assert_non_null(b64);
    char *h = malloc(strlen(b64) + 32);
    assert_non_null(h);
    sprintf(h, "Authorization: Basic %s", b64);
    free(b64);
    return h;
}

/* auth/login of an owner; the access token (malloc'ed) and optionally the refresh token. */
static char *login(const char *user, char **refresh)
{
    char *h = basic(user, et_owner(&env, user, "password"));
    const char *headers[] = {h, NULL};
    et_resp r;
    post("auth/login", headers, "{\"rememberMe\":true}", &r);
    free(h);
    assert_int_equal(r.status, 200);
    assert_non_null(field(&r, "access_token"));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(r.json, "expires_in")));
    char *token = strdup(field(&r, "access_token"));
    if (refresh != NULL)
        *refresh = field(&r, "refresh_token") ? strdup(field(&r, "refresh_token")) : NULL;
    et_resp_clear(&r);
    return token;
}

static void test_info(void **state)
{
    (void)state;
    et_resp r;
    post("info", NULL, "{}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(field(&r, "specs"), version == 1 ? "1.0.4.0" : "2.0.0.2");
    assert_string_equal(field(&r, "oauth2"), env.emu.url);
    const cJSON *methods = cJSON_GetObjectItem(r.json, "methods");
    bool extend = false;
    const cJSON *m;
    cJSON_ArrayForEach(m, methods) extend |=
        strcmp(m->valuestring, "credentials/extendTransaction") == 0;
    assert_int_equal(extend, version == 1);
    et_resp_clear(&r);
    /* the RSSP paths and the other dialect are not served */
    et_request(&env, "POST", "/rssp/v1/info", NULL, "{}", 2, &r);
    assert_int_equal(r.status, 404);
    et_resp_clear(&r);
    post("owner/list", NULL, "{}", &r);
    assert_int_equal(r.status, 404);
    et_resp_clear(&r);
}

static void test_basic_login_and_refresh(void **state)
{
    (void)state;
    char *h = basic("alice", "wrong-password");
    const char *headers[] = {h, NULL};
    et_resp r;
    post("auth/login", headers, "{}", &r);
    assert_error(&r, 401, "authentication_error");
    et_resp_clear(&r);
    free(h);
    /* the RSSP form usertype:user:password is not RFC 7617 */
    h = basic("USERNAME:alice", "alice-pass");
    headers[0] = h;
    post("auth/login", headers, "{}", &r);
    assert_error(&r, 401, "authentication_error");
    et_resp_clear(&r);
    free(h);

    char *refresh = NULL;
    char *access = login("alice", &refresh);
    assert_non_null(refresh);
    char body[4200];
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\",\"rememberMe\":true}", refresh);
    post("auth/login", NULL, body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(field(&r, "access_token"));
    et_resp_clear(&r);
    post("auth/login", NULL, "{\"refresh_token\":\"rt-1.nothing\"}", &r);
    assert_error(&r, 400, "invalid_grant");
    et_resp_clear(&r);

    /* revoke: 204 No Content, then the token is refused with 401 invalid_token */
    char *bearer = et_bearer(access);
    const char *auth[] = {bearer, NULL};
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"token_type_hint\":\"access_token\"}", access);
    post("auth/revoke", auth, body, &r);
    assert_int_equal(r.status, 204);
    et_resp_clear(&r);
    post("credentials/list", auth, "{}", &r);
    assert_error(&r, 401, "invalid_token");
    et_resp_clear(&r);
    free(bearer);
    free(access);
    free(refresh);
}

static void test_oauth2_token_endpoint(void **state)
{
    (void)state;
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    char body[4300];
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=alice&client_secret=%s",
             et_owner(&env, "alice", "password"));
    et_resp r;
    post("oauth2/token", form, body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(field(&r, "token_type"), "Bearer");
    assert_non_null(field(&r, "access_token"));
    char *refresh = strdup(field(&r, "refresh_token"));
    et_resp_clear(&r);
    snprintf(body, sizeof body,
             "grant_type=refresh_token&refresh_token=%s&client_id=alice&client_secret=x", refresh);
    post("oauth2/token", form, body, &r);
    assert_int_equal(r.status, 200);
    et_resp_clear(&r);
    free(refresh);

    post("oauth2/token", form, "grant_type=client_credentials&client_id=alice&client_secret=no",
         &r);
    assert_error(&r, 401, "invalid_client");
    et_resp_clear(&r);
    post("oauth2/token", form, "grant_type=password&client_id=alice&client_secret=no", &r);
    assert_error(&r, 400, "unsupported_grant_type");
    et_resp_clear(&r);
    post("oauth2/token", form, "grant_type=client_credentials&client_id=alice", &r);
    assert_error(&r, 400, "invalid_request");
    et_resp_clear(&r);
    /* RFC 6749 §4.4.2: a form, not JSON */
    post("oauth2/token", NULL, "{\"grant_type\":\"client_credentials\"}", &r);
    assert_int_equal(r.status, 415);
    et_resp_clear(&r);
}

static void test_list(void **state)
{
    (void)state;
    char *access = login("alice", NULL);
    char *bearer = et_bearer(access);
    const char *auth[] = {bearer, NULL};
    et_resp r;
    post("credentials/list", auth,
         "{\"credentialInfo\":true,\"certificates\":\"chain\",\"certInfo\":true,\"authInfo\":true}",
         &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "credentialIDs")), 4);
    const cJSON *infos = cJSON_GetObjectItem(r.json, "credentialInfos");
    if (version == 1) {
        assert_null(infos); /* v1 lists identifiers only */
    } else {
        assert_int_equal(cJSON_GetArraySize(infos), 4);
        const cJSON *first = cJSON_GetArrayItem(infos, 0);
        const cJSON *auth_obj = cJSON_GetObjectItem(first, "auth");
        assert_string_equal(cJSON_GetObjectItem(auth_obj, "mode")->valuestring, "explicit");
        const cJSON *cert = cJSON_GetObjectItem(first, "cert");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cert, "certificates")), 2);
        assert_true(cJSON_IsString(cJSON_GetObjectItem(first, "SCAL")));
    }
    et_resp_clear(&r);
    post("credentials/info", auth, "{\"credentialID\":\"10002\",\"authInfo\":true}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(field(&r, "SCAL"), "2");
    if (version == 1) {
        assert_string_equal(field(&r, "authMode"), "explicit");
        assert_non_null(cJSON_GetObjectItem(r.json, "PIN"));
    } else {
        assert_non_null(cJSON_GetObjectItem(r.json, "auth"));
    }
    et_resp_clear(&r);
    post("credentials/info", auth, "{\"credentialID\":\"20001\"}", &r);
    assert_error(&r, 400, "invalid_request"); /* bob's: invisible to alice */
    et_resp_clear(&r);
    free(bearer);
    free(access);
}

/* credentials/authorize body for one factor (PIN) and optional bound hash. */
static void authorize_body(char *out, size_t n, const char *id, const char *pin, const char *hash)
{
    char hashes[200] = "";
    if (hash != NULL)
        snprintf(hashes, sizeof hashes,
                 version == 1
                     ? ",\"hash\":[\"%s\"]"
                     : ",\"hashes\":[\"%s\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"",
                 hash);
    if (version == 1)
        snprintf(out, n, "{\"credentialID\":\"%s\",\"numSignatures\":1,\"PIN\":\"%s\"%s}", id, pin,
                 hashes);
    else
        snprintf(out, n,
                 "{\"credentialID\":\"%s\",\"numSignatures\":1,"
                 "\"authData\":[{\"id\":\"PIN\",\"value\":\"%s\"}]%s}",
                 id, pin, hashes);
}

static void sign_body(char *out, size_t n, const char *id, const char *sad, const char *hash)
{
    snprintf(out, n,
             version == 1 ? "{\"credentialID\":\"%s\",\"SAD\":\"%s\",\"hash\":[\"%s\"],"
                            "\"hashAlgo\":\"2.16.840.1.101.3.4.2.1\","
                            "\"signAlgo\":\"1.2.840.113549.1.1.1\"}"
                          : "{\"credentialID\":\"%s\",\"SAD\":\"%s\",\"hashes\":[\"%s\"],"
                            "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\","
                            "\"signAlgo\":\"1.2.840.113549.1.1.1\"}",
             id, sad, hash);
}

static void test_authorize_and_sign(void **state)
{
    (void)state;
    char *access = login("alice", NULL);
    char *bearer = et_bearer(access);
    const char *auth[] = {bearer, NULL};
    unsigned char h[32], other[32];
    char *hash = et_sha256_b64("csc document", h);
    char *other_hash = et_sha256_b64("another document", other);
    char body[8200];
    et_resp r;

    /* a wrong PIN: invalid_pin, and the RSSP counter moved */
    authorize_body(body, sizeof body, "10001", "000000", NULL);
    post("credentials/authorize", auth, body, &r);
    assert_error(&r, 400, "invalid_pin");
    et_resp_clear(&r);

    /* SCAL 1 (10001, RSA-2048) */
    authorize_body(body, sizeof body, "10001", "123456", NULL);
    post("credentials/authorize", auth, body, &r);
    assert_int_equal(r.status, 200);
    char *sad = strdup(field(&r, "SAD"));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(r.json, "expiresIn")));
    et_resp_clear(&r);
    sign_body(body, sizeof body, "10001", sad, hash);
    post("signatures/signHash", auth, body, &r); /* no rssp-entity-name: not CSC */
    assert_int_equal(r.status, 200);
    const cJSON *sigs = cJSON_GetObjectItem(r.json, "signatures");
    assert_int_equal(cJSON_GetArraySize(sigs), 1);
    rssp_buf sig = {NULL, 0};
    const char *b64 = cJSON_GetArrayItem(sigs, 0)->valuestring;
    assert_int_equal(rssp_base64_decode(b64, strlen(b64), &sig), RSSP_CRYPTO_OK);
    assert_true(et_verify(&env, "10001", ET_PKCS1, RSSP_HASH_SHA256, h, 32, &sig));
    rssp_buf_clear(&sig);
    et_resp_clear(&r);
    /* numSignatures 1 is used up */
    post("signatures/signHash", auth, body, &r);
    assert_error(&r, 400, "invalid_request");
    assert_non_null(strstr(field(&r, "error_description"), "SAD"));
    et_resp_clear(&r);
    free(sad);

    /* SCAL 2 (10002): the SAD is bound to the hash */
    authorize_body(body, sizeof body, "10002", "123456", hash);
    post("credentials/authorize", auth, body, &r);
    assert_int_equal(r.status, 200);
    sad = strdup(field(&r, "SAD"));
    et_resp_clear(&r);
    sign_body(body, sizeof body, "10002", sad, other_hash);
    post("signatures/signHash", auth, body, &r);
    assert_error(&r, 400, "invalid_request");
    assert_non_null(strstr(field(&r, "error_description"), "Hash not authorized"));
    et_resp_clear(&r);
    sign_body(body, sizeof body, "10002", sad, hash);
    post("signatures/signHash", auth, body, &r);
    assert_int_equal(r.status, 200);
    et_resp_clear(&r);
    free(sad);

    /* extendTransaction: v1 only */
    post("credentials/extendTransaction", auth, "{\"credentialID\":\"10001\",\"SAD\":\"x\"}", &r);
    if (version == 1)
        assert_error(&r, 400, "invalid_request");
    else
        assert_int_equal(r.status, 404);
    et_resp_clear(&r);
    free(hash);
    free(other_hash);
    free(bearer);
    free(access);
}

static void test_pin_lock(void **state)
{
    (void)state;
    char *access = login("erin", NULL);
    char *bearer = et_bearer(access);
    const char *auth[] = {bearer, NULL};
    char body[1024];
    et_resp r = {0};
    authorize_body(body, sizeof body, "60002", "999999", NULL);
    int tries = 0;
    do {
        et_resp_clear(&r);
        post("credentials/authorize", auth, body, &r);
        tries++;
    } while (r.status == 400 && field(&r, "error") != NULL &&
             strcmp(field(&r, "error"), "invalid_pin") == 0 && tries < 10);
    assert_error(&r, 400, "access_denied");
    assert_non_null(strstr(field(&r, "error_description"), "locked"));
    et_resp_clear(&r);
    free(bearer);
    free(access);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basic_login_and_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth2_token_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_authorize_and_sign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_lock, setup, teardown),
    };
    int failed = 0;
    for (version = 1; version <= 2; version++) {
        print_message("CSC v%d\n", version);
        failed +=
            cmocka_run_group_tests_name(version == 1 ? "csc-v1" : "csc-v2", tests, NULL, NULL);
    }
    return failed;
}
