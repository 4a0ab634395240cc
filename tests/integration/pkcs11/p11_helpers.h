/* Helpers shared by the module's integration tests: load the module, check signatures. */
#ifndef RSSP_TEST_P11_HELPERS_H
#define RSSP_TEST_P11_HELPERS_H

#include <stddef.h>

#include "emulator_fixture.h"
#include "pkcs11/p11.h"

/* dlopen the module under test and return its 3.0 function list (and the 2.40 one). */
CK_FUNCTION_LIST_3_0 *p11t_load(void);
void p11t_unload(void);

/* The first object of class cls on the session's token (0 if none). */
CK_OBJECT_HANDLE p11t_find(CK_FUNCTION_LIST_3_0 *f, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls);

/* Read one attribute into a malloc'ed buffer; NULL if absent. */
unsigned char *p11t_attr(CK_FUNCTION_LIST_3_0 *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                         CK_ATTRIBUTE_TYPE type, size_t *len);

/*
 * Verify sig over data with the certificate (DER) using plain OpenSSL, for a
 * PKCS#11 mechanism: hash-and-sign mechanisms get the data, CKM_RSA_PKCS a
 * DigestInfo, CKM_RSA_PKCS_PSS / CKM_ECDSA a hash. ECDSA sig is raw r||s.
 * Returns 1 if valid.
 */
int p11t_openssl_verify(const unsigned char *cert_der, size_t cert_len, CK_MECHANISM_TYPE mech,
                        const CK_RSA_PKCS_PSS_PARAMS *pss, const unsigned char *data,
                        size_t data_len, const unsigned char *sig, size_t sig_len);

/*
 * Sign a short text with the session's private key (CKM_SHA256_RSA_PKCS or
 * CKM_ECDSA_SHA256) and fail the test unless OpenSSL verifies the result.
 * Returns C_SignInit's or C_Sign's CK_RV.
 */
CK_RV p11t_sign_once(CK_FUNCTION_LIST_3_0 *f, CK_SESSION_HANDLE s);

/*
 * Copy the emulator's demo configuration to name (mode 0600, beside it so
 * its relative paths hold), replacing every line that starts with one of
 * the keys of edits ({key, whole new line} pairs, ending with {NULL, NULL}),
 * and point RSSP_PKCS11_CONF at it. 0 on success.
 */
int p11t_demo_config(const rssp_emu *emu, const char *name, const char *const edits[][2]);

/* Requests the emulator has served for method (GET /_emulator/stats); -1 on error. */
long p11t_served(const rssp_emu *emu, const char *method);

/* Tokens live on the service: kind "access", "refresh" or "sads"; -1 on error. */
long p11t_live_tokens(const rssp_emu *emu, const char *kind);

#endif
