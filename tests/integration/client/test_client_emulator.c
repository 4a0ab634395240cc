/*
 * The client library against a private rssp-emulator (tests/support):
 * login -> list -> info -> authorize -> signHash with the signatures verified
 * against the credential certificates, relogin after the service forgets its
 * tokens, 8 threads at once, connection reuse, entity names, SCAL 2, OTP,
 * IMPLICIT approval and cancellation, RP-only and AppSign logins, injected
 * faults, and a stopped server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "client/client_internal.h"
#include "crypto/crypto.h"
#include "emulator_fixture.h"
#include "rssp/client.h"

/* Accounts read from the emulator's fixture.json. */
typedef struct {
    rssp_emu emu;
    cJSON *fixture;
    const char *rp_name, *rp_username, *rp_password, *rp_signature, *rp_key_file, *rp_key_password,
        *api_key, *api_secret;
} env;

static env E;

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(m) ? m->valuestring : NULL;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int group_setup(void **state)
{
    (void)state;
    memset(&E, 0, sizeof E);
    if (rssp_emu_start(NULL, &E.emu) != 0)
        return -1;
    char *text = read_text(E.emu.fixture_json);
    E.fixture = cJSON_Parse(text);
    free(text);
    const cJSON *rp = cJSON_GetArrayItem(cJSON_GetObjectItem(E.fixture, "relyingParties"), 0);
    E.rp_name = json_str(rp, "name");
    E.rp_username = json_str(rp, "username");
    E.rp_password = json_str(rp, "password");
    E.rp_signature = json_str(rp, "signature");
    E.rp_key_file = json_str(rp, "keyFile");
    E.rp_key_password = json_str(rp, "keyPassword");
    E.api_key = json_str(rp, "apiKey");
    E.api_secret = json_str(rp, "apiSecret");
    return E.rp_name != NULL && E.rp_key_file != NULL && E.api_key != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    cJSON_Delete(E.fixture);
    /* test_server_gone stops the server early; then only the folder is left to remove */
    bool running = E.emu.pid != 0;
    int rc = rssp_emu_stop(&E.emu);
    return !running || rc == 0 ? 0 : -1;
}

/* Owner login (SSL2 + Basic) with the PKCS#12 key; username NULL = relying party only. */
static rssp_client_config config_for(const char *username, const char *password)
{
    return (rssp_client_config){
        .base_url = E.emu.url,
        .ca_file = E.emu.ca_file,
        .relying_party = E.rp_name,
        .rp_username = E.rp_username,
        .rp_password = E.rp_password,
        .rp_signature = E.rp_signature,
        .rp_key_file = E.rp_key_file,
        .rp_key_password = E.rp_key_password,
        .username = username,
        .password = password,
        .remember_me = true,
        .client_mac = "02:00:00:00:00:01",
    };
}

static rssp_client *new_client(const rssp_client_config *cfg)
{
    rssp_client *c = NULL;
    rssp_status st;
    rssp_err err = rssp_client_new(cfg, &c, &st);
    if (err != RSSP_OK)
        print_error("client: %s\n", st.message);
    assert_int_equal(err, RSSP_OK);
    return c;
}

static rssp_client *alice(void)
{
    rssp_client_config cfg = config_for("alice", "alice-pass");
    return new_client(&cfg);
}

/* The emulator's request counter of method, and its connection counter. */
static long stat_of(const char *method)
{
    char *body = NULL;
    assert_int_equal(rssp_emu_admin(&E.emu, "GET", "stats", NULL, &body), 200);
    cJSON *j = cJSON_Parse(body);
    free(body);
    assert_non_null(j);
    const cJSON *v = method != NULL
                         ? cJSON_GetObjectItem(cJSON_GetObjectItem(j, "requests"), method)
                         : cJSON_GetObjectItem(j, "connections");
    assert_true(cJSON_IsNumber(v));
    long n = (long)v->valuedouble;
    cJSON_Delete(j);
    return n;
}

static void set_fault(const char *json)
{
    char *body = NULL;
    long status = rssp_emu_admin(&E.emu, "POST", "faults", json, &body);
    if (status != 200)
        print_error("fault %s: %s\n", json, body != NULL ? body : "");
    free(body);
    assert_int_equal(status, 200);
}

static void clear_faults(void)
{
    assert_int_equal(rssp_emu_admin(&E.emu, "DELETE", "faults", NULL, NULL), 200);
}

