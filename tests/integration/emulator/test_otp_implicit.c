/* credentials/sendOTP with the outbox (§2.6) and IMPLICIT approvals (§2.7 rule 5). */
#include "emu_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"

/* A fresh emulator per test. */
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

static rssp_err authorize(rssp_client *c, const char *id, const char *code, rssp_sad *sad,
                          rssp_status *st)
{
    rssp_authorize_request req = {.credential_id = id, .num_signatures = 1, .authorize_code = code};
    return rssp_authorize(c, &req, sad, st);
}

static void sign_and_verify(rssp_client *c, const char *id, const rssp_sad *sad, const char *algo,
                            et_scheme scheme)
{
    unsigned char h[32];
    char *b64 = et_sha256_b64("otp/implicit document", h);
    free(b64);
    rssp_buf hb = {h, 32};
    rssp_sign_request req = {.credential_id = id,
                             .sad = sad,
                             .hash_alg = RSSP_HASH_SHA256,
                             .hashes = &hb,
                             .n_hashes = 1,
                             .sign_algo_oid = algo};
    rssp_signatures sigs;
    rssp_status st;
    assert_int_equal(rssp_sign_hash(c, &req, &sigs, &st), RSSP_OK);
    assert_true(et_verify(&env, id, scheme, RSSP_HASH_SHA256, h, 32, &sigs.items[0]));
    rssp_signatures_clear(&sigs);
}

