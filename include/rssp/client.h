/*
 * RSSP client library: every method of rssp-protocol.md over HTTPS (libcurl)
 * with JSON (cJSON). No JSON or HTTP type leaks out of this header, and no
 * PKCS#11 type comes in.
 *
 * Conventions
 * - Every call returns rssp_err and, when st is not NULL, fills *st with the
 *   details (responseCode, message, billCode, counters).
 * - Output structs are zeroed by the call first, owned by the caller after a
 *   successful return, and released with the matching *_clear function
 *   (safe on a zeroed struct, and after a failed call).
 * - Strings are UTF-8, NUL-terminated. Secret strings (SAD, authorizeCode,
 *   tokens, passwords) are wiped with OPENSSL_cleanse when freed.
 *
 * Threads: one rssp_client may be used from any number of threads at once.
 * Calls run in parallel over a shared pool of keep-alive connections. What
 * serialises: taking a connection from / returning it to the pool, reading
 * the access token, and a (re-)login, which runs at most once at a time per
 * client (threads that need a token wait for it rather than each logging in:
 * a per-client login mutex is held across the auth/login exchange, and no
 * lock at all across any other network call).
 *
 * Tokens: the access token is renewed before use when less than 30 s (or
 * half its lifetime, if shorter) remain. A call answered 3005/3006 drops the
 * token, logs in again (refresh token if held, else the configured
 * credentials) and is repeated once; the service refused it before acting,
 * so this holds for authorize and signHash too. After a transport failure a
 * call is repeated once only if the request cannot have reached the service,
 * or for the read-only methods (info, credentials/list, credentials/info,
 * owner/list); authorize and signHash are never sent twice.
 *
 * The library never prints, never installs signal handlers (CURLOPT_NOSIGNAL)
 * and never calls curl_global_cleanup (host programs may use libcurl too).
 */
#ifndef RSSP_CLIENT_H
#define RSSP_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "rssp/status.h"
#include "rssp/types.h"

typedef struct rssp_client rssp_client;

/*
 * The dialect spoken, chosen once at creation (docs/protocol.md has the field
 * table): this project's RSSP, or the Cloud Signature Consortium API v1
 * (1.0.4.0) or v2 (2.0.0.x). The functions below are the same for all three;
 * service errors of the CSC dialects are reported with the RSSP codes of
 * status.h (e.g. invalid_pin -> RSSP_RC_AUTHORIZE_CODE_INVALID).
 */
typedef enum {
    RSSP_PROTOCOL_RSSP = 0,
    RSSP_PROTOCOL_CSC_V1,
    RSSP_PROTOCOL_CSC_V2,
} rssp_protocol;

/* How a CSC client obtains its access token. */
typedef enum {
    RSSP_CSC_AUTH_BASIC = 0,     /* auth/login with HTTP Basic username:password (RFC 7617) */
    RSSP_CSC_AUTH_OAUTH2_CLIENT, /* oauth2/token, grant_type=client_credentials */
} rssp_csc_auth;

/* How the relying party proves itself on auth/login (rssp-protocol.md §1.4). */
typedef enum {
    RSSP_RP_AUTH_SSL2 = 0, /* Authorization: SSL2 <cred> */
    RSSP_RP_AUTH_APPSIGN,  /* Authorization: AppSign <sign> (docs/protocol.md) */
} rssp_rp_auth;

