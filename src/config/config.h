/*
 * The module's and rssp-tool's configuration: one INI file (inih), found as
 * docs/configuration.md describes, plus environment overrides.
 */
#ifndef RSSP_CONFIG_H
#define RSSP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "rssp/client.h"

typedef struct {
    char *path; /* the file that was read */

    /* [service] */
    char *url;
    char *ca_file;
    long connect_timeout_ms;
    long timeout_ms;
    long authorize_timeout_ms;
    long revoke_budget_ms;

    /* [relying_party] */
    char *rp_name;
    rssp_rp_auth rp_auth; /* auth = ssl2 | appsign */
    char *rp_username;
    char *rp_password; /* secret: from password_file (0600) */
    char *rp_signature;
    char *rp_key_file;     /* PEM or PKCS#12; must be 0600 */
    char *rp_key_password; /* secret: from key_password_file, may be NULL */
    rssp_hash_alg ssl2_hash;
    char *app_api_key;
    char *app_api_secret; /* secret: from api_secret_file */
    long app_sign_ttl;

    /* [account] */
    char *user_type;
    char *username;
    char *password; /* secret: from password_file */
    char *agreement_uuid;
    char *client_mac;
    bool remember_me;

    /* [module] */
    char *cache_dir;    /* NULL = $XDG_CACHE_HOME/rssp-pkcs11 or ~/.cache/rssp-pkcs11 */
    long cache_ttl_s;   /* credential list cache lifetime; 0 disables the cache */
    int log_level;      /* rssp_log_level */
    char *log_file;     /* NULL = stderr */
    int sad_signatures; /* numSignatures asked at SCAL 1 login; 0 = the credential's maximum */
    bool read_write_sessions; /* accept CKF_RW_SESSION (the tokens stay unwritable) */
} rssp_config;

/*
 * Where the configuration comes from, first match wins:
 *   $RSSP_PKCS11_CONF, then init_reserved (CK_C_INITIALIZE_ARGS.pReserved as a
 *   path, may be NULL), then ~/.config/rssp-pkcs11/rssp-pkcs11.conf
 *   ($XDG_CONFIG_HOME honoured), then /etc/rssp-pkcs11.conf.
 * Returns a malloc'ed path, or NULL if none exists (err says where it looked).
 */
char *rssp_config_find(const char *init_reserved, char *err, size_t err_len);

/*
 * Read and validate path. Unknown keys, bad values and secret files that are
 * not private (mode 0600 or stricter, owned by the user) are errors; err then
 * names the file and line. Environment overrides (RSSP_PKCS11_URL,
 * RSSP_PKCS11_LOG, RSSP_PKCS11_LOG_FILE, RSSP_PKCS11_CACHE_DIR) are applied.
 * Returns 0 on success, -1 on error (out is left cleared).
 */
int rssp_config_load(const char *path, rssp_config *out, char *err, size_t err_len);

/* Wipe secrets and free everything; out is zeroed. */
void rssp_config_clear(rssp_config *cfg);

/* Fill a client configuration whose strings point into cfg (cfg must outlive it). */
void rssp_config_client(const rssp_config *cfg, rssp_client_config *out);

#endif
