/*
 * credentials/authorize (EXPLICIT/PIN), extendTransaction and signatures/signHash
 * rules (§2.7-§2.9), every signature verified with OpenSSL.
 */
#include "emu_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secmem.h"
#include "crypto/crypto.h"

#define RSA_PKCS1 "1.2.840.113549.1.1.1"
#define SHA1_RSA "1.2.840.113549.1.1.5"
#define SHA384_RSA "1.2.840.113549.1.1.12"
#define RSA_PSS "1.2.840.113549.1.1.10"
#define ECDSA "1.2.840.10045.2.1"
#define ECDSA_SHA512 "1.2.840.10045.4.3.4"

/* A fresh emulator per test: counters, locks and bindings never leak between tests. */
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

/* Hashes of "doc-<tag>-<i>" with alg. */
static void make_hashes(rssp_hash_alg alg, const char *tag, rssp_buf *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char text[64];
        snprintf(text, sizeof(text), "doc-%s-%zu", tag, i);
        out[i].len = rssp_hash_len(alg);
        out[i].data = malloc(out[i].len);
        assert_non_null(out[i].data);
        assert_int_equal(rssp_digest(alg, text, strlen(text), out[i].data), RSSP_CRYPTO_OK);
    }
}

static void free_hashes(rssp_buf *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rssp_buf_clear(&h[i]);
}

static rssp_err authorize(rssp_client *c, const char *id, int n, const char *code,
                          rssp_hash_alg alg, const rssp_buf *hashes, size_t nh, rssp_sad *sad,
                          rssp_status *st)
{
    rssp_authorize_request req = {
        .credential_id = id,
        .num_signatures = n,
        .authorize_code = code,
        .hash_alg = alg,
        .hashes = hashes,
        .n_hashes = nh,
    };
    return rssp_authorize(c, &req, sad, st);
}

static rssp_err sign(rssp_client *c, const char *id, const rssp_sad *sad, const char *algo,
                     rssp_hash_alg alg, const rssp_buf *hashes, size_t n,
                     const unsigned char *params, size_t params_len, rssp_signatures *out,
                     rssp_status *st)
{
    rssp_sign_request req = {
        .credential_id = id,
        .sad = sad,
        .hash_alg = alg,
        .hashes = hashes,
        .n_hashes = n,
        .sign_algo_oid = algo,
        .sign_algo_params = params,
        .sign_algo_params_len = params_len,
    };
    memset(out, 0, sizeof(*out));
    return rssp_sign_hash(c, &req, out, st);
}

/* Sign n hashes and check every signature; returns the service code. */
static int sign_check(rssp_client *c, const char *id, const rssp_sad *sad, const char *algo,
                      rssp_hash_alg alg, const rssp_buf *hashes, size_t n, et_scheme scheme)
{
    rssp_signatures sigs;
    rssp_status st;
    unsigned char *params = NULL;
    size_t params_len = 0;
    rssp_buf der = {NULL, 0};
    if (scheme == ET_PSS) {
        assert_int_equal(rssp_pss_params_encode(alg, alg, rssp_hash_len(alg), &der),
                         RSSP_CRYPTO_OK);
        params = der.data;
        params_len = der.len;
    }
    rssp_err err = sign(c, id, sad, algo, alg, hashes, n, params, params_len, &sigs, &st);
    rssp_buf_clear(&der);
    if (err != RSSP_OK) {
        rssp_signatures_clear(&sigs);
        return st.response_code != 0 ? st.response_code : -1;
    }
    assert_int_equal(sigs.count, n);
    for (size_t i = 0; i < n; i++) {
        if (!et_verify(&env, id, scheme, alg, hashes[i].data, hashes[i].len, &sigs.items[i]))
            fail_msg("signature %zu of credential %s does not verify", i, id);
    }
    rssp_signatures_clear(&sigs);
    return 0;
}

