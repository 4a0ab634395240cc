/*
 * Access and refresh tokens of one client, and the (re-)login that obtains
 * them. Tokens live in secret memory. Two locks:
 * - lock: guards the token fields; held for a few instructions, never
 *   across network I/O;
 * - login_lock: held across an auth/login exchange so that one login runs at
 *   a time per client; threads that find no valid token wait on it and then
 *   use the token the winner obtained (single flight).
 */
#ifndef RSSP_CLIENT_SESSION_H
#define RSSP_CLIENT_SESSION_H

#include <pthread.h>
#include <stdbool.h>

#include "rssp/client.h"

typedef struct {
    pthread_mutex_t lock;
    pthread_mutex_t login_lock;
    char *access_token;       /* NULL when none */
    long long renew_at_ms;    /* monotonic: from then on the token is renewed first */
    long long expires_at_ms;  /* monotonic: expiry as announced by expiresIn */
    unsigned long generation; /* identifies the current access token */
    char *refresh_token;      /* NULL when none */
    unsigned long logouts;    /* rssp_session_take calls: calls begun before one never log in */
} rssp_session;

void rssp_session_init(rssp_session *s);
/* Wipes the tokens. */
void rssp_session_destroy(rssp_session *s);

/* Renewal margin for a token living lifetime_ms: 30 s, or half the lifetime if that is shorter. */
long long rssp_session_margin_ms(long long lifetime_ms);

/* The logout count now; a call notes it when it begins. */
unsigned long rssp_session_logouts(rssp_session *s);

/*
 * "Bearer <access token>" for the next request (ordinary memory: release
 * with rssp_str_free_secret, which wipes), logging in
 * first when no token is held or it is within the renewal margin. *generation
 * identifies the token for rssp_session_invalidate. logouts: the count when
 * the call began; if a logout happened since, no login is made
 * (RSSP_ERR_CANCELLED).
 */
rssp_err rssp_session_authorization(rssp_client *c, unsigned long logouts, char **authorization,
                                    unsigned long *generation, rssp_status *st);

/* The service rejected the token of this generation (3005/3006): drop it unless already replaced.
 */
void rssp_session_invalidate(rssp_session *s, unsigned long generation);

/*
 * Log in now. full: with the configured credentials (SSL2/AppSign [+Basic]);
 * otherwise with the refresh token when one is held, falling back to the
 * credentials on 3004.
 */
rssp_err rssp_session_login(rssp_client *c, bool full, rssp_status *st);

/* An access token is held and not yet past its expiry. */
bool rssp_session_logged_in(rssp_session *s);

/*
 * Log out locally: wait for a login in flight, then remove and return both
 * tokens (either may be NULL; the caller frees them with rssp_secret_free).
 * Calls in progress will not log in again.
 */
void rssp_session_take(rssp_session *s, char **access_token, char **refresh_token);

/* Copies of both tokens (either may be NULL, also when out of memory); the session keeps them. */
void rssp_session_copy(rssp_session *s, char **access_token, char **refresh_token);

#endif
