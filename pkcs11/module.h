/*
 * The module's global state: configuration, the RSSP client, the tokens and
 * the session table, and their life cycle (C_Initialize / C_Finalize).
 */
#ifndef RSSP_P11_MODULE_H
#define RSSP_P11_MODULE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/config.h"
#include "pkcs11/mutex.h"
#include "pkcs11/p11.h"
#include "pkcs11/session.h"
#include "pkcs11/token.h"
#include "rssp/client.h"

typedef struct {
    /*
     * lock guards the token table's publication and the session table; it is
     * never held across a network call. load_lock makes loading the credential
     * list single-flight and is held across that load (it only ever blocks
     * threads that are waiting for the same list).
     */
    p11_mutex *lock;
    p11_mutex *load_lock;
    bool have_config;
    rssp_config cfg;
    bool key_login; /* the key login model (login_model.h), fixed at C_Initialize */
    rssp_client *client;
    char *cache_path;
    char *cache_key;
    p11_token **tokens;
    size_t n_tokens;
    size_t cap_tokens; /* tokens never moves: room for the missing ones */
    bool loaded;
    /* credentials whose credentials/info failed: retried after retry_after_ms (load_lock) */
    char **missing;
    size_t n_missing;
    bool incomplete;          /* n_missing > 0, for readers holding only lock */
    long long retry_after_ms; /* after a failed load, do not try again before this */
    /* The last RSSP call failed in transport: C_Finalize then skips its revocations. */
    atomic_bool service_unreachable;
    p11_session **sessions;
    size_t n_sessions;
    size_t cap_sessions;
    CK_SESSION_HANDLE next_handle;
} p11_module;

extern p11_module p11_g;

CK_RV p11_initialize(CK_VOID_PTR init_args);
/*
 * C_Finalize: refuse new calls, abandon the network calls in progress in
 * other threads and wait until every call has returned, then free.
 */
CK_RV p11_finalize(const void *reserved);

/*
 * Every C_* call that uses the module's state is bracketed by these two.
 * p11_enter: CKR_OK and the call counted, or CKR_CRYPTOKI_NOT_INITIALIZED
 * (not initialised in this process, or C_Finalize under way). p11_leave ends
 * a counted call and returns the CK_RV to answer: a call that failed because
 * C_Finalize abandoned it answers CKR_CRYPTOKI_NOT_INITIALIZED.
 */
CK_RV p11_enter(void);
CK_RV p11_leave(CK_RV rv);

/* Load the tokens if not yet done (cache, else network); never fails the caller. */
void p11_tokens_load(void);
/* Load the tokens from a fresh cache only (C_Initialize: no network). */
void p11_tokens_load_cached(void);
/* Free every token and the missing list (C_Finalize). */
void p11_tokens_forget(void);
/* The token of slot_id, or CKR_SLOT_ID_INVALID. Tokens live until C_Finalize. */
CK_RV p11_token_get(CK_SLOT_ID slot_id, p11_token **out);

#endif
