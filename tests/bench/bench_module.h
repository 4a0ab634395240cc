/*
 * The module under test, loaded with dlopen as applications load it: each
 * thread has its own session; the tokens a scenario uses are logged in once
 * (C_Login on one of their sessions), and C_SignInit + C_Sign make each
 * signature (CKM_SHA256_RSA_PKCS, CKM_ECDSA_SHA256).
 */
#ifndef RSSP_BENCH_MODULE_H
#define RSSP_BENCH_MODULE_H

#include "bench_run.h"

typedef struct bench_module bench_module;

typedef struct {
    const char *path;                    /* rssp-pkcs11.so */
    const char *key_id[BENCH_KEY_COUNT]; /* credential ids = token serial numbers */
    const char *pin;                     /* secret */
} bench_module_config;

/* dlopen and C_GetFunctionList. 0 on success. */
int bench_module_load(const bench_module_config *cfg, bench_module **out);
/* C_Finalize if needed, dlclose, free. */
void bench_module_unload(bench_module *m);

/* C_Initialize and find the tokens of the keys (the configuration comes from the environment). */
int bench_module_start(bench_module *m);
void bench_module_stop(bench_module *m);

/* Let key k of a started module sign with credential id from now on. 0 on success. */
int bench_module_use_key(bench_module *m, bench_key k, const char *id);

/* The signing path over a started module (ECDSA as raw r||s). */
bench_path bench_module_path(bench_module *m);

/*
 * Time what an application does to show the tokens: C_Initialize,
 * C_GetSlotList (count, then list) and C_GetTokenInfo of every slot; then
 * C_Finalize (untimed). The module must not be started. 0 on success.
 */
int bench_module_startup(bench_module *m, double *ms, unsigned long *slots);

#endif
