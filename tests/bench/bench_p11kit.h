/*
 * p11-kit's own remoting, the closest thing to "a token that lives in another
 * process": `p11-kit server` holds SoftHSM2 (the emulator's token) and serves
 * it over a unix socket; this process loads p11-kit-client.so and signs
 * through it with the SoftHSM2 path's code.
 */
#ifndef RSSP_BENCH_P11KIT_H
#define RSSP_BENCH_P11KIT_H

#include <sys/types.h>

typedef struct {
    pid_t pid;      /* the server, 0 when not running */
    char dir[256];  /* private folder holding the socket */
    char sock[300]; /* its socket */
} bench_p11kit;

/*
 * Start `p11-kit server` in the foreground on the token labelled token_label
 * of provider (SOFTHSM2_CONF taken from the environment) and point
 * P11_KIT_SERVER_ADDRESS at it. 0 on success; -1 with a line on stderr.
 */
int bench_p11kit_start(const char *provider, const char *token_label, bench_p11kit *out);
/* Same for the token a PKCS#11 URI names (e.g. "pkcs11:serial=10001"). */
int bench_p11kit_start_uri(const char *provider, const char *token_uri, bench_p11kit *out);
/*
 * CPU time of the server and its children (it runs `p11-kit remote` per
 * connection), in ms; -1 when unreadable.
 */
double bench_p11kit_cpu_ms(const bench_p11kit *s);
/* Stop the server and remove its folder. */
void bench_p11kit_stop(bench_p11kit *s);

#endif