typedef struct {
    rssp_protocol protocol; /* RSSP (default), CSC v1 or CSC v2 */
    const char *base_url;   /* e.g. https://host/rssp/v1/ ; http:// only for loopback */
    const char *ca_file;    /* PEM bundle for TLS verification; NULL = system default */

    const char *relying_party; /* relyingParty */
    rssp_rp_auth rp_auth;
    /* SSL2 */
    const char *rp_username;
    const char *rp_password; /* secret */
    const char *rp_signature;
    const char *rp_key_file;     /* RP RSA private key: PEM or PKCS#12 (.p12/.pfx) */
    const char *rp_key_password; /* secret; for PKCS#12 or encrypted PEM; may be NULL */
    rssp_hash_alg ssl2_hash;     /* RSSP_HASH_NONE means SHA-1 (protocol default) */
    /* AppSign */
    const char *app_api_key;
    const char *app_api_secret; /* secret */
    long app_sign_ttl;          /* seconds; 0 = single-use sign */

    /* Owner (Basic); username NULL = RP-only (SSL2-only) login. */
    const char *user_type; /* NULL = "USERNAME" */
    const char *username;
    const char *password; /* secret */

    /*
     * CSC only. Basic: username/password above (user_type unused). OAuth 2.0
     * client credentials: the token endpoint is <oauth2_url>oauth2/token
     * (oauth2_url NULL = base_url); the refresh_token grant renews it.
     */
    rssp_csc_auth csc_auth;
    const char *oauth2_url;
    const char *oauth2_client_id;
    const char *oauth2_client_secret; /* secret */

    const char *agreement_uuid; /* sent on credential methods when set */
    const char *language;       /* NULL = "EN" */
    const char *client_mac;     /* clientInfo.macAddr; NULL = none */
    bool remember_me;           /* ask for a refresh token */
    /*
     * Resolve the service's host name in the calling thread, once, instead of
     * in libcurl's resolver thread: for applications that forbid a library to
     * create threads. The address is then kept for the client's life.
     */
    bool resolve_in_caller;

    long connect_timeout_ms; /* 0 = 5000 */
    long timeout_ms;         /* total per call; 0 = 30000 */
    /*
     * authorize without a code (IMPLICIT: waits for the phone); 0 = 330000.
     * Authorize with a PIN or OTP, and every other call, uses timeout_ms.
     */
    long authorize_timeout_ms;
    long revoke_budget_ms;     /* rssp_revoke_all, all its requests together; 0 = 2000 */
    size_t max_response_bytes; /* 0 = 4 MiB */
} rssp_client_config;

/* Copies everything it needs from cfg (cfg may be freed afterwards). No network. */
rssp_err rssp_client_new(const rssp_client_config *cfg, rssp_client **out, rssp_status *st);
/* Wipes and frees. Does not call the service (use rssp_logout first). NULL ok. */
void rssp_client_free(rssp_client *c);

/*
 * For shutting down with calls in flight in other threads: while abort is
 * true, every call in progress is abandoned within about a second and new
 * calls fail at once, with RSSP_ERR_CANCELLED. Set it back to false to use
 * the client again (e.g. for the revocations of an orderly shutdown).
 */
void rssp_client_abort(rssp_client *c, bool abort);

/* ---- info ---- */
typedef struct {
    char *version;
    char *name;
    char *description;
    char **languages;
    size_t n_languages;
    char **auth_types;
    size_t n_auth_types;
    char **methods;
    size_t n_methods;
} rssp_info_result;
rssp_err rssp_info(rssp_client *c, rssp_info_result *out, rssp_status *st);
void rssp_info_result_clear(rssp_info_result *r);

/* ---- auth ---- */
/*
 * Log in now (auth/login). Other calls log in by themselves when they have no
 * valid access token, and again once on 3005/3006, so calling this is needed
 * only to check credentials early.
 */
rssp_err rssp_login(rssp_client *c, rssp_status *st);

typedef enum {
    RSSP_TOKEN_ACCESS = 0,
    RSSP_TOKEN_REFRESH = 1,
    RSSP_TOKEN_SAD = 2,
} rssp_token_type;
/* auth/revoke of one token. credential_id is required for RSSP_TOKEN_SAD. */
rssp_err rssp_revoke(rssp_client *c, rssp_token_type type, const char *token,
                     const char *credential_id, rssp_status *st);
/*
 * Revoke the held refresh and access tokens (if any) and forget them. A call
 * that started before never logs in again (not even on 3005/3006): it fails
 * instead, so no token the application has not asked for stays live.
 */
rssp_err rssp_logout(rssp_client *c, rssp_status *st);

/* A SAD to revoke with rssp_revoke_all. */
typedef struct {
    const char *sad; /* secret; NULL entries are skipped */
    const char *credential_id;
} rssp_sad_ref;
/*
 * End of use, bounded: revoke the given SADs all at once, then with logout
 * the held refresh/access token (forgotten first, as rssp_logout does), all
 * within the configured revoke_budget_ms in total. The requests run
 * concurrently over libcurl's multi interface in the calling thread (no
 * thread is created) and authenticate with the held token; there is no new
 * login (without a token the SADs are left to expire, RSSP_ERR_ARGS).
 * What does not finish in time is abandoned: SADs and tokens expire by
 * themselves. Costs one round trip, two when there are SADs and logout.
 * Returns RSSP_OK when everything was revoked, else the first failure.
 */
