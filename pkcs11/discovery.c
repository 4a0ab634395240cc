/*
 * Finding the tokens: one per usable credential of the configured account,
 * from the on-disk cache while it is fresh, else from the service
 * (credentials/list, then credentials/info of every credential at once for
 * its chain, authorization mode and SCAL: a cold start costs about three
 * round trips whatever the number of credentials; none of them when the
 * list describes the credentials itself, as CSC v2 does). The list is fixed for
 * the life of one C_Initialize; a failed load is retried by a later
 * C_GetSlotList. A credential whose credentials/info failed is left out
 * alone and retried with the same back-off; when it succeeds its token is
 * added after the others (new slot ids, the existing ones unchanged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pkcs11/module.h"

/* After a failed load (service down), C_GetSlotList retries no sooner than this. */
#define P11_LOAD_RETRY_MS 10000

/* A token for a usable credential, logged otherwise. NULL when not offered. */
static p11_token *make_token(const rssp_credential *cred, CK_SLOT_ID slot_id)
{
    p11_token *tok = NULL;
    if (!p11_credential_usable(cred)) {
        rssp_info_log("credential %s not offered as a token (status %s, mode %s)",
                      cred->credential_id ? cred->credential_id : "?",
                      cred->status ? cred->status : "-", cred->auth_mode ? cred->auth_mode : "-");
        return NULL;
    }
    CK_RV rv = p11_token_new(cred, slot_id, &tok);
    if (rv != CKR_OK) {
        rssp_warn("credential %s: unusable certificate (CKR 0x%lx)", cred->credential_id, rv);
        return NULL;
    }
    return tok;
}

/*
 * Make tokens of the usable credentials and publish them, with room for
 * the n_missing credentials still to come. Load lock held.
 */
static void publish(const rssp_credential_list *l, size_t n_missing)
{
    size_t cap = l->count + n_missing;
    p11_token **tokens = calloc(cap ? cap : 1, sizeof(p11_token *));
    size_t n = 0;
    if (tokens == NULL) {
        rssp_error("out of memory building tokens");
        return;
    }
    for (size_t i = 0; i < l->count; i++)
        if ((tokens[n] = make_token(&l->items[i], (CK_SLOT_ID)n)) != NULL)
            n++;
    p11_mutex_lock(p11_g.lock);
    p11_g.tokens = tokens;
    p11_g.n_tokens = n;
    p11_g.cap_tokens = cap;
    p11_g.loaded = true;
    p11_g.incomplete = n_missing > 0;
    p11_mutex_unlock(p11_g.lock);
    rssp_info_log("%zu token(s) from %zu credential(s)%s", n, l->count,
                  n_missing > 0 ? ", some still missing" : "");
}

/* Merge a credentials/info answer into the list's item (ids and version from the list). */
static void merge(rssp_credential *item, rssp_credential *full)
{
    if (full->credential_id == NULL) {
        full->credential_id = item->credential_id;
        item->credential_id = NULL;
    }
    if (full->version < 0)
        full->version = item->version;
    rssp_credential_clear(item);
    *item = *full;
    memset(full, 0, sizeof *full);
}

/*
 * credentials/info of items[0..n) at once. Items that failed are removed
 * from the list: those the service answered with an error code for good,
 * the others (transport, HTTP status, malformed answer) with their ids
 * appended to the module's missing list, to be tried again. Fails only when
 * every one failed that way (the service, not a credential).
 */
