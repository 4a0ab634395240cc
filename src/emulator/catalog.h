/*
 * What `rssp-emulator init` creates: relying parties, owners, agreements and
 * credentials (documented in docs/emulator.md; tests read DIR/fixture.json).
 */
#ifndef EMU_CATALOG_H
#define EMU_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *name;
    const char *username;
    const char *api_key;     /* NULL: no App-Authentication */
    const char *file_prefix; /* secrets/<prefix>-key.p12 ... */
    const char *config;      /* RP-only module config written for it */
    const char *agreement;   /* agreement named in that config */
} emu_catalog_rp;

typedef struct {
    const char *username;
    const char *password;
    const char *uuid;
    const char *full_name;
    const char *personal_id;
    const char *phone;
    const char *email;
    bool phone_app;
    const char *agreement; /* NULL: none yet */
    const char *role;      /* what tests use this owner for */
} emu_catalog_owner;

typedef struct {
    const char *uuid;
    const char *rp;
    const char *owner; /* username, NULL = unassigned */
} emu_catalog_agreement;

typedef struct {
    const char *id;
    const char *agreement;
    int rsa_bits;      /* 0 for EC */
    const char *curve; /* EC only */
    int scal;
    const char *auth_mode;
    const char *auth_modes[3]; /* supported, NULL-terminated */
    bool has_pin;
    const char *status; /* "valid" or "revoked" */
    bool expired;       /* certificate validity in the past */
    long long counter;  /* remainingSigningCounter, -1 unlimited */
    int num_signatures; /* per authorization */
} emu_catalog_credential;

#define EMU_CATALOG_PIN "123456"

extern const emu_catalog_rp emu_catalog_rps[];
extern const size_t emu_catalog_n_rps;
extern const emu_catalog_owner emu_catalog_owners[];
extern const size_t emu_catalog_n_owners;
extern const emu_catalog_agreement emu_catalog_agreements[];
extern const size_t emu_catalog_n_agreements;
extern const emu_catalog_credential emu_catalog_credentials[];
extern const size_t emu_catalog_n_credentials;

/* The owner of an agreement in the catalog, NULL if unassigned. */
const emu_catalog_owner *emu_catalog_agreement_owner(const char *agreement);

#endif
