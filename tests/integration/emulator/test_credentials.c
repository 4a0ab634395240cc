/* credentials/list, credentials/info (§2.4, §2.5, §1.7) and owner/list, owner/assign (§2.10,
 * §2.11). */
#include "emu_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"

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

static int raw(const char *owner, const char *method, const char *body, et_resp *keep)
{
    char *token = et_login(&env, owner, false, NULL);
    char *bearer = et_bearer(token);
    const char *h[] = {bearer, NULL};
    et_resp r;
    et_post(&env, method, h, body, &r);
    int code = et_code(&r);
    if (keep != NULL)
        *keep = r;
    else
        et_resp_clear(&r);
    free(bearer);
    free(token);
    return code;
}

static void test_list_as_owner(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_credential_list l;
    rssp_status st;
    rssp_list_request req = {.certificate_info = true, .certificates = RSSP_CERTS_CHAIN};
    assert_int_equal(rssp_credentials_list(c, &req, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 4);
    static const char *const ids[] = {"10001", "10002", "10003", "10004"};
    for (size_t i = 0; i < 4; i++) {
        rssp_credential *k = &l.items[i];
        assert_string_equal(k->credential_id, ids[i]); /* sorted */
        assert_string_equal(k->status, "valid");
        assert_int_equal(strlen(k->thumbprint), 64);
        assert_int_equal(k->n_certificates, 2); /* end entity, then the issuing CA */
        assert_int_equal(k->remaining_signing_counter, -1);
        assert_int_equal(k->version, 1);
        assert_non_null(strstr(k->subject_dn, "CN=Alice Nguyen"));
        assert_non_null(strstr(k->issuer_dn, "CN=RSSP Emulator Issuing CA"));
        assert_int_equal(strlen(k->valid_from), 15);
        assert_int_equal(k->num_signatures, i % 2 == 0 ? 100 : 10);
        /* the thumbprint is the SHA-256 of the certificate */
        unsigned char md[32];
        char hex[65];
        assert_int_equal(
            rssp_digest(RSSP_HASH_SHA256, k->certificates[0].data, k->certificates[0].len, md),
            RSSP_CRYPTO_OK);
        for (int b = 0; b < 32; b++)
            snprintf(hex + 2 * b, 3, "%02x", md[b]);
        assert_string_equal(hex, k->thumbprint);
    }
    rssp_credential_list_clear(&l);
    rssp_client_free(c);
}

static void test_list_filters_and_raw_fields(void **state)
{
    (void)state;
    et_resp r;
    assert_int_equal(raw("dave", "credentials/list",
                         "{\"searchConditions\":{\"certificateStatus\":\"GOOD\"}}", &r),
                     0);
    const cJSON *certs = cJSON_GetObjectItem(r.json, "certificates");
    assert_int_equal(cJSON_GetArraySize(certs), 1);
    const cJSON *only = cJSON_GetArrayItem(certs, 0);
    assert_string_equal(cJSON_GetObjectItem(only, "credentialID")->valuestring, "40003");
    assert_int_equal(cJSON_GetObjectItem(only, "certificateID")->valueint, 40003);
    assert_int_equal(cJSON_GetObjectItem(only, "remainingSigningCounter")->valueint, 3);
    assert_null(cJSON_GetObjectItem(only, "certificates")); /* not asked for */
    et_resp_clear(&r);
    assert_int_equal(raw("dave", "credentials/list",
                         "{\"searchConditions\":{\"certificateStatus\":\"REVOKED\","
                         "\"cetificatePurpose\":\"SIGNATURE\"}}",
                         &r),
                     0);
    certs = cJSON_GetObjectItem(r.json, "certificates");
    assert_int_equal(cJSON_GetArraySize(certs), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(certs, 0), "status")->valuestring,
                        "revoked");
    et_resp_clear(&r);
    assert_int_equal(raw("dave", "credentials/list", "{}", &r), 0);
    certs = cJSON_GetObjectItem(r.json, "certificates");
    assert_int_equal(cJSON_GetArraySize(certs), 3);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(certs, 1), "status")->valuestring,
                        "expired");
    et_resp_clear(&r);
    /* an owner without credentials: an empty list is a success */
    assert_int_equal(raw("grace", "credentials/list", "{}", &r), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "certificates")), 0);
    et_resp_clear(&r);
}

