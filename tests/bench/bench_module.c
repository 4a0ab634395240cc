#include "bench_module.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "pkcs11/p11.h"

#define MAX_SLOTS 64

struct bench_module {
    void *lib;
    CK_FUNCTION_LIST_PTR f;
    bool started;
    char *key_id[BENCH_KEY_COUNT];
    char *pin;
    CK_SLOT_ID slot[BENCH_KEY_COUNT];
    CK_SESSION_HANDLE sess[BENCH_MAX_THREADS];
    CK_OBJECT_HANDLE priv[BENCH_MAX_THREADS];
    unsigned n_sess;
    bool used[BENCH_KEY_COUNT];
};

static CK_C_INITIALIZE_ARGS init_args = {.flags = CKF_OS_LOCKING_OK};

int bench_module_load(const bench_module_config *cfg, bench_module **out)
{
    *out = NULL;
    bench_module *m = calloc(1, sizeof *m);
    if (m == NULL)
        return -1;
    bool copied = (m->pin = strdup(cfg->pin)) != NULL;
    for (int k = 0; k < BENCH_KEY_COUNT; k++)
        copied = (m->key_id[k] = strdup(cfg->key_id[k])) != NULL && copied;
    if (!copied)
        goto fail;
    if ((m->lib = dlopen(cfg->path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
        fprintf(stderr, "bench: %s\n", dlerror());
        goto fail;
    }
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(m->lib, "C_GetFunctionList");
    if (get == NULL || get(&m->f) != CKR_OK) {
        fprintf(stderr, "bench: %s: no function list\n", cfg->path);
        goto fail;
    }
    *out = m;
    return 0;
fail:
    bench_module_unload(m);
    return -1;
}

void bench_module_unload(bench_module *m)
{
    if (m == NULL)
        return;
    bench_module_stop(m);
    if (m->lib != NULL)
        dlclose(m->lib);
    for (int k = 0; k < BENCH_KEY_COUNT; k++)
        free(m->key_id[k]);
    if (m->pin != NULL) {
        OPENSSL_cleanse(m->pin, strlen(m->pin));
        free(m->pin);
    }
    free(m);
}

/* The slot whose token serial number is id (blank-padded to 16 bytes). */
static int find_slot(bench_module *m, const char *id, CK_SLOT_ID *out)
{
    CK_SLOT_ID slots[MAX_SLOTS];
    CK_ULONG n = MAX_SLOTS;
    size_t id_len = strlen(id);
    if (m->f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        return -1;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (m->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK || id_len > sizeof ti.serialNumber)
            continue;
        bool same = memcmp(ti.serialNumber, id, id_len) == 0;
        for (size_t j = id_len; same && j < sizeof ti.serialNumber; j++)
            same = ti.serialNumber[j] == ' ';
        if (same) {
            *out = slots[i];
            return 0;
        }
    }
    fprintf(stderr, "bench: the module shows no token for credential %s\n", id);
    return -1;
}

int bench_module_start(bench_module *m)
{
    CK_RV rv = m->f->C_Initialize(&init_args);
    if (rv != CKR_OK) {
        fprintf(stderr, "bench: C_Initialize: 0x%lx\n", (unsigned long)rv);
        return -1;
    }
    m->started = true;
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        if (find_slot(m, m->key_id[k], &m->slot[k]) != 0) {
            bench_module_stop(m);
            return -1;
        }
    }
    return 0;
}

int bench_module_use_key(bench_module *m, bench_key k, const char *id)
{
    char *copy = strdup(id);
    CK_SLOT_ID slot;
    if (copy == NULL || !m->started || find_slot(m, id, &slot) != 0) {
        free(copy);
        return -1;
    }
    free(m->key_id[k]);
    m->key_id[k] = copy;
    m->slot[k] = slot;
    return 0;
}

void bench_module_stop(bench_module *m)
{
    if (m->started)
        m->f->C_Finalize(NULL);
    m->started = false;
    m->n_sess = 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int bench_module_startup(bench_module *m, double *ms, unsigned long *slots)
{
    CK_SLOT_ID list[MAX_SLOTS];
    CK_ULONG n = 0;
    if (m->started)
        return -1;
    double t0 = now_ms();
    CK_RV rv = m->f->C_Initialize(&init_args);
    if (rv != CKR_OK) {
        fprintf(stderr, "bench: C_Initialize: 0x%lx\n", (unsigned long)rv);
        return -1;
    }
    rv = m->f->C_GetSlotList(CK_TRUE, NULL, &n);
    if (rv == CKR_OK && n > MAX_SLOTS)
        rv = CKR_BUFFER_TOO_SMALL;
    if (rv == CKR_OK)
        rv = m->f->C_GetSlotList(CK_TRUE, list, &n);
    for (CK_ULONG i = 0; rv == CKR_OK && i < n; i++) {
        CK_TOKEN_INFO ti;
        rv = m->f->C_GetTokenInfo(list[i], &ti);
    }
    *ms = now_ms() - t0;
    *slots = n;
    m->f->C_Finalize(NULL);
    if (rv != CKR_OK) {
        fprintf(stderr, "bench: listing the tokens: 0x%lx\n", (unsigned long)rv);
        return -1;
    }
    return 0;
}

static void finish(void *ctx)
{
    bench_module *m = ctx;
    /*
     * Log out explicitly (closing a token's last session should do it too,
     * PKCS#11 2.40 §5.6), so that each scenario starts with a fresh SAD.
     */
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        for (unsigned t = 0; m->used[k] && t < m->n_sess; t++) {
            CK_SESSION_INFO si;
            if (m->f->C_GetSessionInfo(m->sess[t], &si) == CKR_OK && si.slotID == m->slot[k] &&
                si.state != CKS_RO_PUBLIC_SESSION) {
                m->f->C_Logout(m->sess[t]);
                break;
            }
        }
        if (m->used[k])
            m->f->C_CloseAllSessions(m->slot[k]);
        m->used[k] = false;
    }
    m->n_sess = 0;
}

static CK_OBJECT_HANDLE find_private_key(bench_module *m, CK_SESSION_HANDLE s)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof cls};
    CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
    CK_ULONG n = 0;
    if (m->f->C_FindObjectsInit(s, &t, 1) != CKR_OK)
        return CK_INVALID_HANDLE;
    if (m->f->C_FindObjects(s, &o, 1, &n) != CKR_OK || n != 1)
        o = CK_INVALID_HANDLE;
    m->f->C_FindObjectsFinal(s);
    return o;
}

