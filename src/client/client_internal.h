/* The rssp_client object, shared by the files of the client library. */
#ifndef RSSP_CLIENT_CLIENT_INTERNAL_H
#define RSSP_CLIENT_CLIENT_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>

#include <openssl/evp.h>

#include "client/auth_header.h"
#include "client/codec_common.h"
#include "client/http.h"
#include "client/session.h"
#include "rssp/client.h"

struct rssp_dialect;

struct rssp_client {
    const struct rssp_dialect *dialect; /* chosen at creation, never changes */
    char *base_url;                     /* normalised, ends with '/' */
    rssp_http *http;
    rssp_session session;

    /* configuration copies; secrets in secret memory */
    char *relying_party;
    char *language;
    char *agreement_uuid;
    char *client_mac;
    bool remember_me;
    long timeout_ms;
    long authorize_timeout_ms;
    long revoke_budget_ms;

    rssp_rp_auth rp_auth;
    char *rp_username;
    char *rp_password; /* secret */
    char *rp_signature;
    EVP_PKEY *rp_key; /* read-only after creation: safe to sign with from many threads */
    rssp_hash_alg ssl2_hash;
    char *app_api_key;
    char *app_api_secret; /* secret */
    long app_sign_ttl;
    char *user_type;
    char *username;
    char *password; /* secret */

    /* CSC */
    rssp_csc_auth csc_auth;
    char *oauth2_url; /* normalised, ends with '/' */
    char *oauth2_client_id;
    char *oauth2_client_secret; /* secret */

    /* set by rssp_info when the service lists only signature/signHash (§2.1) */
    atomic_bool sign_path_singular;

    rssp_call_observer observer;
    void *observer_ctx;
};

/* The login material view of the configuration (pointers into c). */
void rssp_client_login_material(const rssp_client *c, rssp_login_material *m);

/* The common request fields from the configuration. */
rssp_req_common rssp_client_common(const rssp_client *c);

/* Start of every public call: a status to write into (st or local), reset. */
rssp_status *rssp_client_status(rssp_status *st, rssp_status *local);

#endif
