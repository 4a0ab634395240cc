/*
 * Hashes in requests (rssp-protocol.md §1.7): documentDigests {hashes,
 * hashAlgorithmOID} and the seed/CSC aliases hash[] + hashAlgorithm/hashAlgo;
 * each hash as Base64 (padded or not) or hex, checked against the length of
 * the hash algorithm.
 */
#ifndef EMU_DIGESTS_H
#define EMU_DIGESTS_H

#include <stdbool.h>
#include <stddef.h>

#include "emulator/request.h"
#include "rssp/types.h"

#define EMU_MAX_HASHES 1000

typedef struct {
    const cJSON *hashes; /* array, NULL when absent */
    rssp_hash_alg alg;   /* RSSP_HASH_NONE when not given */
} emu_digests;

/* Find the fields; an unknown algorithm is 3019, a wrong type 3100. */
int emu_digests_find(emu_req *r, emu_digests *d);

/* Decode every hash for alg (3100 on a bad encoding or length); *out malloc'ed. */
int emu_digests_decode(emu_req *r, const emu_digests *d, rssp_hash_alg alg, rssp_buf **out,
                       size_t *n);

void emu_hashes_free(rssp_buf *h, size_t n);

#endif
