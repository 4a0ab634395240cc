#include "pkcs11/login.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "common/secmem.h"
#include "crypto/crypto.h"
#include "pkcs11/module.h"

CK_RV p11_rv_from_client(const char *what, rssp_err err, const rssp_status *st)
{
    if (err == RSSP_ERR_SERVICE)
        rssp_warn("%s: service answered %d (%s), billCode %s", what, st->response_code, st->message,
                  st->bill_code[0] ? st->bill_code : "-");
    else
        rssp_warn("%s: %s: %s", what, rssp_err_name(err), st->message);
    switch (err) {
    case RSSP_OK:
        return CKR_OK;
    case RSSP_ERR_NOMEM:
        return CKR_HOST_MEMORY;
    case RSSP_ERR_CANCELLED:
        return CKR_FUNCTION_CANCELED;
    case RSSP_ERR_SERVICE:
        break;
    default: /* transport, protocol, configuration: never the user's PIN */
        return CKR_DEVICE_ERROR;
    }
    switch (st->response_code) {
    case RSSP_RC_AUTHORIZE_CODE_INVALID:
        return CKR_PIN_INCORRECT;
    case RSSP_RC_CREDENTIAL_LOCKED:
        return CKR_PIN_LOCKED;
    case RSSP_RC_USER_DENIED:
        return CKR_FUNCTION_REJECTED;
    case RSSP_RC_REQUEST_EXPIRED:
        return CKR_FUNCTION_CANCELED;
    case RSSP_RC_CERTIFICATE_REVOKED:
    case RSSP_RC_CERTIFICATE_NOT_VALID:
    case RSSP_RC_SIGNING_COUNTER_EXHAUSTED:
        return CKR_KEY_FUNCTION_NOT_PERMITTED;
    case RSSP_RC_ALGORITHM_NOT_SUPPORTED:
        return CKR_MECHANISM_INVALID;
    case RSSP_RC_CREDENTIAL_NOT_FOUND:
        return CKR_DEVICE_REMOVED;
    default:
        return CKR_DEVICE_ERROR;
    }
}

/* Remember what the service said about PIN attempts. State lock held. */
static void note_attempts(p11_token *tok, const rssp_status *st)
{
    if (st->remaining_counter >= 0)
        tok->pin_remaining = st->remaining_counter;
    if (st->err == RSSP_ERR_SERVICE && st->response_code == RSSP_RC_AUTHORIZE_CODE_INVALID)
        tok->pin_failed = true;
    if (st->err == RSSP_ERR_SERVICE && st->response_code == RSSP_RC_CREDENTIAL_LOCKED) {
        long secs = st->temporary_lock_time > 0 ? st->temporary_lock_time : 1;
        tok->locked_until_ms = rssp_monotonic_ms() + secs * 1000;
        tok->pin_remaining = 0;
    } else if (st->err == RSSP_OK) {
        tok->locked_until_ms = 0;
        tok->pin_failed = false;
    }
}

/*
 * SCAL 1 with a PIN or phone approval: one authorization serves many
 * signatures. SCAL 2, and OTP tokens (a code per signature), authorize each.
 */
static bool reuses_sad(const p11_token *tok)
{
    return tok->scal == 1 && tok->auth_kind != P11_AUTH_OTP;
}

/* Signatures to ask for per SCAL 1 authorization. */
static int sad_size(const p11_token *tok)
{
    int want = p11_g.cfg.sad_signatures;
    if (want <= 0 || want > tok->max_signatures)
        want = tok->max_signatures;
    return want;
}

/*
 * Deadline for using a SAD: its lifetime less 10 % (at least 5 s), so a
 * signature is never sent with a SAD about to expire on the way.
 */
static long long sad_deadline(const rssp_sad *sad)
{
    long long life = (long long)sad->expires_in * 1000;
    long long margin = life / 10 > 5000 ? life / 10 : 5000;
    if (margin > life / 2)
        margin = life / 2;
    return sad->obtained_ms + life - margin;
}

/*
 * credentials/authorize. For SCAL 2 the hash is bound; for a login check at
 * SCAL 2 a random hash is bound and the SAD revoked at once.
 */
