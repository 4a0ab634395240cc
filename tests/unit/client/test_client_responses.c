/*
 * Response parsing of every method from the examples of rssp-protocol.md §2,
 * the aliases of §1.8, info without envelope, the CSC error body, and the
 * mapping of responseCode with its counters to rssp_status.
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
#include "common/secmem.h"
#include "test_util.h"

/* Parse body as a 200 response with rules; expect the given outcome. */
static cJSON *parse_with(const char *body, const rssp_envelope_rules *rules, long http,
                         rssp_err expected, rssp_status *st)
{
    cJSON *root = NULL;
    rssp_status_reset(st);
    assert_int_equal(rssp_envelope_parse(body, strlen(body), http, rules, &root, st), expected);
    return root;
}

static cJSON *parse_ok(const char *body, rssp_status *st)
{
    rssp_envelope_rules rules = {0};
    cJSON *root = parse_with(body, &rules, 200, RSSP_OK, st);
    assert_non_null(root);
    return root;
}

static const char info_example[] =
    "{\"responseCode\":0,\"responseMessage\":\"Successfully\",\"billCode\":"
    "\"EMU-231114221320-1-000001\",\"version\":\"1.0.0\",\"name\":\"rssp-emulator\","
    "\"description\":\"Local RSSP for tests\",\"languages\":[\"EN\",\"VN\"],\"authTypes\":"
    "[\"SSL2\",\"Basic\"],\"methods\":[\"auth/login\",\"auth/revoke\",\"credentials/list\","
    "\"credentials/info\",\"credentials/sendOTP\",\"credentials/authorize\","
    "\"credentials/extendTransaction\",\"signatures/signHash\",\"owner/list\",\"owner/assign\"]}";

static void test_info(void **state)
{
    (void)state;
    rssp_status st;
    rssp_envelope_rules rules = {.accept_bare_info = true, .accept_1007 = true};
    cJSON *root = parse_with(info_example, &rules, 200, RSSP_OK, &st);
    assert_string_equal(st.bill_code, "EMU-231114221320-1-000001");
    rssp_info_result info;
    assert_int_equal(rssp_decode_info(root, &info, &st), RSSP_OK);
    assert_string_equal(info.version, "1.0.0");
    assert_string_equal(info.name, "rssp-emulator");
    assert_string_equal(info.description, "Local RSSP for tests");
    assert_int_equal(info.n_languages, 2);
    assert_string_equal(info.languages[1], "VN");
    assert_int_equal(info.n_auth_types, 2);
    assert_string_equal(info.auth_types[0], "SSL2");
    assert_int_equal(info.n_methods, 10);
    assert_string_equal(info.methods[7], "signatures/signHash");
    assert_false(rssp_info_uses_singular_sign_path(&info));
    rssp_info_result_clear(&info);
    rssp_info_result_clear(&info); /* twice is safe */
    rssp_json_delete(root);

    /* the seed's info sample has no envelope: accepted for info only */
    const char *bare = "{\"version\":\"1.0.0\",\"name\":\"RSSP\",\"languages\":[\"VN\"],"
                       "\"authTypes\":[\"SSL2\"],\"methods\":[\"signature/signHash\"]}";
    root = parse_with(bare, &rules, 200, RSSP_OK, &st);
    assert_int_equal(rssp_decode_info(root, &info, &st), RSSP_OK);
    assert_null(info.description);
    assert_true(rssp_info_uses_singular_sign_path(&info));
    rssp_info_result_clear(&info);
    rssp_json_delete(root);
    rssp_envelope_rules strict = {0};
    assert_null(parse_with(bare, &strict, 200, RSSP_ERR_PROTOCOL, &st));
    /* and not on a non-200 status */
    assert_null(parse_with(bare, &rules, 503, RSSP_ERR_TRANSPORT, &st));

    /* mandatory fields */
    root = parse_with("{\"responseCode\":0,\"version\":\"1\",\"name\":\"n\",\"languages\":[],"
                      "\"authTypes\":[]}",
                      &rules, 200, RSSP_OK, &st);
    assert_int_equal(rssp_decode_info(root, &info, &st), RSSP_ERR_PROTOCOL);
    assert_non_null(strstr(st.message, "methods"));
    assert_null(info.version);
    rssp_json_delete(root);
}

