#include "bench_p11kit.h"

#include "bench_emu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define START_WAIT_MS 30000 /* generous: CI machines may be loaded */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int bench_p11kit_start(const char *provider, const char *token_label, bench_p11kit *out)
{
    char uri[200];
    snprintf(uri, sizeof uri, "pkcs11:token=%s", token_label);
    return bench_p11kit_start_uri(provider, uri, out);
}

/*
 * Whether the server accepts connections on path: the socket file exists as
 * soon as it is bound, before listen(), and a client connecting in between
 * is refused and sees no token at all.
 */
static bool accepts(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return false;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool ok = connect(fd, (const struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

int bench_p11kit_start_uri(const char *provider, const char *token_uri, bench_p11kit *out)
{
    memset(out, 0, sizeof *out);
    const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    snprintf(out->dir, sizeof out->dir, "%s/rssp-bench-p11kit-XXXXXX", tmp);
    if (mkdtemp(out->dir) == NULL) {
        fprintf(stderr, "bench: p11-kit server: mkdtemp: %s\n", strerror(errno));
        out->dir[0] = '\0';
        return -1;
    }
    snprintf(out->sock, sizeof out->sock, "%s/pkcs11", out->dir);
    char uri[200], provider_opt[4200], name_opt[400], address[400];
    snprintf(uri, sizeof uri, "%s", token_uri);
    snprintf(provider_opt, sizeof provider_opt, "--provider=%s", provider);
    snprintf(name_opt, sizeof name_opt, "--name=%s", out->sock);
    char *argv[] = {"p11-kit", "server", "--foreground", name_opt, provider_opt, uri, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    /* The server prints the address as shell commands: keep stdout for the table. */
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&out->pid, "p11-kit", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench: p11-kit server: %s\n", strerror(rc));
        out->pid = 0;
        bench_p11kit_stop(out);
        return -1;
    }
    struct stat st;
    for (long waited = 0; stat(out->sock, &st) != 0 || !accepts(out->sock); waited += 10) {
        int status;
        if (waited >= START_WAIT_MS || waitpid(out->pid, &status, WNOHANG) == out->pid) {
            fprintf(stderr, "bench: p11-kit server did not accept connections on %s\n", out->sock);
            bench_p11kit_stop(out);
            return -1;
        }
        sleep_ms(10);
    }
    snprintf(address, sizeof address, "unix:path=%s", out->sock);
    if (setenv("P11_KIT_SERVER_ADDRESS", address, 1) != 0) {
        bench_p11kit_stop(out);
        return -1;
    }
    return 0;
}

/* CPU time of pid and of its living descendants, through /proc/PID/task/TID/children. */
static double tree_cpu_ms(pid_t pid, int depth)
{
    double ms = bench_process_cpu_ms(pid);
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
    DIR *tasks = depth < 4 && ms >= 0 ? opendir(path) : NULL;
    struct dirent *t;
    while (tasks != NULL && (t = readdir(tasks)) != NULL) {
        char children[400];
        long child;
        if (t->d_name[0] == '.')
            continue;
        snprintf(children, sizeof children, "%s/%s/children", path, t->d_name);
        FILE *f = fopen(children, "r");
        while (f != NULL && fscanf(f, "%ld", &child) == 1) {
            double c = tree_cpu_ms((pid_t)child, depth + 1);
            ms += c > 0 ? c : 0;
        }
        if (f != NULL)
            fclose(f);
    }
    if (tasks != NULL)
        closedir(tasks);
    return ms;
}

double bench_p11kit_cpu_ms(const bench_p11kit *s)
{
    return s->pid > 0 ? tree_cpu_ms(s->pid, 0) : -1;
}

void bench_p11kit_stop(bench_p11kit *s)
{
    if (s->pid > 0) {
        int status;
        kill(s->pid, SIGTERM);
        if (waitpid(s->pid, &status, 0) < 0 && errno != ECHILD)
            fprintf(stderr, "bench: p11-kit server: waitpid: %s\n", strerror(errno));
        s->pid = 0;
    }
    if (s->sock[0] != '\0')
        unlink(s->sock);
    if (s->dir[0] != '\0')
        rmdir(s->dir);
    s->dir[0] = s->sock[0] = '\0';
}
