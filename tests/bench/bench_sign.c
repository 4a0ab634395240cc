/*
 * Signing benchmark (docs/performance.md): signatures per second and latency
 * through the module against a private emulator, beside the same RSSP calls
 * made directly with the client library and beside SoftHSM2 signing directly
 * with the same keys (the floor the HSM sets). Single-threaded and with 8
 * threads, RSA-2048 and EC P-256 (SCAL 1), plus the module's start-up with a
 * warm and a cold credential cache.
 *
 * Every signature is verified with OpenSSL. The exit status says whether
 * everything signed and verified; it never depends on timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_client.h"
#include "bench_emu.h"
#include "bench_hsm.h"
#include "bench_module.h"
#include "bench_p11kit.h"
#include "bench_run.h"
#include "config/config.h"
#include "emulator_fixture.h"

#define SINGLE_SIGNATURES 1000
#define THREAD_SIGNATURES 250
#define ROUNDS 3 /* runs of each path per scenario; the median is shown */
#define STARTUP_ROUNDS 5
#define NEW_CONNECTION_SAMPLES 20

enum { PATH_HSM, PATH_P11KIT, PATH_CLIENT, PATH_MODULE, PATH_COUNT };

static const bench_scenario scenarios[] = {
    {"RSA-2048, 1 thread", 1, SINGLE_SIGNATURES, false, BENCH_KEY_RSA},
    {"RSA-2048, 8 thr, 1 token", 8, THREAD_SIGNATURES, false, BENCH_KEY_RSA},
    {"P-256, 1 thread", 1, SINGLE_SIGNATURES, false, BENCH_KEY_EC},
    {"P-256, 8 thr, 1 token", 8, THREAD_SIGNATURES, false, BENCH_KEY_EC},
    {"RSA+P-256, 8 thr, 2 tokens", 8, THREAD_SIGNATURES, true, BENCH_KEY_RSA},
};
#define N_SCENARIOS (sizeof scenarios / sizeof scenarios[0])

/* Emulator counters around the timed window of one run. */
typedef struct {
    const rssp_emu *emu;
    const bench_p11kit *server; /* for its CPU time */
    bench_emu_stats before, after;
    int failed;
} window_probe;

static void probe_before(void *ctx)
{
    window_probe *p = ctx;
    p->failed |= bench_emu_stats_take(p->emu, &p->before);
}

static void probe_after(void *ctx)
{
    window_probe *p = ctx;
    p->failed |= bench_emu_stats_take(p->emu, &p->after);
}

/* What a remote path sent over a whole scenario, log-ins and log-outs included. */
typedef struct {
    double connections, requests, sign_hash, authorize;
} traffic;

typedef struct {
    rssp_emu emu;
    bench_fixture fx;
    bench_verifier verifier;
    bench_hsm *hsm;
    bench_p11kit p11kit_server;
    bench_hsm *p11kit; /* SoftHSM2 through p11-kit-client.so and the server */
    bench_client *client;
    bench_module *module;
    bool selected[PATH_COUNT]; /* $RSSP_BENCH_PATHS, default all */
    char cache_root[1100];
    double admin_connections; /* connections one GET stats adds by itself */
    traffic totals[PATH_COUNT];
    int errors; /* failed or rejected signatures, set-up failures */
} bench;

static const char *const path_names[PATH_COUNT] = {"softhsm", "p11-kit", "client", "module"};

/* One timed run and the emulator's counters around its window. */
typedef struct {
    bench_result r;
    window_probe w;
    bool have_w;   /* the counters could be read (remote paths) */
    bool have_cpu; /* the p11-kit server's CPU time in w.before/after.cpu_ms */
} run_record;

static void print_header(void)
{
    printf("%-27s %-8s %5s %4s %6s %8s %7s %7s %7s %6s %8s %6s %7s %7s\n", "scenario", "path",
           "sigs", "fail", "s", "sig/s", "med ms", "p95 ms", "x floor", "conns", "signHash",
           "authz", "cpu/sig", "emu/sig");
}