static rssp_err authorize(p11_token *tok, const char *pin, int num, rssp_hash_alg hash_alg,
                          const unsigned char *hash, size_t hash_len, const atomic_int *cancel,
                          rssp_sad *sad, rssp_status *st)
{
    rssp_buf h = {(unsigned char *)hash, hash_len}; /* read only by the client */
    rssp_authorize_request req = {
        .credential_id = tok->credential_id,
        .num_signatures = num,
        .authorize_code = pin,
        .code_is_otp = tok->auth_kind == P11_AUTH_OTP,
        .hash_alg = hash != NULL ? hash_alg : RSSP_HASH_NONE,
        .hashes = hash != NULL ? &h : NULL,
        .n_hashes = hash != NULL ? 1 : 0,
        .notification_message =
            tok->auth_kind == P11_AUTH_IMPLICIT ? "Sign with rssp-pkcs11" : NULL,
        .cancel = cancel,
    };
    if (tok->auth_kind != P11_AUTH_IMPLICIT)
        return rssp_authorize(p11_g.client, &req, sad, st);
    /* A protected-authentication-path wait: the module never prints, the log says. */
    rssp_info_log("credential %s: waiting for approval on the phone (at most %ld s)",
                  tok->credential_id, p11_g.cfg.authorize_timeout_ms / 1000);
    long long t0 = rssp_monotonic_ms();
    rssp_err err = rssp_authorize(p11_g.client, &req, sad, st);
    rssp_info_log("credential %s: phone %s after %lld ms", tok->credential_id,
                  err == RSSP_OK ? "approved" : "did not approve", rssp_monotonic_ms() - t0);
    return err;
}

void p11_revoke(const rssp_sad_ref *sads, size_t n, bool logout)
{
    if (p11_g.client == NULL || (n == 0 && !logout))
        return;
    rssp_status st;
    long long t0 = rssp_monotonic_ms();
    rssp_err err = rssp_revoke_all(p11_g.client, sads, n, logout, &st);
    long long ms = rssp_monotonic_ms() - t0;
    if (err != RSSP_OK)
        rssp_info_log("revoking %zu SAD(s)%s: %s after %lld ms; the rest is left to expire", n,
                      logout ? " and the session" : "", st.message, ms);
    else
        rssp_debug("revoked %zu SAD(s)%s in %lld ms", n, logout ? " and the session" : "", ms);
}

static void revoke_sad(const p11_token *tok, const rssp_sad *sad)
{
    rssp_sad_ref ref = {.sad = sad->sad, .credential_id = tok->credential_id};
    if (sad->sad != NULL)
        p11_revoke(&ref, 1, false);
}

/*
 * Whether pin is the PIN the service refused last for this token. Programs
 * that answer every password prompt with the same stored password (NSS asks
 * again after CKR_PIN_INCORRECT; LibreOffice's PDF export answers with its
 * SignaturePassword each time) would otherwise spend every attempt the
 * service allows, and lock the credential, in one loop. Auth lock held.
 */
static bool repeats_refused_pin(p11_token *tok, const char *pin)
{
    p11_mutex_lock(tok->state_lock);
    const char *refused = tok->refused_pin;
    size_t len = strlen(pin);
    bool same = refused != NULL && strlen(refused) == len && CRYPTO_memcmp(refused, pin, len) == 0;
    p11_mutex_unlock(tok->state_lock);
    return same;
}

