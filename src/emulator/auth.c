#include "emulator/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/secmem.h"
#include "emulator/access.h"
#include "emulator/httpauth.h"
#include "emulator/sessions.h"

static long long epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Owner check of auth/login (§2.2 rule 2); lock held. rp: the relying party
 * the owner must belong to (NULL: any, for the CSC dialects). *owner on success.
 */
static int check_owner_password(emu_req *r, const emu_rp *rp, const char *user_type,
                                const char *username, const char *password, int *owner,
                                bool *changed)
{
    emu_state *st = r->ctx->st;
    const emu_rules *rules = &r->ctx->rules;
    bool known;
    emu_owner *o = emu_find_owner_by_login(st, user_type, username, &known);
    if (!known)
        return emu_fail(r, 3100, "unknown usertype '%.40s'", user_type);
    if (o == NULL || (rp != NULL && strcmp(o->rp, rp->name) != 0))
        return emu_fail(r, 3003, NULL);
    long long now = (long long)time(NULL);
    if (o->lock_until > now) {
        emu_fail(r, 3002, NULL);
        emu_put_int(r, "temporaryLockTime", o->lock_until - now);
        return -1;
    }
    if (o->lock_until != 0) { /* the lock has ended: a fresh allowance */
        o->lock_until = 0;
        o->failed_attempts = 0;
        *changed = true;
    }
    if (!emu_passhash_check(&o->password, password, strlen(password))) {
        o->failed_attempts++;
        *changed = true;
        if (o->failed_attempts >= rules->max_attempts) {
            o->lock_until = now + rules->lock_time_s;
            emu_fail(r, 3002, "too many wrong passwords");
            emu_put_int(r, "temporaryLockTime", rules->lock_time_s);
        } else {
            emu_fail(r, 3000, NULL);
            emu_put_int(r, "remainingCounter", rules->max_attempts - o->failed_attempts);
        }
        return -1;
    }
    if (o->failed_attempts != 0) {
        o->failed_attempts = 0;
        *changed = true;
    }
    *owner = (int)(o - st->owners);
    return 0;
}

/* The Basic credentials of an RSSP login; lock held. */
static int check_owner(emu_req *r, emu_rp *rp, const char *basic, int *owner, bool *changed)
{
    char *user_type = NULL, *username = NULL, *password = NULL;
    if (emu_basic_decode(basic, &user_type, &username, &password) != 0)
        return emu_fail(r, 3100, "Basic credentials must be Base64(usertype:username:password)");
    int rc = check_owner_password(r, rp, user_type, username, password, owner, changed);
    free(user_type);
    free(username);
    rssp_secret_free(password);
    return rc;
}

static int put_owner_info(emu_req *r, const emu_owner *o)
{
    cJSON *info = cJSON_CreateObject();
    char *phone = emu_mask_phone(o->phone), *email = emu_mask_email(o->email);
    int rc = -1;
    if (info == NULL ||
        (o->full_name != NULL && cJSON_AddStringToObject(info, "fullName", o->full_name) == NULL) ||
        (phone != NULL && cJSON_AddStringToObject(info, "phone", phone) == NULL) ||
        (email != NULL && cJSON_AddStringToObject(info, "email", email) == NULL)) {
        cJSON_Delete(info);
        emu_fail(r, 9000, "out of memory");
    } else {
        rc = emu_put_item(r, "ownerInfo", info);
    }
    free(phone);
    free(email);
    return rc;
}

/*
 * Issue the tokens of a successful login and answer; lock held. parent: the
 * refresh token of a Bearer login (returned again only with rememberMe).
 */
static int issue_tokens(emu_req *r, emu_principal p, bool remember, const char *parent)
{
    emu_sessions *s = r->ctx->sessions;
    const emu_rules *rules = &r->ctx->rules;
    const char *refresh = parent, *access = NULL;
    if (refresh == NULL && remember && emu_refresh_issue(s, p, rules->refresh_ttl_s, &refresh) != 0)
        return emu_fail(r, 9000, "out of memory");
    if (emu_access_issue(s, p, rules->token_ttl_s, refresh, &access) != 0)
        return emu_fail(r, 9000, "out of memory");
    if (emu_put_string(r, "accessToken", access) != 0 ||
        (remember && refresh != NULL && emu_put_string(r, "refreshToken", refresh) != 0) ||
        emu_put_int(r, "expiresIn", rules->token_ttl_s) != 0)
        return -1;
    if (p.owner >= 0) {
        const emu_owner *o = &r->ctx->st->owners[p.owner];
        if (emu_put_string(r, "username", o->username) != 0 || put_owner_info(r, o) != 0)
            return -1;
    }
    return 0;
}

void emu_login_refresh(emu_req *r, const char *token, const char *rp_name, bool remember)
{
    emu_state *st = r->ctx->st;
    emu_principal p;
    pthread_mutex_lock(&st->lock);
    emu_token_check c = emu_refresh_check(r->ctx->sessions, token, &p);
    if (c != EMU_TOKEN_OK)
        emu_fail(r, 3004, c == EMU_TOKEN_EXPIRED ? "refresh token expired" : NULL);
    else if (rp_name != NULL && strcmp(rp_name, st->rps[p.rp].name) != 0)
        emu_fail(r, 3001, "relyingParty does not match the refresh token");
    else {
        snprintf(r->bill_prefix, sizeof(r->bill_prefix), "%s", st->rps[p.rp].name);
        issue_tokens(r, p, remember, token);
    }
    pthread_mutex_unlock(&st->lock);
}

