/*
 * A SCAL 1 SAD shared by its token and the signatures in flight that use it.
 * Taking a reference costs no copy of the secret (the SAD stays in the one
 * locked allocation the authorization made); the last reference wipes it.
 */
#ifndef RSSP_P11_SHARED_SAD_H
#define RSSP_P11_SHARED_SAD_H

#include <stdatomic.h>
#include <stdbool.h>

#include "rssp/client.h"

typedef struct {
    atomic_uint refs;
    rssp_sad sad;
} p11_shared_sad;

/* One reference to *sad, which is moved in (zeroed); NULL when out of memory (*sad kept). */
p11_shared_sad *p11_shared_sad_new(rssp_sad *sad);
/* Another reference; the caller already holds one (or a lock that keeps one alive). */
p11_shared_sad *p11_shared_sad_ref(p11_shared_sad *s);
/* Drop a reference; the last one wipes the SAD and frees. NULL is allowed. */
void p11_shared_sad_release(p11_shared_sad *s);
/*
 * Drop a reference and give the SAD to *out: moved when this was the last
 * reference, otherwise copied. false when out of memory (*out cleared; the
 * reference is dropped all the same). NULL s gives an empty *out.
 */
bool p11_shared_sad_take(p11_shared_sad *s, rssp_sad *out);

#endif
