/*
 * The emulator's HSM: a SoftHSM2 token reached through PKCS#11, as a real
 * signing service reaches its HSM. Private keys are generated inside the
 * token (sensitive, never extractable) and used only through C_Sign.
 * This is the only file of the emulator that includes the PKCS#11 header.
 */
#ifndef EMU_HSM_H
#define EMU_HSM_H

#include <stddef.h>

#include <openssl/evp.h>

#include "rssp/types.h"

typedef struct emu_hsm emu_hsm;

/* The library tried when no path is given (Debian, then other layouts). */
const char *emu_hsm_default_module(void);

/*
 * Load the PKCS#11 library module_path (NULL = default) with SOFTHSM2_CONF set
 * to softhsm_conf, and C_Initialize it for use from many threads. Sets the
 * environment, so call it before starting threads.
 */
int emu_hsm_open(const char *module_path, const char *softhsm_conf, emu_hsm **out, char *err,
                 size_t err_len);
/* Log out, close every session, C_Finalize, unload. NULL is allowed. */
void emu_hsm_close(emu_hsm *h);

/* Initialise a new token labelled label in a free slot with the two PINs. */
int emu_hsm_init_token(emu_hsm *h, const char *label, const char *so_pin, const char *user_pin,
                       char *err, size_t err_len);

/* Find the token labelled label and log the user in (once for the whole process). */
int emu_hsm_login(emu_hsm *h, const char *label, const char *user_pin, char *err, size_t err_len);

/*
 * Generate a key pair inside the logged-in token: RSA of rsa_bits, or EC on
 * the named curve ec_nid (rsa_bits 0). The private key is CKA_TOKEN,
 * CKA_PRIVATE, CKA_SENSITIVE, not extractable, sign-only. *pub receives the
 * public key read back from the token.
 */
int emu_hsm_generate(emu_hsm *h, size_t rsa_bits, int ec_nid, const char *id, EVP_PKEY **pub,
                     char *err, size_t err_len);

/* Find the private key with CKA_ID id; *handle is valid for every session. */
int emu_hsm_find_key(emu_hsm *h, const char *id, unsigned long *handle, char *err, size_t err_len);

typedef enum {
    EMU_MECH_RSA_PKCS, /* input: a DigestInfo */
    EMU_MECH_RSA_PSS,  /* input: the hash (mHash) */
    EMU_MECH_ECDSA,    /* input: the hash; output raw r||s */
} emu_mech_kind;

typedef struct {
    emu_mech_kind kind;
    rssp_hash_alg pss_hash; /* RSA_PSS: hash of the input */
    rssp_hash_alg pss_mgf1; /* RSA_PSS: MGF1 hash */
    size_t pss_salt_len;    /* RSA_PSS */
} emu_mech;

/*
 * Sign in with the private key handle. Safe from many threads at once (each
 * call borrows its own session). out must hold at least 2*66+... bytes:
 * 512 bytes is enough for RSA-4096 and EC P-521.
 */
int emu_hsm_sign(emu_hsm *h, unsigned long handle, const emu_mech *mech, const unsigned char *in,
                 size_t in_len, unsigned char *out, size_t out_cap, size_t *out_len, char *err,
                 size_t err_len);

#endif
