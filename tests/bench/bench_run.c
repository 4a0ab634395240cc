#include "bench_run.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define BENCH_MSG_MAX 160

/* Holds the workers until every thread exists, so they start together. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t open;
    bool go;
    bool cancelled; /* not every thread could be started: leave without signing */
} gate;

typedef struct {
    const bench_path *path;
    const bench_scenario *sc;
    gate *start;
    unsigned thread;
    double *latency_ms;  /* per_thread entries */
    unsigned char *sigs; /* per_thread * BENCH_SIG_MAX */
    size_t *sig_lens;    /* per_thread */
    size_t done;         /* signatures made before the first failure */
    int failed;
} worker;

bench_key bench_thread_key(const bench_scenario *sc, unsigned t)
{
    if (!sc->mixed)
        return sc->key;
    return t < sc->threads / 2 ? BENCH_KEY_RSA : BENCH_KEY_EC;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_ms(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3) +
           ((double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
}

/* A message unique to path, scenario, thread and index, so no two signatures sign the same. */
static size_t message(const bench_path *p, const bench_scenario *sc, unsigned t, size_t i,
                      unsigned char *out)
{
    int n = snprintf((char *)out, BENCH_MSG_MAX, "rssp-pkcs11 bench|%s|%s|%u|%zu", p->name,
                     sc->name, t, i);
    return n < 0 ? 0 : (size_t)n < BENCH_MSG_MAX ? (size_t)n : BENCH_MSG_MAX - 1;
}

static void *work(void *arg)
{
    worker *w = arg;
    unsigned char msg[BENCH_MSG_MAX];
    bench_key key = bench_thread_key(w->sc, w->thread);
    pthread_mutex_lock(&w->start->lock);
    while (!w->start->go)
        pthread_cond_wait(&w->start->open, &w->start->lock);
    bool cancelled = w->start->cancelled;
    pthread_mutex_unlock(&w->start->lock);
    if (cancelled)
        return NULL;
    for (size_t i = 0; i < w->sc->per_thread; i++) {
        size_t len = message(w->path, w->sc, w->thread, i, msg);
        size_t sig_len = BENCH_SIG_MAX;
        double t0 = now_s();
        int rc = w->path->sign(w->path->ctx, w->thread, key, msg, len, w->sigs + i * BENCH_SIG_MAX,
                               &sig_len);
        w->latency_ms[i] = (now_s() - t0) * 1e3;
        if (rc != 0) {
            w->failed = 1;
            break;
        }
        w->sig_lens[i] = sig_len;
        w->done++;
    }
    return NULL;
}

static void gate_open(gate *g, bool cancelled)
{
    pthread_mutex_lock(&g->lock);
    g->go = true;
    g->cancelled = cancelled;
    pthread_cond_broadcast(&g->open);
    pthread_mutex_unlock(&g->lock);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The value below which a fraction q of the sorted samples lie (nearest rank). */
static double quantile(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)(q * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    return sorted[(rank > n ? n : rank) - 1];
}

/* Latencies of successful signatures, sorted; checks every signature with OpenSSL. */
static void collect(const bench_path *p, const bench_scenario *sc, const bench_verifier *v,
                    worker *ws, double *lat, bench_result *out)
{
    unsigned char msg[BENCH_MSG_MAX];
    size_t n = 0;
    for (unsigned t = 0; t < sc->threads; t++) {
        worker *w = &ws[t];
        bench_key key = bench_thread_key(sc, t);
        out->signatures += w->done;
        out->failures += (size_t)w->failed;
        for (size_t i = 0; i < w->done; i++) {
            size_t len = message(p, sc, t, i, msg);
            if (!bench_verify(v, key, p->ec_der, msg, len, w->sigs + i * BENCH_SIG_MAX,
                              w->sig_lens[i]))
                out->rejected++;
            lat[n++] = w->latency_ms[i];
        }
    }
    qsort(lat, n, sizeof *lat, cmp_double);
    out->median_ms = quantile(lat, n, 0.5);
    out->p95_ms = quantile(lat, n, 0.95);
}

int bench_run(const bench_path *p, const bench_scenario *sc, const bench_verifier *v,
              const bench_window *win, bench_result *out)
{
    memset(out, 0, sizeof *out);
    if (sc->threads == 0 || sc->threads > BENCH_MAX_THREADS || sc->per_thread == 0)
        return -1;
    size_t total = sc->threads * sc->per_thread;
    worker ws[BENCH_MAX_THREADS];
    pthread_t th[BENCH_MAX_THREADS];
    gate start = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false};
    unsigned started = 0;
    int rc = -1;
    double *lat = calloc(total, sizeof *lat);
    double *all = calloc(total, sizeof *all);
    size_t *lens = calloc(total, sizeof *lens);
    unsigned char *sigs = malloc(total * BENCH_SIG_MAX);
    if (lat == NULL || all == NULL || lens == NULL || sigs == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        goto out;
    }
    if (p->prepare(p->ctx, sc) != 0) {
        fprintf(stderr, "bench: %s: preparing \"%s\" failed\n", p->name, sc->name);
        goto out;
    }
    for (unsigned t = 0; t < sc->threads; t++) {
        ws[t] = (worker){.path = p,
                         .sc = sc,
                         .start = &start,
                         .thread = t,
                         .latency_ms = lat + t * sc->per_thread,
                         .sigs = sigs + t * sc->per_thread * BENCH_SIG_MAX,
                         .sig_lens = lens + t * sc->per_thread};
        if (pthread_create(&th[t], NULL, work, &ws[t]) != 0)
            break;
        started++;
    }
    if (started < sc->threads) {
        fprintf(stderr, "bench: cannot start %u threads\n", sc->threads);
        gate_open(&start, true);
        for (unsigned t = 0; t < started; t++)
            pthread_join(th[t], NULL);
        goto finish;
    }
    if (win != NULL && win->before != NULL)
        win->before(win->ctx);
    double cpu0 = cpu_ms();
    double t0 = now_s();
    gate_open(&start, false);
    for (unsigned t = 0; t < sc->threads; t++)
        pthread_join(th[t], NULL);
    out->seconds = now_s() - t0;
    out->cpu_ms = cpu_ms() - cpu0;
    if (win != NULL && win->after != NULL)
        win->after(win->ctx);

    collect(p, sc, v, ws, all, out);
    out->rate = out->seconds > 0 ? (double)out->signatures / out->seconds : 0;
    rc = 0;
finish:
    if (p->finish != NULL)
        p->finish(p->ctx);
out:
    free(lat);
    free(all);
    free(lens);
    free(sigs);
    return rc;
}
