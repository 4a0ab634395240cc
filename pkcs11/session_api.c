/* Opening sessions, session info, login, logout, cancellation. */
#include <string.h>

#include "common/log.h"
#include "common/secmem.h"
#include "pkcs11/api.h"
#include "pkcs11/login.h"
#include "pkcs11/module.h"

CK_RV p11_open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out)
{
    p11_token *tok;
    if (out == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_token_get(slot, &tok);
    if (rv != CKR_OK)
        return rv;
    if (!(flags & CKF_SERIAL_SESSION))
        return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    /*
     * The tokens are write-protected, but read-write sessions are accepted by
     * default, as smart-card modules do (OpenSSH opens nothing else); the
     * objects stay read-only. read_write_sessions = false refuses them.
     */
    if ((flags & CKF_RW_SESSION) && !p11_g.cfg.read_write_sessions)
        return CKR_TOKEN_WRITE_PROTECTED;
    return p11_session_open(slot, flags, out);
}

CK_RV p11_get_session_info(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
    p11_session *s;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    memset(info, 0, sizeof *info);
    info->slotID = s->tok->slot_id;
    bool rw = (s->flags & CKF_RW_SESSION) != 0;
    if (p11_session_logged_in(s))
        info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
    else
        info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
    info->flags = s->flags;
    p11_session_put(s);
    return CKR_OK;
}

/* True when tok has a read-only session open (each SO login then fails so). */
static bool token_has_ro_session(p11_token *tok)
{
    p11_mutex_lock(tok->state_lock);
    bool ro = tok->session_count > tok->rw_session_count;
    p11_mutex_unlock(tok->state_lock);
    return ro;
}

CK_RV p11_login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    p11_token *tok = s->tok;
    bool logged_in = p11_session_logged_in(s);
    /* A PIN, or an OTP token's one-time code; other tokens have a protected authentication path. */
    bool needs_code = tok->auth_kind == P11_AUTH_PIN ||
                      (user == CKU_CONTEXT_SPECIFIC && tok->auth_kind == P11_AUTH_OTP);

    if (user == CKU_SO) {
        /* No security officer: a read-only session rules it out first, as PKCS#11 orders. */
        rv = token_has_ro_session(tok) ? CKR_SESSION_READ_ONLY_EXISTS : CKR_USER_TYPE_INVALID;
    } else if (user != CKU_USER && user != CKU_CONTEXT_SPECIFIC) {
        rv = CKR_USER_TYPE_INVALID;
    } else if (user == CKU_USER && logged_in) {
        rv = CKR_USER_ALREADY_LOGGED_IN;
    } else if (user == CKU_CONTEXT_SPECIFIC && s->op.kind != P11_OP_SIGN) {
        rv = CKR_OPERATION_NOT_INITIALIZED;
    } else if (user == CKU_CONTEXT_SPECIFIC && !logged_in && !tok->key_login) {
        rv = CKR_USER_NOT_LOGGED_IN;
    } else if (pin == NULL && (pin_len > 0 || needs_code)) {
        rv = CKR_ARGUMENTS_BAD;
    } else if (needs_code && (pin_len < P11_PIN_MIN_LEN || pin_len > P11_PIN_MAX_LEN)) {
        /* Refused here: sent to the service it would cost an attempt. */
        rv = CKR_PIN_LEN_RANGE;
    } else if (user == CKU_CONTEXT_SPECIFIC && tok->auth_kind == P11_AUTH_OTP) {
        /* The one-time code for this operation; the service checks it at C_Sign. */
        rssp_secret_free(s->op.context_code);
        if ((s->op.context_code = rssp_secret_dup(pin, pin_len)) == NULL) {
            rv = CKR_HOST_MEMORY;
        } else if (!logged_in) {
            /* Key model: the key asked first; the account is checked now. */
            atomic_store(&s->cancel, 0);
            rv = p11_token_login(tok, NULL, 0, &s->cancel);
        }
    } else {
        /*
         * CKU_USER, or CKU_CONTEXT_SPECIFIC: authorize with this PIN. In the
         * key login model the latter is how a token gets logged in at all.
         */
        atomic_store(&s->cancel, 0);
        rv = p11_session_outcome(s, p11_token_login(tok, pin, pin_len, &s->cancel));
        /*
         * Closed while the login was on its way: if that was the token's last
         * session, the close found no login to end; end it now.
         */
        if (rv == CKR_OK && user == CKU_USER && p11_session_closed(s)) {
            p11_mutex_lock(tok->state_lock);
            bool orphan = tok->session_count == 0;
            p11_mutex_unlock(tok->state_lock);
            if (orphan)
                p11_token_end_login(tok);
            rv = CKR_SESSION_CLOSED;
        }
    }
    p11_session_put(s);
    return rv;
}

CK_RV p11_logout(CK_SESSION_HANDLE h)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    p11_token *tok = s->tok;
    p11_session_put(s);
    /* Calls in flight on the token's sessions are abandoned: they must not outlive the login. */
    p11_sessions_signal_token(tok);
    return p11_token_end_login(tok) ? CKR_OK : CKR_USER_NOT_LOGGED_IN;
}

CK_RV p11_session_cancel(CK_SESSION_HANDLE h, CK_FLAGS flags)
{
    p11_session *s;
    /* Abandon a remote call in flight first, so waiting for the session is short. */
    CK_RV rv = p11_session_signal_cancel(h);
    if (rv != CKR_OK)
        return rv;
    rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    p11_op_kind kind = s->op.kind;
    if ((kind == P11_OP_SIGN && (flags & CKF_SIGN)) ||
        (kind == P11_OP_VERIFY && (flags & CKF_VERIFY)) ||
        (kind == P11_OP_DIGEST && (flags & CKF_DIGEST)))
        p11_op_reset(&s->op);
    p11_session_put(s);
    return CKR_OK;
}

CK_RV p11_refuse_on_session(CK_SESSION_HANDLE h, CK_RV refusal)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    p11_session_put(s);
    return refusal;
}

CK_RV p11_refuse_write(CK_SESSION_HANDLE h)
{
    p11_session *s;
    CK_RV rv = p11_session_get(h, &s);
    if (rv != CKR_OK)
        return rv;
    rv = (s->flags & CKF_RW_SESSION) ? CKR_TOKEN_WRITE_PROTECTED : CKR_SESSION_READ_ONLY;
    p11_session_put(s);
    return rv;
}