static void sha256(const char *text, unsigned char out[32])
{
    SHA256((const unsigned char *)text, strlen(text), out);
}

/* Verify a signature over a SHA-256 digest with the public key of a DER certificate. */
static void assert_signature(const rssp_buf *cert, const unsigned char *digest, size_t digest_len,
                             const rssp_buf *sig, bool pss)
{
    const unsigned char *p = cert->data;
    X509 *x = d2i_X509(NULL, &p, (long)cert->len);
    assert_non_null(x);
    EVP_PKEY *pub = X509_get_pubkey(x);
    assert_non_null(pub);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
    if (pss) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32), 1);
    }
    assert_int_equal(EVP_PKEY_verify(ctx, sig->data, sig->len, digest, digest_len), 1);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pub);
    X509_free(x);
}

static const rssp_credential *find(const rssp_credential_list *l, const char *id)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].credential_id, id) == 0)
            return &l->items[i];
    fail_msg("credential %s not listed", id);
    return NULL;
}

static rssp_err authorize(rssp_client *c, const char *id, int n, const char *code,
                          rssp_hash_alg alg, const rssp_buf *hashes, size_t n_hashes,
                          const atomic_int *cancel, rssp_sad *sad, rssp_status *st)
{
    rssp_authorize_request req = {
        .credential_id = id,
        .num_signatures = n,
        .authorize_code = code,
        .hash_alg = alg,
        .hashes = hashes,
        .n_hashes = n_hashes,
        .cancel = cancel,
    };
    return rssp_authorize(c, &req, sad, st);
}

static rssp_err sign(rssp_client *c, const char *id, const rssp_sad *sad, const char *algo,
                     const rssp_buf *hashes, size_t n, const rssp_buf *params, rssp_signatures *out,
                     rssp_status *st)
{
    rssp_sign_request req = {
        .credential_id = id,
        .sad = sad,
        .hash_alg = RSSP_HASH_SHA256,
        .hashes = hashes,
        .n_hashes = n,
        .sign_algo_oid = algo,
        .sign_algo_params = params != NULL ? params->data : NULL,
        .sign_algo_params_len = params != NULL ? params->len : 0,
    };
    return rssp_sign_hash(c, &req, out, st);
}

#define RSA_OID "1.2.840.113549.1.1.1"
#define PSS_OID "1.2.840.113549.1.1.10"
#define EC_OID "1.2.840.10045.2.1"

