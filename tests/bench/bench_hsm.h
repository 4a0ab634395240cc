/*
 * The floor: SoftHSM2 signing directly, in this process, with the very keys the
 * emulator signs with (its token, found through the emulator folder's
 * softhsm2.conf), with the mechanisms the emulator uses: CKM_RSA_PKCS over a
 * SHA-256 DigestInfo, CKM_ECDSA over a SHA-256 hash. The same code signs
 * through p11-kit's RPC when the module is p11-kit-client.so (bench_p11kit.h).
 */
#ifndef RSSP_BENCH_HSM_H
#define RSSP_BENCH_HSM_H

#include "bench_run.h"

typedef struct bench_hsm bench_hsm;

typedef struct {
    const char *path_name;               /* the path's name in the table */
    const char *module;                  /* libsofthsm2.so, or p11-kit-client.so before it */
    const char *conf;                    /* SOFTHSM2_CONF of the emulator folder */
    const char *token_label;             /* the emulator's token */
    const char *user_pin;                /* secret */
    const char *key_id[BENCH_KEY_COUNT]; /* CKA_ID = credential id */
} bench_hsm_config;

/* Load SoftHSM2, log in to the token, find the keys. 0 on success. */
int bench_hsm_open(const bench_hsm_config *cfg, bench_hsm **out);
void bench_hsm_close(bench_hsm *h);

/* The signing path over h (ECDSA as raw r||s), named cfg->path_name. */
bench_path bench_hsm_path(bench_hsm *h);

#endif
