/* auth/login and auth/revoke rules (§1.4, §2.2, §2.3), App-Authentication (docs/protocol.md). */
#include "emu_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int login_code(et_env *e, const char *header, const char *body, et_resp *keep)
{
    const char *h[] = {header, NULL};
    et_resp r;
    et_post(e, "auth/login", header != NULL ? h : NULL, body, &r);
    int code = et_code(&r);
    if (keep != NULL)
        *keep = r;
    else
        et_resp_clear(&r);
    return code;
}

static int ssl2_code(et_ssl2_variant v, long long offset_ms)
{
    char *h = et_ssl2_header(&env, "DEMO-RP", v, offset_ms);
    int code = login_code(&env, h, "{\"relyingParty\":\"DEMO-RP\"}", NULL);
    free(h);
    return code;
}

static void test_ssl2_accepted_forms(void **state)
{
    (void)state;
    assert_int_equal(ssl2_code(ET_SSL2_OK, 0), 0);
    assert_int_equal(ssl2_code(ET_SSL2_SHA256, 0), 0);
    assert_int_equal(ssl2_code(ET_SSL2_SWAPPED, 0), 0);
    assert_int_equal(ssl2_code(ET_SSL2_DATE, 0), 0);
    assert_int_equal(ssl2_code(ET_SSL2_OK, -250 * 1000LL), 0); /* inside the window */
}

static void test_ssl2_refused_3001(void **state)
{
    (void)state;
    assert_int_equal(ssl2_code(ET_SSL2_BAD_SIG, 0), 3001);
    assert_int_equal(ssl2_code(ET_SSL2_BAD_PASS, 0), 3001);
    assert_int_equal(ssl2_code(ET_SSL2_FOUR, 0), 3001);
    assert_int_equal(ssl2_code(ET_SSL2_OK, -301 * 1000LL), 3001); /* stale timestamp */
    assert_int_equal(ssl2_code(ET_SSL2_OK, 301 * 1000LL), 3001);  /* from the future */
    /* a signature by another relying party's key */
    char *other = et_ssl2_header(&env, "OTHER-RP", ET_SSL2_OK, 0);
    assert_int_equal(login_code(&env, other, "{\"relyingParty\":\"DEMO-RP\"}", NULL), 3001);
    assert_int_equal(login_code(&env, other, "{\"relyingParty\":\"OTHER-RP\"}", NULL), 0);
    free(other);
    assert_int_equal(
        login_code(&env, "Authorization: SSL2 !!!", "{\"relyingParty\":\"DEMO-RP\"}", NULL), 3001);
    assert_int_equal(login_code(&env, NULL, "{\"relyingParty\":\"DEMO-RP\"}", NULL), 3001);
    /* relyingParty: required, and must be the one that signed */
    char *h = et_ssl2_header(&env, "DEMO-RP", ET_SSL2_OK, 0);
    assert_int_equal(login_code(&env, h, "{}", NULL), 3100);
    assert_int_equal(login_code(&env, h, "{\"relyingParty\":\"OTHER-RP\"}", NULL), 3001);
    free(h);
}

static void test_basic_needs_rp_factor(void **state)
{
    (void)state;
    /* Basic alone, and a repeated scheme */
    assert_int_equal(login_code(&env, "Authorization: Basic VVNFUk5BTUU6YWxpY2U6YWxpY2UtcGFzcw==",
                                "{\"relyingParty\":\"DEMO-RP\"}", NULL),
                     3001);
    char *h = et_owner_header(&env, "alice", NULL);
    size_t n = strlen(h) + 64;
    char *twice = malloc(n);
    snprintf(twice, n, "%s, Basic eA==", h);
    assert_int_equal(login_code(&env, twice, "{\"relyingParty\":\"DEMO-RP\"}", NULL), 3001);
    free(twice);
    free(h);
}

static void test_owner_login_and_info(void **state)
{
    (void)state;
    et_resp r;
    char *h = et_owner_header(&env, "alice", NULL);
    assert_int_equal(login_code(&env, h, "{\"relyingParty\":\"DEMO-RP\"}", &r), 0);
    assert_string_equal(et_str(&r, "username"), "alice");
    assert_int_equal(et_int(&r, "expiresIn"), 3600);
    assert_null(cJSON_GetObjectItem(r.json, "refreshToken")); /* no rememberMe */
    const cJSON *oi = cJSON_GetObjectItem(r.json, "ownerInfo");
    assert_string_equal(cJSON_GetObjectItem(oi, "fullName")->valuestring, "Alice Nguyen");
    assert_string_equal(cJSON_GetObjectItem(oi, "phone")->valuestring, "0912***678");
    et_resp_clear(&r);
    free(h);
    h = et_owner_header(&env, "nobody", "x");
    assert_int_equal(login_code(&env, h, "{\"relyingParty\":\"DEMO-RP\"}", NULL), 3003);
    free(h);
}

