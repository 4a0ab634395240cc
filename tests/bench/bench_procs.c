/*
 * Many processes (docs/performance.md): a signing server that runs worker
 * processes, each signing with the same credential. Two ways:
 *
 * - module:  every worker loads rssp-pkcs11.so itself and logs in;
 * - p11-kit: `p11-kit server` holds rssp-pkcs11.so and the workers load
 *            p11-kit-client.so (P11_KIT_SERVER_ADDRESS), as p11-kit
 *            proposes for sharing one token between processes.
 *
 * Printed per way: the log-ins and authorizations the service saw (the
 * emulator's /_emulator/stats), its new connections, and the signatures per
 * second of all workers together. Every signature is verified with OpenSSL
 * in the worker. The exit status says whether everything signed and
 * verified; it never depends on timing.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "bench_emu.h"
#include "bench_p11kit.h"
#include "bench_run.h"
#include "bench_verify.h"
#include "config/config.h"
#include "emulator_fixture.h"
#include "pkcs11/p11.h"

#define WORKERS 8
#define SIGNATURES 200 /* per worker */
#define MAX_SLOTS 64

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    const char *module; /* what the worker dlopens */
    const char *credential_id;
    const char *pin;
    const bench_verifier *verifier;
    int ready_fd; /* the worker writes one byte when logged in, one when done signing */
    int go_fd;    /* closed by the parent when every worker is ready */
} worker_args;

/* The slot whose token serial number is id (blank-padded). */
static int find_slot(CK_FUNCTION_LIST_PTR f, const char *id, CK_SLOT_ID *out)
{
    CK_SLOT_ID slots[MAX_SLOTS];
    CK_ULONG n = MAX_SLOTS;
    size_t id_len = strlen(id);
    if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        return -1;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK || id_len > sizeof ti.serialNumber)
            continue;
        bool same = memcmp(ti.serialNumber, id, id_len) == 0;
        for (size_t j = id_len; same && j < sizeof ti.serialNumber; j++)
            same = ti.serialNumber[j] == ' ';
        if (same) {
            *out = slots[i];
            return 0;
        }
    }
    return -1;
}

static CK_OBJECT_HANDLE private_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof cls};
    CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
    CK_ULONG n = 0;
    if (f->C_FindObjectsInit(s, &t, 1) != CKR_OK)
        return CK_INVALID_HANDLE;
    if (f->C_FindObjects(s, &o, 1, &n) != CKR_OK || n != 1)
        o = CK_INVALID_HANDLE;
    f->C_FindObjectsFinal(s);
    return o;
}