static rssp_err fetch_infos(rssp_credential_list *l, rssp_status *st)
{
    size_t n = l->count;
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    rssp_credential *full = calloc(n ? n : 1, sizeof *full);
    rssp_status *sts = calloc(n ? n : 1, sizeof *sts);
    char **missing = realloc(p11_g.missing, (p11_g.n_missing + n + 1) * sizeof *missing);
    rssp_err err = RSSP_OK;
    if (missing != NULL)
        p11_g.missing = missing;
    if (ids == NULL || full == NULL || sts == NULL || missing == NULL) {
        rssp_status_reset(st);
        st->err = err = RSSP_ERR_NOMEM;
        snprintf(st->message, sizeof st->message, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = l->items[i].credential_id != NULL ? l->items[i].credential_id : "";
    rssp_credentials_info_many(p11_g.client, ids, n, RSSP_CERTS_CHAIN, true, false, full, sts);
    size_t kept = 0, failed = 0, answered = 0;
    for (size_t i = 0; i < n; i++) {
        rssp_credential *item = &l->items[i];
        if (sts[i].err == RSSP_ERR_SERVICE) {
            /* The service answered for this credential (e.g. 3008): no token, no retry. */
            rssp_warn("credentials/info %s failed: %s", ids[i], sts[i].message);
            rssp_credential_clear(item);
            answered++;
            continue;
        }
        if (sts[i].err != RSSP_OK) {
            rssp_warn("credentials/info %s failed: %s; retried later", ids[i], sts[i].message);
            if (failed++ == 0)
                *st = sts[i];
            if (item->credential_id != NULL) {
                p11_g.missing[p11_g.n_missing++] = item->credential_id;
                item->credential_id = NULL;
            }
            rssp_credential_clear(item);
            continue;
        }
        merge(item, &full[i]);
        if (kept != i) {
            l->items[kept] = *item;
            memset(item, 0, sizeof *item);
        }
        kept++;
    }
    l->count = kept;
    if (failed > 0 && kept == 0 && answered == 0)
        err = st->err; /* not one credential came through: the service, not a credential */
out:
    for (size_t i = 0; full != NULL && i < n; i++)
        rssp_credential_clear(&full[i]);
    free(full);
    free(sts);
    free(ids);
    return err;
}

/* The list described the credential fully: chain and authorization (CSC v2 credentialInfo). */
static bool described(const rssp_credential *c)
{
    return c->has_auth_info && c->n_certificates > 0;
}

/*
 * credentials/list, asking for chains and authorization data; then
 * credentials/info, at once, of the credentials the list did not describe.
 */
static rssp_err fetch(rssp_credential_list *out, rssp_status *st)
{
    rssp_list_request req = {.certificate_status = NULL,
                             .certificate_purpose = NULL,
                             .certificate_info = true,
                             .certificates = RSSP_CERTS_CHAIN,
                             .authentication_info = true};
    rssp_err err = rssp_credentials_list(p11_g.client, &req, out, st);
    if (err != RSSP_OK)
        return err;
    size_t n = out->count, kept = 0;
    rssp_credential_list todo = {.items = calloc(n ? n : 1, sizeof *todo.items)};
    if (todo.items == NULL) {
        rssp_status_reset(st);
        st->err = RSSP_ERR_NOMEM;
        snprintf(st->message, sizeof st->message, "out of memory");
        return RSSP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        rssp_credential *dst =
            described(&out->items[i]) ? &out->items[kept++] : &todo.items[todo.count++];
        if (dst != &out->items[i])
            *dst = out->items[i];
    }
    out->count = kept;
    if (todo.count > 0) {
        err = fetch_infos(&todo, st);
        if (err != RSSP_OK && kept > 0)
            err = RSSP_OK; /* the described ones make tokens; the others are retried */
        /* out->items holds n slots: the fetched ones go after the described ones */
        for (size_t i = 0; err == RSSP_OK && i < todo.count; i++) {
            out->items[out->count++] = todo.items[i];
            memset(&todo.items[i], 0, sizeof todo.items[i]);
        }
    }
    rssp_credential_list_clear(&todo);
    return err;
}

static void forget_missing(void)
{
    for (size_t i = 0; i < p11_g.n_missing; i++)
        free(p11_g.missing[i]);
    p11_g.n_missing = 0;
}

/* Try the credentials whose credentials/info failed again; add their tokens. Load lock held. */
static void fetch_missing(void)
{
    rssp_credential_list l = {.items = calloc(p11_g.n_missing, sizeof(rssp_credential)),
                              .count = p11_g.n_missing};
    rssp_status st;
    if (l.items == NULL)
        return;
    for (size_t i = 0; i < l.count; i++) {
        l.items[i].credential_id = p11_g.missing[i];
        l.items[i].version = -1;
        p11_g.missing[i] = NULL;
    }
    p11_g.n_missing = 0;
    if (fetch_infos(&l, &st) != RSSP_OK) {
        /* every one failed again: fetch_infos listed them as missing once more */
        p11_g.retry_after_ms = rssp_monotonic_ms() + P11_LOAD_RETRY_MS;
        rssp_credential_list_clear(&l);
        return;
    }
    if (p11_g.n_missing > 0)
        p11_g.retry_after_ms = rssp_monotonic_ms() + P11_LOAD_RETRY_MS;
    for (size_t i = 0; i < l.count; i++) {
        p11_mutex_lock(p11_g.lock);
        CK_SLOT_ID slot = (CK_SLOT_ID)p11_g.n_tokens;
        bool room = p11_g.n_tokens < p11_g.cap_tokens;
        p11_mutex_unlock(p11_g.lock);
        p11_token *tok = room ? make_token(&l.items[i], slot) : NULL;
        if (tok == NULL)
            continue;
        p11_mutex_lock(p11_g.lock);
        p11_g.tokens[p11_g.n_tokens++] = tok; /* the array never moves: cap_tokens */
        p11_mutex_unlock(p11_g.lock);
        rssp_info_log("credential %s now offered as a token (slot %lu)", tok->credential_id,
                      (unsigned long)slot);
    }
    rssp_credential_list_clear(&l);
}

void p11_tokens_load_cached(void)
{
    rssp_credential_list l = {0};
    rssp_status st;
    if (!p11_g.have_config || p11_g.cache_path == NULL)
        return;
    p11_mutex_lock(p11_g.load_lock);
    if (!p11_g.loaded && rssp_credential_cache_read(p11_g.cache_path, p11_g.cache_key,
                                                    p11_g.cfg.cache_ttl_s, &l, &st) == RSSP_OK) {
        rssp_debug("credential list from cache %s", p11_g.cache_path);
        publish(&l, 0);
    }
    p11_mutex_unlock(p11_g.load_lock);
    rssp_credential_list_clear(&l);
}

void p11_tokens_load(void)
{
    rssp_credential_list l = {0};
    rssp_status st;

    p11_mutex_lock(p11_g.lock);
    bool done = (p11_g.loaded && !p11_g.incomplete) || !p11_g.have_config;
    p11_mutex_unlock(p11_g.lock);
    if (done)
        return;

    p11_mutex_lock(p11_g.load_lock);
    if (rssp_monotonic_ms() < p11_g.retry_after_ms)
        goto out;
    if (p11_g.loaded) {
        if (p11_g.n_missing > 0)
            fetch_missing();
        p11_mutex_lock(p11_g.lock);
        p11_g.incomplete = p11_g.n_missing > 0;
        p11_mutex_unlock(p11_g.lock);
        goto out;
    }
    if (p11_g.cache_path != NULL &&
        rssp_credential_cache_read(p11_g.cache_path, p11_g.cache_key, p11_g.cfg.cache_ttl_s, &l,
                                   &st) == RSSP_OK) {
        publish(&l, 0);
        goto out;
    }
    rssp_credential_list_clear(&l);
    if (fetch(&l, &st) != RSSP_OK) {
        rssp_error("cannot list credentials: %s (%s); no tokens for now", st.message,
                   rssp_err_name(st.err));
        forget_missing();
        p11_g.retry_after_ms = rssp_monotonic_ms() + P11_LOAD_RETRY_MS;
        goto out;
    }
    /* A partial list is not cached: the next start asks the service again. */
    if (p11_g.n_missing > 0)
        p11_g.retry_after_ms = rssp_monotonic_ms() + P11_LOAD_RETRY_MS;
    else if (p11_g.cache_path != NULL &&
             rssp_credential_cache_write(p11_g.cache_path, p11_g.cache_key, &l, &st) != RSSP_OK)
        rssp_warn("cannot write the credential cache %s: %s", p11_g.cache_path, st.message);
    publish(&l, p11_g.n_missing);
out:
    p11_mutex_unlock(p11_g.load_lock);
    rssp_credential_list_clear(&l);
}

void p11_tokens_forget(void)
{
    for (size_t i = 0; i < p11_g.n_tokens; i++)
        p11_token_free(p11_g.tokens[i]);
    free(p11_g.tokens);
    forget_missing();
    free(p11_g.missing);
}
