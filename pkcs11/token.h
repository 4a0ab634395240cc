/*
 * One token per remote credential: its certificates, objects, mechanisms and
 * the login state its sessions share.
 */
#ifndef RSSP_P11_TOKEN_H
#define RSSP_P11_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/crypto.h"
#include "pkcs11/mutex.h"
#include "pkcs11/object.h"
#include "pkcs11/p11.h"
#include "pkcs11/shared_sad.h"
#include "rssp/client.h"

/* PIN (and one-time code) lengths in bytes the module accepts; others never reach the service. */
#define P11_PIN_MIN_LEN 1
#define P11_PIN_MAX_LEN 64

typedef enum {
    P11_AUTH_PIN,      /* EXPLICIT/PIN: C_Login's PIN is the authorizeCode */
    P11_AUTH_IMPLICIT, /* IMPLICIT/...: approval on the phone, a protected authentication path */
    P11_AUTH_OTP,      /* EXPLICIT/OTP-SMS, -EMAIL: a code per signature (context-specific login) */
    P11_AUTH_NONE,     /* OAUTH2CODE, EXPLICIT/OTP-OFFLINE, EXPLICIT/PIN+OTP (CSC): a browser or
                          two factors, which no PKCS#11 login can supply: login refused */
} p11_auth_kind;

typedef struct p11_token {
    CK_SLOT_ID slot_id;
    char *credential_id;
    char label[33];       /* blank padded, no NUL in the first 32 */
    char serial[17];      /* blank padded */
    char description[65]; /* slot description, blank padded */
    rssp_cert_info ee;
    rssp_cert_info *chain; /* CA certificates, issuer first */
    size_t n_chain;
    int scal; /* 1 or 2 */
    p11_auth_kind auth_kind;
    int max_signatures; /* numSignatures allowed per authorization */
    bool key_login;     /* key login model: no CKF_LOGIN_REQUIRED, the key asks for the PIN */
    CK_MECHANISM_TYPE *mechanisms;
    size_t n_mechanisms;
    p11_object_set objects;

    /*
     * Login state, shared by every session of the token. state_lock guards the
     * fields below and is never held across a network call; auth_lock makes
     * (re-)authorization single-flight for this token and is held across the
     * authorize call, so only threads that need a new SAD for this token wait.
     */
    p11_mutex *state_lock;
    p11_mutex *auth_lock;
    bool logged_in;
    char *pin;                    /* secret memory while logged in (NULL for IMPLICIT) */
    char *refused_pin;            /* the PIN the service refused last (secret memory), or NULL */
    p11_shared_sad *sad;          /* SCAL 1: the SAD serving the next signatures, or NULL */
    int sad_remaining;            /* signatures left on sad */
    long long sad_deadline_ms;    /* monotonic time after which sad is not used */
    unsigned long sad_generation; /* bumped whenever sad changes */
    int pin_remaining;            /* attempts left reported by the service, -1 unknown */
    bool pin_failed;              /* a wrong PIN since the last successful authorization */
    long long locked_until_ms;    /* monotonic; 0 = not locked as far as we know */
    unsigned long session_count;
    unsigned long rw_session_count;
} p11_token;

/* Build a token from a credential (certificates parsed, objects made). */
CK_RV p11_token_new(const rssp_credential *cred, CK_SLOT_ID slot_id, p11_token **out);
/* Free; wipes the PIN and SAD. Does not call the service. */
void p11_token_free(p11_token *tok);

/*
 * CKA_ALWAYS_AUTHENTICATE of the private key now: always for OTP tokens; in
 * the key login model, until the token is logged in (then NSS stops asking).
 */
bool p11_token_always_authenticate(p11_token *tok);

void p11_token_slot_info(const p11_token *tok, CK_SLOT_INFO *info);
void p11_token_info(p11_token *tok, CK_TOKEN_INFO *info);

/* Whether a credential can become a token (valid, signing, a supported auth mode). */
bool p11_credential_usable(const rssp_credential *cred);

#endif
