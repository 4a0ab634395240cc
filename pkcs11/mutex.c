#include "pkcs11/mutex.h"

#include <pthread.h>
#include <stdlib.h>

struct p11_mutex {
    pthread_mutex_t os;
    void *app; /* the application's mutex when app callbacks are in use */
    int uses_app;
};

/* Set once per C_Initialize, before any mutex is created. */
static CK_C_INITIALIZE_ARGS app_locking;
static int use_app_locking;

CK_RV p11_locking_setup(const CK_C_INITIALIZE_ARGS *args)
{
    use_app_locking = 0;
    if (args == NULL)
        return CKR_OK;
    int given = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) +
                (args->LockMutex != NULL) + (args->UnlockMutex != NULL);
    if (given != 0 && given != 4)
        return CKR_ARGUMENTS_BAD;
    if (given == 4 && !(args->flags & CKF_OS_LOCKING_OK)) {
        app_locking = *args;
        use_app_locking = 1;
    }
    return CKR_OK;
}

CK_RV p11_mutex_new(p11_mutex **out)
{
    p11_mutex *m = calloc(1, sizeof *m);
    if (m == NULL)
        return CKR_HOST_MEMORY;
    if (use_app_locking) {
        CK_RV rv = app_locking.CreateMutex(&m->app);
        if (rv != CKR_OK) {
            free(m);
            return rv == CKR_HOST_MEMORY ? rv : CKR_CANT_LOCK;
        }
        m->uses_app = 1;
    } else if (pthread_mutex_init(&m->os, NULL) != 0) {
        free(m);
        return CKR_CANT_LOCK;
    }
    *out = m;
    return CKR_OK;
}

void p11_mutex_free(p11_mutex *m)
{
    if (m == NULL)
        return;
    if (m->uses_app)
        app_locking.DestroyMutex(m->app);
    else
        pthread_mutex_destroy(&m->os);
    free(m);
}

void p11_mutex_lock(p11_mutex *m)
{
    if (m->uses_app)
        app_locking.LockMutex(m->app);
    else
        pthread_mutex_lock(&m->os);
}

void p11_mutex_unlock(p11_mutex *m)
{
    if (m->uses_app)
        app_locking.UnlockMutex(m->app);
    else
        pthread_mutex_unlock(&m->os);
}