static void test_otp_sms_flow(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "owners/bob.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    char otp[7], *outbox = NULL;
    /* no OTP requested yet */
    assert_int_equal(authorize(c, "20001", "123456", &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3013);
    assert_int_equal(authorize(c, "20001", NULL, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3021);
    assert_int_equal(rssp_send_otp(c, "20001", "Code {AuthorizeCode} for signing", NULL, &st),
                     RSSP_OK);
    assert_int_equal(rssp_emu_last_otp(&env.emu, "20001", otp), 0);
    assert_int_equal(rssp_emu_admin(&env.emu, "GET", "outbox", NULL, &outbox), 200);
    cJSON *msgs = cJSON_Parse(outbox);
    const cJSON *m = cJSON_GetArrayItem(msgs, cJSON_GetArraySize(msgs) - 1);
    assert_string_equal(cJSON_GetObjectItem(m, "channel")->valuestring, "SMS");
    assert_string_equal(cJSON_GetObjectItem(m, "to")->valuestring, "0913000002");
    char text[64];
    snprintf(text, sizeof(text), "Code %s for signing", otp);
    assert_string_equal(cJSON_GetObjectItem(m, "text")->valuestring, text);
    cJSON_Delete(msgs);
    free(outbox);
    /* the outbox file has one JSON line per message */
    char path[PATH_MAX], line[1024];
    rssp_emu_path(&env.emu, "outbox", path, sizeof(path));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    assert_non_null(strstr(line, otp));
    /* wrong code counts like a wrong PIN */
    char wrong[16];
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(otp) + 1) % 1000000);
    assert_int_equal(authorize(c, "20001", wrong, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3011);
    assert_int_equal(st.remaining_counter, 4);
    assert_int_equal(authorize(c, "20001", otp, &sad, &st), RSSP_OK);
    sign_and_verify(c, "20001", &sad, "1.2.840.113549.1.1.1", ET_PKCS1);
    rssp_sad_clear(&sad);
    /* single use */
    assert_int_equal(authorize(c, "20001", otp, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3013);
    rssp_client_free(c);
}

static void test_otp_email_and_replacement(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "owners/bob.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    char first[7], second[7];
    unsigned char h[32];
    char *b64 = et_sha256_b64("otp/implicit document", h);
    free(b64);
    /* e-mail needs a subject */
    assert_int_equal(rssp_send_otp(c, "20002", NULL, NULL, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3100);
    assert_int_equal(rssp_send_otp(c, "20002", NULL, "Your code", &st), RSSP_OK);
    assert_int_equal(rssp_emu_last_otp(&env.emu, "20002", first), 0);
    assert_int_equal(rssp_send_otp(c, "20002", NULL, "Your code", &st), RSSP_OK);
    assert_int_equal(rssp_emu_last_otp(&env.emu, "20002", second), 0);
    rssp_buf hb = {h, 32};
    rssp_authorize_request req = {.credential_id = "20002",
                                  .num_signatures = 1,
                                  .hash_alg = RSSP_HASH_SHA256,
                                  .hashes = &hb,
                                  .n_hashes = 1};
    if (strcmp(first, second) != 0) { /* a new OTP replaces the older one */
        req.authorize_code = first;
        assert_int_equal(rssp_authorize(c, &req, &sad, &st), RSSP_ERR_SERVICE);
        assert_int_equal(st.response_code, 3011);
    }
    req.authorize_code = second;
    assert_int_equal(rssp_authorize(c, &req, &sad, &st), RSSP_OK);
    sign_and_verify(c, "20002", &sad, "1.2.840.10045.2.1", ET_ECDSA);
    rssp_sad_clear(&sad);
    /* OTP-MOBILE is not offered; sendOTP on it does not fit its mode */
    assert_int_equal(authorize(c, "20003", "123456", &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3101);
    assert_int_equal(rssp_send_otp(c, "20003", NULL, NULL, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3021);
    rssp_client_free(c);
    /* a PIN credential takes no OTP */
    c = et_client(&env, "rssp-pkcs11.conf", NULL);
    assert_int_equal(rssp_send_otp(c, "10001", NULL, NULL, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3021);
    rssp_client_free(c);
}

/* ---- IMPLICIT ---- */

typedef struct {
    rssp_client *c;
    const char *id;
    int validity;
    atomic_int cancel;
    rssp_err err;
    rssp_status st;
    rssp_sad sad;
} held;

static void *authorize_thread(void *arg)
{
    held *h = arg;
    rssp_authorize_request req = {.credential_id = h->id,
                                  .num_signatures = 1,
                                  .notification_message = "Sign the contract?",
                                  .validity_period = h->validity,
                                  .cancel = &h->cancel};
    h->err = rssp_authorize(h->c, &req, &h->sad, &h->st);
    return NULL;
}

static int pending_count(void)
{
    char *text = NULL;
    assert_int_equal(rssp_emu_admin(&env.emu, "GET", "pending", NULL, &text), 200);
    cJSON *j = cJSON_Parse(text);
    int n = cJSON_GetArraySize(j);
    cJSON_Delete(j);
    free(text);
    return n;
}

static void wait_pending(int n)
{
    for (int i = 0; i < 500 && pending_count() != n; i++)
        usleep(10 * 1000);
    assert_int_equal(pending_count(), n);
}

static void test_implicit_approve_and_deny(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "owners/carol.conf", NULL);
    held h = {.c = c, .id = "30001"};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, authorize_thread, &h), 0);
    wait_pending(1);
    /* what the phone shows */
    char *text = NULL;
    assert_int_equal(rssp_emu_admin(&env.emu, "GET", "pending", NULL, &text), 200);
    assert_non_null(strstr(text, "Sign the contract?"));
    assert_non_null(strstr(text, "\"credentialID\":\"30001\""));
    free(text);
    /* a held request does not hold up others */
    et_resp r;
    et_post(&env, "info", NULL, "{}", &r);
    assert_int_equal(et_code(&r), 0);
    et_resp_clear(&r);
    assert_int_equal(rssp_emu_approve(&env.emu, "30001", true, 5), 0);
    pthread_join(t, NULL);
    assert_int_equal(h.err, RSSP_OK);
    sign_and_verify(c, "30001", &h.sad, "1.2.840.113549.1.1.11", ET_PKCS1);
    rssp_sad_clear(&h.sad);

    held d = {.c = c, .id = "30001"};
    assert_int_equal(pthread_create(&t, NULL, authorize_thread, &d), 0);
    assert_int_equal(rssp_emu_approve(&env.emu, "30001", false, 5), 0);
    pthread_join(t, NULL);
    assert_int_equal(d.err, RSSP_ERR_SERVICE);
    assert_int_equal(d.st.response_code, 3022);
    /* nothing pending: approve answers 404 */
    assert_int_equal(
        rssp_emu_admin(&env.emu, "POST", "approve", "{\"credentialID\":\"30001\"}", NULL), 404);
    rssp_client_free(c);
}

static void test_implicit_timeout_and_supersede(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "owners/carol.conf", NULL);
    pthread_t t1, t2;
    held a = {.c = c, .id = "30001", .validity = 1};
    struct timespec t0, tn;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    authorize_thread(&a);
    clock_gettime(CLOCK_MONOTONIC, &tn);
    assert_int_equal(a.err, RSSP_ERR_SERVICE);
    assert_int_equal(a.st.response_code, 3036);
    assert_true(tn.tv_sec - t0.tv_sec >= 1 || tn.tv_nsec >= t0.tv_nsec);

    held older = {.c = c, .id = "30001"}, newer = {.c = c, .id = "30001"};
    assert_int_equal(pthread_create(&t1, NULL, authorize_thread, &older), 0);
    wait_pending(1);
    assert_int_equal(pthread_create(&t2, NULL, authorize_thread, &newer), 0);
    pthread_join(t1, NULL); /* the newer request cancels the older */
    assert_int_equal(older.err, RSSP_ERR_SERVICE);
    assert_int_equal(older.st.response_code, 3036);
    assert_int_equal(rssp_emu_approve(&env.emu, "30001", true, 5), 0);
    pthread_join(t2, NULL);
    assert_int_equal(newer.err, RSSP_OK);
    rssp_sad_clear(&newer.sad);
    rssp_client_free(c);
}

static void test_implicit_cancel_by_closing(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "owners/carol.conf", NULL);
    held h = {.c = c, .id = "30001"};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, authorize_thread, &h), 0);
    wait_pending(1);
    atomic_store(&h.cancel, 1);
    pthread_join(t, NULL);
    assert_int_equal(h.err, RSSP_ERR_CANCELLED);
    /* the server saw the connection close and dropped the approval */
    wait_pending(0);
    assert_int_equal(
        rssp_emu_admin(&env.emu, "POST", "approve", "{\"credentialID\":\"30001\"}", NULL), 404);
    rssp_client_free(c);
}

