/*
 * Login state and remote signing for one token: C_Login = credentials/authorize
 * with the PIN (auth/login happens inside the client), the SAD reused at
 * SCAL 1, authorize-per-signature with the held PIN at SCAL 2, transparent
 * renewal of an expired or exhausted SAD, and the mapping of service answers
 * to CK_RV.
 */
#ifndef RSSP_P11_LOGIN_H
#define RSSP_P11_LOGIN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "pkcs11/mech.h"
#include "pkcs11/p11.h"
#include "pkcs11/token.h"
#include "rssp/client.h"

/* The CK_RV for a failed client call (logged here, with code and billCode). */
CK_RV p11_rv_from_client(const char *what, rssp_err err, const rssp_status *st);

/* C_Login(CKU_USER): verify the PIN with the service and keep it for later authorizations. */
CK_RV p11_token_login(p11_token *tok, const unsigned char *pin, size_t pin_len,
                      const atomic_int *cancel);
/*
 * Forget the login (wipe the PIN). The held SAD moves to *taken for the
 * caller to revoke (p11_revoke) and clear, or is wiped when taken is NULL.
 * Returns whether the token was logged in.
 */
bool p11_token_logout(p11_token *tok, rssp_sad *taken);

/*
 * Revoke SADs and, with logout, the session's tokens: all at once within
 * the configured revoke_budget_ms (rssp_revoke_all), best effort, logged.
 */
void p11_revoke(const rssp_sad_ref *sads, size_t n, bool logout);

/*
 * C_Logout, or the last session of the token closed: forget the login,
 * revoking its SAD (unless the service just proved unreachable); when no
 * token is logged in any more, revoke the access and refresh tokens too.
 * Returns whether the token was logged in.
 */
bool p11_token_end_login(p11_token *tok);

typedef struct {
    p11_scheme scheme;
    rssp_hash_alg hash; /* the algorithm that produced the hash */
    rssp_hash_alg mgf1_hash;
    size_t salt_len;
} p11_sig_params;

/* Bytes of a signature by this token's key as PKCS#11 returns it. */
size_t p11_token_sig_len(const p11_token *tok);

/*
 * Sign hash remotely; *sig_len in: capacity (>= p11_token_sig_len), out:
 * length. code is the one-time code of an OTP token (NULL otherwise).
 */
CK_RV p11_token_sign(p11_token *tok, const p11_sig_params *p, const unsigned char *hash,
                     size_t hash_len, const char *code, unsigned char *sig, size_t *sig_len,
                     const atomic_int *cancel);

/* OTP tokens: have the service send a one-time code for the next signature. */
CK_RV p11_token_send_otp(p11_token *tok);

#endif