static void test_wrong_password_counts_and_locks(void **state)
{
    (void)state;
    et_resp r;
    char *bad = et_owner_header(&env, "erin", "wrong");
    char *good = et_owner_header(&env, "erin", NULL);
    const char *body = "{\"relyingParty\":\"DEMO-RP\"}";
    assert_int_equal(login_code(&env, bad, body, &r), 3000);
    assert_int_equal(et_int(&r, "remainingCounter"), 4);
    et_resp_clear(&r);
    /* success resets the counter */
    assert_int_equal(login_code(&env, good, body, NULL), 0);
    for (int left = 4; left >= 1; left--) {
        assert_int_equal(login_code(&env, bad, body, &r), 3000);
        assert_int_equal(et_int(&r, "remainingCounter"), left);
        et_resp_clear(&r);
    }
    assert_int_equal(login_code(&env, bad, body, &r), 3002);
    assert_int_equal(et_int(&r, "temporaryLockTime"), 300);
    et_resp_clear(&r);
    /* locked: even the right password is refused */
    assert_int_equal(login_code(&env, good, body, &r), 3002);
    assert_true(et_int(&r, "temporaryLockTime") > 0);
    et_resp_clear(&r);
    free(bad);
    free(good);
}

static void test_refresh_only_with_remember_me(void **state)
{
    (void)state;
    char *refresh = NULL;
    char *access = et_login(&env, "alice", true, &refresh);
    assert_non_null(refresh);
    char *bearer = et_bearer(refresh);
    et_resp r;
    /* Bearer refresh: new access token; the refresh token comes back only with rememberMe */
    assert_int_equal(login_code(&env, bearer, "{}", &r), 0);
    assert_string_not_equal(et_str(&r, "accessToken"), access);
    assert_null(cJSON_GetObjectItem(r.json, "refreshToken"));
    et_resp_clear(&r);
    assert_int_equal(login_code(&env, bearer, "{\"rememberMe\":true}", &r), 0);
    assert_string_equal(et_str(&r, "refreshToken"), refresh); /* not rotated */
    et_resp_clear(&r);
    assert_int_equal(login_code(&env, bearer, "{\"relyingParty\":\"OTHER-RP\"}", NULL), 3001);
    /* an access token is not a refresh token */
    char *wrong = et_bearer(access);
    assert_int_equal(login_code(&env, wrong, "{}", NULL), 3004);
    assert_int_equal(login_code(&env, "Authorization: Bearer rt-0.nonsense", "{}", NULL), 3004);
    free(wrong);
    free(bearer);
    free(access);
    free(refresh);
}

static int list_code(const char *token)
{
    char *b = et_bearer(token);
    const char *h[] = {b, NULL};
    et_resp r;
    et_post(&env, "credentials/list", h, "{}", &r);
    int code = et_code(&r);
    et_resp_clear(&r);
    free(b);
    return code;
}

static int revoke_code(const char *auth_token, const char *body)
{
    char *b = et_bearer(auth_token);
    const char *h[] = {b, NULL};
    et_resp r;
    et_post(&env, "auth/revoke", h, body, &r);
    int code = et_code(&r);
    et_resp_clear(&r);
    free(b);
    return code;
}

static void test_revoke_access_and_refresh(void **state)
{
    (void)state;
    char body[4096], *refresh = NULL;
    char *a1 = et_login(&env, "alice", true, &refresh);
    char *other = et_login(&env, "alice", false, NULL);
    /* an access token made from the refresh token */
    char *rb = et_bearer(refresh);
    et_resp r;
    assert_int_equal(login_code(&env, rb, "{}", &r), 0);
    char *a2 = strdup(et_str(&r, "accessToken"));
    et_resp_clear(&r);
    assert_int_equal(list_code(a1), 0);
    assert_int_equal(list_code(a2), 0);

    /* tokenType 0: only that access token */
    snprintf(body, sizeof(body), "{\"token\":\"%s\",\"tokenType\":0}", other);
    assert_int_equal(revoke_code(a1, body), 0);
    assert_int_equal(list_code(other), 3006);
    assert_int_equal(list_code(a1), 0);
    /* again: idempotent */
    assert_int_equal(revoke_code(a1, body), 0);
    /* unknown tokenType */
    assert_int_equal(revoke_code(a1, "{\"token\":\"x\",\"tokenType\":7}"), 3101);
    /* tokenType 1 (by token_type_hint, authenticated with the refresh token itself) */
    snprintf(body, sizeof(body), "{\"token\":\"%s\",\"token_type_hint\":\"refresh_token\"}",
             refresh);
    assert_int_equal(revoke_code(refresh, body), 0);
    assert_int_equal(list_code(a1), 3006);
    assert_int_equal(list_code(a2), 3006);
    assert_int_equal(login_code(&env, rb, "{}", NULL), 3004);
    free(rb);
    free(a1);
    free(a2);
    free(other);
    free(refresh);
}

static void test_revoke_own_token_logout(void **state)
{
    (void)state;
    char body[2048];
    char *a = et_login(&env, NULL, false, NULL);
    snprintf(body, sizeof(body), "{\"token\":\"%s\"}", a);
    assert_int_equal(revoke_code(a, body), 0);
    assert_int_equal(list_code(a), 3006);
    free(a);
}

