#include "emulator/sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "common/secmem.h"
#include "crypto/crypto.h"
#include "emulator/random.h"

/* How long a dead token is remembered, so that its use answers "expired"/"exhausted". */
#define ACCESS_GRACE_MS (3600LL * 1000)
#define SAD_GRACE_MS (60LL * 1000)
#define EXHAUSTED_GRACE_MS (30LL * 1000)
#define SWEEP_EVERY 256

typedef enum { KIND_FREE = 0, KIND_ACCESS, KIND_REFRESH, KIND_SAD } kind;

typedef struct {
    kind kind;
    char *value; /* secret */
    emu_principal principal;
    long long expires_ms;
    long long forget_ms;
    unsigned long long serial;
    unsigned long long parent; /* access tokens: serial of their refresh token, 0 = none */
    emu_sad *sad;
} entry;

typedef struct {
    size_t slot;
    unsigned long long serial;
} sad_ref;

typedef struct {
    sad_ref *refs;
    size_t n, cap;
} binding;

struct emu_sessions {
    entry *e;
    size_t n, cap;
    size_t *free_slots;
    size_t n_free;
    unsigned long long next_serial;
    unsigned issued_since_sweep;
    binding *bind; /* per credential index */
    size_t n_bind;
};

static const char *const prefixes[] = {"", "at-", "rt-", "SAD-"};

bool emu_principal_equal(emu_principal a, emu_principal b)
{
    return a.rp == b.rp && a.owner == b.owner;
}

long long emu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

emu_sessions *emu_sessions_new(void)
{
    emu_sessions *s = calloc(1, sizeof(*s));
    if (s != NULL)
        s->next_serial = 1;
    return s;
}

static void free_sad(emu_sad *sad)
{
    if (sad == NULL)
        return;
    for (size_t i = 0; i < sad->n_hashes; i++)
        rssp_buf_clear(&sad->hashes[i]);
    free(sad->hashes);
    free(sad->used);
    free(sad);
}

static void release(emu_sessions *s, size_t slot)
{
    entry *e = &s->e[slot];
    rssp_str_free_secret(e->value);
    if (e->sad != NULL && e->sad->pins > 0)
        e->sad->orphan = true; /* the last emu_sad_unpin frees it */
    else
        free_sad(e->sad);
    memset(e, 0, sizeof(*e));
    s->free_slots[s->n_free++] = slot;
}

void emu_sessions_free(emu_sessions *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        rssp_str_free_secret(s->e[i].value);
        free_sad(s->e[i].sad); /* no request runs any more: nothing is pinned */
    }
    for (size_t i = 0; i < s->n_bind; i++)
        free(s->bind[i].refs);
    free(s->bind);
    free(s->e);
    free(s->free_slots);
    free(s);
}

static void sweep(emu_sessions *s, long long now)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].kind != KIND_FREE && s->e[i].forget_ms < now)
            release(s, i);
    }
}

/* A free slot, growing the table when needed; (size_t)-1 on allocation failure. */
static size_t take_slot(emu_sessions *s)
{
    if (++s->issued_since_sweep >= SWEEP_EVERY) {
        s->issued_since_sweep = 0;
        sweep(s, emu_now_ms());
    }
    if (s->n_free > 0)
        return s->free_slots[--s->n_free];
    if (s->n == s->cap) {
        size_t cap = s->cap == 0 ? 64 : s->cap * 2;
        entry *e = realloc(s->e, cap * sizeof(*e));
        if (e == NULL)
            return (size_t)-1;
        s->e = e;
        size_t *f = realloc(s->free_slots, cap * sizeof(*f));
        if (f == NULL)
            return (size_t)-1;
        s->free_slots = f;
        s->cap = cap;
    }
    memset(&s->e[s->n], 0, sizeof(entry));
    return s->n++;
}

static int issue(emu_sessions *s, kind k, emu_principal p, long long ttl_ms, long long grace_ms,
                 size_t *slot_out)
{
    size_t slot = take_slot(s);
    if (slot == (size_t)-1)
        return -1;
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "%s%zx.", prefixes[k], slot);
    char *value = emu_random_text(prefix, 32);
    if (value == NULL) {
        s->free_slots[s->n_free++] = slot;
        return -1;
    }
    entry *e = &s->e[slot];
    long long now = emu_now_ms();
    e->kind = k;
    e->value = value;
    e->principal = p;
    e->expires_ms = now + ttl_ms;
    e->forget_ms = e->expires_ms + grace_ms;
    e->serial = s->next_serial++;
    *slot_out = slot;
    return 0;
}

