/*
 * The emulator's durable model (rssp-protocol.md §4): relying parties,
 * owners, agreements and credentials, kept in memory and persisted to
 * DIR/state.json (0600) with write-to-temp, fsync, rename.
 *
 * Locking: one mutex (emu_state.lock) guards every field below that can
 * change (counters, locks, OTPs, agreement owners). Handlers take it, read or
 * change, call emu_state_changed() when something durable changed, unlock,
 * then call emu_state_flush() to write the newest snapshot outside the lock.
 */
#ifndef EMU_STATE_H
#define EMU_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "emulator/passhash.h"
#include "rssp/types.h"

typedef struct {
    char *name;
    char *username;
    emu_passhash password;
    char *signature;
    char *ssl2_public_pem;
    EVP_PKEY *ssl2_key; /* public key checking SSL2 pkcs1Signature */
    char *api_key;      /* App-Authentication; NULL when none */
    char *api_secret;   /* secret */
} emu_rp;

typedef struct {
    char *uuid;
    char *rp;
    char *user_type; /* usual login type, e.g. USERNAME */
    char *username;
    emu_passhash password;
    char *full_name;
    char *company_name;
    char *personal_id;
    char *tax_id;
    char *passport_id;
    char *budget_id;
    char *phone;
    char *email;
    bool phone_app; /* a phone app for IMPLICIT approvals is registered */
    int failed_attempts;
    long long lock_until; /* epoch seconds, 0 = not locked */
} emu_owner;

typedef struct {
    char *uuid;
    char *rp;
    char *owner_uuid; /* NULL while unassigned */
} emu_agreement;

typedef struct {
    /* from state.json */
    char *id;
    char *agreement;
    char *status; /* stored status: "valid", "revoked", "not enrolled", "unknown" */
    char *purpose;
    int scal;
    char *auth_mode;
    char **auth_modes;
    size_t n_auth_modes;
    int num_signatures;
    long long remaining_signing_counter; /* -1 unlimited */
    emu_passhash pin;
    bool has_pin;
    int failed_attempts;
    long long lock_until;
    char otp[8]; /* outstanding OTP, "" if none */
    long long otp_time;
    int version;
    char *profile_name;
    char *profile_description;
    char *contract_expiration;
    char *shared_mode;
    char *created_rp;
    rssp_buf *chain; /* DER, end entity first */
    size_t n_chain;

    /* derived from the certificate at load */
    rssp_key_type key_type;
    int key_bits;             /* RSA modulus bits or EC order bits */
    const char *curve;        /* "P-256", "P-384", "P-521"; NULL for RSA */
    const char *curve_oid;    /* dotted OID; NULL for RSA */
    char thumbprint[65];      /* SHA-256, lowercase hex */
    char thumbprint_sha1[41]; /* accepted on lookup */
    char *subject_dn;
    char *issuer_dn;
    char *serial_hex;
    char valid_from[16]; /* yyyyMMddHHmmssZ */
    char valid_to[16];
    time_t not_before;
    time_t not_after;
    size_t ec_field_len;   /* EC: bytes of r and s */
    size_t rsa_bytes;      /* RSA: modulus bytes */
    unsigned long hsm_key; /* private key handle, set by serve */
} emu_credential;

typedef struct {
    char *dir;
    char *path; /* DIR/state.json */
    pthread_mutex_t lock;

    emu_rp *rps;
    size_t n_rps;
    emu_owner *owners;
    size_t n_owners;
    emu_agreement *agreements;
    size_t n_agreements;
    emu_credential *credentials;
    size_t n_credentials;

    /* persistence */
    pthread_mutex_t persist_lock;
    char *pending; /* newest serialized snapshot not yet written */
} emu_state;

/* Allocate an empty state for dir (init fills it). */
int emu_state_new(const char *dir, emu_state **out);
/* Read DIR/state.json; err says what is wrong. */
int emu_state_load(const char *dir, emu_state **out, char *err, size_t err_len);
void emu_state_free(emu_state *st);

/* Fill the fields derived from the certificate chain (thumbprints, DNs, validity). */
int emu_credential_derive(emu_credential *c);

/* Write the whole state now (init, shutdown). Lock not held. */
int emu_state_save(emu_state *st);
/* Record that durable state changed; lock held. */
void emu_state_changed(emu_state *st);
/* Write the newest recorded snapshot, if any; lock not held. */
int emu_state_flush(emu_state *st);

/* Lookups; lock held or state immutable at that point. */
emu_rp *emu_find_rp(emu_state *st, const char *name);
emu_rp *emu_find_rp_by_username(emu_state *st, const char *username);
emu_rp *emu_find_rp_by_api_key(emu_state *st, const char *api_key);
emu_owner *emu_find_owner(emu_state *st, const char *uuid);
/* user_type: USERNAME, PERSONAL-ID, PASSPORT-ID, CITIZEN-IDENTITY-CARD, BUDGET-CODE, TAX-CODE,
 * UUID. */
emu_owner *emu_find_owner_by_login(emu_state *st, const char *user_type, const char *value,
                                   bool *type_known);
emu_agreement *emu_find_agreement(emu_state *st, const char *uuid);
emu_credential *emu_find_credential(emu_state *st, const char *id);
emu_credential *emu_find_credential_by_thumbprint(emu_state *st, const char *thumbprint);

/* Current certificate status: stored "revoked"/..., else "expired" past notAfter. */
const char *emu_credential_status(const emu_credential *c, time_t now);

/* Mask a phone ("0912***678") or an e-mail ("a***@example.vn"); malloc'ed. */
char *emu_mask_phone(const char *phone);
char *emu_mask_email(const char *email);

#endif