static void test_login(void **state)
{
    (void)state;
    rssp_status st;
    cJSON *root = parse_ok(
        "{\"responseCode\":0,\"responseMessage\":\"Successfully\",\"billCode\":"
        "\"DEMO-RP-231114221320-1-000002\",\"accessToken\":\"at-4Qz0...\",\"refreshToken\":"
        "\"rt-9Kd2...\",\"expiresIn\":3600,\"username\":\"alice\",\"ownerInfo\":{\"fullName\":"
        "\"Alice Nguyen\",\"phone\":\"0912***678\",\"email\":\"a***@example.vn\"}}",
        &st);
    assert_string_equal(st.message, "Successfully");
    assert_int_equal(st.response_code, 0);
    rssp_login_result r;
    assert_int_equal(rssp_decode_login(root, &r, &st), RSSP_OK);
    assert_string_equal(r.access_token, "at-4Qz0...");
    assert_string_equal(r.refresh_token, "rt-9Kd2...");
    assert_int_equal(r.expires_in, 3600);
    rssp_login_result_clear(&r);
    rssp_json_delete(root);

    root = parse_ok("{\"responseCode\":0,\"accessToken\":\"a\"}", &st);
    assert_int_equal(rssp_decode_login(root, &r, &st), RSSP_OK);
    assert_null(r.refresh_token);
    assert_int_equal(r.expires_in, 3600); /* the default */
    rssp_login_result_clear(&r);
    rssp_json_delete(root);

    root = parse_ok("{\"responseCode\":0,\"refreshToken\":\"r\"}", &st);
    assert_int_equal(rssp_decode_login(root, &r, &st), RSSP_ERR_PROTOCOL);
    assert_null(r.access_token);
    assert_null(r.refresh_token);
    rssp_json_delete(root);
}

static const char list_example[] =
    "{\"responseCode\":0,\"responseMessage\":\"Successfully\",\"billCode\":"
    "\"DEMO-RP-231114221322-1-000004\",\"certificates\":[{\"credentialID\":\"84902\","
    "\"certificateID\":84902,\"thumbprint\":\"3f1c...64 hex...\",\"status\":\"valid\","
    "\"issuerDN\":\"CN=Emulator CA,O=rssp-pkcs11,C=VN\",\"serialNumber\":"
    "\"5AAC41CD8FA22B953640\",\"subjectDN\":\"CN=Alice Nguyen,C=VN\",\"validFrom\":"
    "\"20240101000000Z\",\"validTo\":\"20270101000000Z\",\"certificateProfile\":{\"name\":"
    "\"PERS-RSA2048\",\"description\":\"Personal, RSA 2048\"},\"purpose\":\"SIGNATURE\","
    "\"numSignatures\":10,\"remainingSigningCounter\":-1,\"version\":1,"
    "\"certificates\":[\"MIIC\",\"MIIB\"]}]}";

