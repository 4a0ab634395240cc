/* Creating and freeing a client: configuration checks and copies. No network. */
#include "client/client_internal.h"

#include <stdlib.h>
#include <string.h>

#include "client/dialect.h"
#include "client/status_internal.h"
#include "client/url.h"
#include "common/secmem.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_AUTHORIZE_TIMEOUT_MS 330000L
#define DEFAULT_REVOKE_BUDGET_MS 2000L
#define DEFAULT_MAX_RESPONSE_BYTES ((size_t)4 * 1024 * 1024)

rssp_status *rssp_client_status(rssp_status *st, rssp_status *local)
{
    rssp_status *s = st != NULL ? st : local;
    rssp_status_reset(s);
    return s;
}

void rssp_client_login_material(const rssp_client *c, rssp_login_material *m)
{
    *m = (rssp_login_material){
        .rp_auth = c->rp_auth,
        .rp_username = c->rp_username,
        .rp_password = c->rp_password,
        .rp_signature = c->rp_signature,
        .rp_key = c->rp_key,
        .ssl2_hash = c->ssl2_hash,
        .app_api_key = c->app_api_key,
        .app_api_secret = c->app_api_secret,
        .app_sign_ttl = c->app_sign_ttl,
        .user_type = c->user_type,
        .username = c->username,
        .password = c->password,
    };
}

rssp_req_common rssp_client_common(const rssp_client *c)
{
    return (rssp_req_common){
        .language = c->language,
        .agreement_uuid = c->agreement_uuid,
        .client_mac = c->client_mac,
        .relying_party = c->relying_party,
    };
}

/* Copy an optional string; false only on allocation failure. */
static bool copy_opt(char **dst, const char *src, bool secret)
{
    if (src == NULL)
        return true;
    *dst = secret ? rssp_secret_strdup(src) : strdup(src);
    return *dst != NULL;
}