CK_RV p11_token_login(p11_token *tok, const unsigned char *pin, size_t pin_len,
                      const atomic_int *cancel)
{
    CK_RV rv;
    rssp_status st;
    rssp_sad sad = {0};
    char *pin_copy = NULL;

    if (tok->auth_kind == P11_AUTH_NONE) {
        rssp_warn("credential %s: its authorization (in the service's web page, or a PIN with a "
                  "generated code) cannot be given through a PKCS#11 login; C_Login refused",
                  tok->credential_id);
        return CKR_USER_PIN_NOT_INITIALIZED;
    }
    if (tok->auth_kind == P11_AUTH_PIN) {
        if (pin == NULL || pin_len == 0)
            return CKR_PIN_INCORRECT;
        if ((pin_copy = rssp_secret_dup(pin, pin_len)) == NULL)
            return CKR_HOST_MEMORY;
    }

    p11_mutex_lock(tok->auth_lock);
    if (pin_copy != NULL && repeats_refused_pin(tok, pin_copy)) {
        rssp_warn("C_Login: the PIN the service just refused for %s was given again; "
                  "not sent (it would only cost an attempt)",
                  tok->credential_id);
        rv = CKR_PIN_INVALID;
        goto out;
    }
    rssp_err err;
    if (tok->auth_kind == P11_AUTH_OTP) {
        err = rssp_login(p11_g.client, &st); /* the account; codes come per signature */
    } else if (tok->scal == 1) {
        err = authorize(tok, pin_copy, sad_size(tok), RSSP_HASH_NONE, NULL, 0, cancel, &sad, &st);
    } else if (tok->auth_kind == P11_AUTH_PIN) {
        unsigned char probe[32];
        if (rssp_random_bytes(probe, sizeof probe) != RSSP_CRYPTO_OK) {
            rv = CKR_FUNCTION_FAILED;
            goto out;
        }
        err = authorize(tok, pin_copy, 1, RSSP_HASH_SHA256, probe, sizeof probe, cancel, &sad, &st);
        if (err == RSSP_OK)
            revoke_sad(tok, &sad);
        rssp_sad_clear(&sad);
    } else {
        err = RSSP_OK; /* IMPLICIT at SCAL 2: every signature is approved on the phone */
        rssp_status_reset(&st);
    }

    p11_shared_sad *shared = NULL;
    if (err == RSSP_OK && reuses_sad(tok) && (shared = p11_shared_sad_new(&sad)) == NULL) {
        rv = CKR_HOST_MEMORY;
        goto out;
    }
    p11_mutex_lock(tok->state_lock);
    note_attempts(tok, &st);
    if (err == RSSP_OK) {
        if (shared != NULL) {
            p11_shared_sad_release(tok->sad);
            tok->sad = shared;
            tok->sad_remaining = sad_size(tok);
            tok->sad_deadline_ms = sad_deadline(&shared->sad);
            tok->sad_generation++;
        }
        rssp_secret_free(tok->pin);
        tok->pin = pin_copy;
        pin_copy = NULL;
        tok->logged_in = true;
        rssp_secret_free(tok->refused_pin);
        tok->refused_pin = NULL;
    } else if (pin_copy != NULL && err == RSSP_ERR_SERVICE &&
               st.response_code == RSSP_RC_AUTHORIZE_CODE_INVALID) {
        rssp_secret_free(tok->refused_pin);
        tok->refused_pin = pin_copy;
        pin_copy = NULL;
    }
    p11_mutex_unlock(tok->state_lock);
    rv = err == RSSP_OK ? CKR_OK : p11_rv_from_client("C_Login", err, &st);
    if (rv == CKR_OK)
        rssp_info_log("logged in to credential %s (SCAL %d)", tok->credential_id, tok->scal);
out:
    p11_mutex_unlock(tok->auth_lock);
    rssp_sad_clear(&sad);
    rssp_secret_free(pin_copy);
    return rv;
}

bool p11_token_logout(p11_token *tok, rssp_sad *taken)
{
    p11_mutex_lock(tok->auth_lock);
    p11_mutex_lock(tok->state_lock);
    bool was = tok->logged_in;
    tok->logged_in = false;
    p11_shared_sad *sad = tok->sad;
    tok->sad = NULL;
    tok->sad_remaining = 0;
    tok->sad_generation++;
    rssp_secret_free(tok->pin);
    tok->pin = NULL;
    p11_mutex_unlock(tok->state_lock);
    p11_mutex_unlock(tok->auth_lock);
    if (taken == NULL)
        p11_shared_sad_release(sad);
    else if (!p11_shared_sad_take(sad, taken))
        rssp_warn("out of memory: the SAD of %s is left to expire", tok->credential_id);
    return was;
}

static bool any_token_logged_in(void)
{
    bool any = false;
    for (size_t i = 0; i < p11_g.n_tokens && !any; i++) {
        p11_token *tok = p11_g.tokens[i];
        p11_mutex_lock(tok->state_lock);
        any = tok->logged_in;
        p11_mutex_unlock(tok->state_lock);
    }
    return any;
}

bool p11_token_end_login(p11_token *tok)
{
    bool revoke = !atomic_load(&p11_g.service_unreachable);
    rssp_sad sad = {0};
    if (!p11_token_logout(tok, &sad)) {
        rssp_sad_clear(&sad);
        return false;
    }
    rssp_info_log("logged out of credential %s", tok->credential_id);
    if (revoke) {
        /* The SAD, and the session when no token is logged in any more, at once. */
        rssp_sad_ref ref = {.sad = sad.sad, .credential_id = tok->credential_id};
        p11_revoke(&ref, sad.sad != NULL ? 1 : 0, !any_token_logged_in());
    }
    rssp_sad_clear(&sad);
    return true;
}

size_t p11_token_sig_len(const p11_token *tok)
{
    if (tok->ee.key_type == RSSP_KEY_EC)
        return 2 * tok->ee.ec_field_len;
    return (tok->ee.key_bits + 7) / 8;
}

