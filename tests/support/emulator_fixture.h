/*
 * Test fixture: a private rssp-emulator for one test.
 *
 * rssp_emu_start() makes a temporary folder (mkdtemp under $TMPDIR or /tmp),
 * initialises an emulator in it (a copy of a cached template, so a start
 * costs milliseconds instead of the ~2.5 s of a full init), starts
 * `rssp-emulator serve DIR --port 0 --admin` and waits for DIR/url.
 * rssp_emu_stop() ends the server (SIGTERM, then SIGKILL after a bound) and
 * removes the folder. Nothing is left outside the temporary folder except
 * the template cache in the build tree.
 *
 * The binary is $RSSP_EMULATOR, else the one CMake built. The template is
 * $RSSP_EMULATOR_TEMPLATE ("none" = always a fresh init), else one in the
 * build tree keyed by the binary's time stamp and size.
 *
 * DIR/fixture.json lists the accounts and credentials (docs/emulator.md).
 *
 * $RSSP_TEST_PROTOCOL (rssp, csc-v1 or csc-v2; default rssp) selects the
 * dialect the server speaks (`serve --protocol`); demo_config and the owner
 * configurations are then the ones of DIR/<protocol>/, so a test written
 * once runs against every dialect (ctest registers one case per protocol).
 */
#ifndef RSSP_EMULATOR_FIXTURE_H
#define RSSP_EMULATOR_FIXTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    /* Extra `serve` arguments, NULL-terminated (e.g. "--token-ttl", "1", NULL); may be NULL. */
    const char *const *serve_args;
    bool no_admin;          /* start without --admin */
    bool fresh_init;        /* a full `init` instead of a template copy */
    double start_timeout_s; /* 0 = 30 s */
} rssp_emu_options;

typedef struct {
    char root[1024];             /* the temporary folder; removed by stop */
    char dir[1040];              /* the emulator folder: root/emu */
    char url[256];               /* base URL, e.g. https://127.0.0.1:40000/rssp/v1/ */
    char admin_url[256];         /* https://127.0.0.1:40000/_emulator/ */
    char demo_config[PATH_MAX];  /* dir/rssp-pkcs11.conf (owner alice) */
    char fixture_json[PATH_MAX]; /* dir/fixture.json */
    char ca_file[PATH_MAX];      /* dir/ca.pem */
    char log_file[1060];         /* root/serve.log: the server's stdout and stderr */
    pid_t pid;                   /* the server, 0 when not running */
    char protocol[16];           /* rssp, csc-v1 or csc-v2 ($RSSP_TEST_PROTOCOL) */
} rssp_emu;

/* 0 on success; -1 with a message on stderr (everything created is removed again). */
int rssp_emu_start(const rssp_emu_options *opt, rssp_emu *emu);

/*
 * Stop the server and remove the folder. Returns the server's exit status
 * (0 = clean shutdown), or -1 if it had to be killed or was not running.
 */
int rssp_emu_stop(rssp_emu *emu);

/* Stop only the server (keep the folder): for restarts. Same return value. */
int rssp_emu_stop_server(rssp_emu *emu);

/* Start the server again on the same folder (new port, new url). */
int rssp_emu_restart(rssp_emu *emu, const rssp_emu_options *opt);

/* out = dir/rel. */
void rssp_emu_path(const rssp_emu *emu, const char *rel, char *out, size_t out_len);

/* The server speaks this project's RSSP (not a CSC dialect). */
bool rssp_emu_protocol_rssp(const rssp_emu *emu);

/* A configuration of the protocol under test: dir/rel (RSSP) or dir/<protocol>/rel. */
void rssp_emu_config(const rssp_emu *emu, const char *rel, char *out, size_t out_len);

/* Config of an owner: dir/owners/<username>.conf, or dir/<protocol>/owners/<username>.conf. */
void rssp_emu_owner_config(const rssp_emu *emu, const char *username, char *out, size_t out_len);

/*
 * Call an admin endpoint (/_emulator/<what>) with libcurl: http_method GET,
 * POST or DELETE, json_body may be NULL. *response (malloc'ed, may be NULL)
 * receives the body. Returns the HTTP status, or -1 on a transport error.
 */
long rssp_emu_admin(const rssp_emu *emu, const char *http_method, const char *what,
                    const char *json_body, char **response);

/* Approve / deny the pending IMPLICIT request of a credential; waits up to timeout_s for it. */
int rssp_emu_approve(const rssp_emu *emu, const char *credential_id, bool approve,
                     double timeout_s);

/* The newest OTP sent for credential_id (out: 7 bytes); 0, or -1 if none. */
int rssp_emu_last_otp(const rssp_emu *emu, const char *credential_id, char out[7]);

#endif
