/*
 * Replay cache: a fixed pool of entries, found through hash buckets (the key
 * is a SHA-256, so its first bytes are already uniform) and ordered by expiry
 * in a binary min-heap, so expired entries are dropped cheaply and in order.
 * All memory is allocated once, at creation.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "appsign/replay.h"

#define NIL UINT32_MAX

typedef struct {
    unsigned char key[REPLAY_KEY_LEN];
    int64_t forget_after;
    uint32_t next;     /* next entry in the bucket chain, or in the free list */
    uint32_t heap_pos; /* position in the heap while in use */
} replay_entry;

struct appsign_replay {
    pthread_mutex_t lock;
    replay_entry *entries;
    uint32_t *heap; /* entry indices, soonest forget_after first */
    uint32_t *buckets;
    uint32_t bucket_mask;
    uint32_t capacity;
    uint32_t count;
    uint32_t free_head;
};

static uint32_t bucket_of(const appsign_replay *r, const unsigned char *key)
{
    uint32_t h =
        (uint32_t)key[0] | (uint32_t)key[1] << 8 | (uint32_t)key[2] << 16 | (uint32_t)key[3] << 24;
    return h & r->bucket_mask;
}

appsign_replay *appsign_replay_new(size_t capacity)
{
    if (capacity == 0 || capacity > REPLAY_CAPACITY_MAX)
        return NULL;
    appsign_replay *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    uint32_t buckets = 1;
    while (buckets < capacity)
        buckets <<= 1;
    r->capacity = (uint32_t)capacity;
    r->bucket_mask = buckets - 1;
    r->entries = calloc(capacity, sizeof(*r->entries));
    r->heap = calloc(capacity, sizeof(*r->heap));
    r->buckets = malloc((size_t)buckets * sizeof(*r->buckets));
    if (r->entries == NULL || r->heap == NULL || r->buckets == NULL ||
        pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r->entries);
        free(r->heap);
        free(r->buckets);
        free(r);
        return NULL;
    }
    for (uint32_t i = 0; i < buckets; i++)
        r->buckets[i] = NIL;
    for (uint32_t i = 0; i < r->capacity; i++)
        r->entries[i].next = i + 1 < r->capacity ? i + 1 : NIL;
    r->free_head = 0;
    return r;
}

void appsign_replay_free(appsign_replay *r)
{
    if (r == NULL)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r->entries);
    free(r->heap);
    free(r->buckets);
    free(r);
}

static int64_t expiry_at(const appsign_replay *r, uint32_t pos)
{
    return r->entries[r->heap[pos]].forget_after;
}

static void heap_place(appsign_replay *r, uint32_t pos, uint32_t idx)
{
    r->heap[pos] = idx;
    r->entries[idx].heap_pos = pos;
}

static void sift_up(appsign_replay *r, uint32_t pos)
{
    uint32_t idx = r->heap[pos];
    int64_t t = r->entries[idx].forget_after;
    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (expiry_at(r, parent) <= t)
            break;
        heap_place(r, pos, r->heap[parent]);
        pos = parent;
    }
    heap_place(r, pos, idx);
}

static void sift_down(appsign_replay *r, uint32_t pos)
{
    uint32_t idx = r->heap[pos];
    int64_t t = r->entries[idx].forget_after;
    for (;;) {
        uint32_t child = 2 * pos + 1;
        if (child >= r->count)
            break;
        if (child + 1 < r->count && expiry_at(r, child + 1) < expiry_at(r, child))
            child++;
        if (expiry_at(r, child) >= t)
            break;
        heap_place(r, pos, r->heap[child]);
        pos = child;
    }
    heap_place(r, pos, idx);
}

static void unlink_from_bucket(appsign_replay *r, uint32_t idx)
{
    uint32_t *link = &r->buckets[bucket_of(r, r->entries[idx].key)];
    while (*link != idx)
        link = &r->entries[*link].next;
    *link = r->entries[idx].next;
}

/* Drop the entry that expires first. */
static void remove_oldest(appsign_replay *r)
{
    uint32_t idx = r->heap[0];
    r->count--;
    if (r->count > 0) {
        heap_place(r, 0, r->heap[r->count]);
        sift_down(r, 0);
    }
    unlink_from_bucket(r, idx);
    memset(&r->entries[idx], 0, sizeof(r->entries[idx]));
    r->entries[idx].next = r->free_head;
    r->free_head = idx;
}

static bool contains(const appsign_replay *r, const unsigned char *key)
{
    for (uint32_t i = r->buckets[bucket_of(r, key)]; i != NIL; i = r->entries[i].next) {
        if (memcmp(r->entries[i].key, key, REPLAY_KEY_LEN) == 0)
            return true;
    }
    return false;
}

static void insert(appsign_replay *r, const unsigned char *key, int64_t forget_after)
{
    uint32_t idx = r->free_head;
    replay_entry *e = &r->entries[idx];
    r->free_head = e->next;
    memcpy(e->key, key, REPLAY_KEY_LEN);
    e->forget_after = forget_after;
    uint32_t bucket = bucket_of(r, key);
    e->next = r->buckets[bucket];
    r->buckets[bucket] = idx;
    heap_place(r, r->count, idx);
    r->count++;
    sift_up(r, r->count - 1);
}

replay_result appsign_replay_check_and_add(appsign_replay *r, const unsigned char *key,
                                           int64_t forget_after, int64_t now)
{
    replay_result result;
    pthread_mutex_lock(&r->lock);
    while (r->count > 0 && expiry_at(r, 0) < now)
        remove_oldest(r);
    if (contains(r, key)) {
        result = REPLAY_SEEN;
    } else if (r->count == r->capacity) {
        /*
         * Full of live entries. Forgetting one would let that sign be used
         * again, so the new sign is refused instead: the cost is that a flood
         * of valid single-use signs (which needs the secret) can make others
         * wait until entries expire, never that a sign is accepted twice.
         */
        result = REPLAY_FULL;
    } else {
        insert(r, key, forget_after);
        result = REPLAY_FRESH;
    }
    pthread_mutex_unlock(&r->lock);
    return result;
}