/* One worker process: log in, wait for the start, sign and verify. Its exit status. */
static int worker(const worker_args *a, unsigned index)
{
    static CK_C_INITIALIZE_ARGS init_args = {.flags = CKF_OS_LOCKING_OK};
    void *lib = dlopen(a->module, RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get =
        lib != NULL ? (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList") : NULL;
    CK_FUNCTION_LIST_PTR f = NULL;
    CK_SLOT_ID slot;
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE key;
    if (get == NULL || get(&f) != CKR_OK || f->C_Initialize(&init_args) != CKR_OK) {
        fprintf(stderr, "bench: worker %u: cannot load %s\n", index, a->module);
        return 1;
    }
    int rc = 1;
    CK_RV rv = CKR_GENERAL_ERROR;
    if (find_slot(f, a->credential_id, &slot) != 0 ||
        f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
        goto out;
    rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)a->pin, strlen(a->pin));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
        goto out;
    if ((key = private_key(f, s)) == CK_INVALID_HANDLE)
        goto out;
    char byte = 1, go;
    if (write(a->ready_fd, &byte, 1) != 1 || read(a->go_fd, &go, 1) != 0)
        goto out;
    size_t bad = 0;
    for (unsigned i = 0; i < SIGNATURES; i++) {
        unsigned char msg[64], sig[BENCH_SIG_MAX];
        int len = snprintf((char *)msg, sizeof msg, "worker %u signature %u", index, i);
        CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
        CK_ULONG sig_len = sizeof sig;
        rv = f->C_SignInit(s, &mech, key);
        if (rv == CKR_OK)
            rv = f->C_Sign(s, msg, (CK_ULONG)len, sig, &sig_len);
        if (rv != CKR_OK)
            goto out;
        bad += !bench_verify(a->verifier, BENCH_KEY_RSA, false, msg, (size_t)len, sig, sig_len);
    }
    if (write(a->ready_fd, &byte, 1) != 1)
        goto out;
    rc = bad == 0 ? 0 : 1;
    if (bad != 0)
        fprintf(stderr, "bench: worker %u: %zu signatures did not verify\n", index, bad);
out:
    if (rc != 0 && rv != CKR_OK)
        fprintf(stderr, "bench: worker %u: 0x%lx\n", index, (unsigned long)rv);
    f->C_Finalize(NULL);
    return rc;
}

typedef struct {
    double seconds;
    bench_emu_stats before, after;
    int failed;
} outcome;

/* Read one byte from each of n workers; false when one ended without it. */
static bool wait_bytes(int fd, unsigned n)
{
    for (unsigned got = 0; got < n;) {
        char b;
        ssize_t r = read(fd, &b, 1);
        if (r == 1)
            got++;
        else if (r == 0 || errno != EINTR)
            return false;
    }
    return true;
}

/*
 * One start of the module in a child process, so that both ways find the
 * credential cache written (no list and info calls at every worker's start).
 */
static bool warm_cache(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        static CK_C_INITIALIZE_ARGS init_args = {.flags = CKF_OS_LOCKING_OK};
        void *lib = dlopen(RSSP_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
        CK_C_GetFunctionList get =
            lib != NULL ? (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList") : NULL;
        CK_FUNCTION_LIST_PTR f = NULL;
        CK_ULONG n = 0;
        if (get == NULL || get(&f) != CKR_OK || f->C_Initialize(&init_args) != CKR_OK)
            _exit(1);
        CK_RV rv = f->C_GetSlotList(CK_TRUE, NULL, &n);
        f->C_Finalize(NULL);
        _exit(rv == CKR_OK && n > 0 ? 0 : 1);
    }
    int status;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

static void run_way(const rssp_emu *emu, const worker_args *base, outcome *o)
{
    memset(o, 0, sizeof *o);
    int ready[2], go[2];
    if (pipe(ready) != 0 || pipe(go) != 0) {
        o->failed = 1;
        return;
    }
    if (bench_emu_stats_take(emu, &o->before) != 0)
        o->failed = 1;
    pid_t pids[WORKERS];
    unsigned started = 0;
    fflush(NULL);
    for (; started < WORKERS; started++) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            close(ready[0]);
            close(go[1]);
            worker_args a = *base;
            a.ready_fd = ready[1];
            a.go_fd = go[0];
            _exit(worker(&a, started));
        }
        pids[started] = pid;
    }
    close(ready[1]);
    close(go[0]);
    bool ok = started == WORKERS && wait_bytes(ready[0], WORKERS);
    double t0 = now_s();
    close(go[1]); /* start */
    ok = ok && wait_bytes(ready[0], WORKERS);
    o->seconds = now_s() - t0;
    close(ready[0]);
    for (unsigned i = 0; i < started; i++) {
        int status;
        if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            ok = false;
    }
    if (bench_emu_stats_take(emu, &o->after) != 0)
        ok = false;
    o->failed |= !ok;
}

static void print_way(const char *name, const outcome *o, double admin_connections)
{
    const bench_emu_stats *a = &o->after, *b = &o->before;
    double sigs = (double)WORKERS * SIGNATURES;
    printf("  %-32s %6.0f %9.0f %8.0f %6.0f %9.1f\n", name, a->login - b->login,
           a->authorize - b->authorize, a->sign_hash - b->sign_hash,
           a->connections - b->connections - admin_connections,
           o->seconds > 0 ? sigs / o->seconds : 0);
}

int main(void)
{
    static rssp_emu emu;
    static bench_fixture fx;
    bench_verifier verifier = {0};
    bench_p11kit server = {0};
    rssp_config cfg;
    char err[512] = "", cache[1100];
    int failures = 0;
    if (rssp_emu_start(NULL, &emu) != 0)
        return 1;
    snprintf(cache, sizeof cache, "%s/cache", emu.root);
    bool ok = setenv("RSSP_PKCS11_CONF", emu.demo_config, 1) == 0 &&
              setenv("RSSP_PKCS11_CACHE_DIR", cache, 1) == 0 &&
              rssp_config_load(emu.demo_config, &cfg, err, sizeof err) == 0;
    if (ok) {
        ok = cfg.username != NULL && bench_fixture_read(emu.fixture_json, cfg.username, &fx) == 0;
        rssp_config_clear(&cfg);
    } else {
        fprintf(stderr, "bench: %s\n", err);
    }
    const char *certs[BENCH_KEY_COUNT] = {fx.cert[BENCH_KEY_RSA], fx.cert[BENCH_KEY_EC]};
    ok = ok && bench_verifier_load(&verifier, certs) == 0 && warm_cache();
    bench_emu_stats s0, s1;
    ok = ok && bench_emu_stats_take(&emu, &s0) == 0 && bench_emu_stats_take(&emu, &s1) == 0;
    if (!ok) {
        fprintf(stderr, "bench: set-up failed\n");
        rssp_emu_stop(&emu);
        return 1;
    }
    double admin = s1.connections - s0.connections;
    printf("%d worker processes x %d signatures, credential %s (RSA-2048, SCAL 1, %d signatures "
           "per SAD), emulator %s\n",
           WORKERS, SIGNATURES, fx.key_id[BENCH_KEY_RSA], fx.sad_signatures[BENCH_KEY_RSA],
           emu.url);
    printf("  %-32s %6s %9s %8s %6s %9s\n", "way", "logins", "authorize", "signHash", "conns",
           "sig/s");

    worker_args direct = {.module = RSSP_MODULE_PATH,
                          .credential_id = fx.key_id[BENCH_KEY_RSA],
                          .pin = fx.pin,
                          .verifier = &verifier};
    outcome o;
    run_way(&emu, &direct, &o);
    failures += o.failed;
    print_way("module in every worker", &o, admin);

    char uri[100];
    snprintf(uri, sizeof uri, "pkcs11:serial=%s", fx.key_id[BENCH_KEY_RSA]);
    if (bench_p11kit_start_uri(RSSP_MODULE_PATH, uri, &server) != 0) {
        failures++;
    } else {
        worker_args via = direct;
        via.module = RSSP_P11KIT_CLIENT;
        run_way(&emu, &via, &o);
        failures += o.failed;
        print_way("p11-kit server + p11-kit-client", &o, admin);
        bench_p11kit_stop(&server);
    }
    printf("logins: auth/login requests; conns: new TCP connections, log-in and exit included "
           "(warm credential cache)\n");

    bench_verifier_free(&verifier);
    bench_fixture_wipe(&fx);
    if (rssp_emu_stop(&emu) != 0)
        fprintf(stderr, "bench: the emulator did not stop cleanly\n");
    if (failures != 0)
        fprintf(stderr, "bench: %d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