/* A reference to the current SCAL 1 SAD, with one signature reserved. State lock held. */
static CK_RV take_sad(p11_token *tok, p11_shared_sad **out, unsigned long *generation)
{
    if (!tok->logged_in)
        return CKR_USER_NOT_LOGGED_IN;
    if (tok->sad == NULL || tok->sad_remaining <= 0 || rssp_monotonic_ms() >= tok->sad_deadline_ms)
        return CKR_OK; /* *out stays NULL: a new SAD is needed */
    *out = p11_shared_sad_ref(tok->sad);
    tok->sad_remaining--;
    *generation = tok->sad_generation;
    return CKR_OK;
}

/*
 * Get a SCAL 1 SAD for one signature: the current one, or a new one from
 * authorize with the held PIN (single-flight per token).
 */
static CK_RV acquire_sad(p11_token *tok, p11_shared_sad **out, unsigned long *generation,
                         const atomic_int *cancel)
{
    *out = NULL;
    p11_mutex_lock(tok->state_lock);
    CK_RV rv = take_sad(tok, out, generation);
    p11_mutex_unlock(tok->state_lock);
    if (rv != CKR_OK || *out != NULL)
        return rv;

    p11_mutex_lock(tok->auth_lock);
    p11_mutex_lock(tok->state_lock);
    rv = take_sad(tok, out, generation); /* another thread may have renewed it meanwhile */
    char *pin = NULL;
    if (rv == CKR_OK && *out == NULL && tok->pin != NULL &&
        (pin = rssp_secret_strdup(tok->pin)) == NULL)
        rv = CKR_HOST_MEMORY;
    p11_mutex_unlock(tok->state_lock);
    if (rv != CKR_OK || *out != NULL)
        goto out;

    rssp_sad sad = {0};
    rssp_status st;
    int num = sad_size(tok);
    rssp_err err = authorize(tok, pin, num, RSSP_HASH_NONE, NULL, 0, cancel, &sad, &st);
    p11_shared_sad *shared = NULL;
    if (err == RSSP_OK && (shared = p11_shared_sad_new(&sad)) == NULL)
        rv = CKR_HOST_MEMORY;
    p11_mutex_lock(tok->state_lock);
    note_attempts(tok, &st);
    if (shared != NULL && tok->logged_in) {
        p11_shared_sad_release(tok->sad);
        tok->sad = shared;
        shared = NULL;
        tok->sad_remaining = num;
        tok->sad_deadline_ms = sad_deadline(&tok->sad->sad);
        tok->sad_generation++;
        rv = take_sad(tok, out, generation);
    } else if (err == RSSP_OK && rv == CKR_OK) {
        rv = CKR_USER_NOT_LOGGED_IN; /* logged out while we were authorizing */
    }
    p11_mutex_unlock(tok->state_lock);
    if (err != RSSP_OK)
        rv = p11_rv_from_client("renewing the SAD", err, &st);
    p11_shared_sad_release(shared);
    rssp_sad_clear(&sad);
out:
    p11_mutex_unlock(tok->auth_lock);
    rssp_secret_free(pin);
    return rv;
}

/* The SAD the service just refused is spent: make the next signer renew it. */
static void discard_sad(p11_token *tok, unsigned long generation)
{
    p11_mutex_lock(tok->state_lock);
    if (tok->sad_generation == generation)
        tok->sad_remaining = 0;
    p11_mutex_unlock(tok->state_lock);
}

static bool sad_refused(rssp_err err, const rssp_status *st)
{
    if (err != RSSP_ERR_SERVICE)
        return false;
    switch (st->response_code) {
    case RSSP_RC_SAD_INVALID:
    case RSSP_RC_SAD_EXPIRED:
    case RSSP_RC_SAD_EXHAUSTED:
    case RSSP_RC_ENTITY_NAME_MISMATCH:
        return true;
    default:
        return false;
    }
}

/* signAlgo OID and parameters for the scheme. */
static CK_RV sign_request(const p11_sig_params *p, rssp_sign_request *req, rssp_buf *params)
{
    switch (p->scheme) {
    case P11_SCHEME_PKCS1:
        req->sign_algo_oid = "1.2.840.113549.1.1.1";
        return CKR_OK;
    case P11_SCHEME_PSS:
        req->sign_algo_oid = "1.2.840.113549.1.1.10";
        if (rssp_pss_params_encode(p->hash, p->mgf1_hash, p->salt_len, params) != RSSP_CRYPTO_OK)
            return CKR_HOST_MEMORY;
        req->sign_algo_params = params->data;
        req->sign_algo_params_len = params->len;
        return CKR_OK;
    case P11_SCHEME_ECDSA:
        req->sign_algo_oid = "1.2.840.10045.2.1";
        return CKR_OK;
    default:
        return CKR_MECHANISM_INVALID;
    }
}

