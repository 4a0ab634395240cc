/*
 * What the benchmark needs from its private emulator: the keys and secrets
 * listed in fixture.json, and the server's counters (/_emulator/stats) and
 * CPU time, read around each timed window.
 */
#ifndef RSSP_BENCH_EMU_H
#define RSSP_BENCH_EMU_H

#include <limits.h>
#include <sys/types.h>

#include "bench_verify.h"
#include "emulator_fixture.h"

typedef struct {
    char key_id[BENCH_KEY_COUNT][32];     /* credential ids */
    char cert[BENCH_KEY_COUNT][PATH_MAX]; /* their certificates (PEM) */
    int sad_signatures[BENCH_KEY_COUNT];  /* numSignatures per authorization */
    char scal2_id[32];                    /* a SCAL 2 EXPLICIT/PIN RSA credential */
    char scal2_cert[PATH_MAX];
    char pin[65]; /* secret */
    char hsm_module[PATH_MAX];
    char hsm_conf[PATH_MAX];
    char hsm_label[64];
    char hsm_pin[128]; /* secret */
} bench_fixture;

/*
 * From fixture.json: owner's SCAL 1 EXPLICIT/PIN credentials with an
 * RSA-2048 and an EC P-256 key, a SCAL 2 EXPLICIT/PIN RSA credential
 * (same PIN), and the emulator's SoftHSM2 token. 0 on success.
 */
int bench_fixture_read(const char *fixture_json, const char *owner, bench_fixture *out);
/* Wipe the secrets. */
void bench_fixture_wipe(bench_fixture *f);

typedef struct {
    double connections; /* TCP connections accepted since start */
    double requests;    /* RSSP requests of every method */
    double sign_hash;   /* signatures/signHash */
    double authorize;   /* credentials/authorize */
    double login;       /* auth/login (password logins and refresh-token renewals) */
    double cpu_ms;      /* CPU time of the server process */
} bench_emu_stats;

/* utime + stime of a process from /proc/<pid>/stat, in ms; -1 when unreadable. */
double bench_process_cpu_ms(pid_t pid);

/* Read the counters (GET /_emulator/stats, itself one new connection). 0 on success. */
int bench_emu_stats_take(const rssp_emu *emu, bench_emu_stats *out);

#endif