static bool copy_config(rssp_client *c, const rssp_client_config *cfg)
{
    return copy_opt(&c->relying_party, cfg->relying_party, false) &&
           copy_opt(&c->language, cfg->language != NULL ? cfg->language : "EN", false) &&
           copy_opt(&c->agreement_uuid, cfg->agreement_uuid, false) &&
           copy_opt(&c->client_mac, cfg->client_mac, false) &&
           copy_opt(&c->rp_username, cfg->rp_username, false) &&
           copy_opt(&c->rp_password, cfg->rp_password, true) &&
           copy_opt(&c->rp_signature, cfg->rp_signature, false) &&
           copy_opt(&c->app_api_key, cfg->app_api_key, false) &&
           copy_opt(&c->app_api_secret, cfg->app_api_secret, true) &&
           copy_opt(&c->user_type, cfg->user_type, false) &&
           copy_opt(&c->username, cfg->username, false) &&
           copy_opt(&c->password, cfg->password, true) &&
           copy_opt(&c->oauth2_client_id, cfg->oauth2_client_id, false) &&
           copy_opt(&c->oauth2_client_secret, cfg->oauth2_client_secret, true);
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* CSC: Basic needs username and password, OAuth 2.0 client credentials an id and a secret. */
static rssp_err check_csc_config(const rssp_client_config *cfg, rssp_status *st)
{
    switch (cfg->csc_auth) {
    case RSSP_CSC_AUTH_BASIC:
        if (empty(cfg->username) || cfg->password == NULL)
            return rssp_fail(st, RSSP_ERR_CONFIG, "CSC Basic login needs a username and password");
        /* RFC 7617: the user-id cannot contain a colon. */
        if (strchr(cfg->username, ':') != NULL)
            return rssp_fail(st, RSSP_ERR_CONFIG, "username must not contain ':'");
        break;
    case RSSP_CSC_AUTH_OAUTH2_CLIENT:
        if (empty(cfg->oauth2_client_id) || empty(cfg->oauth2_client_secret))
            return rssp_fail(st, RSSP_ERR_CONFIG,
                             "OAuth 2.0 client credentials need a client id and secret");
        break;
    default:
        return rssp_fail(st, RSSP_ERR_CONFIG, "unknown CSC authentication");
    }
    if (cfg->connect_timeout_ms < 0 || cfg->timeout_ms < 0 || cfg->authorize_timeout_ms < 0)
        return rssp_fail(st, RSSP_ERR_CONFIG, "timeouts must not be negative");
    return RSSP_OK;
}

static rssp_err check_config(const rssp_client_config *cfg, rssp_status *st)
{
    if (rssp_dialect_for(cfg->protocol) == NULL)
        return rssp_fail(st, RSSP_ERR_CONFIG, "unknown protocol");
    if (cfg->protocol != RSSP_PROTOCOL_RSSP)
        return check_csc_config(cfg, st);
    if (empty(cfg->relying_party))
        return rssp_fail(st, RSSP_ERR_CONFIG, "no relying party configured");
    switch (cfg->rp_auth) {
    case RSSP_RP_AUTH_SSL2:
        if (empty(cfg->rp_username) || cfg->rp_password == NULL || empty(cfg->rp_signature) ||
            empty(cfg->rp_key_file))
            return rssp_fail(st, RSSP_ERR_CONFIG,
                             "SSL2 needs the RP username, password, "
                             "signature and key file");
        if (strchr(cfg->rp_username, ':') != NULL || strchr(cfg->rp_signature, ':') != NULL)
            return rssp_fail(st, RSSP_ERR_CONFIG,
                             "SSL2 username and signature must not contain ':'");
        if ((unsigned)cfg->ssl2_hash > (unsigned)RSSP_HASH_SHA512)
            return rssp_fail(st, RSSP_ERR_CONFIG, "invalid SSL2 hash");
        break;
    case RSSP_RP_AUTH_APPSIGN:
        if (empty(cfg->app_api_key) || empty(cfg->app_api_secret))
            return rssp_fail(st, RSSP_ERR_CONFIG, "AppSign needs an api_key and an api_secret");
        if (cfg->app_sign_ttl < 0)
            return rssp_fail(st, RSSP_ERR_CONFIG, "AppSign ttl must not be negative");
        break;
    default:
        return rssp_fail(st, RSSP_ERR_CONFIG, "unknown relying party authentication");
    }
    if (cfg->username != NULL) {
        if (empty(cfg->username) || cfg->password == NULL)
            return rssp_fail(st, RSSP_ERR_CONFIG, "an owner username needs a password");
        if (strchr(cfg->username, ':') != NULL ||
            (cfg->user_type != NULL && strchr(cfg->user_type, ':') != NULL))
            return rssp_fail(st, RSSP_ERR_CONFIG, "user type and username must not contain ':'");
    }
    if (cfg->connect_timeout_ms < 0 || cfg->timeout_ms < 0 || cfg->authorize_timeout_ms < 0 ||
        cfg->revoke_budget_ms < 0)
        return rssp_fail(st, RSSP_ERR_CONFIG, "timeouts must not be negative");
    return RSSP_OK;
}

rssp_err rssp_client_new(const rssp_client_config *cfg, rssp_client **out, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "no output pointer");
    *out = NULL;
    if (cfg == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "no configuration");
    rssp_err err = check_config(cfg, st);
    if (err != RSSP_OK)
        return err;

    rssp_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    rssp_session_init(&c->session);
    atomic_init(&c->sign_path_singular, false);

    c->dialect = rssp_dialect_for(cfg->protocol);
    bool loopback = false, oauth2_loopback = false;
    err = rssp_base_url_check(cfg->base_url, &c->base_url, &loopback, st);
    if (err != RSSP_OK)
        goto fail;
    if (cfg->protocol != RSSP_PROTOCOL_RSSP && cfg->csc_auth == RSSP_CSC_AUTH_OAUTH2_CLIENT) {
        err = rssp_base_url_check(cfg->oauth2_url != NULL ? cfg->oauth2_url : cfg->base_url,
                                  &c->oauth2_url, &oauth2_loopback, st);
        if (err != RSSP_OK)
            goto fail;
        /* One connection pool serves both: a proxy is skipped only if both are local. */
        loopback = loopback && oauth2_loopback;
    }
    if (!copy_config(c, cfg)) {
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
        goto fail;
    }
    c->rp_auth = cfg->rp_auth;
    c->csc_auth = cfg->csc_auth;
    c->ssl2_hash = cfg->ssl2_hash;
    c->app_sign_ttl = cfg->app_sign_ttl;
    c->remember_me = cfg->remember_me;
    c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->authorize_timeout_ms =
        cfg->authorize_timeout_ms > 0 ? cfg->authorize_timeout_ms : DEFAULT_AUTHORIZE_TIMEOUT_MS;
    c->revoke_budget_ms =
        cfg->revoke_budget_ms > 0 ? cfg->revoke_budget_ms : DEFAULT_REVOKE_BUDGET_MS;
    if (cfg->protocol == RSSP_PROTOCOL_RSSP && cfg->rp_auth == RSSP_RP_AUTH_SSL2) {
        err = rssp_rp_key_load(cfg->rp_key_file, cfg->rp_key_password, &c->rp_key, st);
        if (err != RSSP_OK)
            goto fail;
    }
    rssp_http_config hc = {
        .ca_file = cfg->ca_file,
        .connect_timeout_ms =
            cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS,
        .max_response_bytes =
            cfg->max_response_bytes > 0 ? cfg->max_response_bytes : DEFAULT_MAX_RESPONSE_BYTES,
        .no_proxy = loopback,
        .resolve_in_caller = cfg->resolve_in_caller,
    };
    err = rssp_http_new(&hc, &c->http, st);
    if (err != RSSP_OK)
        goto fail;
    *out = c;
    return RSSP_OK;
fail:
    rssp_client_free(c);
    return err;
}

void rssp_client_free(rssp_client *c)
{
    if (c == NULL)
        return;
    rssp_http_free(c->http);
    rssp_session_destroy(&c->session);
    free(c->base_url);
    free(c->relying_party);
    free(c->language);
    free(c->agreement_uuid);
    free(c->client_mac);
    free(c->rp_username);
    rssp_secret_free(c->rp_password);
    free(c->rp_signature);
    EVP_PKEY_free(c->rp_key);
    free(c->app_api_key);
    rssp_secret_free(c->app_api_secret);
    free(c->user_type);
    free(c->username);
    rssp_secret_free(c->password);
    free(c->oauth2_url);
    free(c->oauth2_client_id);
    rssp_secret_free(c->oauth2_client_secret);
    free(c);
}

void rssp_client_abort(rssp_client *c, bool abort)
{
    if (c != NULL)
        rssp_http_abort(c->http, abort);
}

void rssp_client_set_observer(rssp_client *c, rssp_call_observer fn, void *ctx)
{
    if (c == NULL)
        return;
    c->observer = fn;
    c->observer_ctx = ctx;
}
