/*
 * Authorization header values for auth/login (rssp-protocol.md §1.4 and the
 * AppSign extension): SSL2, Basic, AppSign and their combination. Pure
 * functions apart from the key file read; the clock is a parameter.
 * Every returned string is secret (it carries a password, a sign or a
 * token): allocated with rssp_secret_dup, released with rssp_secret_free.
 */
#ifndef RSSP_CLIENT_AUTH_HEADER_H
#define RSSP_CLIENT_AUTH_HEADER_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "rssp/client.h"
#include "rssp/status.h"
#include "rssp/types.h"

/* What auth/login needs to prove the relying party and the owner. */
typedef struct {
    rssp_rp_auth rp_auth;
    /* SSL2 */
    const char *rp_username;
    const char *rp_password;
    const char *rp_signature;
    EVP_PKEY *rp_key;
    rssp_hash_alg ssl2_hash; /* NONE = SHA-1 */
    /* AppSign */
    const char *app_api_key;
    const char *app_api_secret;
    long app_sign_ttl;
    /* Basic; username NULL = relying party only */
    const char *user_type; /* NULL = USERNAME */
    const char *username;
    const char *password;
} rssp_login_material;

/*
 * Load the relying party's RSA private key: PEM (PKCS#8 or traditional,
 * optionally encrypted with password) or PKCS#12 (DER). RSSP_ERR_CONFIG when
 * the file is missing, unreadable, of another format, wrongly protected or
 * not RSA. *out is released with EVP_PKEY_free.
 */
rssp_err rssp_rp_key_load(const char *path, const char *password, EVP_PKEY **out, rssp_status *st);

/* Base64(U ":" P ":" S ":" T ":" X), T = now_ms in decimal, X = Base64(RSA PKCS#1 v1.5
 * signature with hash over U‖P‖S‖T). */
rssp_err rssp_ssl2_credential(const char *u, const char *p, const char *s, long long now_ms,
                              EVP_PKEY *key, rssp_hash_alg hash, char **out, rssp_status *st);

/* Base64(usertype ":" username ":" password); user_type NULL = "USERNAME". */
rssp_err rssp_basic_credential(const char *user_type, const char *username, const char *password,
                               char **out, rssp_status *st);

/*
 * The whole Authorization value for a credential login at wall-clock time
 * now_ms: "SSL2 <c>" / "AppSign <s>", followed by ", Basic <o>" when an owner
 * is configured.
 */
rssp_err rssp_login_authorization(const rssp_login_material *m, long long now_ms, char **out,
                                  rssp_status *st);

/* "Bearer <token>". */
rssp_err rssp_bearer_authorization(const char *token, char **out, rssp_status *st);

#endif
