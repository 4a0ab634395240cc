/*
 * What sign and verify share: checking a mechanism, its parameters and key
 * at C_*Init, collecting input for multi-part operations, and turning the
 * input into the (hash algorithm, hash) pair the signature covers.
 */
#ifndef RSSP_P11_OP_H
#define RSSP_P11_OP_H

#include "pkcs11/login.h"
#include "pkcs11/p11.h"
#include "pkcs11/session.h"

/* C_SignInit / C_VerifyInit (kind P11_OP_SIGN or P11_OP_VERIFY). */
CK_RV p11_op_init(p11_session *s, p11_op_kind kind, const CK_MECHANISM *mech, CK_OBJECT_HANDLE key);

/* Add input (C_*Update): hashed at once for hash-and-sign, else collected. */
CK_RV p11_op_update(p11_op *op, const unsigned char *data, size_t len);

/*
 * Finish the input: for hash-and-sign, the digest of everything given; for
 * the raw mechanisms, the hash the input carries (CKM_RSA_PKCS: a DigestInfo,
 * parsed; CKM_RSA_PKCS_PSS: the hash of the parameters' algorithm; CKM_ECDSA:
 * a hash of one of the five lengths). hash must hold 64 bytes.
 */
CK_RV p11_op_hash(p11_op *op, size_t key_bytes, p11_sig_params *params, unsigned char *hash,
                  size_t *hash_len);

#endif
