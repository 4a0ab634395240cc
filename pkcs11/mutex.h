/*
 * Mutexes for the module's own state, honouring CK_C_INITIALIZE_ARGS: the
 * application's callbacks when it supplies them without CKF_OS_LOCKING_OK,
 * pthread mutexes otherwise (PKCS#11 2.40 §5.4, C_Initialize).
 */
#ifndef RSSP_P11_MUTEX_H
#define RSSP_P11_MUTEX_H

#include "pkcs11/p11.h"

typedef struct p11_mutex p11_mutex;

/* Choose the locking scheme from C_Initialize's arguments (NULL allowed). */
CK_RV p11_locking_setup(const CK_C_INITIALIZE_ARGS *args);

CK_RV p11_mutex_new(p11_mutex **out);
void p11_mutex_free(p11_mutex *m);
void p11_mutex_lock(p11_mutex *m);
void p11_mutex_unlock(p11_mutex *m);

#endif
