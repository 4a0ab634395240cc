/*
 * Finding the tokens: one per usable credential of the configured account,
 * from the on-disk cache while it is fresh, else from the service
 * (credentials/list, then credentials/info per credential for its chain,
 * authorization mode and SCAL). The list is fixed for the life of one
 * C_Initialize; a failed load is retried by a later C_GetSlotList.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pkcs11/module.h"

/* After a failed load (service down), C_GetSlotList retries no sooner than this. */
#define P11_LOAD_RETRY_MS 10000

/* Make tokens of the usable credentials and publish them. Load lock held. */
static void publish(const rssp_credential_list *l)
{
    p11_token **tokens = calloc(l->count ? l->count : 1, sizeof(p11_token *));
    size_t n = 0;
    if (tokens == NULL) {
        rssp_error("out of memory building tokens");
        return;
    }
    for (size_t i = 0; i < l->count; i++) {
        const rssp_credential *cred = &l->items[i];
        if (!p11_credential_usable(cred)) {
            rssp_info_log("credential %s not offered as a token (status %s, mode %s)",
                          cred->credential_id ? cred->credential_id : "?",
                          cred->status ? cred->status : "-",
                          cred->auth_mode ? cred->auth_mode : "-");
            continue;
        }
        CK_RV rv = p11_token_new(cred, (CK_SLOT_ID)n, &tokens[n]);
        if (rv != CKR_OK) {
            rssp_warn("credential %s: unusable certificate (CKR 0x%lx)", cred->credential_id, rv);
            continue;
        }
        n++;
    }
    p11_mutex_lock(p11_g.lock);
    p11_g.tokens = tokens;
    p11_g.n_tokens = n;
    p11_g.loaded = true;
    p11_mutex_unlock(p11_g.lock);
    rssp_info_log("%zu token(s) from %zu credential(s)", n, l->count);
}

/* credentials/list, then credentials/info (chain, auth mode) for each credential. */
static rssp_err fetch(rssp_credential_list *out, rssp_status *st)
{
    rssp_list_request req = {.certificate_status = NULL,
                             .certificate_purpose = NULL,
                             .certificate_info = false,
                             .certificates = RSSP_CERTS_NONE};
    rssp_err err = rssp_credentials_list(p11_g.client, &req, out, st);
    if (err != RSSP_OK)
        return err;
    for (size_t i = 0; i < out->count; i++) {
        rssp_credential full;
        rssp_credential *item = &out->items[i];
        if (item->credential_id == NULL)
            continue;
        err = rssp_credentials_info(p11_g.client, item->credential_id, RSSP_CERTS_CHAIN, true,
                                    false, &full, st);
        if (err != RSSP_OK) {
            rssp_warn("credentials/info %s failed: %s", item->credential_id, st->message);
            if (err == RSSP_ERR_SERVICE)
                continue; /* this credential only */
            return err;
        }
        if (full.credential_id == NULL) {
            full.credential_id = item->credential_id;
            item->credential_id = NULL;
        }
        if (full.version < 0)
            full.version = item->version;
        rssp_credential_clear(item);
        *item = full;
    }
    return RSSP_OK;
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
        publish(&l);
    }
    p11_mutex_unlock(p11_g.load_lock);
    rssp_credential_list_clear(&l);
}

void p11_tokens_load(void)
{
    rssp_credential_list l = {0};
    rssp_status st;

    p11_mutex_lock(p11_g.lock);
    bool done = p11_g.loaded || !p11_g.have_config;
    p11_mutex_unlock(p11_g.lock);
    if (done)
        return;

    p11_mutex_lock(p11_g.load_lock);
    if (p11_g.loaded || rssp_monotonic_ms() < p11_g.retry_after_ms)
        goto out;
    if (p11_g.cache_path != NULL &&
        rssp_credential_cache_read(p11_g.cache_path, p11_g.cache_key, p11_g.cfg.cache_ttl_s, &l,
                                   &st) == RSSP_OK) {
        publish(&l);
        goto out;
    }
    rssp_credential_list_clear(&l);
    if (fetch(&l, &st) != RSSP_OK) {
        rssp_error("cannot list credentials: %s (%s); no tokens for now", st.message,
                   rssp_err_name(st.err));
        p11_g.retry_after_ms = rssp_monotonic_ms() + P11_LOAD_RETRY_MS;
        goto out;
    }
    if (p11_g.cache_path != NULL &&
        rssp_credential_cache_write(p11_g.cache_path, p11_g.cache_key, &l, &st) != RSSP_OK)
        rssp_warn("cannot write the credential cache %s: %s", p11_g.cache_path, st.message);
    publish(&l);
out:
    p11_mutex_unlock(p11_g.load_lock);
    rssp_credential_list_clear(&l);
}
