/*
 * Timed runs: some threads sign a fixed number of distinct messages each
 * through one signing path (SoftHSM2, the client library, the module), then
 * every signature is checked with OpenSSL outside the timed window.
 */
#ifndef RSSP_BENCH_RUN_H
#define RSSP_BENCH_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "bench_verify.h"

#define BENCH_MAX_THREADS 8
#define BENCH_SIG_MAX 512

typedef struct {
    const char *name; /* e.g. "RSA-2048, 8 threads, one token" */
    unsigned threads;
    size_t per_thread;
    bool mixed;    /* first half of the threads signs with the RSA key, second half with EC */
    bench_key key; /* the key of every thread when not mixed */
} bench_scenario;

/* The key thread t signs with. */
bench_key bench_thread_key(const bench_scenario *sc, unsigned t);

/* One signing path. */
typedef struct {
    const char *name;
    void *ctx;
    bool ec_der; /* ECDSA signatures come as DER (else raw r||s) */
    /* Untimed set-up for a scenario (sessions, login, a first SAD). 0 on success. */
    int (*prepare)(void *ctx, const bench_scenario *sc);
    /*
     * Timed: thread t signs msg (SHA-256 with PKCS#1 v1.5 or ECDSA) with its key.
     * sig (BENCH_SIG_MAX bytes) gets the signature.
     * 0 on success.
     */
    int (*sign)(void *ctx, unsigned t, bench_key key, const unsigned char *msg, size_t msg_len,
                unsigned char *sig, size_t *sig_len);
    /* Untimed clean-up after a scenario; may be NULL. */
    void (*finish)(void *ctx);
} bench_path;

/* Called right before and right after the timed window (e.g. to read counters); may be NULL. */
typedef struct {
    void (*before)(void *ctx);
    void (*after)(void *ctx);
    void *ctx;
} bench_window;

typedef struct {
    size_t signatures; /* signed without error */
    size_t failures;   /* sign calls that failed (a thread stops at its first failure) */
    size_t rejected;   /* signatures OpenSSL did not accept */
    double seconds;    /* wall time of the window */
    double rate;       /* signatures per second */
    double median_ms;  /* per-signature latency as the caller sees it */
    double p95_ms;
    double cpu_ms; /* CPU time of this process in the window */
} bench_result;

/* Run sc through p. Returns 0 when the run could be made (failures are counted in out). */
int bench_run(const bench_path *p, const bench_scenario *sc, const bench_verifier *v,
              const bench_window *w, bench_result *out);

#endif