static void test_implicit_without_phone_app_3213(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "owners/frank.conf", NULL);
    held h = {.c = c, .id = "70001"};
    authorize_thread(&h);
    assert_int_equal(h.err, RSSP_ERR_SERVICE);
    assert_int_equal(h.st.response_code, 3213);
    rssp_client_free(c);
}

static void test_auto_approve(void **state)
{
    (void)state;
    et_env e2;
    const char *args[] = {"--auto-approve-ms", "50", NULL};
    et_stop(&env);
    et_start(&e2, args);
    env = e2;
    rssp_client *c = et_client(&env, "owners/carol.conf", NULL);
    held h = {.c = c, .id = "30002"};
    unsigned char hash[32];
    free(et_sha256_b64("otp/implicit document", hash));
    rssp_buf hb = {hash, 32};
    rssp_authorize_request req = {.credential_id = "30002",
                                  .num_signatures = 1,
                                  .hash_alg = RSSP_HASH_SHA256,
                                  .hashes = &hb,
                                  .n_hashes = 1};
    assert_int_equal(rssp_authorize(c, &req, &h.sad, &h.st), RSSP_OK);
    sign_and_verify(c, "30002", &h.sad, "1.2.840.10045.4.3.2", ET_ECDSA);
    rssp_sad_clear(&h.sad);
    rssp_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_otp_sms_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_otp_email_and_replacement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_implicit_approve_and_deny, setup, teardown),
        cmocka_unit_test_setup_teardown(test_implicit_timeout_and_supersede, setup, teardown),
        cmocka_unit_test_setup_teardown(test_implicit_cancel_by_closing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_implicit_without_phone_app_3213, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auto_approve, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