/* A raw call as alice (for what the client library refuses to send); returns the code. */
static int raw_call(const char *method, const char *entity, const char *body)
{
    char *token = et_login(&env, "alice", false, NULL);
    char *bearer = et_bearer(token);
    char ent[200];
    snprintf(ent, sizeof(ent), "rssp-entity-name: %s", entity != NULL ? entity : "");
    const char *h[] = {bearer, entity != NULL ? ent : NULL, NULL};
    et_resp r;
    et_post(&env, method, h, body, &r);
    int code = et_code(&r);
    et_resp_clear(&r);
    free(bearer);
    free(token);
    return code;
}

static void test_scal1_every_algorithm(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    rssp_buf h256[3], h1[1], h384[1], h512[1];
    make_hashes(RSSP_HASH_SHA256, "a", h256, 3);
    make_hashes(RSSP_HASH_SHA1, "b", h1, 1);
    make_hashes(RSSP_HASH_SHA384, "c", h384, 1);
    make_hashes(RSSP_HASH_SHA512, "d", h512, 1);

    assert_int_equal(authorize(c, "10001", 20, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    assert_non_null(sad.entity_name);
    assert_int_equal(sad.expires_in, 300);
    assert_int_equal(sad.remaining_counter, 5);
    assert_int_equal(sign_check(c, "10001", &sad, RSA_PKCS1, RSSP_HASH_SHA256, h256, 3, ET_PKCS1),
                     0);
    assert_int_equal(sign_check(c, "10001", &sad, SHA1_RSA, RSSP_HASH_SHA1, h1, 1, ET_PKCS1), 0);
    assert_int_equal(sign_check(c, "10001", &sad, SHA384_RSA, RSSP_HASH_SHA384, h384, 1, ET_PKCS1),
                     0);
    assert_int_equal(sign_check(c, "10001", &sad, RSA_PSS, RSSP_HASH_SHA256, h256, 1, ET_PSS), 0);
    assert_int_equal(sign_check(c, "10001", &sad, RSA_PSS, RSSP_HASH_SHA512, h512, 1, ET_PSS), 0);
    /* PSS without parameters: hash, MGF1 with it, salt = hash length */
    rssp_signatures sigs;
    assert_int_equal(
        sign(c, "10001", &sad, RSA_PSS, RSSP_HASH_SHA384, h384, 1, NULL, 0, &sigs, &st), RSSP_OK);
    assert_true(et_verify(&env, "10001", ET_PSS, RSSP_HASH_SHA384, h384[0].data, h384[0].len,
                          &sigs.items[0]));
    rssp_signatures_clear(&sigs);
    rssp_sad_clear(&sad);

    assert_int_equal(authorize(c, "10003", 10, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA256, h256, 2, ET_ECDSA), 0);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA1, h1, 1, ET_ECDSA), 0);
    /* a hash longer than the P-256 order is truncated as ECDSA prescribes */
    assert_int_equal(
        sign_check(c, "10003", &sad, ECDSA_SHA512, RSSP_HASH_SHA512, h512, 1, ET_ECDSA), 0);
    rssp_sad_clear(&sad);

    free_hashes(h256, 3);
    free_hashes(h1, 1);
    free_hashes(h384, 1);
    free_hashes(h512, 1);
    rssp_client_free(c);
}

