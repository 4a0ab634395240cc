#include "pkcs11/session.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/secmem.h"
#include "pkcs11/login.h"
#include "pkcs11/module.h"

void p11_op_reset(p11_op *op)
{
    rssp_digest_free(op->dctx);
    rssp_secret_free(op->context_code);
    if (op->data != NULL) {
        OPENSSL_cleanse(op->data, op->data_len); /* may be a hash of a document */
        free(op->data);
    }
    memset(op, 0, sizeof *op);
}

CK_RV p11_op_args_bad(p11_session *s, p11_op_kind kind)
{
    if (s->op.kind == kind)
        p11_op_reset(&s->op);
    return CKR_ARGUMENTS_BAD;
}

static void session_free(p11_session *s)
{
    p11_op_reset(&s->op);
    free(s->found);
    p11_mutex_free(s->lock);
    free(s);
}

CK_RV p11_session_open(CK_SLOT_ID slot_id, CK_FLAGS flags, CK_SESSION_HANDLE *out)
{
    p11_token *tok;
    CK_RV rv = p11_token_get(slot_id, &tok);
    if (rv != CKR_OK)
        return rv;
    p11_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return CKR_HOST_MEMORY;
    if ((rv = p11_mutex_new(&s->lock)) != CKR_OK) {
        free(s);
        return rv;
    }
    s->flags = flags;
    s->tok = tok;
    s->refs = 1; /* the table's reference */
    atomic_init(&s->cancel, 0);

    p11_mutex_lock(p11_g.lock);
    if (p11_g.n_sessions == p11_g.cap_sessions) {
        size_t cap = p11_g.cap_sessions ? p11_g.cap_sessions * 2 : 16;
        p11_session **grown = realloc(p11_g.sessions, cap * sizeof(p11_session *));
        if (grown == NULL) {
            p11_mutex_unlock(p11_g.lock);
            session_free(s);
            return CKR_HOST_MEMORY;
        }
        p11_g.sessions = grown;
        p11_g.cap_sessions = cap;
    }
    /* Handles are never reused within one initialisation; 0 is CK_INVALID_HANDLE. */
    s->handle = ++p11_g.next_handle;
    p11_g.sessions[p11_g.n_sessions++] = s;
    p11_mutex_unlock(p11_g.lock);

    p11_mutex_lock(tok->state_lock);
    tok->session_count++;
    if (flags & CKF_RW_SESSION)
        tok->rw_session_count++;
    p11_mutex_unlock(tok->state_lock);
    *out = s->handle;
    return CKR_OK;
}

/* Index of handle h in the table, or n_sessions. Module lock held. */
static size_t find_index(CK_SESSION_HANDLE h)
{
    for (size_t i = 0; i < p11_g.n_sessions; i++) {
        if (p11_g.sessions[i]->handle == h)
            return i;
    }
    return p11_g.n_sessions;
}

CK_RV p11_session_signal_cancel(CK_SESSION_HANDLE h)
{
    p11_mutex_lock(p11_g.lock);
    size_t i = find_index(h);
    bool found = i < p11_g.n_sessions;
    if (found)
        atomic_store(&p11_g.sessions[i]->cancel, 1);
    p11_mutex_unlock(p11_g.lock);
    return found ? CKR_OK : CKR_SESSION_HANDLE_INVALID;
}

void p11_sessions_signal_token(const p11_token *tok)
{
    p11_mutex_lock(p11_g.lock);
    for (size_t i = 0; i < p11_g.n_sessions; i++) {
        if (p11_g.sessions[i]->tok == tok)
            atomic_store(&p11_g.sessions[i]->cancel, 1);
    }
    p11_mutex_unlock(p11_g.lock);
}

bool p11_session_closed(p11_session *s)
{
    p11_mutex_lock(p11_g.lock);
    bool closed = s->closed;
    p11_mutex_unlock(p11_g.lock);
    return closed;
}

CK_RV p11_session_outcome(p11_session *s, CK_RV rv)
{
    return rv == CKR_FUNCTION_CANCELED && p11_session_closed(s) ? CKR_SESSION_CLOSED : rv;
}

