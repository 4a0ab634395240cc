#include "emulator/authorize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "emulator/access.h"
#include "emulator/approvals.h"
#include "emulator/digests.h"
#include "emulator/random.h"

#define OTP_VALIDITY_S 300
#define IMPLICIT_DEFAULT_S 120
#define IMPLICIT_MAX_S 300

/* The request fields of credentials/authorize, type-checked. */
typedef struct {
    long num_signatures;
    const char *code; /* authorizeCode, secret */
    emu_digests digests;
    long window_s;
    cJSON *phone_info; /* what the phone shows (IMPLICIT) */
    bool vc_enabled;
} authorize_fields;

static int copy_text(emu_req *r, cJSON *info, const char *name)
{
    const char *s = NULL;
    int rc = emu_get_string(r, r->body, name, &s);
    if (rc <= 0)
        return rc;
    return cJSON_AddStringToObject(info, name, s) == NULL ? emu_fail(r, 9000, "out of memory") : 0;
}

static int parse_fields(emu_req *r, authorize_fields *f)
{
    static const char *const texts[] = {"notificationTitle",
                                        "notificationMessage",
                                        "messageCaption",
                                        "message",
                                        "logoURI",
                                        "bgImageURI",
                                        "rpIconURI",
                                        "rpName",
                                        "confirmationPolicy",
                                        "signAlgo"};
    const cJSON *tinfo = NULL;
    long minutes = 0;
    int rc;
    if (emu_need_int(r, r->body, "numSignatures", &f->num_signatures) != 0 ||
        emu_get_string(r, r->body, "authorizeCode", &f->code) < 0 ||
        emu_digests_find(r, &f->digests) != 0 ||
        emu_get_bool(r, r->body, "vcEnabled", &f->vc_enabled) < 0 ||
        emu_get_object(r, r->body, "transactionInfo", &tinfo) < 0)
        return -1;
    f->window_s = IMPLICIT_DEFAULT_S;
    rc = emu_get_int(r, r->body, "validityPeriod", &f->window_s);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        rc = emu_get_int(r, r->body, "expirationDuration", &minutes);
        if (rc < 0)
            return -1;
        if (rc > 0)
            f->window_s = minutes * 60;
    }
    if (f->window_s < 1 || f->window_s > IMPLICIT_MAX_S)
        return emu_fail(r, 3100, "validityPeriod must be 1..%d seconds", IMPLICIT_MAX_S);
    f->phone_info = cJSON_CreateObject();
    if (f->phone_info == NULL)
        return emu_fail(r, 9000, "out of memory");
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        if (copy_text(r, f->phone_info, texts[i]) < 0)
            return -1;
    }
    if (tinfo != NULL) {
        const cJSON *it;
        cJSON_ArrayForEach(it, tinfo)
        {
            if (!cJSON_IsString(it))
                return emu_fail(r, 3100, "transactionInfo values must be strings");
        }
        if (!cJSON_AddItemToObject(f->phone_info, "transactionInfo", cJSON_Duplicate(tinfo, 1)))
            return emu_fail(r, 9000, "out of memory");
    }
    return 0;
}

/*
 * Verification code of the hashes (CommonFunction.computeVC): pad each hash
 * with 0xFF to the longest, OR them bytewise, SHA-256, first two and last two
 * bytes in uppercase hex.
 */
static void verification_code(const rssp_buf *h, size_t n, char out[10])
{
    unsigned char acc[64], md[32];
    size_t longest = 0;
    for (size_t i = 0; i < n; i++)
        longest = h[i].len > longest ? h[i].len : longest;
    memset(acc, 0, sizeof(acc));
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < longest; k++)
            acc[k] |= k < h[i].len ? h[i].data[k] : 0xFF;
    }
    out[0] = '\0';
    if (rssp_digest(RSSP_HASH_SHA256, acc, longest, md) == RSSP_CRYPTO_OK)
        snprintf(out, 10, "%02X%02X-%02X%02X", md[0], md[1], md[30], md[31]);
}