static void test_list(void **state)
{
    (void)state;
    rssp_status st;
    cJSON *root = parse_ok(list_example, &st);
    rssp_credential_list l;
    assert_int_equal(rssp_decode_list(root, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 1);
    rssp_credential *c = &l.items[0];
    assert_string_equal(c->credential_id, "84902");
    assert_string_equal(c->thumbprint, "3f1c...64 hex...");
    assert_string_equal(c->status, "valid");
    assert_string_equal(c->issuer_dn, "CN=Emulator CA,O=rssp-pkcs11,C=VN");
    assert_string_equal(c->serial_number, "5AAC41CD8FA22B953640");
    assert_string_equal(c->subject_dn, "CN=Alice Nguyen,C=VN");
    assert_string_equal(c->valid_from, "20240101000000Z");
    assert_string_equal(c->valid_to, "20270101000000Z");
    assert_string_equal(c->purpose, "SIGNATURE");
    assert_int_equal(c->num_signatures, 10);
    assert_int_equal(c->remaining_signing_counter, -1);
    assert_int_equal(c->version, 1);
    assert_int_equal(c->n_certificates, 2);
    assert_int_equal(c->certificates[0].len, 3);
    assert_memory_equal(c->certificates[0].data, "\x30\x82\x02", 3);
    assert_false(c->has_auth_info);
    rssp_credential_list_clear(&l);
    rssp_credential_list_clear(&l);
    rssp_json_delete(root);

    /* v2 alias "certs", the seed's numeric certificateID, absent optional fields */
    root = parse_ok("{\"responseCode\":0,\"certs\":[{\"certificateID\":84911,\"thumbprint\":"
                    "\"ab\"},{\"thumbprint\":\"cd\",\"certs\":[\"MIIB\"]}]}",
                    &st);
    assert_int_equal(rssp_decode_list(root, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.items[0].credential_id, "84911");
    assert_int_equal(l.items[0].version, -1);
    assert_int_equal(l.items[0].remaining_signing_counter, -2);
    assert_int_equal(l.items[0].num_signatures, 0);
    assert_null(l.items[0].status);
    assert_string_equal(l.items[1].credential_id, "cd"); /* thumbprint as the identifier */
    assert_int_equal(l.items[1].n_certificates, 1);
    rssp_credential_list_clear(&l);
    rssp_json_delete(root);

    /* empty list is a success */
    root = parse_ok("{\"responseCode\":0,\"certificates\":[]}", &st);
    assert_int_equal(rssp_decode_list(root, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 0);
    assert_null(l.items);
    rssp_json_delete(root);

    /* an item without any identifier */
    root = parse_ok("{\"responseCode\":0,\"certificates\":[{\"status\":\"valid\"}]}", &st);
    assert_int_equal(rssp_decode_list(root, &l, &st), RSSP_ERR_PROTOCOL);
    assert_int_equal(l.count, 0);
    assert_null(l.items);
    rssp_json_delete(root);
}

static void test_credentials_info(void **state)
{
    (void)state;
    rssp_status st;
    cJSON *root = parse_ok(
        "{\"responseCode\":0,\"responseMessage\":\"Successfully\",\"billCode\":"
        "\"DEMO-RP-231114221323-1-000005\",\"certificate\":{\"status\":\"valid\","
        "\"certificates\":[\"MIIC\",\"MIIB\"],\"issuerDN\":\"CN=Emulator CA,O=rssp-pkcs11,C=VN\","
        "\"serialNumber\":\"5AAC41CD8FA22B953640\",\"thumbprint\":\"3f1c...64 hex...\","
        "\"subjectDN\":\"CN=Alice Nguyen,C=VN\",\"validFrom\":\"20240101000000Z\",\"validTo\":"
        "\"20270101000000Z\",\"certificateProfile\":{\"name\":\"PERS-RSA2048\",\"description\":"
        "\"Personal, RSA 2048\"},\"purpose\":\"SIGNATURE\"},\"sharedMode\":\"PRIVATE_MODE\","
        "\"createdRP\":\"DEMO-RP\",\"numSignatures\":10,\"authModeSupported\":[\"EXPLICIT/PIN\"],"
        "\"authMode\":\"EXPLICIT/PIN\",\"SCAL\":1,\"remainingSigningCounter\":-1,"
        "\"authorizationPhone\":\"0912***678\",\"authorizationEmail\":\"a***@example.vn\","
        "\"passphraseDefault\":false,\"key\":{\"algo\":[\"1.2.840.113549.1.1.1\"],\"len\":2048}}",
        &st);
    rssp_credential c;
    assert_int_equal(rssp_decode_credinfo(root, "84902", &c, &st), RSSP_OK);
    assert_string_equal(c.credential_id, "84902");
    assert_true(c.has_auth_info);
    assert_string_equal(c.status, "valid");
    assert_int_equal(c.n_certificates, 2);
    assert_string_equal(c.thumbprint, "3f1c...64 hex...");
    assert_string_equal(c.subject_dn, "CN=Alice Nguyen,C=VN");
    assert_string_equal(c.purpose, "SIGNATURE");
    assert_int_equal(c.num_signatures, 10);
    assert_int_equal(c.n_auth_modes_supported, 1);
    assert_string_equal(c.auth_modes_supported[0], "EXPLICIT/PIN");
    assert_string_equal(c.auth_mode, "EXPLICIT/PIN");
    assert_int_equal(c.scal, 1);
    assert_int_equal(c.remaining_signing_counter, -1);
    assert_string_equal(c.authorization_phone, "0912***678");
    assert_string_equal(c.authorization_email, "a***@example.vn");
    assert_string_equal(c.key_algo_oid, "1.2.840.113549.1.1.1");
    assert_int_equal(c.key_len, 2048);
    assert_null(c.key_curve_oid);
    rssp_credential_clear(&c);
    rssp_credential_clear(&c);
    rssp_json_delete(root);

    /* v2 aliases: cert, certs, authModes, multisign; SCAL absent = 1; EC key hints */
    root = parse_ok("{\"error\":0,\"cert\":{\"status\":\"valid\",\"certs\":[\"MIIC\"]},"
                    "\"multisign\":5,\"authModes\":[\"EXPLICIT/OTP-SMS\",\"IMPLICIT/TSE\"],"
                    "\"authMode\":\"EXPLICIT/OTP-SMS\",\"key\":{\"algo\":\"1.2.840.10045.2.1\","
                    "\"len\":256,\"curve\":\"1.2.840.10045.3.1.7\"}}",
                    &st);
    assert_int_equal(rssp_decode_credinfo(root, "7", &c, &st), RSSP_OK);
    assert_int_equal(c.n_certificates, 1);
    assert_int_equal(c.num_signatures, 5);
    assert_int_equal(c.n_auth_modes_supported, 2);
    assert_string_equal(c.auth_modes_supported[1], "IMPLICIT/TSE");
    assert_int_equal(c.scal, 1);
    assert_string_equal(c.key_algo_oid, "1.2.840.10045.2.1");
    assert_string_equal(c.key_curve_oid, "1.2.840.10045.3.1.7");
    rssp_credential_clear(&c);
    rssp_json_delete(root);

    /* mandatory authMode missing; SCAL out of range */
    root = parse_ok("{\"responseCode\":0,\"certificate\":{},\"numSignatures\":1,"
                    "\"authModeSupported\":[]}",
                    &st);
    assert_int_equal(rssp_decode_credinfo(root, "7", &c, &st), RSSP_ERR_PROTOCOL);
    assert_null(c.credential_id);
    rssp_json_delete(root);
    root = parse_ok("{\"responseCode\":0,\"certificate\":{},\"numSignatures\":1,"
                    "\"authModeSupported\":[],\"authMode\":\"EXPLICIT/PIN\",\"SCAL\":3}",
                    &st);
    assert_int_equal(rssp_decode_credinfo(root, "7", &c, &st), RSSP_ERR_PROTOCOL);
    rssp_json_delete(root);
}

static void test_send_otp(void **state)
{
    (void)state;
    rssp_status st;
    const char *body = "{\"responseCode\":1007,\"responseMessage\":\"Request accepted\","
                       "\"billCode\":\"DEMO-RP-231114221324-1-000006\"}";
    rssp_envelope_rules otp = {.accept_1007 = true};
    cJSON *root = parse_with(body, &otp, 200, RSSP_OK, &st);
    assert_int_equal(st.response_code, 0);
    assert_string_equal(st.bill_code, "DEMO-RP-231114221324-1-000006");
    rssp_json_delete(root);
    /* 1007 is no success elsewhere */
    rssp_envelope_rules other = {0};
    root = parse_with(body, &other, 200, RSSP_ERR_SERVICE, &st);
    assert_int_equal(st.response_code, 1007);
    rssp_json_delete(root);
}

static void test_authorize_and_extend(void **state)
{
    (void)state;
    rssp_status st;
    cJSON *root = parse_ok("{\"responseCode\":0,\"responseMessage\":\"Successfully\",\"billCode\":"
                           "\"DEMO-RP-231114221325-1-000007\",\"SAD\":\"SAD-7hQ...\","
                           "\"expiresIn\":300,\"remainingCounter\":5}",
                           &st);
    rssp_sad sad;
    assert_int_equal(rssp_decode_sad(root, &sad, &st), RSSP_OK);
    assert_string_equal(sad.sad, "SAD-7hQ...");
    assert_int_equal(sad.expires_in, 300);
    assert_int_equal(sad.remaining_counter, 5);
    assert_null(sad.entity_name);
    rssp_sad_clear(&sad);
    rssp_sad_clear(&sad);
    rssp_json_delete(root);

    root = parse_ok("{\"responseCode\":0,\"responseMessage\":\"Successfully\",\"billCode\":"
                    "\"DEMO-RP-231114221330-1-000009\",\"SAD\":\"SAD-c81...\",\"expiresIn\":300}",
                    &st);
    assert_int_equal(rssp_decode_sad(root, &sad, &st), RSSP_OK);
    assert_string_equal(sad.sad, "SAD-c81...");
    assert_int_equal(sad.remaining_counter, -1);
    rssp_sad_clear(&sad);
    rssp_json_delete(root);

    root = parse_ok("{\"responseCode\":0,\"SAD\":\"S\"}", &st);
    assert_int_equal(rssp_decode_sad(root, &sad, &st), RSSP_OK);
    assert_int_equal(sad.expires_in, 3600); /* CSC default */
    rssp_sad_clear(&sad);
    rssp_json_delete(root);

    root = parse_ok("{\"responseCode\":0,\"expiresIn\":300}", &st);
    assert_int_equal(rssp_decode_sad(root, &sad, &st), RSSP_ERR_PROTOCOL);
    assert_null(sad.sad);
    rssp_json_delete(root);
}

static void test_sign_hash(void **state)
{
    (void)state;
    rssp_status st;
    cJSON *root = parse_ok("{\"responseCode\":0,\"responseMessage\":\"Successfully\",\"billCode\":"
                           "\"DEMO-RP-231114221326-1-000008\",\"signatures\":[\"Wm9tZw==\","
                           "\"AAEC\"],\"remainingSigningCounter\":-1}",
                           &st);
    assert_int_equal(st.remaining_signing_counter, -1);
    rssp_signatures s;
    assert_int_equal(rssp_decode_sign_hash(root, 2, &s, &st), RSSP_OK);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.items[0].len, 4);
    assert_memory_equal(s.items[0].data, "Zomg", 4);
    assert_memory_equal(s.items[1].data, "\x00\x01\x02", 3);
    assert_int_equal(s.remaining_signing_counter, -1);
    rssp_signatures_clear(&s);
    rssp_signatures_clear(&s);
    /* one signature per hash, or nothing */
    assert_int_equal(rssp_decode_sign_hash(root, 1, &s, &st), RSSP_ERR_PROTOCOL);
    assert_null(s.items);
    rssp_json_delete(root);

    root = parse_ok("{\"responseCode\":0,\"signatures\":[\"not base64!\"]}", &st);
    assert_int_equal(rssp_decode_sign_hash(root, 1, &s, &st), RSSP_ERR_PROTOCOL);
    rssp_json_delete(root);
    root = parse_ok("{\"responseCode\":0}", &st);
    assert_int_equal(rssp_decode_sign_hash(root, 1, &s, &st), RSSP_ERR_PROTOCOL);
    rssp_json_delete(root);
}

static void test_owner_list(void **state)
{
    (void)state;
    rssp_status st;
    cJSON *root = parse_ok(
        "{\"responseCode\":0,\"responseMessage\":\"Successfully\",\"billCode\":"
        "\"DEMO-RP-231114221327-1-000010\",\"owners\":[{\"ownerUUID\":"
        "\"6f0c2a4e-1b7d-4a7e-9d55-2f6f3f7a9c10\",\"username\":\"alice\",\"userType\":"
        "\"USERNAME\",\"fullName\":\"Alice Nguyen\",\"personalID\":\"079123456789\",\"phone\":"
        "\"0912***678\",\"email\":\"a***@example.vn\"}],\"currentPage\":1,\"recordCount\":1,"
        "\"recordTotal\":1}",
        &st);
    rssp_owner_list l;
    assert_int_equal(rssp_decode_owner_list(root, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.items[0].owner_uuid, "6f0c2a4e-1b7d-4a7e-9d55-2f6f3f7a9c10");
    assert_string_equal(l.items[0].username, "alice");
    assert_string_equal(l.items[0].user_type, "USERNAME");
    assert_string_equal(l.items[0].full_name, "Alice Nguyen");
    assert_string_equal(l.items[0].phone, "0912***678");
    assert_string_equal(l.items[0].email, "a***@example.vn");
    assert_int_equal(l.current_page, 1);
    assert_int_equal(l.record_total, 1);
    rssp_owner_list_clear(&l);
    rssp_owner_list_clear(&l);
    rssp_json_delete(root);

    /* the flat single-owner answer with personalName */
    root = parse_ok("{\"error\":0,\"ownerUUID\":\"u-2\",\"username\":\"bob\","
                    "\"personalName\":\"Bob Tran\"}",
                    &st);
    assert_int_equal(rssp_decode_owner_list(root, &l, &st), RSSP_OK);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.items[0].full_name, "Bob Tran");
    assert_int_equal(l.record_total, 1);
    rssp_owner_list_clear(&l);
    rssp_json_delete(root);

    root = parse_ok("{\"responseCode\":0,\"owners\":[{\"username\":\"x\"}]}", &st);
    assert_int_equal(rssp_decode_owner_list(root, &l, &st), RSSP_ERR_PROTOCOL);
    assert_null(l.items);
    rssp_json_delete(root);
}

static void test_service_errors(void **state)
{
    (void)state;
    rssp_status st;
    rssp_envelope_rules rules = {0};

    cJSON *root = parse_with("{\"responseCode\":3011,\"responseMessage\":\"Authorize code is "
                             "invalid\",\"billCode\":\"B-1\",\"remainingCounter\":4}",
                             &rules, 200, RSSP_ERR_SERVICE, &st);
    assert_non_null(root); /* kept for callers that want more */
    rssp_json_delete(root);
    assert_int_equal(st.err, RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3011);
    assert_int_equal(st.remaining_counter, 4);
    assert_int_equal(st.temporary_lock_time, -1);
    assert_string_equal(st.message, "Authorize code is invalid");
    assert_string_equal(st.bill_code, "B-1");

    rssp_json_delete(parse_with("{\"responseCode\":3012,\"responseMessage\":\"locked\","
                                "\"billCode\":\"B-2\",\"temporaryLockTime\":300}",
                                &rules, 200, RSSP_ERR_SERVICE, &st));
    assert_int_equal(st.response_code, 3012);
    assert_int_equal(st.temporary_lock_time, 300);
    assert_int_equal(st.remaining_counter, -1);

    /* v2 names: error, errorDescription, tempLockoutDuration */
    rssp_json_delete(parse_with("{\"error\":3002,\"errorDescription\":\"Account is blocked\","
                                "\"tempLockoutDuration\":120}",
                                &rules, 200, RSSP_ERR_SERVICE, &st));
    assert_int_equal(st.response_code, 3002);
    assert_string_equal(st.message, "Account is blocked");
    assert_int_equal(st.temporary_lock_time, 120);
    rssp_json_delete(parse_with("{\"error\":3018,\"remainingSigningCounter\":0}", &rules, 200,
                                RSSP_ERR_SERVICE, &st));
    assert_int_equal(st.remaining_signing_counter, 0);

    /* CSC error bodies */
    rssp_json_delete(parse_with("{\"error\":\"invalid_token\",\"error_description\":\"expired\"}",
                                &rules, 401, RSSP_ERR_SERVICE, &st));
    assert_int_equal(st.response_code, 3006);
    assert_string_equal(st.message, "expired");
    assert_int_equal(st.http_status, 0); /* set by the transport, not here */
    rssp_json_delete(
        parse_with("{\"error\":\"invalid_request\"}", &rules, 400, RSSP_ERR_SERVICE, &st));
    assert_int_equal(st.response_code, 3100);
    assert_string_equal(st.message, "invalid_request");
    rssp_json_delete(
        parse_with("{\"error\":\"server_error\"}", &rules, 500, RSSP_ERR_SERVICE, &st));
    assert_int_equal(st.response_code, 9000);

    /* an envelope decides whatever the status; without one a non-200 is a transport error */
    rssp_json_delete(
        parse_with("{\"responseCode\":0,\"accessToken\":\"a\"}", &rules, 500, RSSP_OK, &st));
    assert_null(parse_with("<html>Bad Gateway</html>", &rules, 502, RSSP_ERR_TRANSPORT, &st));
    assert_non_null(strstr(st.message, "502"));
    assert_null(parse_with("", &rules, 503, RSSP_ERR_TRANSPORT, &st));
    assert_null(parse_with("{\"message\":\"x\"}", &rules, 404, RSSP_ERR_TRANSPORT, &st));
    assert_null(parse_with("<html></html>", &rules, 200, RSSP_ERR_PROTOCOL, &st));
    assert_null(parse_with("{\"accessToken\":\"a\"}", &rules, 200, RSSP_ERR_PROTOCOL, &st));
    assert_non_null(strstr(st.message, "responseCode"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info),           cmocka_unit_test(test_login),
        cmocka_unit_test(test_list),           cmocka_unit_test(test_credentials_info),
        cmocka_unit_test(test_send_otp),       cmocka_unit_test(test_authorize_and_extend),
        cmocka_unit_test(test_sign_hash),      cmocka_unit_test(test_owner_list),
        cmocka_unit_test(test_service_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