/* Find the entry of a token of kind k; NULL if unknown. */
static entry *lookup(emu_sessions *s, kind k, const char *value)
{
    size_t plen = strlen(prefixes[k]);
    if (value == NULL || strncmp(value, prefixes[k], plen) != 0)
        return NULL;
    const char *p = value + plen;
    size_t slot = 0;
    size_t digits = 0;
    for (; *p != '.' && *p != '\0'; p++, digits++) {
        int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
        if (d < 0 || digits >= 12)
            return NULL;
        slot = slot * 16 + (size_t)d;
    }
    if (*p != '.' || digits == 0 || slot >= s->n)
        return NULL;
    entry *e = &s->e[slot];
    if (e->kind != k)
        return NULL;
    size_t n = strlen(e->value);
    if (strlen(value) != n || CRYPTO_memcmp(e->value, value, n) != 0)
        return NULL;
    return e;
}

int emu_refresh_issue(emu_sessions *s, emu_principal p, long ttl_s, const char **out)
{
    size_t slot;
    if (issue(s, KIND_REFRESH, p, ttl_s * 1000LL, 0, &slot) != 0)
        return -1;
    *out = s->e[slot].value;
    return 0;
}

int emu_access_issue(emu_sessions *s, emu_principal p, long ttl_s, const char *refresh,
                     const char **out)
{
    unsigned long long parent = 0;
    if (refresh != NULL) {
        entry *r = lookup(s, KIND_REFRESH, refresh);
        if (r != NULL)
            parent = r->serial;
    }
    size_t slot;
    if (issue(s, KIND_ACCESS, p, ttl_s * 1000LL, ACCESS_GRACE_MS, &slot) != 0)
        return -1;
    s->e[slot].parent = parent;
    *out = s->e[slot].value;
    return 0;
}

static emu_token_check check(emu_sessions *s, kind k, const char *token, emu_principal *p)
{
    entry *e = lookup(s, k, token);
    if (e == NULL)
        return EMU_TOKEN_UNKNOWN;
    *p = e->principal;
    return e->expires_ms <= emu_now_ms() ? EMU_TOKEN_EXPIRED : EMU_TOKEN_OK;
}

emu_token_check emu_access_check(emu_sessions *s, const char *token, emu_principal *p)
{
    return check(s, KIND_ACCESS, token, p);
}

emu_token_check emu_refresh_check(emu_sessions *s, const char *token, emu_principal *p)
{
    return check(s, KIND_REFRESH, token, p);
}

void emu_access_revoke(emu_sessions *s, const char *token, emu_principal p)
{
    entry *e = lookup(s, KIND_ACCESS, token);
    if (e != NULL && emu_principal_equal(e->principal, p))
        release(s, (size_t)(e - s->e));
}

void emu_refresh_revoke(emu_sessions *s, const char *token, emu_principal p)
{
    entry *e = lookup(s, KIND_REFRESH, token);
    if (e == NULL || !emu_principal_equal(e->principal, p))
        return;
    unsigned long long serial = e->serial;
    release(s, (size_t)(e - s->e));
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].kind == KIND_ACCESS && s->e[i].parent == serial)
            release(s, i);
    }
}

/* ---- SADs ---- */

static binding *binding_of(emu_sessions *s, size_t credential)
{
    if (credential >= s->n_bind) {
        size_t n = credential + 16;
        binding *b = realloc(s->bind, n * sizeof(*b));
        if (b == NULL)
            return NULL;
        memset(b + s->n_bind, 0, (n - s->n_bind) * sizeof(*b));
        s->bind = b;
        s->n_bind = n;
    }
    return &s->bind[credential];
}

static bool sad_live(const entry *e, long long now)
{
    return e->kind == KIND_SAD && e->expires_ms > now && e->sad->remaining > 0;
}

/* The live SAD behind a reference, NULL if it ended or the slot was reused. */
static entry *ref_entry(emu_sessions *s, const sad_ref *ref, size_t credential, long long now)
{
    if (ref->slot >= s->n)
        return NULL;
    entry *e = &s->e[ref->slot];
    if (e->serial != ref->serial || !sad_live(e, now) || e->sad->credential != credential)
        return NULL;
    return e;
}