/* Lock held. Status, lock and counter checks of rule 1; resets an ended lock. */
static int check_usable(emu_req *r, emu_credential *c, bool *changed)
{
    time_t now = time(NULL);
    const char *status = emu_credential_status(c, now);
    if (strcmp(status, "revoked") == 0)
        return emu_fail(r, 3009, NULL);
    if (strcmp(status, "valid") != 0)
        return emu_fail(r, 3010, "certificate status is %s", status);
    if (c->lock_until > (long long)now) {
        emu_fail(r, 3012, NULL);
        emu_put_int(r, "temporaryLockTime", c->lock_until - (long long)now);
        return -1;
    }
    if (c->lock_until != 0) { /* the lock ended: the counter resets */
        c->lock_until = 0;
        c->failed_attempts = 0;
        *changed = true;
    }
    if (c->remaining_signing_counter == 0)
        return emu_fail(r, 3018, NULL);
    return 0;
}

/* A wrong PIN or OTP: count it, lock at the limit. Lock held. */
static int wrong_code(emu_req *r, emu_credential *c, bool *changed)
{
    const emu_rules *rules = &r->ctx->rules;
    c->failed_attempts++;
    *changed = true;
    if (c->failed_attempts >= rules->max_attempts) {
        c->lock_until = (long long)time(NULL) + rules->lock_time_s;
        emu_fail(r, 3012, "too many wrong codes");
        emu_put_int(r, "temporaryLockTime", rules->lock_time_s);
        return -1;
    }
    emu_fail(r, 3011, NULL);
    emu_put_int(r, "remainingCounter", rules->max_attempts - c->failed_attempts);
    return -1;
}

/* EXPLICIT modes (rule 5); lock held. */
static int check_code(emu_req *r, emu_credential *c, const char *code, bool *changed)
{
    if (code == NULL)
        return emu_fail(r, 3021, "authorizeCode is required for %s", c->auth_mode);
    size_t n = strlen(code);
    if (strcmp(c->auth_mode, "EXPLICIT/PIN") == 0) {
        if (!c->has_pin || !emu_passhash_check(&c->pin, code, n))
            return wrong_code(r, c, changed);
    } else {
        long long now = (long long)time(NULL);
        if (c->otp[0] == '\0' || now - c->otp_time > OTP_VALIDITY_S) {
            if (c->otp[0] != '\0') {
                OPENSSL_cleanse(c->otp, sizeof(c->otp));
                *changed = true;
            }
            return emu_fail(r, 3013, NULL);
        }
        if (n != strlen(c->otp) || CRYPTO_memcmp(code, c->otp, n) != 0)
            return wrong_code(r, c, changed);
        OPENSSL_cleanse(c->otp, sizeof(c->otp)); /* single use */
        *changed = true;
    }
    if (c->failed_attempts != 0) {
        c->failed_attempts = 0;
        *changed = true;
    }
    return 0;
}

/* New SAD and the answer; takes the hashes; lock held. */
static int grant(emu_req *r, emu_principal p, size_t index, const char *identity, int count,
                 rssp_hash_alg alg, rssp_buf *hashes, size_t n_hashes)
{
    emu_sad init;
    emu_sad *sad;
    const char *value;
    char suffix[16];
    unsigned node = 0;
    char *random = emu_random_text("", 9);
    memset(&init, 0, sizeof(init));
    if (random == NULL || emu_random_u32(&node) != 0) {
        free(random);
        emu_hashes_free(hashes, n_hashes);
        return emu_fail(r, 9000, "no randomness");
    }
    snprintf(suffix, sizeof(suffix), "%s", random);
    free(random);
    init.credential = index;
    init.principal = p;
    snprintf(init.identity, sizeof(init.identity), "%s", identity);
    /* Like a sticky-routing key naming the node that holds the SAD (§1.6). */
    snprintf(init.entity, sizeof(init.entity), "emu-node-%u.%s", node % 4 + 1, suffix);
    init.remaining = count;
    init.hash_alg = alg;
    if (emu_sad_issue(r->ctx->sessions, &init, hashes, n_hashes, r->ctx->rules.sad_ttl_s, &value,
                      &sad) != 0) {
        emu_hashes_free(hashes, n_hashes);
        return emu_fail(r, 9000, "out of memory");
    }
    snprintf(r->entity_out, sizeof(r->entity_out), "%s", init.entity);
    if (emu_put_string(r, "SAD", value) != 0 ||
        emu_put_int(r, "expiresIn", r->ctx->rules.sad_ttl_s) != 0)
        return -1;
    return 0;
}

