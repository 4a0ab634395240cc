/*
 * Unit tests of the emulator's parsers and tables, without a server:
 * Authorization header splitting, Basic decoding, hash decoding, fault
 * specifications, token and SAD bookkeeping, password hashes, masking,
 * and the URL rewrite of the generated configurations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/secmem.h"
#include "crypto/crypto.h"
#include "emulator/confwrite.h"
#include "emulator/digests.h"
#include "emulator/faults.h"
#include "emulator/fsutil.h"
#include "emulator/httpauth.h"
#include "emulator/passhash.h"
#include "emulator/random.h"
#include "emulator/sessions.h"
#include "emulator/state.h"

static void test_auth_header_parse(void **state)
{
    (void)state;
    emu_auth_header h;
    char why[128];
    assert_int_equal(emu_auth_parse("SSL2 abc,  basic def", &h, why, sizeof(why)), 0);
    assert_string_equal(h.ssl2, "abc");
    assert_string_equal(h.basic, "def"); /* scheme words are case-insensitive */
    assert_null(h.bearer);
    emu_auth_header_clear(&h);
    assert_int_equal(emu_auth_parse("Bearer at-1.x", &h, why, sizeof(why)), 0);
    assert_string_equal(h.bearer, "at-1.x");
    emu_auth_header_clear(&h);
    assert_int_equal(emu_auth_parse("AppSign s, Basic b", &h, why, sizeof(why)), 0);
    assert_string_equal(h.appsign, "s");
    emu_auth_header_clear(&h);
    static const char *const bad[] = {"", "SSL2", "SSL2 a, SSL2 b", "Digest x", "Basic  ", ",,"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (emu_auth_parse(bad[i], &h, why, sizeof(why)) == 0)
            fail_msg("'%s' accepted", bad[i]);
        emu_auth_header_clear(&h);
    }
}

static void test_basic_decode(void **state)
{
    (void)state;
    char *type, *user, *pass;
    const char *text = "PERSONAL-ID:0791:pa:ss:word";
    char *b64 = rssp_base64_encode(text, strlen(text));
    assert_int_equal(emu_basic_decode(b64, &type, &user, &pass), 0);
    assert_string_equal(type, "PERSONAL-ID");
    assert_string_equal(user, "0791");
    assert_string_equal(pass, "pa:ss:word"); /* split at the first two colons */
    free(type);
    free(user);
    rssp_secret_free(pass);
    free(b64);
    static const char *const bad[] = {"USERNAME:alice", ":alice:x", "USERNAME::x"};
    for (size_t i = 0; i < 3; i++) {
        b64 = rssp_base64_encode(bad[i], strlen(bad[i]));
        assert_int_not_equal(emu_basic_decode(b64, &type, &user, &pass), 0);
        free(b64);
    }
    assert_int_not_equal(emu_basic_decode("not base64!", &type, &user, &pass), 0);
}

static int decode(const char *json, rssp_hash_alg alg, rssp_buf **out, size_t *n, int *code)
{
    emu_req r;
    memset(&r, 0, sizeof(r));
    r.body = cJSON_Parse(json);
    emu_digests d;
    int rc = emu_digests_find(&r, &d);
    if (rc == 0)
        rc = emu_digests_decode(&r, &d, alg != RSSP_HASH_NONE ? alg : d.alg, out, n);
    *code = r.code;
    cJSON_Delete(r.body);
    return rc;
}

