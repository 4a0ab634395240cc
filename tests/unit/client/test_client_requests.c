/*
 * Request bodies of every method compared with the examples of
 * rssp-protocol.md §2 (field names, JSON types, canonical names only).
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
#include "client/codec_owner.h"
#include "client/codec_sign.h"
#include "client/json.h"
#include "crypto/crypto.h"
#include "test_util.h"

static const char *const example_hash_b64 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";

static void assert_json_equal(cJSON *built, const char *expected_text)
{
    cJSON *expected = tu_json(expected_text);
    if (!cJSON_Compare(built, expected, 1)) {
        char *b = cJSON_PrintUnformatted(built);
        print_error("built:    %s\nexpected: %s\n", b, expected_text);
        cJSON_free(b);
        fail();
    }
    cJSON_Delete(expected);
    rssp_json_delete(built);
}

static rssp_buf example_hash(void)
{
    rssp_buf h = {0};
    assert_int_equal(rssp_base64_decode(example_hash_b64, strlen(example_hash_b64), &h),
                     RSSP_CRYPTO_OK);
    assert_int_equal(h.len, 32);
    return h;
}

static void test_login(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common cm = {.language = "EN",
                          .relying_party = "DEMO-RP",
                          .agreement_uuid = "ignored-on-login",
                          .client_mac = "00:11"};
    cJSON *j = NULL;
    assert_int_equal(rssp_encode_login(&cm, true, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"relyingParty\":\"DEMO-RP\",\"rememberMe\":true,\"language\":\"EN\"}");
}

static void test_revoke(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common cm = {.language = "EN"};
    cJSON *j = NULL;
    assert_int_equal(rssp_encode_revoke(RSSP_TOKEN_SAD, "SAD-7hQ...", "84902", &cm, &j, &st),
                     RSSP_OK);
    assert_json_equal(j, "{\"tokenType\":2,\"token\":\"SAD-7hQ...\",\"credentialID\":\"84902\","
                         "\"language\":\"EN\"}");

    /* under an RP principal the SAD revocation names the agreement */
    cm.agreement_uuid = "FEC#201910281308";
    assert_int_equal(rssp_encode_revoke(RSSP_TOKEN_SAD, "SAD-1", "84902", &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"tokenType\":2,\"token\":\"SAD-1\",\"credentialID\":\"84902\","
                         "\"agreementUUID\":\"FEC#201910281308\",\"language\":\"EN\"}");
    /* access and refresh tokens: no credential, no agreement */
    assert_int_equal(rssp_encode_revoke(RSSP_TOKEN_REFRESH, "rt-1", NULL, &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"tokenType\":1,\"token\":\"rt-1\",\"language\":\"EN\"}");

    assert_int_equal(rssp_encode_revoke(RSSP_TOKEN_SAD, "SAD-1", NULL, &cm, &j, &st),
                     RSSP_ERR_ARGS);
    assert_int_equal(rssp_encode_revoke(RSSP_TOKEN_ACCESS, "", NULL, &cm, &j, &st), RSSP_ERR_ARGS);
    assert_int_equal(rssp_encode_revoke((rssp_token_type)7, "x", NULL, &cm, &j, &st),
                     RSSP_ERR_ARGS);
    assert_null(j);
}

static void test_list(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common cm = {.language = "EN", .agreement_uuid = "FEC#201910281308"};
    rssp_list_request req = {
        .certificate_status = "GOOD", .certificate_info = true, .certificates = RSSP_CERTS_CHAIN};
    cJSON *j = NULL;
    assert_int_equal(rssp_encode_list(&req, &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"agreementUUID\":\"FEC#201910281308\",\"searchConditions\":"
                         "{\"certificateStatus\":\"GOOD\"},\"certificateInfo\":true,"
                         "\"certificates\":\"chain\",\"language\":\"EN\"}");

    /* defaults; the purpose goes under its canonical spelling */
    cm.agreement_uuid = NULL;
    assert_int_equal(rssp_encode_list(NULL, &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"certificateInfo\":false,\"language\":\"EN\"}");
    rssp_list_request purpose = {.certificate_purpose = "SIGNATURE"};
    assert_int_equal(rssp_encode_list(&purpose, &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"searchConditions\":{\"certificatePurpose\":\"SIGNATURE\"},"
                         "\"certificateInfo\":false,\"language\":\"EN\"}");
}

static void test_credentials_info(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common cm = {.language = "EN"};
    cJSON *j = NULL;
    assert_int_equal(rssp_encode_credinfo("84902", RSSP_CERTS_CHAIN, true, true, &cm, &j, &st),
                     RSSP_OK);
    assert_json_equal(j,
                      "{\"credentialID\":\"84902\",\"certificates\":\"chain\","
                      "\"certificateInfo\":true,\"authenticationInfo\":true,\"language\":\"EN\"}");
    assert_int_equal(rssp_encode_credinfo(NULL, RSSP_CERTS_CHAIN, true, true, &cm, &j, &st),
                     RSSP_ERR_ARGS);
    assert_int_equal(rssp_encode_credinfo("84902", (rssp_certs_mode)9, true, true, &cm, &j, &st),
                     RSSP_ERR_ARGS);
}

static void test_send_otp(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common cm = {.language = "EN"};
    cJSON *j = NULL;
    assert_int_equal(
        rssp_encode_send_otp("84911", "Your signing code: {AuthorizeCode}", NULL, &cm, &j, &st),
        RSSP_OK);
    assert_json_equal(j, "{\"credentialID\":\"84911\",\"notificationTemplate\":"
                         "\"Your signing code: {AuthorizeCode}\",\"language\":\"EN\"}");
    cm.agreement_uuid = "A-1";
    assert_int_equal(rssp_encode_send_otp("84911", NULL, "Code", &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"credentialID\":\"84911\",\"notificationSubject\":\"Code\","
                         "\"agreementUUID\":\"A-1\",\"language\":\"EN\"}");
}

static void test_authorize(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common cm = {.language = "EN"};
    rssp_buf h = example_hash();
    rssp_authorize_request req = {
        .credential_id = "84902",
        .num_signatures = 1,
        .authorize_code = "123456",
        .hash_alg = RSSP_HASH_SHA256,
        .hashes = &h,
        .n_hashes = 1,
    };
    cJSON *j = NULL;
    assert_int_equal(rssp_encode_authorize(&req, &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"credentialID\":\"84902\",\"numSignatures\":1,\"authorizeCode\":"
                         "\"123456\",\"documentDigests\":{\"hashes\":"
                         "[\"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\"],"
                         "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"},\"language\":\"EN\"}");

    /* IMPLICIT, SCAL 1, with clientInfo and agreement */
    rssp_authorize_request implicit = {
        .credential_id = "84920",
        .num_signatures = 3,
        .sign_algo_oid = "1.2.840.113549.1.1.1",
        .notification_message = "Sign the contract?",
        .validity_period = 120,
    };
    cm.client_mac = "00:1A:2B:3C:4D:5E";
    cm.agreement_uuid = "A-1";
    assert_int_equal(rssp_encode_authorize(&implicit, &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"credentialID\":\"84920\",\"numSignatures\":3,"
                         "\"signAlgo\":\"1.2.840.113549.1.1.1\","
                         "\"notificationMessage\":\"Sign the contract?\",\"validityPeriod\":120,"
                         "\"agreementUUID\":\"A-1\",\"clientInfo\":{\"macAddr\":"
                         "\"00:1A:2B:3C:4D:5E\"},\"language\":\"EN\"}");

    /* argument checks */
    req.num_signatures = 2; /* SCAL 2 needs as many hashes */
    assert_int_equal(rssp_encode_authorize(&req, &cm, &j, &st), RSSP_ERR_ARGS);
    req.num_signatures = 0;
    assert_int_equal(rssp_encode_authorize(&req, &cm, &j, &st), RSSP_ERR_ARGS);
    req.num_signatures = 1;
    req.hash_alg = RSSP_HASH_SHA384; /* 32 bytes is not a SHA-384 */
    assert_int_equal(rssp_encode_authorize(&req, &cm, &j, &st), RSSP_ERR_ARGS);
    implicit.validity_period = 301;
    assert_int_equal(rssp_encode_authorize(&implicit, &cm, &j, &st), RSSP_ERR_ARGS);
    assert_null(j);
    rssp_buf_clear(&h);
}

static void test_extend(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common cm = {.language = "EN"};
    cJSON *j = NULL;
    assert_int_equal(
        rssp_encode_extend("84902", "SAD-7hQ...", RSSP_HASH_NONE, NULL, 0, &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"credentialID\":\"84902\",\"SAD\":\"SAD-7hQ...\",\"language\":\"EN\"}");

    rssp_buf h = example_hash();
    cm.client_mac = "m";
    assert_int_equal(rssp_encode_extend("84902", "S", RSSP_HASH_SHA256, &h, 1, &cm, &j, &st),
                     RSSP_OK);
    assert_json_equal(j, "{\"credentialID\":\"84902\",\"SAD\":\"S\",\"documentDigests\":"
                         "{\"hashes\":[\"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\"],"
                         "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"},"
                         "\"clientInfo\":{\"macAddr\":\"m\"},\"language\":\"EN\"}");
    assert_int_equal(rssp_encode_extend("84902", NULL, RSSP_HASH_NONE, NULL, 0, &cm, &j, &st),
                     RSSP_ERR_ARGS);
    rssp_buf_clear(&h);
}

static void test_sign_hash(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common cm = {.language = "EN"};
    rssp_buf h = example_hash();
    rssp_sad sad = {.sad = "SAD-7hQ...", .entity_name = "emu-node-3"};
    rssp_sign_request req = {
        .credential_id = "84902",
        .sad = &sad,
        .hash_alg = RSSP_HASH_SHA256,
        .hashes = &h,
        .n_hashes = 1,
        .sign_algo_oid = "1.2.840.113549.1.1.1",
    };
    cJSON *j = NULL;
    assert_int_equal(rssp_encode_sign_hash(&req, &cm, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"credentialID\":\"84902\",\"SAD\":\"SAD-7hQ...\","
                         "\"documentDigests\":{\"hashes\":"
                         "[\"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\"],"
                         "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"},"
                         "\"signAlgo\":\"1.2.840.113549.1.1.1\",\"language\":\"EN\"}");

    /* PSS parameters go as Base64 of the DER given (§2.9 example) */
    rssp_buf params = {0};
    assert_int_equal(rssp_pss_params_encode(RSSP_HASH_SHA256, RSSP_HASH_SHA256, 32, &params),
                     RSSP_CRYPTO_OK);
    req.sign_algo_oid = "1.2.840.113549.1.1.10";
    req.sign_algo_params = params.data;
    req.sign_algo_params_len = params.len;
    cm.client_mac = "m";
    cm.agreement_uuid = "A-1";
    assert_int_equal(rssp_encode_sign_hash(&req, &cm, &j, &st), RSSP_OK);
    assert_json_equal(
        j, "{\"credentialID\":\"84902\",\"SAD\":\"SAD-7hQ...\","
           "\"documentDigests\":{\"hashes\":"
           "[\"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\"],"
           "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"},"
           "\"signAlgo\":\"1.2.840.113549.1.1.10\",\"signAlgoParams\":"
           "\"MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg\","
           "\"agreementUUID\":\"A-1\",\"clientInfo\":{\"macAddr\":\"m\"},"
           "\"language\":\"EN\"}");
    rssp_buf_clear(&params);

    req.n_hashes = 0;
    assert_int_equal(rssp_encode_sign_hash(&req, &cm, &j, &st), RSSP_ERR_ARGS);
    req.n_hashes = 1;
    req.sad = NULL;
    assert_int_equal(rssp_encode_sign_hash(&req, &cm, &j, &st), RSSP_ERR_ARGS);
    assert_null(j);
    rssp_buf_clear(&h);
}

/* rssp_write_sign_hash writes, byte for byte, what the tree prints. */
static void assert_writer_matches(const rssp_sign_request *req, const rssp_req_common *cm)
{
    rssp_status st;
    cJSON *j = NULL;
    char *printed = NULL, *written = NULL;
    size_t printed_len = 0, written_len = 0;
    assert_int_equal(rssp_encode_sign_hash(req, cm, &j, &st), RSSP_OK);
    assert_int_equal(rssp_json_print(j, &printed, &printed_len, &st), RSSP_OK);
    assert_int_equal(rssp_write_sign_hash(req, cm, &written, &written_len, &st), RSSP_OK);
    assert_string_equal(written, printed);
    assert_int_equal(written_len, printed_len);
    rssp_json_text_free(printed);
    rssp_json_text_free(written);
    rssp_json_delete(j);
}

static void test_sign_hash_writer(void **state)
{
    (void)state;
    rssp_status st;
    rssp_buf h[3] = {example_hash(), example_hash(), example_hash()};
    rssp_sad sad = {.sad = "SAD-7hQ..."};
    rssp_sign_request req = {
        .credential_id = "84902",
        .sad = &sad,
        .hash_alg = RSSP_HASH_SHA256,
        .hashes = h,
        .n_hashes = 1,
        .sign_algo_oid = "1.2.840.113549.1.1.1",
    };
    rssp_req_common cm = {.language = "EN"};
    assert_writer_matches(&req, &cm);
    req.n_hashes = 3;
    cm.client_mac = "00:11:22:33:44:55";
    cm.agreement_uuid = "DEMO#ALICE-0001";
    unsigned char params[] = {0x30, 0x00};
    req.sign_algo_params = params;
    req.sign_algo_params_len = sizeof params;
    assert_writer_matches(&req, &cm);
    /* Everything that must be escaped, and bytes above 0x7f that must not be. */
    req.credential_id = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9";
    sad.sad = "\"\"\\";
    cm.language = "\x10";
    assert_writer_matches(&req, &cm);

    char *text = NULL;
    size_t len = 0;
    req.n_hashes = 0;
    assert_int_equal(rssp_write_sign_hash(&req, &cm, &text, &len, &st), RSSP_ERR_ARGS);
    req.n_hashes = 1;
    h[0].len = 31;
    assert_int_equal(rssp_write_sign_hash(&req, &cm, &text, &len, &st), RSSP_ERR_ARGS);
    h[0].len = 32;
    req.sad = NULL;
    assert_int_equal(rssp_write_sign_hash(&req, &cm, &text, &len, &st), RSSP_ERR_ARGS);
    assert_null(text);
    for (int i = 0; i < 3; i++)
        rssp_buf_clear(&h[i]);
}

static void test_owner(void **state)
{
    (void)state;
    rssp_status st;
    rssp_req_common none = {0};
    rssp_owner_query q = {.personal_id = "079123456789", .page_number = 1, .record_count = 20};
    cJSON *j = NULL;
    assert_int_equal(rssp_encode_owner_list(&q, &none, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"searchConditions\":{\"personalID\":\"079123456789\"},"
                         "\"pageNumber\":1,\"recordCount\":20}");
    rssp_owner_query by_uuid = {.owner_uuid = "u-1", .username = "alice"};
    rssp_req_common en = {.language = "EN"};
    assert_int_equal(rssp_encode_owner_list(&by_uuid, &en, &j, &st), RSSP_OK);
    assert_json_equal(j, "{\"searchConditions\":{\"username\":\"alice\"},\"ownerUUID\":\"u-1\","
                         "\"pageNumber\":1,\"language\":\"EN\"}");
    q.record_count = 101;
    assert_int_equal(rssp_encode_owner_list(&q, &none, &j, &st), RSSP_ERR_ARGS);

    rssp_req_common rp = {.relying_party = "DEMO-RP"};
    assert_int_equal(rssp_encode_owner_assign("FEC#201910281308",
                                              "6f0c2a4e-1b7d-4a7e-9d55-2f6f3f7a9c10", &rp, &j, &st),
                     RSSP_OK);
    assert_json_equal(j, "{\"relyingParty\":\"DEMO-RP\",\"agreementUUID\":\"FEC#201910281308\","
                         "\"ownerUUID\":\"6f0c2a4e-1b7d-4a7e-9d55-2f6f3f7a9c10\"}");
    assert_int_equal(rssp_encode_owner_assign(NULL, "u", &rp, &j, &st), RSSP_ERR_ARGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_revoke),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_credentials_info),
        cmocka_unit_test(test_send_otp),
        cmocka_unit_test(test_authorize),
        cmocka_unit_test(test_extend),
        cmocka_unit_test(test_sign_hash),
        cmocka_unit_test(test_sign_hash_writer),
        cmocka_unit_test(test_owner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