/* IMPLICIT: hold the request until the phone answers (lock NOT held). */
static int wait_for_phone(emu_req *r, const char *credential_id, authorize_fields *f)
{
    cJSON *info = f->phone_info;
    f->phone_info = NULL;
    emu_approval_result res = emu_approvals_wait(r->ctx->approvals, credential_id, info,
                                                 f->window_s * 1000, r->client_fd);
    switch (res) {
    case EMU_APPROVAL_APPROVED:
        return 0;
    case EMU_APPROVAL_DENIED:
        return emu_fail(r, 3022, NULL);
    case EMU_APPROVAL_TIMEOUT:
        return emu_fail(r, 3036, "no answer within %ld s", f->window_s);
    case EMU_APPROVAL_SUPERSEDED:
        return emu_fail(r, 3036, "superseded by a newer request for this credential");
    case EMU_APPROVAL_CLIENT_GONE:
        r->client_gone = true;
        return emu_fail(r, 3036, "the client closed the connection");
    case EMU_APPROVAL_SHUTDOWN:
        return emu_fail(r, 9001, "the service is shutting down");
    case EMU_APPROVAL_ERROR:
        break;
    }
    return emu_fail(r, 9000, "cannot wait for the approval");
}

/* Checks of rules 1-4; lock held. Decodes the SCAL 2 hashes. */
static int authorize_checks(emu_req *r, authorize_fields *f, emu_credential *c, size_t index,
                            const char *identity, rssp_buf **hashes, size_t *n_hashes,
                            bool *changed)
{
    if (check_usable(r, c, changed) != 0)
        return -1;
    if (f->num_signatures < 1)
        return emu_fail(r, 3100, "numSignatures must be at least 1");
    if (f->num_signatures > c->num_signatures)
        return emu_fail(r, 3026, "this credential allows %d signatures per authorization",
                        c->num_signatures);
    if (c->scal == 2) {
        if (f->digests.hashes == NULL || f->digests.alg == RSSP_HASH_NONE)
            return emu_fail(r, 3100,
                            "SCAL 2: documentDigests.hashes and hashAlgorithmOID are "
                            "required");
        if (emu_digests_decode(r, &f->digests, f->digests.alg, hashes, n_hashes) != 0)
            return -1;
        if ((long)*n_hashes != f->num_signatures)
            return emu_fail(r, 3100, "SCAL 2: %zu hashes for numSignatures %ld", *n_hashes,
                            f->num_signatures);
    }
    if (emu_binding_conflict(r->ctx->sessions, index, identity))
        return emu_fail(r, 3020, NULL);
    return 0;
}

