/* pipe2 */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier)
#include "config/config_keyring.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/secmem.h"
#include "config/config_file.h"

#ifndef RSSP_KEYRING_HELPER_PATH
#define RSSP_KEYRING_HELPER_PATH "/usr/libexec/rssp-pkcs11/rssp-keyring"
#endif

extern char **environ;

/* Room for the helper's message on standard error (not a secret). */
#define HELPER_ERR_CAP 400

const char *rssp_cfg_keyring_helper(void)
{
    const char *env = getenv("RSSP_PKCS11_KEYRING_HELPER");
    return env != NULL && env[0] != '\0' ? env : RSSP_KEYRING_HELPER_PATH;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct {
    unsigned char *out; /* the helper's standard output (secret memory) */
    size_t out_cap;
    size_t out_len;
    bool out_overflow;
    char err[HELPER_ERR_CAP]; /* its standard error, NUL-terminated */
    size_t err_len;
    int status;     /* exit status, -1 if unknown (reaped by someone else) */
    bool timed_out; /* killed after the deadline */
} helper_result;

/* Read what fd has into buf (cap); returns false at end of file or error. */
static bool drain(int fd, unsigned char *buf, size_t cap, size_t *len, bool *overflow)
{
    unsigned char scratch[512];
    ssize_t n;
    do {
        n = read(fd, scratch, sizeof scratch);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n < 0 && errno == EAGAIN;
    size_t take = (size_t)n;
    if (take > cap - *len) {
        take = cap - *len;
        *overflow = true;
    }
    memcpy(buf + *len, scratch, take);
    *len += take;
    OPENSSL_cleanse(scratch, sizeof scratch);
    return true;
}

/*
 * Run the helper with argv, give it input on its standard input (NULL:
 * /dev/null), and collect its output until it ends or timeout_ms passes,
 * then kill it. The process is always reaped before this returns.
 */
static int run_helper(const char *const *argv, const char *input, long timeout_ms,
                      helper_result *res, char *why, size_t why_len)
{
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, in_sock[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    bool fa_ready = false;
    pid_t pid = -1;
    int rc = -1;

    res->status = -1;
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
        (input != NULL && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_sock) != 0)) {
        snprintf(why, why_len, "cannot create a pipe: %s", strerror(errno));
        goto out;
    }
    if (posix_spawn_file_actions_init(&fa) != 0) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    fa_ready = true;
    int e = input != NULL ? posix_spawn_file_actions_adddup2(&fa, in_sock[1], 0)
                          : posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (e == 0)
        e = posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    if (e == 0)
        e = posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    if (e == 0)
        e = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    if (e != 0) {
        pid = -1;
        snprintf(why, why_len, "cannot start the keyring helper '%s': %s", argv[0], strerror(e));
        goto out;
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_pipe[1] = err_pipe[1] = -1;
    if (input != NULL) {
        close(in_sock[1]);
        in_sock[1] = -1;
        /* Small enough for the socket buffer; MSG_NOSIGNAL: no SIGPIPE in the host. */
        size_t len = strlen(input);
        ssize_t sent = send(in_sock[0], input, len, MSG_NOSIGNAL);
        shutdown(in_sock[0], SHUT_WR);
        if (sent < 0 || (size_t)sent != len) {
            snprintf(why, why_len, "cannot hand the secret to the keyring helper");
            goto out;
        }
    }
    fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);

    long long deadline = now_ms() + timeout_ms;
    bool out_open = true, err_open = true;
    bool err_overflow = false;
    while (out_open || err_open) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            res->timed_out = true;
            break;
        }
        struct pollfd pf[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                               {err_open ? err_pipe[0] : -1, POLLIN, 0}};
        int n = poll(pf, 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, why_len, "poll: %s", strerror(errno));
            goto out;
        }
        if (out_open && pf[0].revents != 0)
            out_open =
                drain(out_pipe[0], res->out, res->out_cap, &res->out_len, &res->out_overflow);
        if (err_open && pf[1].revents != 0)
            err_open = drain(err_pipe[0], (unsigned char *)res->err, sizeof res->err - 1,
                             &res->err_len, &err_overflow);
    }
    res->err[res->err_len] = '\0';
    rc = 0;
out:
    if (pid > 0) {
        if (res->timed_out || rc != 0)
            kill(pid, SIGKILL);
        int st;
        pid_t w;
        do {
            w = waitpid(pid, &st, 0);
        } while (w < 0 && errno == EINTR);
        /* ECHILD: the host reaps children itself (SIGCHLD ignored or handled). */
        if (w == pid && WIFEXITED(st))
            res->status = WEXITSTATUS(st);
    }
    if (fa_ready)
        posix_spawn_file_actions_destroy(&fa);
    int fds[] = {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], in_sock[0], in_sock[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
    }
    return rc;
}