static void test_full_sequence(void **state)
{
    (void)state;
    rssp_client *c = alice();
    rssp_status st;

    rssp_info_result info;
    assert_int_equal(rssp_info(c, &info, &st), RSSP_OK);
    assert_non_null(info.version);
    assert_true(info.n_methods >= 10);
    rssp_info_result_clear(&info);

    assert_int_equal(rssp_login(c, &st), RSSP_OK);
    assert_true(rssp_logged_in(c));

    rssp_list_request lr = {.certificate_info = true, .certificates = RSSP_CERTS_CHAIN};
    rssp_credential_list l;
    assert_int_equal(rssp_credentials_list(c, &lr, &l, &st), RSSP_OK);
    assert_true(l.count >= 4);
    const rssp_credential *rsa = find(&l, "10001");
    const rssp_credential *ec = find(&l, "10003");
    assert_true(rsa->n_certificates >= 2); /* end entity and CA */
    assert_string_equal(rsa->status, "valid");
    assert_non_null(rsa->subject_dn);

    rssp_credential ci;
    assert_int_equal(rssp_credentials_info(c, "10001", RSSP_CERTS_SINGLE, true, true, &ci, &st),
                     RSSP_OK);
    assert_string_equal(ci.auth_mode, "EXPLICIT/PIN");
    assert_int_equal(ci.scal, 1);
    assert_int_equal(ci.n_certificates, 1);
    assert_int_equal(ci.certificates[0].len, rsa->certificates[0].len);
    assert_memory_equal(ci.certificates[0].data, rsa->certificates[0].data, ci.certificates[0].len);
    rssp_credential_clear(&ci);

    /* RSA PKCS#1 v1.5 and PSS with one SAD for two signatures */
    rssp_sad sad;
    assert_int_equal(authorize(c, "10001", 2, "123456", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_OK);
    assert_non_null(sad.sad);
    assert_non_null(sad.entity_name);
    unsigned char d1[32];
    sha256("document one", d1);
    rssp_buf h1 = {.data = d1, .len = 32};
    rssp_signatures sigs;
    assert_int_equal(sign(c, "10001", &sad, RSA_OID, &h1, 1, NULL, &sigs, &st), RSSP_OK);
    assert_int_equal(sigs.count, 1);
    assert_signature(&rsa->certificates[0], d1, 32, &sigs.items[0], false);
    rssp_signatures_clear(&sigs);
    rssp_buf params = {0};
    assert_int_equal(rssp_pss_params_encode(RSSP_HASH_SHA256, RSSP_HASH_SHA256, 32, &params),
                     RSSP_CRYPTO_OK);
    assert_int_equal(sign(c, "10001", &sad, PSS_OID, &h1, 1, &params, &sigs, &st), RSSP_OK);
    assert_signature(&rsa->certificates[0], d1, 32, &sigs.items[0], true);
    rssp_signatures_clear(&sigs);
    rssp_buf_clear(&params);
    /* the SAD is used up */
    assert_int_equal(sign(c, "10001", &sad, RSA_OID, &h1, 1, NULL, &sigs, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_SAD_EXHAUSTED);
    assert_int_equal(rssp_revoke(c, RSSP_TOKEN_SAD, sad.sad, "10001", &st), RSSP_OK);
    rssp_sad_clear(&sad);

    /* ECDSA: DER as the service sends it */
    assert_int_equal(authorize(c, "10003", 1, "123456", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_OK);
    assert_int_equal(sign(c, "10003", &sad, EC_OID, &h1, 1, NULL, &sigs, &st), RSSP_OK);
    assert_int_equal(sigs.items[0].data[0], 0x30);
    assert_signature(&ec->certificates[0], d1, 32, &sigs.items[0], false);
    rssp_signatures_clear(&sigs);
    rssp_sad_clear(&sad);

    /* a wrong PIN: the counter comes back */
    assert_int_equal(authorize(c, "10003", 1, "000000", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_AUTHORIZE_CODE_INVALID);
    assert_true(st.remaining_counter >= 0);
    assert_true(st.bill_code[0] != '\0');
    assert_null(sad.sad);

    rssp_credential_list_clear(&l);
    assert_int_equal(rssp_logout(c, &st), RSSP_OK);
    assert_false(rssp_logged_in(c));
    rssp_client_free(c);
}

typedef struct {
    atomic_int calls, logins;
} observed;

static void observe(void *ctx, const char *method, long ms, const rssp_status *st)
{
    (void)ms;
    (void)st;
    observed *o = ctx;
    atomic_fetch_add(&o->calls, 1);
    if (strcmp(method, "auth/login") == 0)
        atomic_fetch_add(&o->logins, 1);
}

static void test_relogin_after_expire(void **state)
{
    (void)state;
    rssp_client *c = alice();
    observed o = {0};
    rssp_client_set_observer(c, observe, &o);
    rssp_status st;
    rssp_credential_list l;
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
    rssp_credential_list_clear(&l);
    long logins = stat_of("auth/login");

    /* the service forgets every token: one relogin (by refresh token or credentials) */
    assert_int_equal(rssp_emu_admin(&E.emu, "POST", "expire", NULL, NULL), 200);
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
    assert_true(l.count >= 4);
    rssp_credential_list_clear(&l);
    /* access tokens expired, the refresh token did not: one Bearer-refresh login */
    assert_int_equal(stat_of("auth/login"), logins + 1);
    assert_int_equal(atomic_load(&o.logins), 2);

    /* a SAD outlives a token renewal ... */
    rssp_sad sad;
    assert_int_equal(authorize(c, "10001", 2, "123456", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_OK);
    assert_int_equal(rssp_login(c, &st), RSSP_OK);
    unsigned char d[32];
    sha256("after renewal", d);
    rssp_buf h = {.data = d, .len = 32};
    rssp_signatures sigs;
    assert_int_equal(sign(c, "10001", &sad, RSA_OID, &h, 1, NULL, &sigs, &st), RSSP_OK);
    rssp_signatures_clear(&sigs);
    /* ... but not the emulator's expire, which ends SADs too */
    assert_int_equal(rssp_emu_admin(&E.emu, "POST", "expire", NULL, NULL), 200);
    assert_int_equal(sign(c, "10001", &sad, RSA_OID, &h, 1, NULL, &sigs, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_SAD_EXPIRED);
    rssp_sad_clear(&sad);
    rssp_client_free(c);
}

typedef struct {
    rssp_client *client;
    const rssp_credential *cred;
    atomic_int failures;
} shared;

static void *worker(void *p)
{
    shared *s = p;
    rssp_status st;
    for (int round = 0; round < 2; round++) {
        rssp_sad sad;
        if (authorize(s->client, "10001", 5, "123456", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st) !=
            RSSP_OK) {
            atomic_fetch_add(&s->failures, 1);
            continue;
        }
        for (int i = 0; i < 5; i++) {
            char text[64];
            snprintf(text, sizeof text, "thread %p round %d doc %d", (void *)&st, round, i);
            unsigned char d[32];
            sha256(text, d);
            rssp_buf h = {.data = d, .len = 32};
            rssp_signatures sigs;
            if (sign(s->client, "10001", &sad, RSA_OID, &h, 1, NULL, &sigs, &st) != RSSP_OK) {
                atomic_fetch_add(&s->failures, 1);
                continue;
            }
            assert_signature(&s->cred->certificates[0], d, 32, &sigs.items[0], false);
            rssp_signatures_clear(&sigs);
        }
        rssp_sad_clear(&sad);
        rssp_credential_list l;
        if (rssp_credentials_list(s->client, NULL, &l, &st) != RSSP_OK)
            atomic_fetch_add(&s->failures, 1);
        rssp_credential_list_clear(&l);
    }
    return NULL;
}

static void test_eight_threads(void **state)
{
    (void)state;
    rssp_client *c = alice();
    rssp_status st;
    rssp_list_request lr = {.certificates = RSSP_CERTS_SINGLE};
    rssp_credential_list l;
    assert_int_equal(rssp_credentials_list(c, &lr, &l, &st), RSSP_OK);
    long connections = stat_of(NULL);
    long logins = stat_of("auth/login");

    shared s = {.client = c, .cred = find(&l, "10001")};
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, &s), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&s.failures), 0);
    /* no login beyond the first; connections pooled, at most one per thread */
    assert_int_equal(stat_of("auth/login"), logins);
    long opened = stat_of(NULL) - connections;
    print_message("connections: client %ld, server %ld\n", rssp_http_connections(c->http), opened);
    assert_true(opened <= 8 + 2); /* + the two admin calls of stat_of */
    assert_true(rssp_http_connections(c->http) <= 8);
    rssp_credential_list_clear(&l);
    rssp_client_free(c);
}

static void test_connection_reuse(void **state)
{
    (void)state;
    rssp_client *c = alice();
    long before = stat_of(NULL);
    rssp_status st;
    for (int i = 0; i < 20; i++) {
        rssp_credential_list l;
        assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
        rssp_credential_list_clear(&l);
    }
    assert_int_equal(rssp_http_connections(c->http), 1);
    /* the admin calls of stat_of count as one connection of their own */
    assert_true(stat_of(NULL) - before <= 2);
    rssp_client_free(c);
}

static void test_entity_name(void **state)
{
    (void)state;
    rssp_client *c = alice();
    rssp_status st;
    rssp_sad sad;
    assert_int_equal(authorize(c, "10001", 3, "123456", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_OK);
    assert_non_null(sad.entity_name);
    unsigned char d[32];
    sha256("entity", d);
    rssp_buf h = {.data = d, .len = 32};
    rssp_signatures sigs;

    rssp_sad wrong = sad;
    wrong.entity_name = "emu-node-9.wrong";
    assert_int_equal(sign(c, "10001", &wrong, RSA_OID, &h, 1, NULL, &sigs, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_ENTITY_NAME_MISMATCH);
    wrong.entity_name = NULL;
    assert_int_equal(sign(c, "10001", &wrong, RSA_OID, &h, 1, NULL, &sigs, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_ENTITY_NAME_MISMATCH);

    /* extendTransaction: new SAD, the entity name follows; the old SAD is dead */
    char *old = strdup(sad.sad);
    assert_non_null(old);
    assert_int_equal(rssp_extend_transaction(c, "10001", &sad, RSSP_HASH_NONE, NULL, 0, &st),
                     RSSP_OK);
    assert_string_not_equal(sad.sad, old);
    assert_non_null(sad.entity_name);
    assert_int_equal(sign(c, "10001", &sad, RSA_OID, &h, 1, NULL, &sigs, &st), RSSP_OK);
    rssp_signatures_clear(&sigs);
    rssp_sad dead = sad;
    dead.sad = old;
    assert_int_equal(sign(c, "10001", &dead, RSA_OID, &h, 1, NULL, &sigs, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_SAD_INVALID);
    free(old);
    rssp_sad_clear(&sad);
    rssp_client_free(c);
}

static void test_scal2(void **state)
{
    (void)state;
    rssp_client *c = alice();
    rssp_status st;
    rssp_credential ci;
    assert_int_equal(rssp_credentials_info(c, "10002", RSSP_CERTS_SINGLE, false, false, &ci, &st),
                     RSSP_OK);
    assert_int_equal(ci.scal, 2);

    unsigned char d[2][32];
    sha256("scal2 one", d[0]);
    sha256("scal2 two", d[1]);
    rssp_buf h[2] = {{.data = d[0], .len = 32}, {.data = d[1], .len = 32}};
    rssp_sad sad;
    assert_int_equal(authorize(c, "10002", 2, "123456", RSSP_HASH_SHA256, h, 2, NULL, &sad, &st),
                     RSSP_OK);
    rssp_signatures sigs;
    /* a hash that was not authorized */
    unsigned char other[32];
    sha256("not authorized", other);
    rssp_buf ho = {.data = other, .len = 32};
    assert_int_equal(sign(c, "10002", &sad, RSA_OID, &ho, 1, NULL, &sigs, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_HASH_NOT_AUTHORIZED);
    /* both authorized hashes in one call, in order */
    assert_int_equal(sign(c, "10002", &sad, RSA_OID, h, 2, NULL, &sigs, &st), RSSP_OK);
    assert_int_equal(sigs.count, 2);
    assert_signature(&ci.certificates[0], d[0], 32, &sigs.items[0], false);
    assert_signature(&ci.certificates[0], d[1], 32, &sigs.items[1], false);
    rssp_signatures_clear(&sigs);
    rssp_sad_clear(&sad);
    rssp_credential_clear(&ci);
    rssp_client_free(c);
}

static void test_otp(void **state)
{
    (void)state;
    rssp_client_config cfg = config_for("bob", "bob-pass");
    rssp_client *c = new_client(&cfg);
    rssp_status st;
    assert_int_equal(rssp_send_otp(c, "20001", "Your code: {AuthorizeCode}", NULL, &st), RSSP_OK);
    char otp[7];
    assert_int_equal(rssp_emu_last_otp(&E.emu, "20001", otp), 0);
    rssp_sad sad;
    assert_int_equal(authorize(c, "20001", 1, otp, RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_OK);
    unsigned char d[32];
    sha256("otp", d);
    rssp_buf h = {.data = d, .len = 32};
    rssp_signatures sigs;
    assert_int_equal(sign(c, "20001", &sad, RSA_OID, &h, 1, NULL, &sigs, &st), RSSP_OK);
    rssp_signatures_clear(&sigs);
    rssp_sad_clear(&sad);
    /* the OTP is single use */
    assert_int_equal(authorize(c, "20001", 1, otp, RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_ERR_SERVICE);
    rssp_client_free(c);

    /* sendOTP on a PIN credential does not fit its mode */
    c = alice();
    assert_int_equal(rssp_send_otp(c, "10001", NULL, NULL, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_AUTH_MODE_MISMATCH);
    rssp_client_free(c);
}

/* IMPLICIT: carol's credential waits for the phone. */
static const char *implicit_credential(void)
{
    const cJSON *creds = cJSON_GetObjectItem(E.fixture, "credentials");
    const cJSON *cr = NULL;
    cJSON_ArrayForEach(cr, creds)
    {
        const char *mode = json_str(cr, "authMode");
        const char *owner = json_str(cr, "owner");
        if (mode != NULL && owner != NULL && strncmp(mode, "IMPLICIT/", 9) == 0 &&
            strcmp(owner, "carol") == 0)
            return json_str(cr, "id");
    }
    fail_msg("no IMPLICIT credential for carol in fixture.json");
    return NULL;
}

typedef struct {
    const char *id;
    atomic_int *cancel;
    int after_ms;
    bool approve;
} helper_arg;

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *phone(void *p)
{
    helper_arg *a = p;
    if (a->cancel != NULL) {
        sleep_ms(a->after_ms);
        atomic_store(a->cancel, 1);
    } else {
        rssp_emu_approve(&E.emu, a->id, a->approve, 10.0);
    }
    return NULL;
}

static void test_implicit(void **state)
{
    (void)state;
    const char *id = implicit_credential();
    rssp_client_config cfg = config_for("carol", "carol-pass");
    rssp_client *c = new_client(&cfg);
    rssp_status st;
    rssp_sad sad;
    pthread_t t;

    helper_arg approve = {.id = id, .approve = true};
    assert_int_equal(pthread_create(&t, NULL, phone, &approve), 0);
    assert_int_equal(authorize(c, id, 1, NULL, RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st), RSSP_OK);
    pthread_join(t, NULL);
    rssp_sad_clear(&sad);

    helper_arg deny = {.id = id, .approve = false};
    assert_int_equal(pthread_create(&t, NULL, phone, &deny), 0);
    assert_int_equal(authorize(c, id, 1, NULL, RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_USER_DENIED);
    pthread_join(t, NULL);

    /* cancelled while waiting for the phone: quick, and not sent again */
    long before = stat_of("credentials/authorize");
    atomic_int flag = 0;
    helper_arg cancel = {.cancel = &flag, .after_ms = 300};
    assert_int_equal(pthread_create(&t, NULL, phone, &cancel), 0);
    long long t0 = rssp_monotonic_ms();
    assert_int_equal(authorize(c, id, 1, NULL, RSSP_HASH_NONE, NULL, 0, &flag, &sad, &st),
                     RSSP_ERR_CANCELLED);
    assert_true(rssp_monotonic_ms() - t0 < 5000);
    pthread_join(t, NULL);
    assert_int_equal(stat_of("credentials/authorize"), before + 1);
    rssp_client_free(c);
}

typedef struct {
    rssp_client *c;
    const rssp_sad *sad;
    rssp_err err;
    rssp_status st;
} slow_sign_arg;

static void *slow_sign(void *p)
{
    slow_sign_arg *a = p;
    unsigned char d[32];
    sha256("slow", d);
    rssp_buf h = {.data = d, .len = 32};
    rssp_signatures sigs;
    a->err = sign(a->c, "10001", a->sad, RSA_OID, &h, 1, NULL, &sigs, &a->st);
    rssp_signatures_clear(&sigs);
    return NULL;
}

/* Wait until the emulator has received one more request of method than before. */
static void await_request(const char *method, long before)
{
    for (int i = 0; i < 1000 && stat_of(method) == before; i++)
        sleep_ms(10);
    assert_int_equal(stat_of(method), before + 1);
}

/*
 * Issue 10, defect 3 (client half): a signHash in flight when the application
 * logs out comes back 3006 (the service checks the token after the delay) and
 * must not log in again: no new tokens the application did not ask for.
 */
static void test_no_login_again_after_logout(void **state)
{
    (void)state;
    rssp_client *c = alice();
    rssp_status st;
    rssp_sad sad;
    assert_int_equal(authorize(c, "10001", 5, "123456", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_OK);
    set_fault("{\"method\":\"signatures/signHash\",\"latencyMs\":1500,\"count\":1}");
    long signs = stat_of("signatures/signHash"), logins = stat_of("auth/login");
    slow_sign_arg a = {.c = c, .sad = &sad};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, slow_sign, &a), 0);
    await_request("signatures/signHash", signs);
    assert_int_equal(rssp_logout(c, &st), RSSP_OK);
    pthread_join(t, NULL);
    assert_int_equal(a.err, RSSP_ERR_SERVICE);
    assert_int_equal(a.st.response_code, RSSP_RC_ACCESS_TOKEN_INVALID);
    assert_int_equal(stat_of("auth/login"), logins);
    assert_int_equal(stat_of("signatures/signHash"), signs + 1);
    clear_faults();
    rssp_sad_clear(&sad);
    rssp_client_free(c);
}

/*
 * rssp_client_abort (C_Finalize with calls in flight): a call in progress is
 * abandoned (it would otherwise succeed after the delay), new calls fail
 * without a request, and the client works again once the abort is lifted.
 */
static void test_abort_calls_in_flight(void **state)
{
    (void)state;
    rssp_client *c = alice();
    rssp_status st;
    rssp_sad sad;
    assert_int_equal(authorize(c, "10001", 5, "123456", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_OK);
    /* Short enough for the emulator's thread to be done before test_server_gone stops it. */
    set_fault("{\"method\":\"signatures/signHash\",\"latencyMs\":4000,\"count\":1}");
    long signs = stat_of("signatures/signHash");
    slow_sign_arg a = {.c = c, .sad = &sad};
    pthread_t t;
    long long t0 = rssp_monotonic_ms();
    assert_int_equal(pthread_create(&t, NULL, slow_sign, &a), 0);
    await_request("signatures/signHash", signs);
    rssp_client_abort(c, true);
    pthread_join(t, NULL);
    print_message("abandoned a call in flight after %lld ms\n", rssp_monotonic_ms() - t0);
    assert_int_equal(a.err, RSSP_ERR_CANCELLED);
    slow_sign(&a);
    assert_int_equal(a.err, RSSP_ERR_CANCELLED);
    assert_int_equal(stat_of("signatures/signHash"), signs + 1);
    rssp_client_abort(c, false);
    clear_faults();
    slow_sign(&a);
    assert_int_equal(a.err, RSSP_OK);
    rssp_sad_clear(&sad);
    rssp_client_free(c);
}

static void test_rp_only_and_owners(void **state)
{
    (void)state;
    rssp_client_config cfg = config_for(NULL, NULL);
    cfg.agreement_uuid = "DEMO#ALICE-0001";
    rssp_client *c = new_client(&cfg);
    rssp_status st;
    rssp_credential_list l;
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
    find(&l, "10001");
    rssp_credential_list_clear(&l);

    rssp_owner_query q = {.username = "alice"};
    rssp_owner_list owners;
    assert_int_equal(rssp_owner_list_call(c, &q, &owners, &st), RSSP_OK);
    assert_int_equal(owners.count, 1);
    assert_string_equal(owners.items[0].username, "alice");
    assert_string_equal(owners.items[0].full_name, "Alice Nguyen");
    rssp_owner_list_clear(&owners);

    q = (rssp_owner_query){.username = "grace"};
    assert_int_equal(rssp_owner_list_call(c, &q, &owners, &st), RSSP_OK);
    assert_int_equal(owners.count, 1);
    assert_int_equal(rssp_owner_assign(c, "DEMO#UNASSIGNED-0001", owners.items[0].owner_uuid, &st),
                     RSSP_OK);
    /* assigning it to someone else now fails */
    q = (rssp_owner_query){.username = "bob"};
    rssp_owner_list bob;
    assert_int_equal(rssp_owner_list_call(c, &q, &bob, &st), RSSP_OK);
    assert_int_equal(rssp_owner_assign(c, "DEMO#UNASSIGNED-0001", bob.items[0].owner_uuid, &st),
                     RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_AGREEMENT_ALREADY_ASSIGNED);
    rssp_owner_list_clear(&bob);
    rssp_owner_list_clear(&owners);
    rssp_client_free(c);

    /* an owner principal may not list owners */
    c = alice();
    assert_int_equal(rssp_owner_list_call(c, NULL, &owners, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_PERMISSION_DENIED);
    rssp_client_free(c);
}

static void test_appsign_login(void **state)
{
    (void)state;
    rssp_client_config cfg = config_for("alice", "alice-pass");
    cfg.rp_auth = RSSP_RP_AUTH_APPSIGN;
    cfg.rp_key_file = NULL;
    cfg.app_api_key = E.api_key;
    cfg.app_api_secret = E.api_secret;
    rssp_client *c = new_client(&cfg);
    rssp_status st;
    rssp_credential_list l;
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
    find(&l, "10001");
    rssp_credential_list_clear(&l);
    rssp_client_free(c);

    /* a wrong secret is an RP authentication failure */
    cfg.app_api_secret = "not-the-secret";
    c = new_client(&cfg);
    assert_int_equal(rssp_login(c, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_RP_AUTHENTICATION_FAILED);
    rssp_client_free(c);

    /* and a wrong owner password says how many attempts are left */
    cfg = config_for("erin", "wrong");
    c = new_client(&cfg);
    assert_int_equal(rssp_login(c, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, RSSP_RC_INVALID_OWNER_CREDENTIALS);
    assert_true(st.remaining_counter >= 0);
    rssp_client_free(c);
}

static void test_faults(void **state)
{
    (void)state;
    rssp_client *c = alice();
    rssp_status st;
    rssp_credential_list l;
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
    rssp_credential_list_clear(&l);

    set_fault("{\"method\":\"credentials/list\",\"oversized\":true,\"count\":1}");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_PROTOCOL);
    assert_int_equal(l.count, 0);
    set_fault("{\"method\":\"credentials/list\",\"malformed\":true,\"count\":1}");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_PROTOCOL);
    set_fault("{\"method\":\"credentials/list\",\"truncated\":true,\"count\":1}");
    rssp_err err = rssp_credentials_list(c, NULL, &l, &st);
    assert_true(err == RSSP_ERR_TRANSPORT || err == RSSP_ERR_PROTOCOL);
    set_fault("{\"method\":\"credentials/list\",\"httpStatus\":503,\"count\":1}");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_TRANSPORT);
    assert_int_equal(st.http_status, 503);
    set_fault("{\"method\":\"credentials/list\",\"responseCode\":9001,\"count\":1}");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_SERVICE);
    assert_int_equal(st.response_code, 9001);
    /* an injected 3005 makes the client log in again and succeed */
    long logins = stat_of("auth/login");
    set_fault("{\"method\":\"credentials/list\",\"responseCode\":3005,\"count\":1}");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
    rssp_credential_list_clear(&l);
    assert_true(stat_of("auth/login") > logins);
    /* a dropped read-only call is repeated; a dropped signHash is not */
    set_fault("{\"method\":\"credentials/list\",\"drop\":true,\"count\":1}");
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
    rssp_credential_list_clear(&l);
    rssp_sad sad;
    assert_int_equal(authorize(c, "10001", 2, "123456", RSSP_HASH_NONE, NULL, 0, NULL, &sad, &st),
                     RSSP_OK);
    unsigned char d[32];
    sha256("fault", d);
    rssp_buf h = {.data = d, .len = 32};
    rssp_signatures sigs;
    long signs = stat_of("signatures/signHash");
    set_fault("{\"method\":\"signatures/signHash\",\"drop\":true,\"count\":1}");
    assert_int_equal(sign(c, "10001", &sad, RSA_OID, &h, 1, NULL, &sigs, &st), RSSP_ERR_TRANSPORT);
    assert_true(st.maybe_sent);
    assert_int_equal(stat_of("signatures/signHash"), signs + 1);
    /* latency beyond the timeout */
    clear_faults();
    rssp_client_free(c);
    rssp_client_config cfg = config_for("alice", "alice-pass");
    cfg.timeout_ms = 300;
    c = new_client(&cfg);
    set_fault("{\"method\":\"credentials/info\",\"latencyMs\":1500,\"count\":1}");
    long long t0 = rssp_monotonic_ms();
    rssp_credential ci;
    assert_int_equal(rssp_credentials_info(c, "10001", RSSP_CERTS_NONE, false, false, &ci, &st),
                     RSSP_ERR_TRANSPORT);
    assert_true(rssp_monotonic_ms() - t0 < 1400);
    clear_faults();
    rssp_sad_clear(&sad);
    rssp_client_free(c);
}

static void test_server_gone(void **state)
{
    (void)state;
    rssp_client *c = alice();
    rssp_status st;
    rssp_credential_list l;
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_OK);
    rssp_credential_list_clear(&l);
    assert_int_equal(rssp_emu_stop_server(&E.emu), 0);
    long long t0 = rssp_monotonic_ms();
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_TRANSPORT);
    assert_false(st.maybe_sent);
    assert_true(rssp_monotonic_ms() - t0 < 3000);
    rssp_info_result info;
    assert_int_equal(rssp_info(c, &info, &st), RSSP_ERR_TRANSPORT);
    assert_false(st.maybe_sent);
    rssp_client_free(c);
    /* the group teardown removes the folder */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_sequence),
        cmocka_unit_test(test_relogin_after_expire),
        cmocka_unit_test(test_eight_threads),
        cmocka_unit_test(test_connection_reuse),
        cmocka_unit_test(test_entity_name),
        cmocka_unit_test(test_scal2),
        cmocka_unit_test(test_otp),
        cmocka_unit_test(test_implicit),
        cmocka_unit_test(test_no_login_again_after_logout),
        cmocka_unit_test(test_abort_calls_in_flight),
        cmocka_unit_test(test_rp_only_and_owners),
        cmocka_unit_test(test_appsign_login),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_server_gone),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