CK_RV p11_session_get(CK_SESSION_HANDLE h, p11_session **out)
{
    p11_mutex_lock(p11_g.lock);
    size_t i = find_index(h);
    if (i == p11_g.n_sessions) {
        p11_mutex_unlock(p11_g.lock);
        return CKR_SESSION_HANDLE_INVALID;
    }
    p11_session *s = p11_g.sessions[i];
    s->refs++;
    p11_mutex_unlock(p11_g.lock);

    p11_mutex_lock(s->lock);
    p11_mutex_lock(p11_g.lock);
    bool closed = s->closed;
    p11_mutex_unlock(p11_g.lock);
    if (closed) {
        p11_session_put(s);
        return CKR_SESSION_HANDLE_INVALID;
    }
    *out = s;
    return CKR_OK;
}

void p11_session_put(p11_session *s)
{
    p11_mutex_unlock(s->lock);
    p11_mutex_lock(p11_g.lock);
    bool last = --s->refs == 0;
    p11_mutex_unlock(p11_g.lock);
    if (last)
        session_free(s);
}

/* Unlink the session at index i; module lock held. Returns true if it must be freed now. */
static bool unlink_at(size_t i)
{
    p11_session *s = p11_g.sessions[i];
    p11_g.sessions[i] = p11_g.sessions[--p11_g.n_sessions];
    s->closed = true;
    atomic_store(&s->cancel, 1);
    return --s->refs == 0;
}

/*
 * One session of tok fewer. Closing the last one returns the token to public
 * sessions (PKCS#11 2.40 §5.6, C_CloseSession): the login ends.
 */
static void count_closed(p11_token *tok, CK_FLAGS flags)
{
    p11_mutex_lock(tok->state_lock);
    if (tok->session_count > 0)
        tok->session_count--;
    if ((flags & CKF_RW_SESSION) && tok->rw_session_count > 0)
        tok->rw_session_count--;
    bool last = tok->session_count == 0;
    p11_mutex_unlock(tok->state_lock);
    if (last)
        p11_token_end_login(tok);
}

CK_RV p11_session_close(CK_SESSION_HANDLE h)
{
    p11_mutex_lock(p11_g.lock);
    size_t i = find_index(h);
    if (i == p11_g.n_sessions) {
        p11_mutex_unlock(p11_g.lock);
        return CKR_SESSION_HANDLE_INVALID;
    }
    p11_session *s = p11_g.sessions[i];
    p11_token *tok = s->tok;
    CK_FLAGS flags = s->flags;
    bool free_now = unlink_at(i);
    p11_mutex_unlock(p11_g.lock);
    count_closed(tok, flags);
    if (free_now)
        session_free(s);
    return CKR_OK;
}

CK_RV p11_session_close_all(CK_SLOT_ID slot_id)
{
    p11_token *tok;
    CK_RV rv = p11_token_get(slot_id, &tok);
    if (rv != CKR_OK)
        return rv;
    for (;;) {
        p11_session *victim = NULL;
        CK_FLAGS flags = 0;
        bool free_now = false;
        p11_mutex_lock(p11_g.lock);
        for (size_t i = 0; i < p11_g.n_sessions; i++) {
            if (p11_g.sessions[i]->tok == tok) {
                victim = p11_g.sessions[i];
                flags = victim->flags;
                free_now = unlink_at(i);
                break;
            }
        }
        p11_mutex_unlock(p11_g.lock);
        if (victim == NULL)
            return CKR_OK;
        count_closed(tok, flags);
        if (free_now)
            session_free(victim);
    }
}

void p11_sessions_destroy(void)
{
    for (size_t i = 0; i < p11_g.n_sessions; i++) {
        p11_session *s = p11_g.sessions[i];
        s->closed = true;
        if (--s->refs == 0)
            session_free(s);
    }
    free(p11_g.sessions);
    p11_g.sessions = NULL;
    p11_g.n_sessions = 0;
    p11_g.cap_sessions = 0;
}

bool p11_session_logged_in(const p11_session *s)
{
    p11_mutex_lock(s->tok->state_lock);
    bool in = s->tok->logged_in;
    p11_mutex_unlock(s->tok->state_lock);
    return in;
}

const p11_object *p11_session_object(const p11_session *s, CK_OBJECT_HANDLE h)
{
    const p11_object *obj = p11_object_find(&s->tok->objects, h);
    if (obj == NULL || (obj->is_private && !p11_session_logged_in(s)))
        return NULL;
    return obj;
}
