/*
 * Helpers of the emulator rule tests: a private emulator per test, clients
 * made from its configuration files, raw HTTP requests (libcurl) for what a
 * correct client never sends, SSL2/Basic headers built by hand, and
 * signature checks with OpenSSL against the credential's certificate.
 * Every helper fails the running cmocka test instead of returning an error.
 */
#ifndef EMU_TEST_H
#define EMU_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "emulator_fixture.h"
#include "rssp/client.h"

typedef struct {
    rssp_emu emu;
    cJSON *fixture; /* DIR/fixture.json */
} et_env;

/* Start an emulator with extra serve arguments (NULL-terminated, may be NULL). */
void et_start(et_env *env, const char *const *serve_args);
void et_stop(et_env *env);

/* Overrides of a configuration file's account settings; zero = as configured. */
typedef struct {
    const char *client_mac;
    bool no_remember; /* remember_me = false */
    bool rp_only;     /* no owner: SSL2-only login */
    const char *agreement;
    const char *password;
    long timeout_ms;
} et_overrides;

/* A client for DIR/<config> (e.g. "rssp-pkcs11.conf", "owners/bob.conf"). */
rssp_client *et_client(et_env *env, const char *config, const et_overrides *o);

/* Fixture values: relying party field ("password", "keyPem" ...), credential field. */
const char *et_rp(et_env *env, const char *rp, const char *field);
const char *et_owner(et_env *env, const char *username, const char *field);
const char *et_cred(et_env *env, const char *id, const char *field);

/* ---- raw HTTP ---- */
typedef struct {
    long status; /* HTTP status, -1 on a transport error */
    char *body;
    cJSON *json;      /* parsed body, NULL if not JSON */
    char entity[160]; /* rssp-entity-name response header */
} et_resp;

/*
 * POST body to <url><method> with the given extra header lines (NULL-terminated,
 * may be NULL); Content-Type: application/json unless a header line sets it.
 */
void et_post(et_env *env, const char *method, const char *const *headers, const char *body,
             et_resp *out);
/* Any HTTP method, any URL path below the server root (e.g. "/rssp/v1/info"). */
void et_request(et_env *env, const char *http_method, const char *path, const char *const *headers,
                const char *body, size_t body_len, et_resp *out);
void et_resp_clear(et_resp *r);
/* responseCode of a 200 envelope; fails the test if there is none. */
int et_code(const et_resp *r);
/* An integer response field; fails the test if absent. */
long et_int(const et_resp *r, const char *name);
const char *et_str(const et_resp *r, const char *name);

/* ---- Authorization headers built by hand ---- */
typedef enum {
    ET_SSL2_OK,
    ET_SSL2_SHA256,   /* pkcs1Signature over SHA-256 (accepted) */
    ET_SSL2_SWAPPED,  /* X and T swapped as in the seed sample (accepted) */
    ET_SSL2_DATE,     /* T as yyyyMMddHHmmss (accepted) */
    ET_SSL2_BAD_SIG,  /* signature over other data */
    ET_SSL2_BAD_PASS, /* wrong RP password */
    ET_SSL2_FOUR,     /* only four fields */
} et_ssl2_variant;

/* "Authorization: SSL2 ..." for rp, T = now + offset_ms; malloc'ed. */
char *et_ssl2_header(et_env *env, const char *rp, et_ssl2_variant v, long long offset_ms);
/* "Authorization: SSL2 ..., Basic ..." for an owner; malloc'ed. */
char *et_owner_header(et_env *env, const char *owner, const char *password);
/* Raw auth/login for owner (NULL = RP only); returns the access token (malloc'ed). */
char *et_login(et_env *env, const char *owner, bool remember, char **refresh);
/* "Authorization: Bearer <token>"; malloc'ed. */
char *et_bearer(const char *token);

/* ---- hashes and signatures ---- */
/* SHA-256 of text into out[32]; the Base64 of it (malloc'ed). */
char *et_sha256_b64(const char *text, unsigned char out[32]);
typedef enum { ET_PKCS1, ET_PSS, ET_ECDSA } et_scheme;
/*
 * Verify a signature over a hash with the credential's certificate (file from
 * the fixture): PKCS#1 v1.5, PSS (MGF1 with alg, salt = hash length), ECDSA
 * (DER, or raw r||s).
 */
bool et_verify(et_env *env, const char *credential_id, et_scheme scheme, rssp_hash_alg alg,
               const unsigned char *hash, size_t hash_len, const rssp_buf *sig);

#endif