/* Turn the service's signature into what PKCS#11 returns. */
static CK_RV convert_signature(const p11_token *tok, const rssp_buf *in, unsigned char *sig,
                               size_t *sig_len)
{
    size_t want = p11_token_sig_len(tok);
    if (*sig_len < want)
        return CKR_BUFFER_TOO_SMALL;
    if (tok->ee.key_type == RSSP_KEY_EC) {
        if (in->len == want) { /* already raw r||s */
            memcpy(sig, in->data, want);
            *sig_len = want;
            return CKR_OK;
        }
        if (rssp_ecdsa_der_to_raw(in->data, in->len, tok->ee.ec_field_len, sig, *sig_len,
                                  sig_len) != RSSP_CRYPTO_OK) {
            rssp_warn("service returned a malformed ECDSA signature (%zu bytes)", in->len);
            return CKR_DEVICE_ERROR;
        }
        return CKR_OK;
    }
    if (in->len != want) {
        rssp_warn("service returned a %zu-byte RSA signature, expected %zu", in->len, want);
        return CKR_DEVICE_ERROR;
    }
    memcpy(sig, in->data, want);
    *sig_len = want;
    return CKR_OK;
}

CK_RV p11_token_send_otp(p11_token *tok)
{
    rssp_status st;
    rssp_err err = rssp_send_otp(p11_g.client, tok->credential_id,
                                 "Your signing code: {AuthorizeCode}", "Signing code", &st);
    return err == RSSP_OK ? CKR_OK : p11_rv_from_client("sending a one-time code", err, &st);
}

CK_RV p11_token_sign(p11_token *tok, const p11_sig_params *p, const unsigned char *hash,
                     size_t hash_len, const char *code, unsigned char *sig, size_t *sig_len,
                     const atomic_int *cancel)
{
    rssp_buf h = {(unsigned char *)hash, hash_len}; /* read only by the client */
    rssp_buf params = {0};
    rssp_sign_request req = {.credential_id = tok->credential_id,
                             .hash_alg = p->hash,
                             .hashes = &h,
                             .n_hashes = 1,
                             .cancel = cancel};
    rssp_signatures out = {0};
    rssp_status st;
    rssp_err err = RSSP_OK;
    CK_RV rv = sign_request(p, &req, &params);
    if (rv != CKR_OK)
        return rv;

    for (int attempt = 0; attempt < 2; attempt++) {
        rssp_sad sad = {0};
        unsigned long generation = 0;
        if (reuses_sad(tok)) {
            p11_shared_sad *shared = NULL;
            if ((rv = acquire_sad(tok, &shared, &generation, cancel)) != CKR_OK)
                goto out;
            req.sad = &shared->sad;
            err = rssp_sign_hash(p11_g.client, &req, &out, &st);
            p11_shared_sad_release(shared);
            if (sad_refused(err, &st) && attempt == 0) {
                discard_sad(tok, generation); /* refused before signing: safe to retry once */
                rssp_info_log("SAD of %s refused (%d); renewing", tok->credential_id,
                              st.response_code);
                continue;
            }
        } else {
            p11_mutex_lock(tok->state_lock);
            const char *held = tok->auth_kind == P11_AUTH_OTP ? code : tok->pin;
            char *pin = held != NULL ? rssp_secret_strdup(held) : NULL;
            bool in = tok->logged_in;
            p11_mutex_unlock(tok->state_lock);
            if (in && tok->auth_kind == P11_AUTH_OTP && code == NULL)
                in = false; /* CKA_ALWAYS_AUTHENTICATE: no code, no signature */
            if (!in || (tok->auth_kind != P11_AUTH_IMPLICIT && pin == NULL)) {
                rssp_secret_free(pin);
                rv = in ? CKR_HOST_MEMORY : CKR_USER_NOT_LOGGED_IN;
                goto out;
            }
            err = authorize(tok, pin, 1, p->hash, hash, hash_len, cancel, &sad, &st);
            rssp_secret_free(pin);
            if (err == RSSP_OK) {
                req.sad = &sad;
                err = rssp_sign_hash(p11_g.client, &req, &out, &st);
            }
            rssp_sad_clear(&sad);
        }
        break;
    }
    if (err != RSSP_OK) {
        rv = p11_rv_from_client("signing", err, &st);
        goto out;
    }
    if (out.count != 1) {
        rssp_warn("service returned %zu signatures for one hash", out.count);
        rv = CKR_DEVICE_ERROR;
        goto out;
    }
    rv = convert_signature(tok, &out.items[0], sig, sig_len);
out:
    rssp_signatures_clear(&out);
    rssp_buf_clear(&params);
    return rv;
}
