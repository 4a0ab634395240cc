/*
 * Session state of a running emulator, kept in memory only: access tokens,
 * refresh tokens and SADs (rssp-protocol.md §1.5, §2.3, §2.7-§2.9), and the
 * session binding of credentials to client identities.
 *
 * Every function requires the state lock (emu_state.lock) to be held.
 * A token is "<kind>-<slot>.<random>": the slot finds the entry at once and
 * the whole string is compared in constant time. Strings returned point into
 * the table and stay valid while the lock is held.
 */
#ifndef EMU_SESSIONS_H
#define EMU_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "emulator/context.h"
#include "rssp/types.h"

typedef struct {
    int rp;    /* index into emu_state.rps */
    int owner; /* index into emu_state.owners, -1 = the relying party itself */
} emu_principal;

bool emu_principal_equal(emu_principal a, emu_principal b);

emu_sessions *emu_sessions_new(void);
void emu_sessions_free(emu_sessions *s);

/* Monotonic milliseconds used for every expiry. */
long long emu_now_ms(void);

typedef enum {
    EMU_TOKEN_OK = 0,
    EMU_TOKEN_UNKNOWN, /* unknown, revoked, superseded or of another kind */
    EMU_TOKEN_EXPIRED,
} emu_token_check;

/* ---- access and refresh tokens ---- */

/* New refresh token; *out points into the table. */
int emu_refresh_issue(emu_sessions *s, emu_principal p, long ttl_s, const char **out);
/* New access token, child of the refresh token (NULL: none). */
int emu_access_issue(emu_sessions *s, emu_principal p, long ttl_s, const char *refresh,
                     const char **out);
emu_token_check emu_access_check(emu_sessions *s, const char *token, emu_principal *p);
emu_token_check emu_refresh_check(emu_sessions *s, const char *token, emu_principal *p);
/* Revoke if it exists and belongs to p; no effect otherwise (RFC 7009). */
void emu_access_revoke(emu_sessions *s, const char *token, emu_principal p);
/* Revoke a refresh token and every access token issued from it. */
void emu_refresh_revoke(emu_sessions *s, const char *token, emu_principal p);

/* ---- SADs ---- */

typedef struct {
    size_t credential; /* index into emu_state.credentials */
    emu_principal principal;
    char identity[129];     /* client identity of the session binding */
    char entity[64];        /* rssp-entity-name value */
    int remaining;          /* signatures left */
    rssp_hash_alg hash_alg; /* SCAL 2 binding; RSSP_HASH_NONE at SCAL 1 */
    rssp_buf *hashes;
    bool *used;
    size_t n_hashes;
    long long expires_ms;
    /* internal */
    size_t slot;
    int pins;    /* signHash calls working on it outside the lock */
    bool orphan; /* ended while pinned: freed by the last unpin */
} emu_sad;

/*
 * Create a SAD; takes ownership of hashes (n_hashes entries, may be NULL).
 * *value points into the table; *sad_out to the new entry.
 */
int emu_sad_issue(emu_sessions *s, const emu_sad *init, rssp_buf *hashes, size_t n_hashes,
                  long ttl_s, const char **value, emu_sad **sad_out);
/* Look a SAD up; EMU_TOKEN_EXPIRED still fills *sad. */
emu_token_check emu_sad_find(emu_sessions *s, const char *value, emu_sad **sad);
/* Invalidate now (revoked or superseded by extendTransaction). */
void emu_sad_invalidate(emu_sessions *s, emu_sad *sad);
/* Mark the SAD exhausted if it has no signatures left (it is forgotten later). */
void emu_sad_note_use(emu_sessions *s, emu_sad *sad);
/*
 * Keep *sad allocated while the lock is dropped (signing); it may end
 * meanwhile (revoked, superseded), which emu_sad_pinned_alive tells.
 */
void emu_sad_pin(emu_sad *sad);
bool emu_sad_pinned_alive(const emu_sad *sad);
void emu_sad_unpin(emu_sad *sad);

/*
 * The session binding (§2.7 rule 4): true if a live SAD of credential is held
 * by another client identity than identity.
 */
bool emu_binding_conflict(emu_sessions *s, size_t credential, const char *identity);

/* POST /_emulator/expire: every access token and SAD expires now. */
void emu_sessions_expire_all(emu_sessions *s);

/* Counts for /_emulator/stats. */
void emu_sessions_counts(emu_sessions *s, size_t *access, size_t *refresh, size_t *sads);

#endif
