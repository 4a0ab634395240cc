#include "bench_hsm.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "pkcs11/p11.h"

/* DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1). */
static const unsigned char sha256_prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                              0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                              0x01, 0x05, 0x00, 0x04, 0x20};

struct bench_hsm {
    const char *path_name;
    void *lib;
    CK_FUNCTION_LIST_PTR f;
    bool initialized;
    CK_SLOT_ID slot;
    CK_SESSION_HANDLE anchor; /* keeps the login for the life of h */
    CK_OBJECT_HANDLE key[BENCH_KEY_COUNT];
    CK_SESSION_HANDLE sess[BENCH_MAX_THREADS];
    unsigned n_sess;
};

static int find_slot(bench_hsm *h, const char *label)
{
    CK_SLOT_ID slots[64];
    CK_ULONG n = 64;
    size_t label_len = strlen(label);
    if (h->f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        return -1;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (h->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK || label_len > sizeof ti.label)
            continue;
        /* The label is blank-padded to 32 bytes. */
        bool same = memcmp(ti.label, label, label_len) == 0;
        for (size_t j = label_len; same && j < sizeof ti.label; j++)
            same = ti.label[j] == ' ';
        if (same) {
            h->slot = slots[i];
            return 0;
        }
    }
    return -1;
}

static CK_OBJECT_HANDLE find_key(bench_hsm *h, const char *id)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, (void *)(uintptr_t)id, strlen(id)}};
    CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
    CK_ULONG n = 0;
    if (h->f->C_FindObjectsInit(h->anchor, t, 2) != CKR_OK)
        return CK_INVALID_HANDLE;
    if (h->f->C_FindObjects(h->anchor, &o, 1, &n) != CKR_OK || n != 1)
        o = CK_INVALID_HANDLE;
    h->f->C_FindObjectsFinal(h->anchor);
    return o;
}

int bench_hsm_open(const bench_hsm_config *cfg, bench_hsm **out)
{
    *out = NULL;
    bench_hsm *h = calloc(1, sizeof *h);
    if (h == NULL)
        return -1;
    h->path_name = cfg->path_name;
    CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
    const char *what = "dlopen";
    if (setenv("SOFTHSM2_CONF", cfg->conf, 1) != 0)
        goto fail;
    if ((h->lib = dlopen(cfg->module, RTLD_NOW | RTLD_LOCAL)) == NULL)
        goto fail;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(h->lib, "C_GetFunctionList");
    what = "C_Initialize";
    if (get == NULL || get(&h->f) != CKR_OK || h->f->C_Initialize(&args) != CKR_OK)
        goto fail;
    h->initialized = true;
    what = "the token";
    if (find_slot(h, cfg->token_label) != 0 ||
        h->f->C_OpenSession(h->slot, CKF_SERIAL_SESSION, NULL, NULL, &h->anchor) != CKR_OK)
        goto fail;
    what = "C_Login";
    if (h->f->C_Login(h->anchor, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)cfg->user_pin,
                      strlen(cfg->user_pin)) != CKR_OK)
        goto fail;
    what = "a private key";
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        if ((h->key[k] = find_key(h, cfg->key_id[k])) == CK_INVALID_HANDLE)
            goto fail;
    }
    *out = h;
    return 0;
fail:
    fprintf(stderr, "bench: %s (%s): %s failed\n", cfg->path_name, cfg->module, what);
    bench_hsm_close(h);
    return -1;
}

void bench_hsm_close(bench_hsm *h)
{
    if (h == NULL)
        return;
    if (h->initialized)
        h->f->C_Finalize(NULL);
    if (h->lib != NULL)
        dlclose(h->lib);
    free(h);
}

static void finish(void *ctx)
{
    bench_hsm *h = ctx;
    for (unsigned t = 0; t < h->n_sess; t++)
        h->f->C_CloseSession(h->sess[t]);
    h->n_sess = 0;
}

/* One session per thread, as a service gives each worker its own. */
static int prepare(void *ctx, const bench_scenario *sc)
{
    bench_hsm *h = ctx;
    for (unsigned t = 0; t < sc->threads; t++) {
        if (h->f->C_OpenSession(h->slot, CKF_SERIAL_SESSION, NULL, NULL, &h->sess[t]) != CKR_OK) {
            finish(h);
            return -1;
        }
        h->n_sess++;
    }
    return 0;
}

static int sign(void *ctx, unsigned t, bench_key key, const unsigned char *msg, size_t msg_len,
                unsigned char *sig, size_t *sig_len)
{
    bench_hsm *h = ctx;
    unsigned char in[sizeof sha256_prefix + SHA256_DIGEST_LENGTH];
    CK_MECHANISM m = {key == BENCH_KEY_RSA ? CKM_RSA_PKCS : CKM_ECDSA, NULL, 0};
    unsigned char *hash = key == BENCH_KEY_RSA ? in + sizeof sha256_prefix : in;
    memcpy(in, sha256_prefix, sizeof sha256_prefix);
    SHA256(msg, msg_len, hash);
    CK_ULONG in_len = key == BENCH_KEY_RSA ? sizeof in : SHA256_DIGEST_LENGTH;
    CK_ULONG len = *sig_len;
    CK_RV rv = h->f->C_SignInit(h->sess[t], &m, h->key[key]);
    if (rv == CKR_OK)
        rv = h->f->C_Sign(h->sess[t], in, in_len, sig, &len);
    if (rv != CKR_OK) {
        fprintf(stderr, "bench: %s C_Sign: 0x%lx\n", h->path_name, (unsigned long)rv);
        return -1;
    }
    *sig_len = len;
    return 0;
}

bench_path bench_hsm_path(bench_hsm *h)
{
    return (bench_path){.name = h->path_name,
                        .ctx = h,
                        .ec_der = false,
                        .prepare = prepare,
                        .sign = sign,
                        .finish = finish};
}
