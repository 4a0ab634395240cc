/* Fault injection (/_emulator/faults and --fault) and persistence across restarts. */
#include "emu_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

static void set_fault(const char *json)
{
    assert_int_equal(rssp_emu_admin(&env.emu, "POST", "faults", json, NULL), 200);
}

static long info_status(void)
{
    et_resp r;
    et_post(&env, "info", NULL, "{}", &r);
    long s = r.status;
    et_resp_clear(&r);
    return s;
}

static void test_http_status_for_next_calls(void **state)
{
    (void)state;
    set_fault("{\"method\":\"info\",\"httpStatus\":503,\"count\":2}");
    assert_int_equal(info_status(), 503);
    assert_int_equal(info_status(), 503);
    assert_int_equal(info_status(), 200);
    /* every method, until cleared */
    set_fault("{\"method\":\"*\",\"httpStatus\":500}");
    assert_int_equal(info_status(), 500);
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    assert_int_equal(rssp_login(c, &st), RSSP_ERR_TRANSPORT);
    assert_int_equal(st.http_status, 500);
    char *list = NULL;
    assert_int_equal(rssp_emu_admin(&env.emu, "GET", "faults", NULL, &list), 200);
    assert_non_null(strstr(list, "\"method\":\"*\""));
    free(list);
    assert_int_equal(rssp_emu_admin(&env.emu, "DELETE", "faults", NULL, NULL), 200);
    assert_int_equal(info_status(), 200);
    assert_int_equal(rssp_login(c, &st), RSSP_OK);
    rssp_client_free(c);
    /* bad fault descriptions */
    assert_int_equal(rssp_emu_admin(&env.emu, "POST", "faults", "{\"method\":\"nope\"}", NULL),
                     400);
    assert_int_equal(
        rssp_emu_admin(&env.emu, "POST", "faults", "{\"method\":\"info\",\"httpStatus\":99}", NULL),
        400);
}