static int prepare(void *ctx, const bench_scenario *sc)
{
    bench_module *m = ctx;
    bool logged_in[BENCH_KEY_COUNT] = {false};
    for (unsigned t = 0; t < sc->threads; t++) {
        bench_key k = bench_thread_key(sc, t);
        m->used[k] = true;
        if (m->f->C_OpenSession(m->slot[k], CKF_SERIAL_SESSION, NULL, NULL, &m->sess[t]) != CKR_OK)
            goto fail;
        m->n_sess++;
        if (!logged_in[k]) {
            CK_RV rv = m->f->C_Login(m->sess[t], CKU_USER, (CK_UTF8CHAR_PTR)m->pin, strlen(m->pin));
            if (rv != CKR_OK) {
                fprintf(stderr, "bench: C_Login %s: 0x%lx\n", m->key_id[k], (unsigned long)rv);
                goto fail;
            }
            logged_in[k] = true;
        }
        if ((m->priv[t] = find_private_key(m, m->sess[t])) == CK_INVALID_HANDLE)
            goto fail;
    }
    return 0;
fail:
    finish(m);
    return -1;
}

static int sign(void *ctx, unsigned t, bench_key key, const unsigned char *msg, size_t msg_len,
                unsigned char *sig, size_t *sig_len)
{
    bench_module *m = ctx;
    CK_MECHANISM mech = {key == BENCH_KEY_RSA ? CKM_SHA256_RSA_PKCS : CKM_ECDSA_SHA256, NULL, 0};
    CK_ULONG len = *sig_len;
    CK_RV rv = m->f->C_SignInit(m->sess[t], &mech, m->priv[t]);
    if (rv == CKR_OK)
        rv = m->f->C_Sign(m->sess[t], (CK_BYTE_PTR)(uintptr_t)msg, msg_len, sig, &len);
    if (rv != CKR_OK) {
        fprintf(stderr, "bench: module C_Sign %s: 0x%lx\n", m->key_id[key], (unsigned long)rv);
        return -1;
    }
    *sig_len = len;
    return 0;
}

bench_path bench_module_path(bench_module *m)
{
    return (bench_path){.name = "module",
                        .ctx = m,
                        .ec_der = false,
                        .prepare = prepare,
                        .sign = sign,
                        .finish = finish};
}
