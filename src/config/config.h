/*
 * The module's and rssp-tool's configuration (docs/configuration.md): a
 * system file written by the organisation and a user file with the account,
 * merged (or one file named explicitly), INI (inih), environment overrides,
 * secrets from private files or the desktop keyring.
 */
#ifndef RSSP_CONFIG_H
#define RSSP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "rssp/client.h"

/* Where a value came from. */
typedef enum {
    RSSP_CFG_FROM_DEFAULT = 0,
    RSSP_CFG_FROM_SYSTEM, /* the system file (/etc/rssp-pkcs11.conf) */
    RSSP_CFG_FROM_USER,   /* the user file (~/.config/rssp-pkcs11/rssp-pkcs11.conf) */
    RSSP_CFG_FROM_FILE,   /* a file named explicitly: the whole configuration */
    RSSP_CFG_FROM_ENV,    /* an RSSP_PKCS11_* environment variable */
} rssp_config_source;

/* Room for every key of the configuration (config.c checks it). */
#define RSSP_CONFIG_MAX_KEYS 48
/* Secrets that may come from the keyring: [relying_party] password, key_password, api_secret;
 * [account] password. */
#define RSSP_CONFIG_N_SECRETS 4

/* When the PIN is asked (docs/module.md, "Login models"). */
typedef enum {
    RSSP_LOGIN_AUTO,  /* key for the programs in key_login_programs, token for the rest */
    RSSP_LOGIN_TOKEN, /* CKF_LOGIN_REQUIRED: log in to the token, then sign freely */
    RSSP_LOGIN_KEY,   /* keys visible without login; the PIN is asked when a key first signs */
} rssp_login_model;

typedef struct {
    char *path;        /* the most specific file read: explicit, else user, else system */
    char *system_path; /* the system file, when the configuration was merged from it */
    bool org_locked;   /* the system file sets the organisation's keys */

    /* [service] */
    rssp_protocol protocol; /* protocol = rssp | csc-v1 | csc-v2 */
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

    /* [oauth2] (CSC): client credentials instead of a Basic login when client_id is set */
    char *oauth2_url; /* NULL = the service url */
    char *oauth2_client_id;
    char *oauth2_client_secret; /* secret: from client_secret_file */

    /* [module] */
    char *cache_dir;    /* NULL = $XDG_CACHE_HOME/rssp-pkcs11 or ~/.cache/rssp-pkcs11 */
    long cache_ttl_s;   /* credential list cache lifetime; 0 disables the cache */
    int log_level;      /* rssp_log_level */
    char *log_file;     /* NULL = stderr */
    int sad_signatures; /* numSignatures asked at SCAL 1 login; 0 = the credential's maximum */
    bool read_write_sessions; /* accept CKF_RW_SESSION (the tokens stay unwritable) */

    /* Provenance, per key of config.c's table (rssp_config_origin_at). */
    unsigned char key_source[RSSP_CONFIG_MAX_KEYS]; /* rssp_config_source */
    int key_line[RSSP_CONFIG_MAX_KEYS];
    /* Keyring attribute specs of the secrets still to look up (config_keyring.c). */
    char *keyring_spec[RSSP_CONFIG_N_SECRETS];

    int login_model;          /* rssp_login_model */
    char *key_login_programs; /* program names for RSSP_LOGIN_AUTO; NULL = the default list */
} rssp_config;

/* The files that make the configuration (rssp_config_locate). */
typedef struct {
    char *file;        /* named explicitly ($RSSP_PKCS11_CONF, pReserved): used alone */
    char *system;      /* else the system file, if it exists */
    char *user;        /* and the user file, if it exists */
    char *user_wanted; /* where the user file is looked for (exists or not) */
    bool partial;      /* read only: no completeness check, no keyring look-up */
} rssp_config_files;

/*
 * Which files make the configuration: $RSSP_PKCS11_CONF, else init_reserved
 * (CK_C_INITIALIZE_ARGS.pReserved as a path, may be NULL), names one file
 * that must exist and is used alone. Otherwise the system file
 * ($RSSP_PKCS11_SYSTEM_CONF, else /etc/rssp-pkcs11.conf) and the user file
 * ($XDG_CONFIG_HOME or ~/.config, then rssp-pkcs11/rssp-pkcs11.conf), each
 * if it exists; at least one must. Returns 0, or -1 with err saying where it
 * looked. Free out with rssp_config_files_clear.
 */
int rssp_config_locate(const char *init_reserved, rssp_config_files *out, char *err,
                       size_t err_len);
void rssp_config_files_clear(rssp_config_files *files);

/* The user file's path ($XDG_CONFIG_HOME honoured); malloc'ed, NULL without a home. */
char *rssp_config_user_path(void);
/* The system file's path ($RSSP_PKCS11_SYSTEM_CONF honoured); not to be freed. */
const char *rssp_config_system_path(void);

/*
 * Locate (above) and load: an explicit file alone, else the system file
 * merged with the user file on top, which may set only the keys
 * docs/configuration.md allows it. Rules and result as rssp_config_load.
 */
int rssp_config_load_default(const char *init_reserved, rssp_config *out, char *err,
                             size_t err_len);
/* Load the files found by rssp_config_locate. */
int rssp_config_load_files(const rssp_config_files *files, rssp_config *out, char *err,
                           size_t err_len);

/*
 * Read and validate one file as the whole configuration. Unknown keys, bad
 * values and secret files that are not private (docs/configuration.md) are
 * errors; err then names the file and line. Environment overrides
 * (RSSP_PKCS11_URL, RSSP_PKCS11_LOG, RSSP_PKCS11_LOG_FILE,
 * RSSP_PKCS11_CACHE_DIR) are applied, then keyring secrets looked up.
 * Returns 0 on success, -1 on error (out is left cleared).
 */
int rssp_config_load(const char *path, rssp_config *out, char *err, size_t err_len);

/*
 * The credential list cache of this configuration, one per service, relying
 * party and account: *path (NULL when caching is off or there is no home
 * folder) under cache_dir, $XDG_CACHE_HOME/rssp-pkcs11 or
 * ~/.cache/rssp-pkcs11, and the *key written into it. Both malloc'ed.
 * 0, or -1 when out of memory.
 */
int rssp_config_cache_location(const rssp_config *cfg, char **path, char **key);

/* Wipe secrets and free everything; out is zeroed. */
void rssp_config_clear(rssp_config *cfg);

/* Where one key's value came from. */
typedef struct {
    const char *section;
    const char *key;
    rssp_config_source source;
    const char *file; /* for SYSTEM, USER, FILE; else NULL */
    int line;         /* line in file, 0 if none */
    const char *env;  /* for ENV: the variable */
} rssp_config_origin;

/*
 * The i-th key of the configuration (table order: [service], [relying_party],
 * [account], [module]) and where its value came from. Keys sharing a value
 * (password, password_file, password_keyring) report the one that set it;
 * the others say RSSP_CFG_FROM_DEFAULT. Returns 0, or -1 past the last key.
 */
int rssp_config_origin_at(const rssp_config *cfg, size_t i, rssp_config_origin *out);
/* "default", "system file", "user file", "file", "environment". */
const char *rssp_config_source_name(rssp_config_source source);

/* Fill a client configuration whose strings point into cfg (cfg must outlive it). */
void rssp_config_client(const rssp_config *cfg, rssp_client_config *out);

#endif
