#include "pkcs11/shared_sad.h"

#include <stdlib.h>
#include <string.h>

#include "common/secmem.h"

p11_shared_sad *p11_shared_sad_new(rssp_sad *sad)
{
    p11_shared_sad *s = malloc(sizeof *s);
    if (s == NULL)
        return NULL;
    atomic_init(&s->refs, 1);
    s->sad = *sad;
    memset(sad, 0, sizeof *sad);
    return s;
}

p11_shared_sad *p11_shared_sad_ref(p11_shared_sad *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void p11_shared_sad_release(p11_shared_sad *s)
{
    if (s == NULL || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    rssp_sad_clear(&s->sad);
    free(s);
}

bool p11_shared_sad_take(p11_shared_sad *s, rssp_sad *out)
{
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return true;
    /* The last reference: nobody else can see s any more, so the SAD moves out. */
    if (atomic_load_explicit(&s->refs, memory_order_acquire) == 1) {
        *out = s->sad;
        free(s);
        return true;
    }
    bool ok = true;
    out->sad = rssp_secret_strdup(s->sad.sad);
    out->entity_name = s->sad.entity_name != NULL ? strdup(s->sad.entity_name) : NULL;
    if (out->sad == NULL || (s->sad.entity_name != NULL && out->entity_name == NULL)) {
        rssp_sad_clear(out);
        ok = false;
    } else {
        out->expires_in = s->sad.expires_in;
        out->obtained_ms = s->sad.obtained_ms;
        out->remaining_counter = s->sad.remaining_counter;
    }
    p11_shared_sad_release(s);
    return ok;
}
