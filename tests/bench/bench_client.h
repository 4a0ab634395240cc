/*
 * The RSSP calls the module makes, made directly with the client library:
 * one rssp_client shared by every thread, credentials/authorize once per
 * numSignatures signatures (a SCAL 1 SAD shared by the threads of a key, as
 * the module shares a token's SAD), signatures/signHash per signature.
 */
#ifndef RSSP_BENCH_CLIENT_H
#define RSSP_BENCH_CLIENT_H

#include "bench_run.h"

typedef struct bench_client bench_client;

typedef struct {
    const char *config;                  /* module configuration file (the same account) */
    const char *key_id[BENCH_KEY_COUNT]; /* credential ids */
    int sad_signatures[BENCH_KEY_COUNT]; /* numSignatures per authorization */
    const char *pin;                     /* secret */
} bench_client_config;

/* Read the configuration and make the client (no network). 0 on success. */
int bench_client_open(const bench_client_config *cfg, bench_client **out);
/* Log out (auth/revoke) and free. */
void bench_client_close(bench_client *c);

/* The signing path over c (ECDSA as DER, as the service sends it). */
bench_path bench_client_path(bench_client *c);

#endif