void emu_handle_authorize(emu_req *r)
{
    authorize_fields f;
    emu_principal p;
    emu_credential *c = NULL;
    size_t index = 0, n_hashes = 0;
    rssp_buf *hashes = NULL;
    bool changed = false, implicit = false;
    char vc[10] = "", cred_id[72] = "";
    memset(&f, 0, sizeof(f));

    if (emu_require_access(r, &p, false) != 0 || parse_fields(r, &f) != 0)
        goto out;
    const char *identity = emu_client_identity(r);
    emu_state *st = r->ctx->st;
    pthread_mutex_lock(&st->lock);
    if (emu_resolve_credential(r, p, &c, &index) != 0 ||
        authorize_checks(r, &f, c, index, identity, &hashes, &n_hashes, &changed) != 0)
        goto unlock;
    if (strncmp(c->auth_mode, "IMPLICIT/", 9) == 0) {
        const emu_agreement *a = emu_find_agreement(st, c->agreement);
        const emu_owner *o = a == NULL ? NULL : emu_find_owner(st, a->owner_uuid);
        if (o == NULL || !o->phone_app) {
            emu_fail(r, 3213, NULL);
            goto unlock;
        }
        implicit = true;
        snprintf(cred_id, sizeof(cred_id), "%s", c->id);
        if (cJSON_AddStringToObject(f.phone_info, "owner", o->username) == NULL ||
            cJSON_AddNumberToObject(f.phone_info, "numSignatures", (double)f.num_signatures) ==
                NULL) {
            emu_fail(r, 9000, "out of memory");
            goto unlock;
        }
        if (f.vc_enabled && n_hashes > 0) {
            verification_code(hashes, n_hashes, vc);
            if (cJSON_AddStringToObject(f.phone_info, "vc", vc) == NULL) {
                emu_fail(r, 9000, "out of memory");
                goto unlock;
            }
        }
    } else if (strncmp(c->auth_mode, "EXPLICIT/OTP-MOBILE", 19) == 0 ||
               strcmp(c->auth_mode, "OAUTH2") == 0 || strncmp(c->auth_mode, "EXPLICIT/", 9) != 0) {
        emu_fail(r, 3101, "authMode %s is not offered by the emulator", c->auth_mode);
        goto unlock;
    } else if (check_code(r, c, f.code, &changed) != 0) {
        goto unlock;
    }
    if (!implicit) {
        rssp_buf *granted = hashes; /* grant() takes them */
        hashes = NULL;
        if (grant(r, p, index, identity, (int)f.num_signatures, f.digests.alg, granted, n_hashes) ==
            0)
            emu_put_int(r, "remainingCounter", r->ctx->rules.max_attempts);
    }
unlock:
    if (changed)
        emu_state_changed(st);
    pthread_mutex_unlock(&st->lock);
    if (changed)
        emu_state_flush(st);
    if (!implicit || r->code != 0)
        goto out;
    if (wait_for_phone(r, cred_id, &f) != 0)
        goto out;
    pthread_mutex_lock(&st->lock);
    changed = false;
    /* The world may have moved while the phone was ringing: check again. */
    if (check_usable(r, c, &changed) == 0) {
        if (emu_binding_conflict(r->ctx->sessions, index, identity)) {
            emu_fail(r, 3020, NULL);
        } else {
            rssp_buf *granted = hashes; /* grant() takes them */
            hashes = NULL;
            if (grant(r, p, index, identity, (int)f.num_signatures, f.digests.alg, granted,
                      n_hashes) == 0)
                emu_put_int(r, "remainingCounter", r->ctx->rules.max_attempts);
        }
    }
    if (changed)
        emu_state_changed(st);
    pthread_mutex_unlock(&st->lock);
    if (changed)
        emu_state_flush(st);
out:
    emu_hashes_free(hashes, n_hashes);
    cJSON_Delete(f.phone_info);
}

/* ---- credentials/extendTransaction (§2.8) ---- */

/* The SAD checks shared by extendTransaction and signHash (§2.8 rule 1, §2.9 rule 1). */
int emu_check_sad(emu_req *r, emu_principal p, size_t index, const char *value,
                  bool check_exhausted, emu_sad **out)
{
    emu_sad *sad = NULL;
    emu_token_check t = emu_sad_find(r->ctx->sessions, value, &sad);
    if (t == EMU_TOKEN_UNKNOWN || sad->credential != index ||
        !emu_principal_equal(sad->principal, p))
        return emu_fail(r, 3014, NULL);
    if (t == EMU_TOKEN_EXPIRED)
        return emu_fail(r, 3015, NULL);
    if (check_exhausted && sad->remaining <= 0)
        return emu_fail(r, 3016, NULL);
    if (r->dialect == EMU_PROTO_RSSP &&
        (r->entity_name == NULL || strcmp(r->entity_name, sad->entity) != 0))
        return emu_fail(r, 3023,
                        r->entity_name == NULL ? "header rssp-entity-name is missing"
                                               : "header rssp-entity-name differs");
    if (strcmp(emu_client_identity(r), sad->identity) != 0)
        return emu_fail(r, 3020, "the SAD is bound to another client identity");
    *out = sad;
    return 0;
}