static void test_response_code_drop_malformed(void **state)
{
    (void)state;
    et_resp r;
    set_fault("{\"method\":\"info\",\"responseCode\":9001,\"count\":1}");
    et_post(&env, "info", NULL, "{}", &r);
    assert_int_equal(et_code(&r), 9001);
    et_resp_clear(&r);
    set_fault("{\"method\":\"info\",\"drop\":true,\"count\":1}");
    et_post(&env, "info", NULL, "{}", &r);
    assert_int_equal(r.status, -1); /* connection closed without an answer */
    et_resp_clear(&r);
    set_fault("{\"method\":\"info\",\"malformed\":true,\"count\":1}");
    et_post(&env, "info", NULL, "{}", &r);
    assert_int_equal(r.status, 200);
    assert_null(r.json);
    et_resp_clear(&r);
    set_fault("{\"method\":\"info\",\"truncated\":true,\"count\":1}");
    et_post(&env, "info", NULL, "{}", &r);
    assert_true(r.status == -1 || r.json == NULL);
    et_resp_clear(&r);
    set_fault("{\"method\":\"info\",\"oversized\":true,\"count\":1}");
    et_post(&env, "info", NULL, "{}", &r);
    assert_int_equal(r.status, 200);
    assert_true(strlen(r.body) > (4u << 20));
    assert_int_equal(et_code(&r), 0); /* valid JSON, only too big */
    et_resp_clear(&r);
    assert_int_equal(info_status(), 200);
    /* the client library refuses the damaged answers */
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_info_result info;
    rssp_status st;
    set_fault("{\"method\":\"info\",\"malformed\":true,\"count\":1}");
    assert_int_equal(rssp_info(c, &info, &st), RSSP_ERR_PROTOCOL);
    set_fault("{\"method\":\"info\",\"oversized\":true,\"count\":1}");
    assert_int_not_equal(rssp_info(c, &info, &st), RSSP_OK);
    set_fault("{\"method\":\"info\",\"truncated\":true,\"count\":1}");
    assert_int_not_equal(rssp_info(c, &info, &st), RSSP_OK);
    assert_int_equal(rssp_info(c, &info, &st), RSSP_OK);
    rssp_info_result_clear(&info);
    rssp_client_free(c);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_latency(void **state)
{
    (void)state;
    set_fault("{\"method\":\"info\",\"latencyMs\":300,\"count\":1}");
    double t0 = now_s();
    assert_int_equal(info_status(), 200);
    double t1 = now_s();
    assert_true(t1 - t0 >= 0.29);
    assert_int_equal(info_status(), 200);
    assert_true(now_s() - t1 < 0.29);
}

static void test_damaged_sign_answer_still_counts(void **state)
{
    (void)state;
    /* malformed/truncated/oversized: the call was handled, only the answer is lost */
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    rssp_authorize_request ar = {
        .credential_id = "10003", .num_signatures = 2, .authorize_code = "123456"};
    assert_int_equal(rssp_authorize(c, &ar, &sad, &st), RSSP_OK);
    unsigned char h[32];
    free(et_sha256_b64("lost answer", h));
    rssp_buf hb[2] = {{h, 32}, {h, 32}};
    rssp_sign_request sr = {.credential_id = "10003",
                            .sad = &sad,
                            .hash_alg = RSSP_HASH_SHA256,
                            .hashes = hb,
                            .n_hashes = 1,
                            .sign_algo_oid = "1.2.840.10045.2.1"};
    rssp_signatures sigs;
    set_fault("{\"method\":\"signatures/signHash\",\"truncated\":true,\"count\":1}");
    assert_int_not_equal(rssp_sign_hash(c, &sr, &sigs, &st), RSSP_OK);
    assert_true(st.maybe_sent);
    sr.n_hashes = 2;
    assert_int_equal(rssp_sign_hash(c, &sr, &sigs, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3016);
    sr.n_hashes = 1;
    assert_int_equal(rssp_sign_hash(c, &sr, &sigs, &st), RSSP_OK);
    rssp_signatures_clear(&sigs);
    rssp_sad_clear(&sad);
    rssp_client_free(c);
}

static void test_fault_flag_at_start(void **state)
{
    (void)state;
    et_stop(&env);
    const char *args[] = {"--fault", "info:httpStatus=503,count=1", "--fault",
                          "credentials/list:latencyMs=10", NULL};
    et_start(&env, args);
    assert_int_equal(info_status(), 503);
    assert_int_equal(info_status(), 200);
}

/* ---- persistence ---- */

static void restart(void)
{
    assert_int_equal(rssp_emu_restart(&env.emu, NULL), 0);
}

static void test_counters_survive_restart(void **state)
{
    (void)state;
    rssp_status st;
    rssp_sad sad = {0};
    rssp_client *alice = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_authorize_request bad = {
        .credential_id = "10001", .num_signatures = 1, .authorize_code = "111111"};
    assert_int_equal(rssp_authorize(alice, &bad, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(rssp_authorize(alice, &bad, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.remaining_counter, 3);
    rssp_client_free(alice);
    /* a locked owner */
    char *wrong = et_owner_header(&env, "erin", "wrong");
    const char *h[] = {wrong, NULL};
    for (int i = 0; i < 5; i++) {
        et_resp r;
        et_post(&env, "auth/login", h, "{\"relyingParty\":\"DEMO-RP\"}", &r);
        et_resp_clear(&r);
    }
    free(wrong);
    /* a used signing counter */
    rssp_client *dave = et_client(&env, "owners/dave.conf", NULL);
    rssp_authorize_request ar = {
        .credential_id = "40003", .num_signatures = 1, .authorize_code = "123456"};
    assert_int_equal(rssp_authorize(dave, &ar, &sad, &st), RSSP_OK);
    unsigned char hash[32];
    free(et_sha256_b64("counted", hash));
    rssp_buf hb = {hash, 32};
    rssp_sign_request sr = {.credential_id = "40003",
                            .sad = &sad,
                            .hash_alg = RSSP_HASH_SHA256,
                            .hashes = &hb,
                            .n_hashes = 1,
                            .sign_algo_oid = "1.2.840.113549.1.1.1"};
    rssp_signatures sigs;
    assert_int_equal(rssp_sign_hash(dave, &sr, &sigs, &st), RSSP_OK);
    rssp_signatures_clear(&sigs);
    rssp_sad_clear(&sad);
    rssp_client_free(dave);
    /* an outstanding OTP and an assignment */
    rssp_client *bob = et_client(&env, "owners/bob.conf", NULL);
    assert_int_equal(rssp_send_otp(bob, "20001", NULL, NULL, &st), RSSP_OK);
    rssp_client_free(bob);
    char otp[7];
    assert_int_equal(rssp_emu_last_otp(&env.emu, "20001", otp), 0);
    rssp_client *rp = et_client(&env, "rp-only.conf", NULL);
    assert_int_equal(
        rssp_owner_assign(rp, "DEMO#UNASSIGNED-0001", et_owner(&env, "grace", "uuid"), &st),
        RSSP_OK);
    rssp_client_free(rp);

    restart();

    struct stat sb;
    char path[PATH_MAX];
    rssp_emu_path(&env.emu, "state.json", path, sizeof(path));
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    alice = et_client(&env, "rssp-pkcs11.conf", NULL);
    assert_int_equal(rssp_authorize(alice, &bad, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3011);
    assert_int_equal(st.remaining_counter, 2);
    rssp_sad_clear(&sad);
    /* the old SAD was session state: it is gone with the restart */
    rssp_client_free(alice);
    char *good = et_owner_header(&env, "erin", NULL);
    const char *hg[] = {good, NULL};
    et_resp r;
    et_post(&env, "auth/login", hg, "{\"relyingParty\":\"DEMO-RP\"}", &r);
    assert_int_equal(et_code(&r), 3002);
    et_resp_clear(&r);
    free(good);
    dave = et_client(&env, "owners/dave.conf", NULL);
    rssp_credential k;
    assert_int_equal(rssp_credentials_info(dave, "40003", RSSP_CERTS_NONE, false, false, &k, &st),
                     RSSP_OK);
    rssp_credential_clear(&k);
    rssp_credential_list l;
    rssp_list_request lr = {0};
    assert_int_equal(rssp_credentials_list(dave, &lr, &l, &st), RSSP_OK);
    for (size_t i = 0; i < l.count; i++) {
        if (strcmp(l.items[i].credential_id, "40003") == 0)
            assert_int_equal(l.items[i].remaining_signing_counter, 2);
    }
    rssp_credential_list_clear(&l);
    rssp_client_free(dave);
    bob = et_client(&env, "owners/bob.conf", NULL);
    rssp_authorize_request or
        = {.credential_id = "20001", .num_signatures = 1, .authorize_code = otp};
    assert_int_equal(rssp_authorize(bob, & or, &sad, &st), RSSP_OK);
    rssp_sad_clear(&sad);
    rssp_client_free(bob);
    rssp_client *grace = et_client(&env, "owners/grace.conf", NULL);
    assert_int_equal(rssp_credentials_list(grace, &lr, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 1);
    rssp_credential_list_clear(&l);
    rssp_client_free(grace);
}

static void test_tokens_end_with_restart(void **state)
{
    (void)state;
    char *token = et_login(&env, "alice", false, NULL);
    restart();
    char *b = et_bearer(token);
    const char *h[] = {b, NULL};
    et_resp r;
    et_post(&env, "credentials/list", h, "{}", &r);
    assert_int_equal(et_code(&r), 3006);
    et_resp_clear(&r);
    free(b);
    free(token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_http_status_for_next_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_code_drop_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_sign_answer_still_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_flag_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_survive_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_end_with_restart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