/* The median run of a path; bad and conns are summed over all its rounds. */
static void print_row(const bench_scenario *sc, int path, const run_record *m, size_t bad,
                      double conns, double floor_rate)
{
    const bench_result *r = &m->r;
    double n = r->signatures > 0 ? (double)r->signatures : 1;
    printf("%-27s %-8s %5zu %4zu %6.2f %8.1f %7.2f %7.2f", sc->name, path_names[path],
           r->signatures, bad, r->seconds, r->rate, r->median_ms, r->p95_ms);
    if (floor_rate > 0 && r->rate > 0)
        printf(" %7.2f", floor_rate / r->rate);
    else
        printf(" %7s", "-");
    if (!m->have_w) {
        if (m->have_cpu)
            printf(" %6s %8s %6s %7.3f %7.3f\n", "-", "-", "-", r->cpu_ms / n,
                   (m->w.after.cpu_ms - m->w.before.cpu_ms) / n);
        else
            printf(" %6s %8s %6s %7.3f %7s\n", "-", "-", "-", r->cpu_ms / n, "-");
        return;
    }
    const window_probe *w = &m->w;
    printf(" %6.0f %8.0f %6.0f %7.3f %7.3f\n", conns, w->after.sign_hash - w->before.sign_hash,
           w->after.authorize - w->before.authorize, r->cpu_ms / n,
           (w->after.cpu_ms - w->before.cpu_ms) / n);
}

/* The p11-kit server's CPU time around a window (the emulator is idle then). */
static void server_before(void *ctx)
{
    window_probe *p = ctx;
    p->before.cpu_ms = bench_p11kit_cpu_ms(p->server);
}

static void server_after(void *ctx)
{
    window_probe *p = ctx;
    p->after.cpu_ms = bench_p11kit_cpu_ms(p->server);
}

static void run_once(bench *b, const bench_path *paths, int which, const bench_scenario *sc,
                     run_record *rec)
{
    const bench_path *p = &paths[which];
    bool remote = which == PATH_CLIENT || which == PATH_MODULE;
    rec->w = (window_probe){.emu = &b->emu, .server = &b->p11kit_server};
    bench_window win = {probe_before, probe_after, &rec->w};
    if (which == PATH_P11KIT) {
        win = (bench_window){server_before, server_after, &rec->w};
        if (bench_run(p, sc, &b->verifier, &win, &rec->r) != 0) {
            b->errors++;
            return;
        }
        b->errors += (int)(rec->r.failures + rec->r.rejected);
        rec->have_cpu = rec->w.before.cpu_ms >= 0 && rec->w.after.cpu_ms >= 0;
        return;
    }
    bench_emu_stats s0, s1;
    int stats_failed = remote ? bench_emu_stats_take(&b->emu, &s0) : 0;
    if (bench_run(p, sc, &b->verifier, remote ? &win : NULL, &rec->r) != 0) {
        b->errors++;
        return;
    }
    b->errors += (int)(rec->r.failures + rec->r.rejected);
    if (!remote)
        return;
    stats_failed |= bench_emu_stats_take(&b->emu, &s1);
    rec->have_w = stats_failed == 0 && rec->w.failed == 0;
    if (rec->have_w) {
        traffic *t = &b->totals[which];
        t->connections += s1.connections - s0.connections - 3 * b->admin_connections;
        t->requests += s1.requests - s0.requests;
        t->sign_hash += s1.sign_hash - s0.sign_hash;
        t->authorize += s1.authorize - s0.authorize;
    }
}