rssp_err rssp_revoke_all(rssp_client *c, const rssp_sad_ref *sads, size_t n_sads, bool logout,
                         rssp_status *st);
/* True while the client holds an access token it believes valid. */
bool rssp_logged_in(rssp_client *c);

/* ---- credentials ---- */
typedef enum {
    RSSP_CERTS_NONE = 0,
    RSSP_CERTS_SINGLE,
    RSSP_CERTS_CHAIN,
} rssp_certs_mode;

typedef struct {
    char *credential_id;
    char *thumbprint;
    char *status; /* "valid", "revoked", "expired", ... NULL when not sent */
    char *subject_dn;
    char *issuer_dn;
    char *serial_number;
    char *valid_from;
    char *valid_to;
    char *purpose;
    int version;                   /* -1 when absent */
    int remaining_signing_counter; /* -1 unlimited; -2 when absent */
    int num_signatures;            /* max per authorization; 0 when absent */
    rssp_buf *certificates;        /* DER, end entity first */
    size_t n_certificates;
    /* credentials/info only (has_auth_info tells whether they were filled) */
    bool has_auth_info;
    char *auth_mode; /* active, e.g. "EXPLICIT/PIN" */
    char **auth_modes_supported;
    size_t n_auth_modes_supported;
    int scal; /* 1 or 2 */
    char *authorization_phone;
    char *authorization_email;
    char *key_algo_oid; /* hint only */
    int key_len;        /* bits, 0 when absent */
    char *key_curve_oid;
} rssp_credential;
void rssp_credential_clear(rssp_credential *cred);

typedef struct {
    rssp_credential *items;
    size_t count;
} rssp_credential_list;
void rssp_credential_list_clear(rssp_credential_list *l);

typedef struct {
    const char *certificate_status;  /* "ALL" (NULL), "GOOD", "REVOKED" */
    const char *certificate_purpose; /* "ALL" (NULL), "SIGNATURE", "ENCRYPTION" */
    bool certificate_info;
    rssp_certs_mode certificates;
    /*
     * Ask for each credential's authorization data too (CSC v2 credentialInfo
     * and authInfo). Items that came back with it have has_auth_info set and
     * need no credentials/info call; other dialects leave it false.
     */
    bool authentication_info;
} rssp_list_request;
rssp_err rssp_credentials_list(rssp_client *c, const rssp_list_request *req,
                               rssp_credential_list *out, rssp_status *st);

rssp_err rssp_credentials_info(rssp_client *c, const char *credential_id, rssp_certs_mode certs,
                               bool certificate_info, bool authentication_info,
                               rssp_credential *out, rssp_status *st);

/*
 * credentials/info for n credentials at once: the requests run concurrently
 * (libcurl multi interface in the calling thread, no thread created), so n
 * of them cost about one round trip. out[i] and sts[i] (arrays of n, sts may
 * be NULL) receive each credential's own result, as rssp_credentials_info
 * gives it: one failure affects its credential only. Returns RSSP_OK when
 * every call succeeded, else the error of the first that failed.
 */
rssp_err rssp_credentials_info_many(rssp_client *c, const char *const *credential_ids, size_t n,
                                    rssp_certs_mode certs, bool certificate_info,
                                    bool authentication_info, rssp_credential *out,
                                    rssp_status *sts);

/* credentials/sendOTP; 0 and 1007 are both success. */
rssp_err rssp_send_otp(rssp_client *c, const char *credential_id, const char *template_text,
                       const char *subject, rssp_status *st);

/* ---- authorization (SAD) ---- */
typedef struct {
    char *sad;             /* secret, in locked memory: release only with rssp_sad_clear */
    char *entity_name;     /* rssp-entity-name header value; may be NULL */
    long expires_in;       /* seconds as sent (3600 when absent) */
    long long obtained_ms; /* monotonic time (rssp_monotonic_ms) when received */
    int remaining_counter; /* -1 when absent */
} rssp_sad;
void rssp_sad_clear(rssp_sad *sad);