static void test_agreement_rules_3007(void **state)
{
    (void)state;
    /* relying-party principal: agreementUUID required, its own only */
    assert_int_equal(raw(NULL, "credentials/list", "{}", NULL), 3007);
    assert_int_equal(raw(NULL, "credentials/list", "{\"agreementUUID\":\"NOPE\"}", NULL), 3007);
    assert_int_equal(raw(NULL, "credentials/list", "{\"agreementUUID\":\"OTHER#0001\"}", NULL),
                     3007);
    et_resp r;
    assert_int_equal(raw(NULL, "credentials/list", "{\"agreementUUID\":\"DEMO#BOB-0001\"}", &r), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "certificates")), 3);
    et_resp_clear(&r);
    assert_int_equal(raw(NULL, "credentials/info",
                         "{\"credentialID\":\"10001\",\"agreementUUID\":"
                         "\"DEMO#BOB-0001\"}",
                         NULL),
                     3008);
    assert_int_equal(raw(NULL, "credentials/info",
                         "{\"credentialID\":\"10001\",\"agreementUUID\":"
                         "\"DEMO#ALICE-0001\"}",
                         NULL),
                     0);
    /* owner principal: another owner's agreement */
    assert_int_equal(
        raw("alice", "credentials/list", "{\"agreementUUID\":\"DEMO#BOB-0001\"}", NULL), 3007);
    assert_int_equal(
        raw("alice", "credentials/list", "{\"agreementUUID\":\"DEMO#ALICE-0001\"}", NULL), 0);
    /* the client library with the RP-only configuration */
    rssp_client *c = et_client(&env, "rp-only.conf", NULL);
    rssp_credential_list l;
    rssp_status st;
    rssp_list_request req = {0};
    assert_int_equal(rssp_credentials_list(c, &req, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 4);
    rssp_credential_list_clear(&l);
    rssp_client_free(c);
}

static void test_info_and_identifiers(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_credential k;
    rssp_status st;
    assert_int_equal(rssp_credentials_info(c, "10004", RSSP_CERTS_CHAIN, true, true, &k, &st),
                     RSSP_OK);
    assert_true(k.has_auth_info);
    assert_string_equal(k.auth_mode, "EXPLICIT/PIN");
    assert_int_equal(k.n_auth_modes_supported, 1);
    assert_int_equal(k.scal, 2);
    assert_int_equal(k.key_len, 384);
    assert_string_equal(k.key_curve_oid, "1.3.132.0.34");
    assert_string_equal(k.authorization_phone, "0912***678");
    assert_string_equal(k.authorization_email, "a***@example.vn");
    assert_int_equal(k.n_certificates, 2);
    char thumb[65];
    snprintf(thumb, sizeof(thumb), "%s", k.thumbprint);
    rssp_credential_clear(&k);
    assert_int_equal(rssp_credentials_info(c, "20001", RSSP_CERTS_NONE, false, false, &k, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3008); /* bob's, invisible to alice */
    assert_int_equal(rssp_credentials_info(c, "99999", RSSP_CERTS_NONE, false, false, &k, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3008);
    rssp_client_free(c);

    /* the other identifier forms name the same credential */
    char body[256];
    et_resp r;
    for (char *p = thumb; *p != '\0'; p++)
        *p = (char)((*p >= 'a' && *p <= 'f') ? *p - 32 : *p); /* upper case is fine */
    snprintf(body, sizeof(body), "{\"thumbprint\":\"%s\",\"certificates\":\"none\"}", thumb);
    assert_int_equal(raw("alice", "credentials/info", body, &r), 0);
    const cJSON *cert = cJSON_GetObjectItem(r.json, "certificate");
    assert_null(cJSON_GetObjectItem(cert, "certificates"));
    assert_int_equal(cJSON_GetObjectItem(r.json, "SCAL")->valueint, 2);
    et_resp_clear(&r);
    assert_int_equal(raw("alice", "credentials/info", "{\"certificateID\":10003}", &r), 0);
    cert = cJSON_GetObjectItem(r.json, "certificate");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cert, "certificates")), 1); /* single */
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "key"), "curve")->valuestring,
        "1.2.840.10045.3.1.7");
    et_resp_clear(&r);
    assert_int_equal(raw("alice", "credentials/info",
                         "{\"credentialID\":\"10003\",\"certificateID\":\"10003\"}", NULL),
                     0);
    assert_int_equal(raw("alice", "credentials/info",
                         "{\"credentialID\":\"10003\",\"certificateID\":\"99999\"}", NULL),
                     3100);
}