/* Index of the run with the median throughput. */
static int median_run(const run_record rec[ROUNDS])
{
    int order[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        int j = i;
        for (; j > 0 && rec[order[j - 1]].r.rate > rec[i].r.rate; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    return order[ROUNDS / 2];
}

/*
 * One scenario: ROUNDS rounds of the paths in turn (so a disturbance of the
 * machine hits all of them alike); each row is the path's median run.
 */
static void run_scenario(bench *b, const bench_scenario *sc, bench_result res[PATH_COUNT])
{
    bench_path paths[PATH_COUNT] = {bench_hsm_path(b->hsm), bench_hsm_path(b->p11kit),
                                    bench_client_path(b->client), bench_module_path(b->module)};
    run_record rec[PATH_COUNT][ROUNDS];
    memset(rec, 0, sizeof rec);
    memset(res, 0, PATH_COUNT * sizeof *res);
    for (int r = 0; r < ROUNDS; r++) {
        for (int p = 0; p < PATH_COUNT; p++) {
            if (b->selected[p])
                run_once(b, paths, p, sc, &rec[p][r]);
        }
    }
    double floor_rate = rec[PATH_HSM][median_run(rec[PATH_HSM])].r.rate;
    for (int p = 0; p < PATH_COUNT; p++) {
        if (!b->selected[p])
            continue;
        const run_record *m = &rec[p][median_run(rec[p])];
        size_t bad = 0;
        double conns = 0;
        for (int r = 0; r < ROUNDS; r++) {
            const run_record *x = &rec[p][r];
            bad += x->r.failures + x->r.rejected;
            if (x->have_w)
                conns += x->w.after.connections - x->w.before.connections - b->admin_connections;
        }
        res[p] = m->r;
        print_row(sc, p, m, bad, conns, floor_rate);
    }
    fflush(stdout);
}

/* $RSSP_BENCH_PATHS: a comma-separated subset of the path names (to profile one path). */
static int select_paths(bench *b)
{
    const char *env = getenv("RSSP_BENCH_PATHS");
    for (int p = 0; p < PATH_COUNT; p++) {
        size_t n = strlen(path_names[p]);
        const char *at = env;
        b->selected[p] = env == NULL || env[0] == '\0';
        while (!b->selected[p] && at != NULL && (at = strstr(at, path_names[p])) != NULL) {
            b->selected[p] = (at == env || at[-1] == ',') && (at[n] == '\0' || at[n] == ',');
            at += n;
        }
    }
    for (int p = 0; p < PATH_COUNT; p++) {
        if (b->selected[p])
            return 0;
    }
    fprintf(stderr, "bench: RSSP_BENCH_PATHS=%s names none of softhsm,p11-kit,client,module\n",
            env);
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* C_Initialize + slot list + token infos, STARTUP_ROUNDS times; median in *median_ms. */
static int startup_rounds(bench *b, bool cold, double *median_ms, double *max_ms,
                          unsigned long *slots)
{
    double ms[STARTUP_ROUNDS];
    char dir[1200];
    for (int i = 0; i < STARTUP_ROUNDS; i++) {
        /* Cold: a cache folder that does not exist yet. Warm: the one the first cold run filled. */
        snprintf(dir, sizeof dir, "%s/startup-%d", b->cache_root, cold ? i : 0);
        if (setenv("RSSP_PKCS11_CACHE_DIR", dir, 1) != 0 ||
            bench_module_startup(b->module, &ms[i], slots) != 0 || *slots == 0) {
            fprintf(stderr, "bench: %s start-up failed\n", cold ? "cold" : "warm");
            return -1;
        }
    }
    qsort(ms, STARTUP_ROUNDS, sizeof ms[0], cmp_double);
    *median_ms = ms[STARTUP_ROUNDS / 2];
    *max_ms = ms[STARTUP_ROUNDS - 1];
    return 0;
}

static void run_startup(bench *b)
{
    double cold_ms, cold_max, warm_ms, warm_max;
    unsigned long cold_slots = 0, warm_slots = 0;
    bench_emu_stats c0, c1, w0, w1;
    bench_module_stop(b->module);
    if (bench_emu_stats_take(&b->emu, &c0) != 0 ||
        startup_rounds(b, true, &cold_ms, &cold_max, &cold_slots) != 0 ||
        bench_emu_stats_take(&b->emu, &c1) != 0 || bench_emu_stats_take(&b->emu, &w0) != 0 ||
        startup_rounds(b, false, &warm_ms, &warm_max, &warm_slots) != 0 ||
        bench_emu_stats_take(&b->emu, &w1) != 0) {
        b->errors++;
        return;
    }
    printf("\nstart-up: C_Initialize + C_GetSlotList + C_GetTokenInfo of every slot, "
           "median of %d (max)\n",
           STARTUP_ROUNDS);
    printf("  cold (no cache, network): %8.2f ms (%.2f)  %lu slots  %.0f RSSP requests per "
           "start\n",
           cold_ms, cold_max, cold_slots, (c1.requests - c0.requests) / STARTUP_ROUNDS);
    printf("  warm (cached list):       %8.2f ms (%.2f)  %lu slots  %.0f RSSP requests, %.0f "
           "connections in all %d starts\n",
           warm_ms, warm_max, warm_slots, w1.requests - w0.requests,
           w1.connections - w0.connections - b->admin_connections, STARTUP_ROUNDS);
    if (cold_slots != warm_slots)
        b->errors++;
}

/* Date, processors and load: figures only compare within one run on one machine. */
static void print_machine(void)
{
    char date[64] = "";
    double load[3] = {-1, -1, -1};
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL)
        strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = load[1] = load[2] = -1;
        fclose(f);
    }
    printf("%s, %ld processors, load average %.2f %.2f %.2f\n", date, sysconf(_SC_NPROCESSORS_ONLN),
           load[0], load[1], load[2]);
}

static int setup(bench *b)
{
    char err[512] = "";
    rssp_config cfg;
    if (rssp_emu_start(NULL, &b->emu) != 0)
        return -1;
    snprintf(b->cache_root, sizeof b->cache_root, "%s/cache", b->emu.root);
    if (setenv("RSSP_PKCS11_CONF", b->emu.demo_config, 1) != 0 ||
        setenv("RSSP_PKCS11_CACHE_DIR", b->cache_root, 1) != 0)
        return -1;
    if (rssp_config_load(b->emu.demo_config, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    int rc =
        cfg.username != NULL ? bench_fixture_read(b->emu.fixture_json, cfg.username, &b->fx) : -1;
    rssp_config_clear(&cfg);
    if (rc != 0)
        return -1;

    const char *certs[BENCH_KEY_COUNT] = {b->fx.cert[BENCH_KEY_RSA], b->fx.cert[BENCH_KEY_EC]};
    const char *ids[BENCH_KEY_COUNT] = {b->fx.key_id[BENCH_KEY_RSA], b->fx.key_id[BENCH_KEY_EC]};
    bench_hsm_config hc = {path_names[PATH_HSM], b->fx.hsm_module, b->fx.hsm_conf,
                           b->fx.hsm_label,      b->fx.hsm_pin,    {ids[0], ids[1]}};
    bench_hsm_config pc = {path_names[PATH_P11KIT], RSSP_P11KIT_CLIENT, b->fx.hsm_conf,
                           b->fx.hsm_label,         b->fx.hsm_pin,      {ids[0], ids[1]}};
    bench_client_config cc = {b->emu.demo_config,
                              {ids[0], ids[1]},
                              {b->fx.sad_signatures[0], b->fx.sad_signatures[1]},
                              b->fx.pin};
    bench_module_config mc = {RSSP_MODULE_PATH, {ids[0], ids[1]}, b->fx.pin};
    bench_emu_stats s0, s1;
    if (bench_verifier_load(&b->verifier, certs) != 0 || bench_hsm_open(&hc, &b->hsm) != 0 ||
        bench_p11kit_start(b->fx.hsm_module, b->fx.hsm_label, &b->p11kit_server) != 0 ||
        bench_hsm_open(&pc, &b->p11kit) != 0 || bench_client_open(&cc, &b->client) != 0 ||
        bench_module_load(&mc, &b->module) != 0 || bench_module_start(b->module) != 0)
        return -1;
    /* What one GET stats adds to the connection count by itself. */
    if (bench_emu_stats_take(&b->emu, &s0) != 0 || bench_emu_stats_take(&b->emu, &s1) != 0)
        return -1;
    b->admin_connections = s1.connections - s0.connections;
    printf("emulator %s, credentials %s (RSA-2048) and %s (P-256), %d signatures per SAD\n",
           b->emu.url, ids[0], ids[1], b->fx.sad_signatures[0]);
    print_machine();
    return 0;
}

static void teardown(bench *b)
{
    bench_module_unload(b->module);
    bench_client_close(b->client);
    bench_hsm_close(b->p11kit);
    bench_p11kit_stop(&b->p11kit_server);
    bench_hsm_close(b->hsm);
    bench_verifier_free(&b->verifier);
    bench_fixture_wipe(&b->fx);
    if (b->emu.pid != 0 && rssp_emu_stop(&b->emu) != 0)
        fprintf(stderr, "bench: the emulator did not stop cleanly\n");
}

/*
 * Waits that overlap: with LATENCY_MS added by the emulator to every
 * signHash (SCAL 1) or to every authorize and signHash (SCAL 2: both per
 * signature), LATENCY_THREADS threads should sign about that many times
 * faster than one, since a thread waiting on the network holds no lock.
 * Printed, never asserted.
 */
#define LATENCY_MS 20
#define LATENCY_THREADS 8
#define LATENCY_SIGNATURES 40 /* per thread */

static int set_latency(bench *b, const char *method)
{
    char body[160];
    snprintf(body, sizeof body, "{\"method\":\"%s\",\"latencyMs\":%d}", method, LATENCY_MS);
    return rssp_emu_admin(&b->emu, "POST", "faults", body, NULL) == 200 ? 0 : -1;
}

/* One thread, then LATENCY_THREADS, on the module's RSA token; the rate ratio. */
static void latency_pair(bench *b, const char *what, const bench_verifier *v, size_t per_thread)
{
    bench_path p = bench_module_path(b->module);
    bench_scenario one = {"1 thread", 1, per_thread, false, BENCH_KEY_RSA};
    bench_scenario many = {"8 threads", LATENCY_THREADS, per_thread, false, BENCH_KEY_RSA};
    bench_result r1, r8;
    if (bench_run(&p, &one, v, NULL, &r1) != 0 || bench_run(&p, &many, v, NULL, &r8) != 0) {
        b->errors++;
        return;
    }
    b->errors += (int)(r1.failures + r1.rejected + r8.failures + r8.rejected);
    printf("  %-34s %7.1f sig/s (median %6.1f ms)  %7.1f sig/s (median %6.1f ms)  %5.2fx\n", what,
           r1.rate, r1.median_ms, r8.rate, r8.median_ms, r1.rate > 0 ? r8.rate / r1.rate : 0);
}

static void run_latency(bench *b)
{
    bench_verifier v2 = {0};
    const char *certs[BENCH_KEY_COUNT] = {b->fx.scal2_cert, b->fx.cert[BENCH_KEY_EC]};
    printf("\n%d ms added by the emulator, module, RSA keys %s (SCAL 1) and %s (SCAL 2):\n"
           "  %-34s %-36s %-36s %s\n",
           LATENCY_MS, b->fx.key_id[BENCH_KEY_RSA], b->fx.scal2_id, "", "1 thread",
           "8 threads, 1 token", "8 thr/1 thr");
    if (set_latency(b, "signatures/signHash") != 0) {
        b->errors++;
        return;
    }
    latency_pair(b, "SCAL 1, every signHash", &b->verifier, LATENCY_SIGNATURES);
    if (set_latency(b, "credentials/authorize") != 0 || bench_verifier_load(&v2, certs) != 0 ||
        bench_module_use_key(b->module, BENCH_KEY_RSA, b->fx.scal2_id) != 0)
        b->errors++;
    else
        latency_pair(b, "SCAL 2, every authorize + signHash", &v2, LATENCY_SIGNATURES / 2);
    if (bench_module_use_key(b->module, BENCH_KEY_RSA, b->fx.key_id[BENCH_KEY_RSA]) != 0 ||
        rssp_emu_admin(&b->emu, "DELETE", "faults", NULL, NULL) != 200)
        b->errors++;
    bench_verifier_free(&v2);
    fflush(stdout);
}

/*
 * For comparison: one request on a new TLS connection each time (the
 * fixture's admin GET: a new curl handle, TCP and full TLS handshake).
 */
static void time_new_connections(bench *b)
{
    double ms[NEW_CONNECTION_SAMPLES];
    size_t n = sizeof ms / sizeof ms[0];
    bench_emu_stats s;
    for (size_t i = 0; i < n; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (bench_emu_stats_take(&b->emu, &s) != 0) {
            b->errors++;
            return;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    qsort(ms, n, sizeof ms[0], cmp_double);
    printf("one request on a new TLS connection (curl, full handshake), median of %zu: %.2f ms\n",
           n, ms[n / 2]);
}

int main(void)
{
    static bench b;
    bench_result res[N_SCENARIOS][PATH_COUNT];
    if (select_paths(&b) != 0)
        return 1;
    if (setup(&b) != 0) {
        fprintf(stderr, "bench: set-up failed\n");
        teardown(&b);
        return 1;
    }
    printf("each row: the median of %d runs; x floor: how many times slower than SoftHSM2 "
           "alone;\nconns: TCP connections the emulator accepted in the timed windows of all "
           "%d runs;\ncpu/sig, emu/sig: CPU ms per signature of this process and of the "
           "emulator\n(p11-kit rows: of the p11-kit server and its children)\n\n",
           ROUNDS, ROUNDS);
    print_header();
    for (size_t i = 0; i < N_SCENARIOS; i++)
        run_scenario(&b, &scenarios[i], res[i]);

    if (b.selected[PATH_CLIENT] && b.selected[PATH_MODULE]) {
        printf("\nmodule vs client library (throughput client/module, median latency "
               "module/client):\n");
        for (size_t i = 0; i < N_SCENARIOS; i++) {
            const bench_result *c = &res[i][PATH_CLIENT], *m = &res[i][PATH_MODULE];
            printf("  %-27s %5.2fx  %5.2fx\n", scenarios[i].name,
                   m->rate > 0 ? c->rate / m->rate : 0,
                   c->median_ms > 0 ? m->median_ms / c->median_ms : 0);
        }
    }
    if (b.selected[PATH_P11KIT] && b.selected[PATH_MODULE]) {
        printf("\nmodule vs p11-kit RPC (throughput module/p11-kit: above 1 the module is "
               "faster):\n");
        for (size_t i = 0; i < N_SCENARIOS; i++) {
            const bench_result *k = &res[i][PATH_P11KIT], *m = &res[i][PATH_MODULE];
            printf("  %-27s %5.2fx\n", scenarios[i].name, k->rate > 0 ? m->rate / k->rate : 0);
        }
    }
    printf("\nwhole run, log-ins included:\n");
    for (int p = PATH_CLIENT; p < PATH_COUNT; p++) {
        const traffic *t = &b.totals[p];
        if (b.selected[p])
            printf("  %-7s %6.0f RSSP requests (%.0f signHash, %.0f authorize) over %.0f new TCP "
                   "connections\n",
                   path_names[p], t->requests, t->sign_hash, t->authorize, t->connections);
    }
    time_new_connections(&b);

    if (b.selected[PATH_MODULE]) {
        run_latency(&b);
        run_startup(&b);
    }
    teardown(&b);
    if (b.errors != 0)
        fprintf(stderr, "bench: %d failures (failed or rejected signatures, or set-up)\n",
                b.errors);
    return b.errors == 0 ? 0 : 1;
}
