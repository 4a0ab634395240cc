#include "client/session.h"

#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "client/codec_auth.h"
#include "client/dialect.h"
#include "client/status_internal.h"
#include "common/secmem.h"

#define RENEW_MARGIN_MS 30000LL

void rssp_session_init(rssp_session *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->login_lock, NULL);
}

void rssp_session_destroy(rssp_session *s)
{
    rssp_secret_free(s->access_token);
    rssp_secret_free(s->refresh_token);
    s->access_token = NULL;
    s->refresh_token = NULL;
    pthread_mutex_destroy(&s->login_lock);
    pthread_mutex_destroy(&s->lock);
}

long long rssp_session_margin_ms(long long lifetime_ms)
{
    return lifetime_ms / 2 < RENEW_MARGIN_MS ? lifetime_ms / 2 : RENEW_MARGIN_MS;
}

/* With s->lock held: a Bearer value of the current token if it is fresh enough. */
static rssp_err fresh_authorization(rssp_session *s, char **authorization,
                                    unsigned long *generation, bool *found, rssp_status *st)
{
    *found = false;
    if (s->access_token == NULL || rssp_monotonic_ms() >= s->renew_at_ms)
        return RSSP_OK;
    *found = true;
    *generation = s->generation;
    /*
     * Ordinary memory, wiped when freed: this copy lives for one request,
     * whose header lines and libcurl buffers hold it unlocked anyway, and an
     * mlock/munlock pair per call costs more than the rest of the call's
     * bookkeeping. The token itself stays in locked memory.
     */
    size_t len = strlen(s->access_token);
    char *value = malloc(sizeof "Bearer " + len);
    if (value == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    memcpy(value, "Bearer ", sizeof "Bearer " - 1);
    memcpy(value + sizeof "Bearer " - 1, s->access_token, len + 1);
    *authorization = value;
    return RSSP_OK;
}

static rssp_err try_fresh(rssp_session *s, char **authorization, unsigned long *generation,
                          bool *found, rssp_status *st)
{
    pthread_mutex_lock(&s->lock);
    rssp_err err = fresh_authorization(s, authorization, generation, found, st);
    pthread_mutex_unlock(&s->lock);
    return err;
}

static void store_tokens(rssp_session *s, rssp_login_result *r, bool keep_refresh)
{
    long long now = rssp_monotonic_ms();
    long long lifetime = (long long)r->expires_in * 1000;
    pthread_mutex_lock(&s->lock);
    rssp_secret_free(s->access_token);
    s->access_token = r->access_token;
    r->access_token = NULL;
    s->expires_at_ms = now + lifetime;
    s->renew_at_ms = now + lifetime - rssp_session_margin_ms(lifetime);
    s->generation++;
    if (r->refresh_token != NULL || !keep_refresh) {
        rssp_secret_free(s->refresh_token);
        s->refresh_token = r->refresh_token;
        r->refresh_token = NULL;
    }
    pthread_mutex_unlock(&s->lock);
}

/* One login through the dialect (refresh token or configured credentials); stores the tokens. */
static rssp_err login_with(rssp_client *c, const char *refresh, rssp_status *st)
{
    rssp_login_result result = {0};
    rssp_err err = c->dialect->login(c, refresh, &result, st);
    if (err == RSSP_OK)
        store_tokens(&c->session, &result, refresh != NULL);
    rssp_login_result_clear(&result);
    return err;
}

/* With login_lock held. */
static rssp_err login_locked(rssp_client *c, bool full, rssp_status *st)
{
    rssp_session *s = &c->session;
    if (!full) {
        pthread_mutex_lock(&s->lock);
        char *refresh = s->refresh_token != NULL ? rssp_secret_strdup(s->refresh_token) : NULL;
        bool had_refresh = s->refresh_token != NULL;
        pthread_mutex_unlock(&s->lock);
        if (had_refresh && refresh == NULL)
            return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        if (refresh != NULL) {
            rssp_err err = login_with(c, refresh, st);
            rssp_secret_free(refresh);
            if (err != RSSP_ERR_SERVICE || st->response_code != RSSP_RC_REFRESH_TOKEN_INVALID)
                return err;
            /* 3004: the refresh token is dead; forget it and use the credentials. */
            pthread_mutex_lock(&s->lock);
            rssp_secret_free(s->refresh_token);
            s->refresh_token = NULL;
            pthread_mutex_unlock(&s->lock);
            rssp_status_reset(st);
        }
    }
    return login_with(c, NULL, st);
}

rssp_err rssp_session_login(rssp_client *c, bool full, rssp_status *st)
{
    pthread_mutex_lock(&c->session.login_lock);
    rssp_err err = login_locked(c, full, st);
    pthread_mutex_unlock(&c->session.login_lock);
    return err;
}

unsigned long rssp_session_logouts(rssp_session *s)
{
    pthread_mutex_lock(&s->lock);
    unsigned long n = s->logouts;
    pthread_mutex_unlock(&s->lock);
    return n;
}

rssp_err rssp_session_authorization(rssp_client *c, unsigned long logouts, char **authorization,
                                    unsigned long *generation, rssp_status *st)
{
    *authorization = NULL;
    rssp_session *s = &c->session;
    bool found = false;
    rssp_err err = try_fresh(s, authorization, generation, &found, st);
    if (err != RSSP_OK || found)
        return err;

    pthread_mutex_lock(&s->login_lock);
    /* Another thread may have logged in while this one waited. */
    err = try_fresh(s, authorization, generation, &found, st);
    if (err == RSSP_OK && !found && rssp_session_logouts(s) != logouts)
        err = rssp_fail(st, RSSP_ERR_CANCELLED, "logged out while the call was in progress");
    else if (err == RSSP_OK && !found) {
        err = login_locked(c, false, st);
        if (err == RSSP_OK) {
            err = try_fresh(s, authorization, generation, &found, st);
            if (err == RSSP_OK && !found)
                err = rssp_fail(st, RSSP_ERR_PROTOCOL,
                                "the new access token is already due "
                                "for renewal");
        }
    }
    pthread_mutex_unlock(&s->login_lock);
    return err;
}

void rssp_session_invalidate(rssp_session *s, unsigned long generation)
{
    pthread_mutex_lock(&s->lock);
    if (s->generation == generation && s->access_token != NULL) {
        rssp_secret_free(s->access_token);
        s->access_token = NULL;
    }
    pthread_mutex_unlock(&s->lock);
}

bool rssp_session_logged_in(rssp_session *s)
{
    pthread_mutex_lock(&s->lock);
    bool in = s->access_token != NULL && rssp_monotonic_ms() < s->expires_at_ms;
    pthread_mutex_unlock(&s->lock);
    return in;
}

void rssp_session_take(rssp_session *s, char **access_token, char **refresh_token)
{
    /* A login in flight finishes first, so its tokens are among those taken (and revoked). */
    pthread_mutex_lock(&s->login_lock);
    pthread_mutex_lock(&s->lock);
    *access_token = s->access_token;
    *refresh_token = s->refresh_token;
    s->access_token = NULL;
    s->refresh_token = NULL;
    s->generation++;
    s->logouts++;
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_unlock(&s->login_lock);
}

void rssp_session_copy(rssp_session *s, char **access_token, char **refresh_token)
{
    pthread_mutex_lock(&s->lock);
    *access_token = s->access_token != NULL ? rssp_secret_strdup(s->access_token) : NULL;
    *refresh_token = s->refresh_token != NULL ? rssp_secret_strdup(s->refresh_token) : NULL;
    pthread_mutex_unlock(&s->lock);
}
