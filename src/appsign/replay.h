/*
 * Internal: memory of the single-use signs already accepted. Bounded, keyed
 * by a 32-byte digest of the sign, each entry forgotten once its time has
 * passed. Thread-safe (an internal mutex).
 */
#ifndef RSSP_APPSIGN_REPLAY_H
#define RSSP_APPSIGN_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define REPLAY_KEY_LEN 32
/* Indices are 32-bit; far more than any sane policy asks for. */
#define REPLAY_CAPACITY_MAX (UINT32_C(1) << 26)

typedef struct appsign_replay appsign_replay;

typedef enum {
    REPLAY_FRESH, /* not seen before; now remembered */
    REPLAY_SEEN,  /* seen before and still remembered */
    REPLAY_FULL,  /* not seen, but no room: every entry is still live */
} replay_result;

/* capacity 1..REPLAY_CAPACITY_MAX; NULL on allocation failure or bad capacity. */
appsign_replay *appsign_replay_new(size_t capacity);
void appsign_replay_free(appsign_replay *r);

/*
 * First forgets every entry whose forget_after is before now, then looks key
 * up and, if new, remembers it until forget_after.
 */
replay_result appsign_replay_check_and_add(appsign_replay *r, const unsigned char *key,
                                           int64_t forget_after, int64_t now);

#endif