static void test_hash_encodings(void **state)
{
    (void)state;
    rssp_buf *h = NULL;
    size_t n = 0;
    int code;
    /* hex (either case), padded and unpadded Base64 of the same SHA-256 */
    const char *json =
        "{\"documentDigests\":{\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\","
        "\"hashes\":[\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
        "\"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\","
        "\"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\","
        "\"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0\"]}}";
    assert_int_equal(decode(json, RSSP_HASH_NONE, &h, &n, &code), 0);
    assert_int_equal(n, 4);
    for (size_t i = 1; i < 4; i++)
        assert_memory_equal(h[0].data, h[i].data, 32);
    emu_hashes_free(h, n);
    /* seed aliases: hash[] + hashAlgorithm by name */
    assert_int_equal(decode("{\"hash\":[\"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\"],"
                            "\"hashAlgorithm\":\"SHA-256\"}",
                            RSSP_HASH_NONE, &h, &n, &code),
                     0);
    emu_hashes_free(h, n);
    /* wrong length, bad characters, unknown algorithm, wrong types, empty list */
    assert_int_equal(decode("{\"hash\":[\"AAAA\"],\"hashAlgorithm\":\"sha-256\"}", RSSP_HASH_NONE,
                            &h, &n, &code),
                     -1);
    assert_int_equal(code, 3100);
    assert_int_equal(
        decode("{\"hash\":[\"!!\"],\"hashAlgorithm\":\"sha-1\"}", RSSP_HASH_NONE, &h, &n, &code),
        -1);
    assert_int_equal(code, 3100);
    assert_int_equal(
        decode("{\"hash\":[\"AA\"],\"hashAlgorithm\":\"md5\"}", RSSP_HASH_NONE, &h, &n, &code), -1);
    assert_int_equal(code, 3019);
    assert_int_equal(
        decode("{\"documentDigests\":{\"hashes\":\"x\"}}", RSSP_HASH_SHA256, &h, &n, &code), -1);
    assert_int_equal(code, 3100);
    assert_int_equal(
        decode("{\"documentDigests\":{\"hashes\":[]}}", RSSP_HASH_SHA256, &h, &n, &code), -1);
    assert_int_equal(code, 3100);
}

static void test_fault_specs(void **state)
{
    (void)state;
    char *method = NULL, err[160];
    emu_fault f;
    assert_int_equal(emu_faults_parse_spec("signature/signHash:httpStatus=503,count=2,drop",
                                           &method, &f, err, sizeof(err)),
                     0);
    assert_string_equal(method, "signatures/signHash"); /* the seed alias maps */
    assert_int_equal(f.http_status, 503);
    assert_int_equal(f.count, 2);
    assert_true(f.drop);
    free(method);
    static const char *const bad[] = {
        "info",           "nope:count=1",    "info:httpStatus=200", "info:latencyMs=x",
        "info:unknown=1", "info:drop=maybe", "info:count=-1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (emu_faults_parse_spec(bad[i], &method, &f, err, sizeof(err)) == 0)
            fail_msg("'%s' accepted", bad[i]);
    }
    /* counting, and a method's own fault before "*" */
    emu_faults *t = emu_faults_new();
    emu_fault all = {.latency_ms = 5}, two = {.response_code = 9001, .count = 2};
    assert_int_equal(emu_faults_set(t, "*", &all), 0);
    assert_int_equal(emu_faults_set(t, "info", &two), 0);
    assert_true(emu_faults_take(t, "info", &f));
    assert_int_equal(f.response_code, 9001);
    assert_true(emu_faults_take(t, "info", &f));
    assert_int_equal(f.response_code, 9001);
    assert_true(emu_faults_take(t, "info", &f));
    assert_int_equal(f.response_code, 0); /* the count ran out: "*" applies */
    assert_int_equal(f.latency_ms, 5);
    emu_faults_clear(t);
    assert_false(emu_faults_take(t, "info", &f));
    emu_faults_free(t);
}

static void test_tokens(void **state)
{
    (void)state;
    emu_sessions *s = emu_sessions_new();
    emu_principal alice = {0, 0}, rp = {0, -1}, p;
    const char *refresh, *access, *child;
    assert_int_equal(emu_refresh_issue(s, alice, 100, &refresh), 0);
    assert_int_equal(emu_access_issue(s, alice, 100, NULL, &access), 0);
    assert_int_equal(emu_access_issue(s, alice, 100, refresh, &child), 0);
    char *access_copy = strdup(access), *child_copy = strdup(child),
         *refresh_copy = strdup(refresh);
    assert_int_equal(emu_access_check(s, access_copy, &p), EMU_TOKEN_OK);
    assert_true(emu_principal_equal(p, alice));
    /* kinds do not mix; a changed character is unknown */
    assert_int_equal(emu_refresh_check(s, access_copy, &p), EMU_TOKEN_UNKNOWN);
    char *tampered = strdup(access_copy);
    tampered[strlen(tampered) - 1] ^= 1;
    assert_int_equal(emu_access_check(s, tampered, &p), EMU_TOKEN_UNKNOWN);
    free(tampered);
    /* a foreign principal cannot revoke */
    emu_access_revoke(s, access_copy, rp);
    assert_int_equal(emu_access_check(s, access_copy, &p), EMU_TOKEN_OK);
    /* revoking the refresh token takes its children along, not the others */
    emu_refresh_revoke(s, refresh_copy, alice);
    assert_int_equal(emu_access_check(s, child_copy, &p), EMU_TOKEN_UNKNOWN);
    assert_int_equal(emu_access_check(s, access_copy, &p), EMU_TOKEN_OK);
    emu_sessions_expire_all(s);
    assert_int_equal(emu_access_check(s, access_copy, &p), EMU_TOKEN_EXPIRED);
    free(access_copy);
    free(child_copy);
    free(refresh_copy);
    emu_sessions_free(s);
}