static void test_owner_list(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rp-only.conf", NULL);
    rssp_owner_list l;
    rssp_status st;
    rssp_owner_query q = {0};
    assert_int_equal(rssp_owner_list_call(c, &q, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 7);
    assert_int_equal(l.record_total, 7);
    assert_string_equal(l.items[0].username, "alice"); /* sorted */
    assert_string_equal(l.items[6].username, "grace");
    rssp_owner_list_clear(&l);
    q.personal_id = "079123456789";
    assert_int_equal(rssp_owner_list_call(c, &q, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.items[0].full_name, "Alice Nguyen");
    assert_string_equal(l.items[0].owner_uuid, "6f0c2a4e-1b7d-4a7e-9d55-2f6f3f7a9c10");
    assert_string_equal(l.items[0].phone, "0912***678");
    rssp_owner_list_clear(&l);
    q = (rssp_owner_query){.page_number = 2, .record_count = 3};
    assert_int_equal(rssp_owner_list_call(c, &q, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 3);
    assert_int_equal(l.current_page, 2);
    assert_string_equal(l.items[0].username, "dave");
    rssp_owner_list_clear(&l);
    rssp_client_free(c);
    assert_int_equal(raw(NULL, "owner/list", "{\"recordCount\":101}", NULL), 3100);
    assert_int_equal(raw(NULL, "owner/list", "{\"pageNumber\":0}", NULL), 3100);
    /* an owner principal may not */
    assert_int_equal(raw("alice", "owner/list", "{}", NULL), 3024);
    assert_int_equal(raw("alice", "owner/assign",
                         "{\"agreementUUID\":\"DEMO#UNASSIGNED-0001\",\"ownerUUID\":\"x\"}", NULL),
                     3024);
}

static void test_owner_assign(void **state)
{
    (void)state;
    const char *grace = et_owner(&env, "grace", "uuid");
    const char *bob = et_owner(&env, "bob", "uuid");
    rssp_client *rp = et_client(&env, "rp-only.conf", NULL);
    rssp_status st;
    assert_int_equal(rssp_owner_assign(rp, "DEMO#UNASSIGNED-0001", grace, &st), RSSP_OK);
    assert_int_equal(rssp_owner_assign(rp, "DEMO#UNASSIGNED-0001", grace, &st), RSSP_OK);
    assert_int_equal(rssp_owner_assign(rp, "DEMO#UNASSIGNED-0001", bob, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3025);
    assert_int_equal(rssp_owner_assign(rp, "DEMO#UNASSIGNED-0001", "no-such-owner", &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3003);
    assert_int_equal(rssp_owner_assign(rp, "OTHER#0001", grace, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3007);
    rssp_client_free(rp);
    /* grace now sees and signs with the credential */
    rssp_client *g = et_client(&env, "owners/grace.conf", NULL);
    rssp_credential_list l;
    rssp_list_request req = {0};
    assert_int_equal(rssp_credentials_list(g, &req, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.items[0].credential_id, "50001");
    rssp_credential_list_clear(&l);
    rssp_authorize_request ar = {
        .credential_id = "50001", .num_signatures = 1, .authorize_code = "123456"};
    rssp_sad sad = {0};
    assert_int_equal(rssp_authorize(g, &ar, &sad, &st), RSSP_OK);
    unsigned char h[32];
    free(et_sha256_b64("assigned", h));
    rssp_buf hb = {h, 32};
    rssp_sign_request sr = {.credential_id = "50001",
                            .sad = &sad,
                            .hash_alg = RSSP_HASH_SHA256,
                            .hashes = &hb,
                            .n_hashes = 1,
                            .sign_algo_oid = "1.2.840.10045.2.1"};
    rssp_signatures sigs;
    assert_int_equal(rssp_sign_hash(g, &sr, &sigs, &st), RSSP_OK);
    assert_true(et_verify(&env, "50001", ET_ECDSA, RSSP_HASH_SHA256, h, 32, &sigs.items[0]));
    rssp_signatures_clear(&sigs);
    rssp_sad_clear(&sad);
    rssp_client_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_as_owner),
        cmocka_unit_test(test_list_filters_and_raw_fields),
        cmocka_unit_test(test_agreement_rules_3007),
        cmocka_unit_test(test_info_and_identifiers),
        cmocka_unit_test(test_owner_list),
        cmocka_unit_test(test_owner_assign),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