void emu_handle_login(emu_req *r)
{
    emu_state *st = r->ctx->st;
    emu_auth_header h = {0};
    const char *rp_name = NULL;
    bool remember = false;
    char why[160];

    if (emu_get_string(r, r->body, "relyingParty", &rp_name) < 0 ||
        emu_get_bool(r, r->body, "rememberMe|rememberMeEnabled", &remember) < 0)
        return;
    if (r->authorization == NULL) {
        emu_fail(r, 3001, "Authorization header missing");
        return;
    }
    if (emu_auth_parse(r->authorization, &h, why, sizeof(why)) != 0) {
        emu_fail(r, 3001, "%s", why);
        goto out;
    }
    if (h.bearer != NULL) {
        if (h.ssl2 != NULL || h.basic != NULL || h.appsign != NULL)
            emu_fail(r, 3001, "Bearer cannot be combined with other schemes on auth/login");
        else
            emu_login_refresh(r, h.bearer, rp_name, remember);
        goto out;
    }
    if ((h.ssl2 == NULL) == (h.appsign == NULL)) {
        emu_fail(r, 3001,
                 h.ssl2 == NULL ? "SSL2 (or AppSign) relying-party credentials missing"
                                : "SSL2 and AppSign cannot both be given");
        goto out;
    }
    emu_rp *rp = NULL;
    if (h.ssl2 != NULL ? emu_ssl2_check(st, h.ssl2, epoch_ms(), &rp, why, sizeof(why))
                       : emu_appsign_check(r->ctx, h.appsign, &rp, why, sizeof(why))) {
        emu_fail(r, 3001, "%s", why);
        goto out;
    }
    snprintf(r->bill_prefix, sizeof(r->bill_prefix), "%s", rp->name);
    if (rp_name == NULL) {
        emu_fail(r, 3100, "relyingParty is missing");
        goto out;
    }
    if (strcmp(rp_name, rp->name) != 0) {
        emu_fail(r, 3001, "relyingParty is not the relying party that signed");
        goto out;
    }
    emu_principal p = {(int)(rp - st->rps), -1};
    bool changed = false;
    pthread_mutex_lock(&st->lock);
    if (h.basic == NULL || check_owner(r, rp, h.basic, &p.owner, &changed) == 0)
        issue_tokens(r, p, remember, NULL);
    if (changed)
        emu_state_changed(st);
    pthread_mutex_unlock(&st->lock);
    if (changed)
        emu_state_flush(st);
out:
    emu_auth_header_clear(&h);
}

void emu_login_password(emu_req *r, const char *username, const char *password, bool remember)
{
    emu_state *st = r->ctx->st;
    emu_principal p = {-1, -1};
    bool changed = false;
    pthread_mutex_lock(&st->lock);
    if (check_owner_password(r, NULL, "USERNAME", username, password, &p.owner, &changed) == 0) {
        const emu_owner *o = &st->owners[p.owner];
        for (size_t i = 0; i < st->n_rps; i++) {
            if (strcmp(st->rps[i].name, o->rp) == 0)
                p.rp = (int)i;
        }
        if (p.rp < 0) {
            emu_fail(r, 3003, NULL);
        } else {
            snprintf(r->bill_prefix, sizeof(r->bill_prefix), "%s", o->rp);
            issue_tokens(r, p, remember, NULL);
        }
    }
    if (changed)
        emu_state_changed(st);
    pthread_mutex_unlock(&st->lock);
    if (changed)
        emu_state_flush(st);
}

/* tokenType, or the CSC token_type_hint; -1 on error. */
static int token_type(emu_req *r, long *type)
{
    const char *hint = NULL;
    int rc = emu_get_int(r, r->body, "tokenType", type);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    rc = emu_get_string(r, r->body, "token_type_hint", &hint);
    if (rc < 0)
        return -1;
    *type = 0;
    if (rc == 0 || strcmp(hint, "access_token") == 0)
        return 0;
    if (strcmp(hint, "refresh_token") == 0) {
        *type = 1;
        return 0;
    }
    return emu_fail(r, 3101, "token_type_hint '%.40s' is not supported", hint);
}

static void revoke_sad(emu_req *r, emu_principal p, const char *token)
{
    emu_state *st = r->ctx->st;
    emu_credential *c;
    size_t index;
    emu_sad *sad;
    pthread_mutex_lock(&st->lock);
    if (emu_resolve_credential(r, p, &c, &index) == 0) {
        emu_token_check t = emu_sad_find(r->ctx->sessions, token, &sad);
        /* Unknown, already revoked or foreign: success without effect (RFC 7009). */
        if (t != EMU_TOKEN_UNKNOWN && emu_principal_equal(sad->principal, p)) {
            if (sad->credential != index)
                emu_fail(r, 3014, "the SAD belongs to another credential");
            else
                emu_sad_invalidate(r->ctx->sessions, sad);
        }
    }
    pthread_mutex_unlock(&st->lock);
}

void emu_handle_revoke(emu_req *r)
{
    emu_principal p;
    const char *token;
    long type = 0;
    if (emu_require_access(r, &p, true) != 0 || emu_need_string(r, r->body, "token", &token) != 0 ||
        token_type(r, &type) != 0)
        return;
    emu_state *st = r->ctx->st;
    switch (type) {
    case 0:
        pthread_mutex_lock(&st->lock);
        emu_access_revoke(r->ctx->sessions, token, p);
        pthread_mutex_unlock(&st->lock);
        break;
    case 1:
        pthread_mutex_lock(&st->lock);
        emu_refresh_revoke(r->ctx->sessions, token, p);
        pthread_mutex_unlock(&st->lock);
        break;
    case 2:
        revoke_sad(r, p, token);
        break;
    default:
        emu_fail(r, 3101, "tokenType %ld is not supported (0 access, 1 refresh, 2 SAD)", type);
    }
}