int emu_sad_issue(emu_sessions *s, const emu_sad *init, rssp_buf *hashes, size_t n_hashes,
                  long ttl_s, const char **value, emu_sad **sad_out)
{
    binding *b = binding_of(s, init->credential);
    emu_sad *sad = calloc(1, sizeof(*sad));
    bool *used = n_hashes > 0 ? calloc(n_hashes, sizeof(bool)) : NULL;
    size_t slot;
    if (b == NULL || sad == NULL || (n_hashes > 0 && used == NULL))
        goto fail;
    if (b->n == b->cap) {
        size_t cap = b->cap == 0 ? 4 : b->cap * 2;
        sad_ref *refs = realloc(b->refs, cap * sizeof(*refs));
        if (refs == NULL)
            goto fail;
        b->refs = refs;
        b->cap = cap;
    }
    if (issue(s, KIND_SAD, init->principal, ttl_s * 1000LL, SAD_GRACE_MS, &slot) != 0)
        goto fail;
    *sad = *init;
    sad->hashes = hashes;
    sad->used = used;
    sad->n_hashes = n_hashes;
    sad->expires_ms = s->e[slot].expires_ms;
    sad->slot = slot;
    sad->pins = 0;
    sad->orphan = false;
    s->e[slot].sad = sad;
    b->refs[b->n++] = (sad_ref){slot, s->e[slot].serial};
    *value = s->e[slot].value;
    *sad_out = sad;
    return 0;
fail:
    free(sad);
    free(used);
    return -1;
}

emu_token_check emu_sad_find(emu_sessions *s, const char *value, emu_sad **sad)
{
    entry *e = lookup(s, KIND_SAD, value);
    if (e == NULL)
        return EMU_TOKEN_UNKNOWN;
    *sad = e->sad;
    return e->expires_ms <= emu_now_ms() ? EMU_TOKEN_EXPIRED : EMU_TOKEN_OK;
}

static entry *entry_of(emu_sessions *s, const emu_sad *sad)
{
    if (sad->orphan || sad->slot >= s->n || s->e[sad->slot].sad != sad)
        return NULL;
    return &s->e[sad->slot];
}

void emu_sad_invalidate(emu_sessions *s, emu_sad *sad)
{
    entry *e = entry_of(s, sad);
    if (e != NULL)
        release(s, sad->slot);
}

void emu_sad_note_use(emu_sessions *s, emu_sad *sad)
{
    if (sad->remaining > 0)
        return;
    entry *e = entry_of(s, sad);
    long long forget = emu_now_ms() + EXHAUSTED_GRACE_MS;
    if (e != NULL && e->forget_ms > forget)
        e->forget_ms = forget;
}

void emu_sad_pin(emu_sad *sad)
{
    sad->pins++;
}

bool emu_sad_pinned_alive(const emu_sad *sad)
{
    return !sad->orphan;
}

void emu_sad_unpin(emu_sad *sad)
{
    if (--sad->pins == 0 && sad->orphan)
        free_sad(sad);
}

bool emu_binding_conflict(emu_sessions *s, size_t credential, const char *identity)
{
    if (credential >= s->n_bind)
        return false;
    binding *b = &s->bind[credential];
    long long now = emu_now_ms();
    bool conflict = false;
    size_t keep = 0;
    for (size_t i = 0; i < b->n; i++) {
        entry *e = ref_entry(s, &b->refs[i], credential, now);
        if (e == NULL)
            continue; /* ended: drop the reference */
        b->refs[keep++] = b->refs[i];
        if (strcmp(e->sad->identity, identity) != 0)
            conflict = true;
    }
    b->n = keep;
    return conflict;
}

void emu_sessions_expire_all(emu_sessions *s)
{
    long long now = emu_now_ms();
    for (size_t i = 0; i < s->n; i++) {
        entry *e = &s->e[i];
        if (e->kind != KIND_ACCESS && e->kind != KIND_SAD)
            continue;
        if (e->expires_ms > now - 1)
            e->expires_ms = now - 1;
        if (e->sad != NULL)
            e->sad->expires_ms = e->expires_ms;
        long long forget = now + (e->kind == KIND_SAD ? SAD_GRACE_MS : ACCESS_GRACE_MS);
        if (e->forget_ms > forget)
            e->forget_ms = forget;
    }
}

void emu_sessions_counts(emu_sessions *s, size_t *access, size_t *refresh, size_t *sads)
{
    *access = *refresh = *sads = 0;
    for (size_t i = 0; i < s->n; i++) {
        switch (s->e[i].kind) {
        case KIND_ACCESS:
            (*access)++;
            break;
        case KIND_REFRESH:
            (*refresh)++;
            break;
        case KIND_SAD:
            (*sads)++;
            break;
        case KIND_FREE:
            break;
        }
    }
}