typedef struct {
    const char *credential_id;
    int num_signatures;
    const char *authorize_code; /* PIN or OTP (secret); NULL for IMPLICIT */
    bool code_is_otp;           /* authorize_code is an OTP (CSC sends PIN and OTP apart) */
    /* SCAL 2: the hashes to bind (n_hashes == num_signatures) */
    rssp_hash_alg hash_alg;
    const rssp_buf *hashes;
    size_t n_hashes;
    const char *sign_algo_oid; /* informational; may be NULL */
    /* IMPLICIT */
    const char *notification_message; /* may be NULL */
    int validity_period;              /* seconds; 0 = service default */
    /* Set by another thread to abandon the call (closes the connection). */
    const atomic_int *cancel;
} rssp_authorize_request;
rssp_err rssp_authorize(rssp_client *c, const rssp_authorize_request *req, rssp_sad *out,
                        rssp_status *st);

/* credentials/extendTransaction: replaces *sad (SAD and entity name) on success. */
rssp_err rssp_extend_transaction(rssp_client *c, const char *credential_id, rssp_sad *sad,
                                 rssp_hash_alg hash_alg, const rssp_buf *hashes, size_t n_hashes,
                                 rssp_status *st);

/* ---- credential list cache (used by the module to start without network) ---- */
/*
 * Write l to path atomically (temp file in the same folder, fsync, rename),
 * mode 0600, tagged with key (e.g. service URL + account; not a secret) and
 * the current wall-clock time. Creates missing parent folders 0700.
 */
rssp_err rssp_credential_cache_write(const char *path, const char *key,
                                     const rssp_credential_list *l, rssp_status *st);
/*
 * Read a cache written by rssp_credential_cache_write. Fails (RSSP_ERR_CONFIG)
 * when absent, older than max_age_s seconds, tagged with another key, not
 * private to the user, or malformed; never crashes on a hostile file.
 */
rssp_err rssp_credential_cache_read(const char *path, const char *key, long max_age_s,
                                    rssp_credential_list *out, rssp_status *st);

/* ---- signing ---- */
typedef struct {
    const char *credential_id;
    const rssp_sad *sad;
    rssp_hash_alg hash_alg;
    const rssp_buf *hashes;
    size_t n_hashes;
    const char *sign_algo_oid;             /* e.g. "1.2.840.113549.1.1.1" */
    const unsigned char *sign_algo_params; /* DER RSASSA-PSS-params or NULL */
    size_t sign_algo_params_len;
    /* Set by another thread to abandon the call (closes the connection); may be NULL. */
    const atomic_int *cancel;
} rssp_sign_request;

typedef struct {
    rssp_buf *items; /* raw signature values, same order as the hashes */
    size_t count;
    int remaining_signing_counter; /* -1 unlimited, -2 when absent */
} rssp_signatures;
void rssp_signatures_clear(rssp_signatures *s);

/* signatures/signHash. Never retried after the request may have been sent. */
rssp_err rssp_sign_hash(rssp_client *c, const rssp_sign_request *req, rssp_signatures *out,
                        rssp_status *st);

/* ---- owners (RP principal only) ---- */
typedef struct {
    char *owner_uuid;
    char *username;
    char *user_type;
    char *full_name;
    char *phone;
    char *email;
} rssp_owner;

typedef struct {
    rssp_owner *items;
    size_t count;
    int current_page;
    int record_total;
} rssp_owner_list;
void rssp_owner_list_clear(rssp_owner_list *l);

typedef struct {
    const char *username;
    const char *personal_id;
    const char *tax_id;
    const char *owner_uuid;
    int page_number;  /* 0 = 1 */
    int record_count; /* 0 = service default */
} rssp_owner_query;
rssp_err rssp_owner_list_call(rssp_client *c, const rssp_owner_query *q, rssp_owner_list *out,
                              rssp_status *st);
rssp_err rssp_owner_assign(rssp_client *c, const char *agreement_uuid, const char *owner_uuid,
                           rssp_status *st);

/* ---- observation ---- */
/*
 * Called after every RSSP call with what may be logged (never a secret).
 * Set once before use; the callback must be thread-safe.
 */
typedef void (*rssp_call_observer)(void *ctx, const char *method, long duration_ms,
                                   const rssp_status *st);
void rssp_client_set_observer(rssp_client *c, rssp_call_observer fn, void *ctx);

/* Monotonic clock in milliseconds (CLOCK_MONOTONIC). */
long long rssp_monotonic_ms(void);

#endif