static void test_algorithm_refusals(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    rssp_buf h[1], h384[1];
    rssp_signatures sigs;
    rssp_buf pss = {NULL, 0};
    make_hashes(RSSP_HASH_SHA256, "r", h, 1);
    make_hashes(RSSP_HASH_SHA384, "r", h384, 1);
    assert_int_equal(authorize(c, "10001", 10, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    /* EC algorithm on an RSA key */
    assert_int_equal(sign(c, "10001", &sad, ECDSA, RSSP_HASH_SHA256, h, 1, NULL, 0, &sigs, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3019);
    /* unknown algorithm */
    assert_int_equal(sign(c, "10001", &sad, "1.2.3.4", RSSP_HASH_SHA256, h, 1, NULL, 0, &sigs, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3019);
    /* signAlgo names SHA-384, hashAlgorithmOID SHA-256 */
    assert_int_equal(
        sign(c, "10001", &sad, SHA384_RSA, RSSP_HASH_SHA256, h, 1, NULL, 0, &sigs, &st),
        RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3019);
    /* PSS parameters naming another hash */
    assert_int_equal(rssp_pss_params_encode(RSSP_HASH_SHA384, RSSP_HASH_SHA384, 48, &pss),
                     RSSP_CRYPTO_OK);
    assert_int_equal(
        sign(c, "10001", &sad, RSA_PSS, RSSP_HASH_SHA256, h, 1, pss.data, pss.len, &sigs, &st),
        RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3019);
    rssp_buf_clear(&pss);
    /* a 48-byte hash declared as SHA-256 (the client library refuses to send it) */
    char body[1024], *b64 = rssp_base64_encode(h384[0].data, h384[0].len);
    snprintf(body, sizeof(body),
             "{\"credentialID\":\"10001\",\"SAD\":\"%s\",\"signAlgo\":\"" RSA_PKCS1 "\","
             "\"documentDigests\":{\"hashes\":[\"%s\"],\"hashAlgorithmOID\":"
             "\"2.16.840.1.101.3.4.2.1\"}}",
             sad.sad, b64);
    free(b64);
    assert_int_equal(raw_call("signatures/signHash", sad.entity_name, body), 3100);
    /* nothing was counted by the refusals: all 10 signatures are still there */
    rssp_buf ten[10];
    make_hashes(RSSP_HASH_SHA256, "ten", ten, 10);
    assert_int_equal(sign_check(c, "10001", &sad, RSA_PKCS1, RSSP_HASH_SHA256, ten, 10, ET_PKCS1),
                     0);
    free_hashes(ten, 10);
    rssp_sad_clear(&sad);
    free_hashes(h, 1);
    free_hashes(h384, 1);
    rssp_client_free(c);
}

static void test_sad_exhaustion_3016_and_limit_3026(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    rssp_buf h[3];
    make_hashes(RSSP_HASH_SHA256, "x", h, 3);
    assert_int_equal(authorize(c, "10003", 101, "123456", 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3026);
    assert_int_equal(authorize(c, "10003", 2, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA256, h, 3, ET_ECDSA), 3016);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA256, h, 2, ET_ECDSA), 0);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA256, h, 1, ET_ECDSA), 3016);
    rssp_sad_clear(&sad);
    free_hashes(h, 3);
    rssp_client_free(c);
}

static void test_scal2_hash_binding(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    rssp_buf h[3], h384[1];
    make_hashes(RSSP_HASH_SHA256, "s2", h, 3);
    make_hashes(RSSP_HASH_SHA384, "s2", h384, 1);
    /* SCAL 2 needs the hashes, as many as numSignatures */
    assert_int_equal(authorize(c, "10002", 2, "123456", 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3100);
    char *b0 = rssp_base64_encode(h[0].data, h[0].len), body[512];
    snprintf(body, sizeof(body),
             "{\"credentialID\":\"10002\",\"numSignatures\":2,\"authorizeCode\":\"123456\","
             "\"documentDigests\":{\"hashes\":[\"%s\"],\"hashAlgorithmOID\":"
             "\"2.16.840.1.101.3.4.2.1\"}}",
             b0);
    free(b0);
    assert_int_equal(raw_call("credentials/authorize", NULL, body), 3100);
    assert_int_equal(authorize(c, "10002", 2, "123456", RSSP_HASH_SHA256, h, 2, &sad, &st),
                     RSSP_OK);
    /* a hash that was not authorized */
    assert_int_equal(sign_check(c, "10002", &sad, RSA_PKCS1, RSSP_HASH_SHA256, &h[2], 1, ET_PKCS1),
                     3017);
    /* another hash algorithm than the authorized one */
    assert_int_equal(sign_check(c, "10002", &sad, SHA384_RSA, RSSP_HASH_SHA384, h384, 1, ET_PKCS1),
                     3017);
    assert_int_equal(sign_check(c, "10002", &sad, RSA_PKCS1, RSSP_HASH_SHA256, &h[1], 1, ET_PKCS1),
                     0);
    /* already signed */
    assert_int_equal(sign_check(c, "10002", &sad, RSA_PKCS1, RSSP_HASH_SHA256, &h[1], 1, ET_PKCS1),
                     3017);
    assert_int_equal(sign_check(c, "10002", &sad, RSA_PSS, RSSP_HASH_SHA256, &h[0], 1, ET_PSS), 0);
    assert_int_equal(sign_check(c, "10002", &sad, RSA_PKCS1, RSSP_HASH_SHA256, &h[0], 1, ET_PKCS1),
                     3016);
    rssp_sad_clear(&sad);
    /* duplicate hashes count separately; EC P-384 at SCAL 2 */
    rssp_buf dup[2] = {h[0], h[0]};
    assert_int_equal(authorize(c, "10004", 2, "123456", RSSP_HASH_SHA256, dup, 2, &sad, &st),
                     RSSP_OK);
    assert_int_equal(sign_check(c, "10004", &sad, ECDSA, RSSP_HASH_SHA256, dup, 2, ET_ECDSA), 0);
    rssp_sad_clear(&sad);
    free_hashes(h, 3);
    free_hashes(h384, 1);
    rssp_client_free(c);
}

static void test_wrong_pin_counter_and_lock(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "owners/erin.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    assert_int_equal(authorize(c, "60004", 1, "000000", 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3011);
    assert_int_equal(st.remaining_counter, 4);
    /* no code at all */
    assert_int_equal(authorize(c, "60004", 1, NULL, 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3021);
    /* the right PIN resets the counter */
    assert_int_equal(authorize(c, "60004", 1, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    rssp_sad_clear(&sad);
    for (int left = 4; left >= 1; left--) {
        assert_int_equal(authorize(c, "60004", 1, "999999", 0, NULL, 0, &sad, &st),
                         RSSP_ERR_SERVICE);
        assert_int_equal(st.response_code, 3011);
        assert_int_equal(st.remaining_counter, left);
    }
    assert_int_equal(authorize(c, "60004", 1, "999999", 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3012);
    assert_int_equal(st.temporary_lock_time, 300);
    assert_int_equal(authorize(c, "60004", 1, "123456", 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3012);
    rssp_client_free(c);
}

static void test_extend_transaction(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0}, old = {0};
    rssp_buf h[5];
    make_hashes(RSSP_HASH_SHA256, "ext", h, 5);
    /* SCAL 1: the new SAD inherits the count left */
    assert_int_equal(authorize(c, "10003", 5, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA256, h, 2, ET_ECDSA), 0);
    old.sad = rssp_secret_strdup(sad.sad); /* rssp_sad_clear frees it as a secret */
    old.entity_name = strdup(sad.entity_name);
    assert_int_equal(rssp_extend_transaction(c, "10003", &sad, 0, NULL, 0, &st), RSSP_OK);
    assert_string_not_equal(old.sad, sad.sad);
    assert_string_not_equal(old.entity_name, sad.entity_name);
    assert_int_equal(sign_check(c, "10003", &old, ECDSA, RSSP_HASH_SHA256, h, 1, ET_ECDSA), 3014);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA256, &h[2], 3, ET_ECDSA), 0);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA256, h, 1, ET_ECDSA), 3016);
    assert_int_equal(rssp_extend_transaction(c, "10003", &sad, 0, NULL, 0, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3016);
    rssp_sad_clear(&sad);
    rssp_sad_clear(&old);

    /* SCAL 2: the new SAD covers exactly the unsigned hashes named */
    assert_int_equal(authorize(c, "10004", 3, "123456", RSSP_HASH_SHA256, h, 3, &sad, &st),
                     RSSP_OK);
    assert_int_equal(sign_check(c, "10004", &sad, ECDSA, RSSP_HASH_SHA256, h, 1, ET_ECDSA), 0);
    assert_int_equal(rssp_extend_transaction(c, "10004", &sad, RSSP_HASH_SHA256, h, 1, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3017); /* h[0] is signed already */
    assert_int_equal(rssp_extend_transaction(c, "10004", &sad, RSSP_HASH_SHA256, &h[3], 1, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3017); /* never authorized */
    assert_int_equal(rssp_extend_transaction(c, "10004", &sad, RSSP_HASH_SHA256, &h[2], 1, &st),
                     RSSP_OK);
    assert_int_equal(sign_check(c, "10004", &sad, ECDSA, RSSP_HASH_SHA256, &h[1], 1, ET_ECDSA),
                     3017); /* no longer covered */
    assert_int_equal(sign_check(c, "10004", &sad, ECDSA, RSSP_HASH_SHA256, &h[2], 1, ET_ECDSA), 0);
    rssp_sad_clear(&sad);

    /* an expired SAD cannot be extended */
    assert_int_equal(authorize(c, "10003", 5, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    assert_int_equal(rssp_emu_admin(&env.emu, "POST", "expire", NULL, NULL), 200);
    assert_int_equal(rssp_extend_transaction(c, "10003", &sad, 0, NULL, 0, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3015);
    assert_int_equal(sign_check(c, "10003", &sad, ECDSA, RSSP_HASH_SHA256, h, 1, ET_ECDSA), 3015);
    rssp_sad_clear(&sad);
    free_hashes(h, 5);
    rssp_client_free(c);
}

static void test_entity_name_3023(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    rssp_buf h[1];
    make_hashes(RSSP_HASH_SHA256, "en", h, 1);
    assert_int_equal(authorize(c, "10001", 5, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    char *entity = sad.entity_name;
    sad.entity_name = NULL;
    assert_int_equal(sign_check(c, "10001", &sad, RSA_PKCS1, RSSP_HASH_SHA256, h, 1, ET_PKCS1),
                     3023);
    sad.entity_name = strdup("emu-node-9.other");
    assert_int_equal(sign_check(c, "10001", &sad, RSA_PKCS1, RSSP_HASH_SHA256, h, 1, ET_PKCS1),
                     3023);
    assert_int_equal(rssp_extend_transaction(c, "10001", &sad, 0, NULL, 0, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3023);
    free(sad.entity_name);
    sad.entity_name = entity;
    assert_int_equal(sign_check(c, "10001", &sad, RSA_PKCS1, RSSP_HASH_SHA256, h, 1, ET_PKCS1), 0);
    rssp_sad_clear(&sad);
    free_hashes(h, 1);
    rssp_client_free(c);
}

static void test_session_binding_3020(void **state)
{
    (void)state;
    et_overrides oa = {.client_mac = "AA:AA:AA:AA:AA:01"}, ob = {.client_mac = "BB:BB:BB:BB:BB:02"};
    rssp_client *a = et_client(&env, "rssp-pkcs11.conf", &oa);
    rssp_client *b = et_client(&env, "rssp-pkcs11.conf", &ob);
    rssp_status st;
    rssp_sad sa = {0}, sb = {0};
    rssp_buf h[1];
    make_hashes(RSSP_HASH_SHA256, "bind", h, 1);
    assert_int_equal(authorize(a, "10003", 5, "123456", 0, NULL, 0, &sa, &st), RSSP_OK);
    /* the same identity may hold several SADs */
    assert_int_equal(authorize(a, "10003", 5, "123456", 0, NULL, 0, &sb, &st), RSSP_OK);
    rssp_sad_clear(&sb);
    assert_int_equal(authorize(b, "10003", 5, "123456", 0, NULL, 0, &sb, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3020);
    /* a's SAD used by b */
    assert_int_equal(sign_check(b, "10003", &sa, ECDSA, RSSP_HASH_SHA256, h, 1, ET_ECDSA), 3020);
    /* other credentials are not bound */
    assert_int_equal(authorize(b, "10001", 5, "123456", 0, NULL, 0, &sb, &st), RSSP_OK);
    rssp_sad_clear(&sb);
    /* revoking a's SADs ends the binding */
    assert_int_equal(rssp_revoke(a, RSSP_TOKEN_SAD, sa.sad, "10003", &st), RSSP_OK);
    assert_int_equal(authorize(b, "10003", 5, "123456", 0, NULL, 0, &sb, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3020); /* a's second SAD is still live */
    assert_int_equal(rssp_emu_admin(&env.emu, "POST", "expire", NULL, NULL), 200);
    assert_int_equal(authorize(b, "10003", 5, "123456", 0, NULL, 0, &sb, &st), RSSP_OK);
    assert_int_equal(sign_check(b, "10003", &sb, ECDSA, RSSP_HASH_SHA256, h, 1, ET_ECDSA), 0);
    rssp_sad_clear(&sa);
    rssp_sad_clear(&sb);
    free_hashes(h, 1);
    rssp_client_free(a);
    rssp_client_free(b);
}

static void test_revoke_sad_3014(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    rssp_buf h[1];
    make_hashes(RSSP_HASH_SHA256, "rv", h, 1);
    assert_int_equal(authorize(c, "10001", 5, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    assert_int_equal(rssp_revoke(c, RSSP_TOKEN_SAD, sad.sad, "10003", &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3014); /* another credential */
    assert_int_equal(rssp_revoke(c, RSSP_TOKEN_SAD, sad.sad, "10001", &st), RSSP_OK);
    assert_int_equal(sign_check(c, "10001", &sad, RSA_PKCS1, RSSP_HASH_SHA256, h, 1, ET_PKCS1),
                     3014);
    assert_int_equal(rssp_revoke(c, RSSP_TOKEN_SAD, sad.sad, "10001", &st), RSSP_OK); /* again */
    rssp_sad_clear(&sad);
    free_hashes(h, 1);
    rssp_client_free(c);
}

static void test_certificate_states(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "owners/dave.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    rssp_buf h[4];
    rssp_signatures sigs;
    make_hashes(RSSP_HASH_SHA256, "cs", h, 4);
    assert_int_equal(authorize(c, "40001", 1, "123456", 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3009);
    assert_int_equal(authorize(c, "40002", 1, "123456", 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3010);
    /* nearly exhausted: 3 signatures left on the certificate */
    assert_int_equal(authorize(c, "40003", 10, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    assert_int_equal(sign(c, "40003", &sad, RSA_PKCS1, RSSP_HASH_SHA256, h, 4, NULL, 0, &sigs, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3018);
    assert_int_equal(st.remaining_signing_counter, 3);
    assert_int_equal(sign(c, "40003", &sad, RSA_PKCS1, RSSP_HASH_SHA256, h, 2, NULL, 0, &sigs, &st),
                     RSSP_OK);
    assert_int_equal(sigs.remaining_signing_counter, 1);
    rssp_signatures_clear(&sigs);
    assert_int_equal(sign(c, "40003", &sad, RSA_PKCS1, RSSP_HASH_SHA256, h, 1, NULL, 0, &sigs, &st),
                     RSSP_OK);
    assert_int_equal(sigs.remaining_signing_counter, 0);
    rssp_signatures_clear(&sigs);
    rssp_sad_clear(&sad);
    assert_int_equal(authorize(c, "40003", 1, "123456", 0, NULL, 0, &sad, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 3018);
    free_hashes(h, 4);
    rssp_client_free(c);
}

static void test_raw_forms_and_sad_outlives_token(void **state)
{
    (void)state;
    /* seed aliases: hash[] in hex + hashAlgorithm by name (SCAL 2) */
    char *token = et_login(&env, "alice", false, NULL);
    char *bearer = et_bearer(token);
    unsigned char d[32];
    char hex[65], body[1024];
    char *b64 = et_sha256_b64("raw document", d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02X", d[i]);
    snprintf(body, sizeof(body),
             "{\"credentialID\":\"10002\",\"numSignatures\":1,\"authorizeCode\":\"123456\","
             "\"hash\":[\"%s\"],\"hashAlgorithm\":\"sha-256\"}",
             hex);
    const char *h[] = {bearer, NULL};
    et_resp r;
    et_post(&env, "credentials/authorize", h, body, &r);
    assert_int_equal(et_code(&r), 0);
    assert_true(r.entity[0] != '\0');
    char *sad = strdup(et_str(&r, "SAD"));
    char entity[200];
    snprintf(entity, sizeof(entity), "rssp-entity-name: %s", r.entity);
    et_resp_clear(&r);
    /* the SAD outlives the access token that obtained it */
    snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
    et_post(&env, "auth/revoke", h, body, &r);
    assert_int_equal(et_code(&r), 0);
    et_resp_clear(&r);
    free(bearer);
    free(token);
    token = et_login(&env, "alice", false, NULL);
    bearer = et_bearer(token);
    const char *h2[] = {bearer, entity, NULL};
    snprintf(body, sizeof(body),
             "{\"credentialID\":\"10002\",\"SAD\":\"%s\",\"operationMode\":\"A\","
             "\"documentDigests\":{\"hashes\":[\"%s\"],\"hashAlgorithmOID\":"
             "\"2.16.840.1.101.3.4.2.1\"},\"signAlgo\":\"" RSA_PKCS1 "\"}",
             sad, b64);
    et_post(&env, "signatures/signHash", h2, body, &r);
    assert_int_equal(et_code(&r), 3101); /* asynchronous mode is not offered */
    et_resp_clear(&r);
    /* the hash in unpadded Base64, certificateID as a number */
    b64[strcspn(b64, "=")] = '\0';
    snprintf(body, sizeof(body),
             "{\"certificateID\":10002,\"SAD\":\"%s\",\"documentDigests\":{\"hashes\":[\"%s\"],"
             "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"},\"signAlgo\":\"" RSA_PKCS1 "\"}",
             sad, b64);
    et_post(&env, "signatures/signHash", h2, body, &r);
    assert_int_equal(et_code(&r), 0);
    const cJSON *sigs = cJSON_GetObjectItem(r.json, "signatures");
    assert_int_equal(cJSON_GetArraySize(sigs), 1);
    rssp_buf sig = {NULL, 0};
    const char *s64 = cJSON_GetArrayItem(sigs, 0)->valuestring;
    assert_int_equal(rssp_base64_decode(s64, strlen(s64), &sig), RSSP_CRYPTO_OK);
    assert_true(et_verify(&env, "10002", ET_PKCS1, RSSP_HASH_SHA256, d, 32, &sig));
    assert_int_equal(et_int(&r, "remainingSigningCounter"), -1);
    rssp_buf_clear(&sig);
    et_resp_clear(&r);
    free(sad);
    free(b64);
    free(bearer);
    free(token);
}

typedef struct {
    rssp_client *c;
    const rssp_sad *sad;
    int ok, exhausted;
} worker;

static void *sign_worker(void *arg)
{
    worker *w = arg;
    rssp_buf h[1];
    make_hashes(RSSP_HASH_SHA256, "conc", h, 1);
    for (int i = 0; i < 15; i++) {
        rssp_signatures sigs;
        rssp_status st;
        rssp_err e =
            sign(w->c, "10003", w->sad, ECDSA, RSSP_HASH_SHA256, h, 1, NULL, 0, &sigs, &st);
        if (e == RSSP_OK)
            w->ok++;
        else if (st.response_code == 3016)
            w->exhausted++;
        rssp_signatures_clear(&sigs);
    }
    free_hashes(h, 1);
    return NULL;
}

static void test_concurrent_signing_counts_exactly(void **state)
{
    (void)state;
    rssp_client *c = et_client(&env, "rssp-pkcs11.conf", NULL);
    rssp_status st;
    rssp_sad sad = {0};
    assert_int_equal(authorize(c, "10003", 100, "123456", 0, NULL, 0, &sad, &st), RSSP_OK);
    pthread_t t[8];
    worker w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (worker){c, &sad, 0, 0};
        assert_int_equal(pthread_create(&t[i], NULL, sign_worker, &w[i]), 0);
    }
    int ok = 0, exhausted = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        exhausted += w[i].exhausted;
    }
    assert_int_equal(ok, 100); /* 120 attempts, exactly 100 signatures */
    assert_int_equal(exhausted, 20);
    rssp_sad_clear(&sad);
    rssp_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scal1_every_algorithm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_algorithm_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sad_exhaustion_3016_and_limit_3026, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scal2_hash_binding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_pin_counter_and_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extend_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entity_name_3023, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_binding_3020, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_sad_3014, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificate_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_forms_and_sad_outlives_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_signing_counts_exactly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