/* The helper's message: its first line, control characters replaced. */
static const char *helper_message(helper_result *res)
{
    char *nl = strchr(res->err, '\n');
    if (nl != NULL)
        *nl = '\0';
    for (char *p = res->err; *p != '\0'; p++) {
        if (iscntrl((unsigned char)*p))
            *p = '?';
    }
    return res->err[0] != '\0' ? res->err : "no message";
}

/* argv for the helper: helper, command, [label,] "--", name, value, ...; copy holds the pieces. */
static int build_argv(const char *command, const char *label, const char *spec, char **copy,
                      const char **argv, char *why, size_t why_len)
{
    size_t n = 0;
    argv[n++] = rssp_cfg_keyring_helper();
    argv[n++] = command;
    if (label != NULL)
        argv[n++] = label;
    argv[n++] = "--";
    if ((*copy = strdup(spec)) == NULL) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    int pairs = rssp_cfg_keyring_split(*copy, argv + n, why, why_len);
    if (pairs < 0)
        return -1;
    argv[n + 2 * (size_t)pairs] = NULL;
    return 0;
}

int rssp_cfg_keyring_lookup(const char *spec, char **out, char *why, size_t why_len)
{
    const char *argv[2 * RSSP_KEYRING_MAX_ATTRS + 5];
    unsigned char buf[RSSP_CFG_MAX_SECRET_BYTES];
    helper_result res = {.out = buf, .out_cap = sizeof buf};
    char *copy = NULL;
    int rc = -1;

    *out = NULL;
    if (build_argv("lookup", NULL, spec, &copy, argv, why, why_len) != 0 ||
        run_helper(argv, NULL, RSSP_KEYRING_LOOKUP_TIMEOUT_MS, &res, why, why_len) != 0)
        goto out;
    /* Exit status unknown (reaped by the host): a complete answer is the secret. */
    int status = res.status >= 0 ? res.status : res.out_len > 0 ? RSSP_KEYRING_FOUND : -1;
    if (res.timed_out) {
        snprintf(why, why_len, "the keyring did not answer within %d s (keyring helper killed)",
                 RSSP_KEYRING_LOOKUP_TIMEOUT_MS / 1000);
    } else if (status == RSSP_KEYRING_NOT_FOUND) {
        snprintf(why, why_len,
                 "no secret in the keyring matches '%s'; store it with 'rssp-tool setup' (or "
                 "secret-tool store --label=rssp-pkcs11 %s)",
                 spec, spec);
    } else if (status == RSSP_KEYRING_LOCKED) {
        snprintf(why, why_len,
                 "the keyring holding '%s' is locked; unlock it (log in to the desktop, or "
                 "open it in the keyring manager) and try again",
                 spec);
    } else if (status == RSSP_KEYRING_NO_SERVICE) {
        snprintf(why, why_len, "no Secret Service (desktop keyring) to ask: %s",
                 helper_message(&res));
    } else if (status != RSSP_KEYRING_FOUND) {
        snprintf(why, why_len, "the keyring helper '%s' failed (exit status %d): %s", argv[0],
                 status, helper_message(&res));
    } else if (res.out_overflow) {
        snprintf(why, why_len, "the secret in the keyring is larger than %d bytes",
                 RSSP_CFG_MAX_SECRET_BYTES);
    } else if (res.out_len == 0 || memchr(buf, '\0', res.out_len) != NULL) {
        snprintf(why, why_len, "the secret in the keyring is empty or holds a NUL byte");
    } else if ((*out = rssp_secret_dup(buf, res.out_len)) == NULL) {
        snprintf(why, why_len, "out of memory");
    } else {
        rc = 0;
    }
out:
    OPENSSL_cleanse(buf, sizeof buf);
    free(copy);
    return rc;
}

int rssp_cfg_keyring_store(const char *spec, const char *label, const char *secret, char *why,
                           size_t why_len)
{
    const char *argv[2 * RSSP_KEYRING_MAX_ATTRS + 5];
    unsigned char buf[64];
    helper_result res = {.out = buf, .out_cap = sizeof buf};
    char *copy = NULL;
    int rc = -1;

    if (build_argv("store", label, spec, &copy, argv, why, why_len) != 0 ||
        run_helper(argv, secret, RSSP_KEYRING_STORE_TIMEOUT_MS, &res, why, why_len) != 0)
        goto out;
    if (res.timed_out)
        snprintf(why, why_len, "the keyring did not answer within %d s",
                 RSSP_KEYRING_STORE_TIMEOUT_MS / 1000);
    else if (res.status == RSSP_KEYRING_NO_SERVICE)
        snprintf(why, why_len, "no Secret Service (desktop keyring) to ask: %s",
                 helper_message(&res));
    else if (res.status != RSSP_KEYRING_FOUND)
        snprintf(why, why_len, "the keyring refused to store the secret (exit status %d): %s",
                 res.status, helper_message(&res));
    else
        rc = 0;
out:
    free(copy);
    return rc;
}