static void test_sads_and_binding(void **state)
{
    (void)state;
    emu_sessions *s = emu_sessions_new();
    emu_sad init, *sad, *found;
    const char *value;
    memset(&init, 0, sizeof(init));
    init.credential = 3;
    init.remaining = 1;
    snprintf(init.identity, sizeof(init.identity), "AA");
    assert_int_equal(emu_sad_issue(s, &init, NULL, 0, 100, &value, &sad), 0);
    char *copy = strdup(value);
    assert_int_equal(emu_sad_find(s, copy, &found), EMU_TOKEN_OK);
    assert_ptr_equal(found, sad);
    assert_false(emu_binding_conflict(s, 3, "AA"));
    assert_true(emu_binding_conflict(s, 3, "BB"));
    assert_false(emu_binding_conflict(s, 4, "BB"));
    /* exhausted: the binding ends, the SAD is still known (3016) */
    sad->remaining = 0;
    emu_sad_note_use(s, sad);
    assert_false(emu_binding_conflict(s, 3, "BB"));
    assert_int_equal(emu_sad_find(s, copy, &found), EMU_TOKEN_OK);
    /* ended while pinned by a signHash in progress: freed by the last unpin */
    emu_sad_pin(sad);
    emu_sad_invalidate(s, sad);
    assert_false(emu_sad_pinned_alive(sad));
    assert_int_equal(emu_sad_find(s, copy, &found), EMU_TOKEN_UNKNOWN);
    emu_sad_unpin(sad);
    free(copy);
    emu_sessions_free(s);
}

static void test_passhash_and_masks(void **state)
{
    (void)state;
    emu_passhash h, back;
    char text[98];
    assert_int_equal(emu_passhash_make("123456", &h), 0);
    assert_true(emu_passhash_check(&h, "123456", 6));
    assert_false(emu_passhash_check(&h, "123457", 6));
    assert_false(emu_passhash_check(&h, "12345", 5));
    emu_passhash_format(&h, text);
    assert_int_equal(emu_passhash_parse(text, &back), 0);
    assert_true(emu_passhash_check(&back, "123456", 6));
    assert_int_not_equal(emu_passhash_parse("nothex", &back), 0);
    char *m = emu_mask_phone("0912345678");
    assert_string_equal(m, "0912***678");
    free(m);
    m = emu_mask_phone("12345");
    assert_string_equal(m, "12345");
    free(m);
    m = emu_mask_email("alice@example.vn");
    assert_string_equal(m, "a***@example.vn");
    free(m);
    char otp[7];
    assert_int_equal(emu_random_digits(otp, 6), 0);
    assert_int_equal(strspn(otp, "0123456789"), 6);
}

static void test_config_url_rewrite(void **state)
{
    (void)state;
    char dir[] = "/tmp/rssp-emu-unit-XXXXXX", path[64], err[256], *text = NULL;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a.conf", dir);
    const char *conf = "[service]\nurl = " EMU_URL_PLACEHOLDER "\nca_file = ca.pem\n";
    assert_int_equal(emu_write_atomic(path, conf, strlen(conf), 0600), 0);
    assert_int_equal(
        emu_conf_set_url(dir, NULL, "https://127.0.0.1:4242/rssp/v1/", err, sizeof(err)), 0);
    assert_int_equal(emu_read_file(path, 4096, &text, NULL), 0);
    assert_string_equal(text,
                        "[service]\nurl = https://127.0.0.1:4242/rssp/v1/\nca_file = ca.pem\n");
    free(text);
    assert_int_equal(emu_remove_tree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_header_parse),
        cmocka_unit_test(test_basic_decode),
        cmocka_unit_test(test_hash_encodings),
        cmocka_unit_test(test_fault_specs),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_sads_and_binding),
        cmocka_unit_test(test_passhash_and_masks),
        cmocka_unit_test(test_config_url_rewrite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