static void test_expire_endpoint_3005(void **state)
{
    (void)state;
    char *refresh = NULL;
    char *a = et_login(&env, "alice", true, &refresh);
    assert_int_equal(rssp_emu_admin(&env.emu, "POST", "expire", NULL, NULL), 200);
    assert_int_equal(list_code(a), 3005);
    /* refresh tokens survive: log in again with it */
    char *rb = et_bearer(refresh);
    assert_int_equal(login_code(&env, rb, "{}", NULL), 0);
    free(rb);
    free(a);
    free(refresh);
}

static void test_token_ttl_and_lock_time(void **state)
{
    (void)state;
    et_env e2;
    const char *args[] = {"--token-ttl", "1", "--max-attempts", "2", "--lock-time", "1", NULL};
    et_start(&e2, args);
    char *h = et_owner_header(&e2, "alice", NULL);
    et_resp r;
    assert_int_equal(login_code(&e2, h, "{\"relyingParty\":\"DEMO-RP\"}", &r), 0);
    assert_int_equal(et_int(&r, "expiresIn"), 1);
    char *b = et_bearer(et_str(&r, "accessToken"));
    et_resp_clear(&r);
    usleep(1200 * 1000);
    const char *hb[] = {b, NULL};
    et_post(&e2, "credentials/list", hb, "{}", &r);
    assert_int_equal(et_code(&r), 3005);
    et_resp_clear(&r);
    free(b);
    /* two wrong passwords lock for one second */
    char *bad = et_owner_header(&e2, "bob", "wrong");
    assert_int_equal(login_code(&e2, bad, "{\"relyingParty\":\"DEMO-RP\"}", NULL), 3000);
    assert_int_equal(login_code(&e2, bad, "{\"relyingParty\":\"DEMO-RP\"}", &r), 3002);
    assert_int_equal(et_int(&r, "temporaryLockTime"), 1);
    et_resp_clear(&r);
    free(bad);
    usleep(2100 * 1000);
    char *good = et_owner_header(&e2, "bob", NULL);
    assert_int_equal(login_code(&e2, good, "{\"relyingParty\":\"DEMO-RP\"}", NULL), 0);
    free(good);
    free(h);
    et_stop(&e2);
}

static void test_client_library_login(void **state)
{
    (void)state;
    rssp_status st;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    assert_int_equal(rssp_login(c, &st), RSSP_OK);
    assert_true(rssp_logged_in(c));
    assert_int_equal(rssp_logout(c, &st), RSSP_OK);
    rssp_client_free(c);
    et_overrides o = {.password = "wrong"};
    c = et_client(&env, "owners/dave.conf", &o);
    assert_int_equal(rssp_login(c, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3000);
    assert_int_equal(st.remaining_counter, 4);
    assert_true(st.bill_code[0] != '\0');
    rssp_client_free(c);
}

static void test_appsign_login(void **state)
{
    (void)state;
    rssp_status st;
    rssp_client *c = et_client(&env, "appsign.conf", NULL);
    rssp_credential_list l;
    rssp_list_request req = {0};
    assert_int_equal(rssp_credentials_list(c, &req, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 4); /* AppSign + Basic: alice's credentials */
    rssp_credential_list_clear(&l);
    rssp_client_free(c);
    /* AppSign alone: the relying party itself, which must name an agreement */
    et_overrides o = {.rp_only = true, .agreement = "DEMO#BOB-0001"};
    c = et_client(&env, "appsign.conf", &o);
    assert_int_equal(rssp_credentials_list(c, &req, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 3);
    rssp_credential_list_clear(&l);
    rssp_client_free(c);
    /* a forged sign */
    assert_int_equal(login_code(&env, "Authorization: AppSign YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=",
                                "{\"relyingParty\":\"DEMO-RP\"}", NULL),
                     3001);
    /* AppSign and SSL2 together */
    char *ssl2 = et_ssl2_header(&env, "DEMO-RP", ET_SSL2_OK, 0);
    size_t n = strlen(ssl2) + 64;
    char *both = malloc(n);
    snprintf(both, n, "%s, AppSign YWJj", ssl2);
    assert_int_equal(login_code(&env, both, "{\"relyingParty\":\"DEMO-RP\"}", NULL), 3001);
    free(both);
    free(ssl2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssl2_accepted_forms),
        cmocka_unit_test(test_ssl2_refused_3001),
        cmocka_unit_test(test_basic_needs_rp_factor),
        cmocka_unit_test(test_owner_login_and_info),
        cmocka_unit_test(test_wrong_password_counts_and_locks),
        cmocka_unit_test(test_refresh_only_with_remember_me),
        cmocka_unit_test(test_revoke_access_and_refresh),
        cmocka_unit_test(test_revoke_own_token_logout),
        cmocka_unit_test(test_expire_endpoint_3005),
        cmocka_unit_test(test_token_ttl_and_lock_time),
        cmocka_unit_test(test_client_library_login),
        cmocka_unit_test(test_appsign_login),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
