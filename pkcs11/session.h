/*
 * Sessions: the table, reference counting (a session closed by one thread
 * while another still uses it is freed by the last user), and the state of
 * the operations active on a session.
 */
#ifndef RSSP_P11_SESSION_H
#define RSSP_P11_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "crypto/crypto.h"
#include "pkcs11/mech.h"
#include "pkcs11/mutex.h"
#include "pkcs11/object.h"
#include "pkcs11/p11.h"

struct p11_token;

typedef enum {
    P11_OP_NONE = 0,
    P11_OP_SIGN,
    P11_OP_VERIFY,
    P11_OP_DIGEST,
} p11_op_kind;

/* A sign, verify or digest operation in progress. */
typedef struct {
    p11_op_kind kind;
    const p11_mech *mech;
    const p11_object *key;   /* sign/verify */
    rssp_hash_alg hash;      /* the hash the signature covers (mech or PSS parameters) */
    rssp_hash_alg mgf1_hash; /* PSS */
    size_t salt_len;         /* PSS */
    rssp_digest_ctx *dctx;   /* when the module hashes the input */
    unsigned char *data;     /* input collected by C_*Update when it is not hashed */
    size_t data_len;
    bool multi_part;    /* C_*Update was called */
    char *context_code; /* one-time code from C_Login(CKU_CONTEXT_SPECIFIC); secret */
} p11_op;

typedef struct p11_session {
    CK_SESSION_HANDLE handle;
    CK_FLAGS flags;
    struct p11_token *tok;
    unsigned refs;     /* guarded by the module lock */
    bool closed;       /* guarded by the module lock */
    p11_mutex *lock;   /* serialises calls on this session */
    atomic_int cancel; /* set by C_SessionCancel / C_CloseSession to abandon a remote call */
    p11_op op;
    bool find_active;
    CK_OBJECT_HANDLE *found;
    size_t n_found;
    size_t found_pos;
} p11_session;

CK_RV p11_session_open(CK_SLOT_ID slot_id, CK_FLAGS flags, CK_SESSION_HANDLE *out);
/* Look up and lock a session (takes a reference). Release with p11_session_put. */
CK_RV p11_session_get(CK_SESSION_HANDLE h, p11_session **out);
void p11_session_put(p11_session *s);
CK_RV p11_session_close(CK_SESSION_HANDLE h);
/*
 * Tell a call in flight on session h to abandon its network request, without
 * waiting for the session's lock. CKR_SESSION_HANDLE_INVALID if no such session.
 */
CK_RV p11_session_signal_cancel(CK_SESSION_HANDLE h);
/* The same for every session of tok (C_Logout). */
void p11_sessions_signal_token(const struct p11_token *tok);
/*
 * The answer of a call on s that the service step ended with rv: a call
 * abandoned because its session was closed meanwhile answers
 * CKR_SESSION_CLOSED (PKCS#11: closed during the execution of the function).
 */
CK_RV p11_session_outcome(p11_session *s, CK_RV rv);
/* Whether s was closed (by another thread) since the call took it. */
bool p11_session_closed(p11_session *s);
CK_RV p11_session_close_all(CK_SLOT_ID slot_id);
/* Free every session (C_Finalize); the module lock must not be held. */
void p11_sessions_destroy(void);

/* End the active operation and free its state. */
void p11_op_reset(p11_op *op);
/*
 * A NULL argument to a C_Sign*, C_Verify* or C_Digest* call: checked before
 * the operation's state (PKCS#11), it ends an operation of that kind.
 * Returns CKR_ARGUMENTS_BAD.
 */
CK_RV p11_op_args_bad(p11_session *s, p11_op_kind kind);

/* Whether the session's token is logged in (sessions share the login state). */
bool p11_session_logged_in(const p11_session *s);

/* The object with handle h if this session may see it (private objects need login). */
const p11_object *p11_session_object(const p11_session *s, CK_OBJECT_HANDLE h);

#endif