/* SCAL 2: pick the unsigned authorized hashes equal to wanted (each used once); -1 if not all. */
int emu_match_hashes(const emu_sad *sad, const rssp_buf *wanted, size_t n, size_t *picked)
{
    bool *taken = calloc(sad->n_hashes + 1, sizeof(bool));
    int rc = -1;
    if (taken == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t k;
        for (k = 0; k < sad->n_hashes; k++) {
            if (!sad->used[k] && !taken[k] && sad->hashes[k].len == wanted[i].len &&
                memcmp(sad->hashes[k].data, wanted[i].data, wanted[i].len) == 0)
                break;
        }
        if (k == sad->n_hashes)
            goto out;
        taken[k] = true;
        picked[i] = k;
    }
    rc = 0;
out:
    free(taken);
    return rc;
}

void emu_handle_extend(emu_req *r)
{
    emu_principal p;
    const char *sad_value;
    emu_digests d;
    emu_credential *c;
    emu_sad *sad;
    size_t index, n = 0;
    rssp_buf *hashes = NULL, *keep = NULL;
    size_t *picked = NULL;
    if (emu_require_access(r, &p, false) != 0 || emu_need_string(r, r->body, "SAD", &sad_value) ||
        emu_digests_find(r, &d) != 0)
        return;
    emu_state *st = r->ctx->st;
    pthread_mutex_lock(&st->lock);
    if (emu_resolve_credential(r, p, &c, &index) != 0 ||
        emu_check_sad(r, p, index, sad_value, true, &sad) != 0)
        goto unlock;
    int count = sad->remaining;
    if (c->scal == 2) {
        if (d.hashes == NULL) {
            emu_fail(r, 3100, "SCAL 2: documentDigests.hashes is required");
            goto unlock;
        }
        rssp_hash_alg alg = d.alg == RSSP_HASH_NONE ? sad->hash_alg : d.alg;
        if (alg != sad->hash_alg) {
            emu_fail(r, 3017, "hash algorithm differs from the authorized one");
            goto unlock;
        }
        if (emu_digests_decode(r, &d, alg, &hashes, &n) != 0)
            goto unlock;
        picked = calloc(n, sizeof(size_t));
        keep = calloc(n, sizeof(rssp_buf));
        if (picked == NULL || keep == NULL) {
            emu_fail(r, 9000, "out of memory");
            goto unlock;
        }
        if (emu_match_hashes(sad, hashes, n, picked) != 0) {
            emu_fail(r, 3017, "a hash is not among the unsigned authorized hashes");
            goto unlock;
        }
        for (size_t i = 0; i < n; i++) {
            keep[i] = hashes[i];
            hashes[i] = (rssp_buf){NULL, 0};
        }
        count = (int)n;
    }
    char identity[sizeof(sad->identity)];
    snprintf(identity, sizeof(identity), "%s", sad->identity);
    rssp_hash_alg alg = sad->hash_alg;
    emu_sad_invalidate(r->ctx->sessions, sad); /* the old SAD is invalid at once */
    rssp_buf *granted = keep;                  /* grant() takes them */
    keep = NULL;
    grant(r, p, index, identity, count, alg, granted, granted == NULL ? 0 : n);
unlock:
    pthread_mutex_unlock(&st->lock);
    emu_hashes_free(hashes, n);
    emu_hashes_free(keep, n);
    free(picked);
}
