#define _GNU_SOURCE /* pipe2, program_invocation_short_name */
#include "common/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- memory */

bool rssp_mem_lock(void *p, size_t len)
{
    return mlock(p, len) == 0;
}

void rssp_mem_unlock(void *p, size_t len)
{
    munlock(p, len);
}

/*
 * The kernel answers EFAULT when a write(2) names memory that is not
 * readable, where a plain read would crash the host program.
 */
struct rssp_memprobe {
    int fds[2];
};

rssp_memprobe *rssp_memprobe_new(void)
{
    rssp_memprobe *p = malloc(sizeof *p);
    if (p != NULL && pipe2(p->fds, O_CLOEXEC) != 0) {
        free(p);
        p = NULL;
    }
    return p;
}

bool rssp_memprobe_byte(rssp_memprobe *probe, const void *src, char *out)
{
    ssize_t n;
    do {
        n = write(probe->fds[1], src, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1)
        return false;
    do {
        n = read(probe->fds[0], out, 1);
    } while (n < 0 && errno == EINTR);
    return n == 1;
}

void rssp_memprobe_free(rssp_memprobe *probe)
{
    if (probe == NULL)
        return;
    close(probe->fds[0]);
    close(probe->fds[1]);
    free(probe);
}

size_t rssp_page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

/* ---- processes and time */

/*
 * A counter the child side of fork() bumps (pthread_atfork), so that the
 * module notices a fork without calling getpid() on every PKCS#11 call.
 * glibc drops the handler when the module is unloaded (dlclose).
 */
static atomic_ulong generation;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void after_fork_in_child(void)
{
    atomic_fetch_add(&generation, 1);
}

static void register_atfork(void)
{
    /* Without the handler a fork goes unnoticed, as it would without this check. */
    (void)pthread_atfork(NULL, NULL, after_fork_in_child);
}

unsigned long rssp_process_generation(void)
{
    pthread_once(&atfork_once, register_atfork);
    return atomic_load(&generation);
}

long rssp_process_id(void)
{
    return (long)getpid();
}

void rssp_program_name(char *out, size_t out_len)
{
    char exe[4096];
    const char *name = NULL;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        const char *slash = strrchr(exe, '/');
        name = slash != NULL ? slash + 1 : exe;
    } else {
        name = program_invocation_short_name;
    }
    if (out_len > 0)
        snprintf(out, out_len, "%s", name != NULL ? name : "");
}

void rssp_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- TLS */

/* OpenSSL reads the system bundle (/etc/ssl/certs) by itself. */
bool rssp_tls_native_ca(void)
{
    return false;
}

/* ---- places */

bool rssp_path_is_absolute(const char *path)
{
    return path != NULL && path[0] == '/';
}

bool rssp_path_is_separator(char c)
{
    return c == '/';
}

/* base + "/" + sub, malloc'ed. */
static char *join(const char *base, const char *sub)
{
    size_t len = strlen(base) + 1 + strlen(sub) + 1;
    char *s = malloc(len);
    if (s != NULL)
        snprintf(s, len, "%s/%s", base, sub);
    return s;
}

/* The home folder: $HOME if absolute, else the password database. */
static char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home != NULL && rssp_path_is_absolute(home))
        return strdup(home);

    long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t size = hint > 0 ? (size_t)hint : 16384;
    char *result = NULL;
    for (;;) {
        char *buf = malloc(size);
        if (buf == NULL)
            return NULL;
        struct passwd pw;
        struct passwd *found = NULL;
        int rc = getpwuid_r(geteuid(), &pw, buf, size, &found);
        if (rc == 0 && found != NULL && rssp_path_is_absolute(pw.pw_dir))
            result = strdup(pw.pw_dir);
        free(buf);
        if (rc != ERANGE || size > 1024 * 1024)
            return result;
        size *= 2;
    }
}

/* $XDG_name if absolute (the spec says to ignore relative values), else ~/fallback. */
static char *xdg_dir(const char *var, const char *fallback)
{
    const char *xdg = getenv(var);
    if (xdg != NULL && rssp_path_is_absolute(xdg))
        return strdup(xdg);
    char *home = home_dir();
    char *dir = home != NULL ? join(home, fallback) : NULL;
    free(home);
    return dir;
}

char *rssp_user_config_dir(void)
{
    return xdg_dir("XDG_CONFIG_HOME", ".config");
}

char *rssp_user_cache_dir(void)
{
    return xdg_dir("XDG_CACHE_HOME", ".cache");
}

char *rssp_system_config_file(void)
{
    return strdup("/etc/rssp-pkcs11.conf");
}

/* ---- private files */

int rssp_make_private_parents(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return -1;
    int rc = 0;
    for (char *p = copy + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
            rc = -1;
            break;
        }
        *p = '/';
    }
    int e = errno;
    free(copy);
    errno = e;
    return rc;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

int rssp_private_file_replace(const char *path, const void *data, size_t len, char *why,
                              size_t why_len)
{
    static const char tmpl[] = "/.rssp-tmp-XXXXXX";
    const char *slash = strrchr(path, '/');
    size_t dl = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(dl + 1);
    char *tmp = malloc(dl + sizeof tmpl);
    int rc = -1;
    if (dir == NULL || tmp == NULL) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    memcpy(dir, slash == NULL ? "." : path, dl);
    dir[dl] = '\0';
    memcpy(tmp, dir, dl);
    memcpy(tmp + dl, tmpl, sizeof tmpl);

    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(why, why_len, "cannot create a file in %s: %s", dir, strerror(errno));
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || !write_all(fd, data, len) || fsync(fd) != 0) {
        snprintf(why, why_len, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        snprintf(why, why_len, "cannot put %s in place: %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    /* Make the rename itself durable. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    free(tmp);
    free(dir);
    return rc;
}

int rssp_private_file_read(const char *path, size_t max, char **data, size_t *len, char *why,
                           size_t why_len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(why, why_len, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    char *buf = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(why, why_len, "%s is not a regular file", path);
        goto out;
    }
    if (sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
        snprintf(why, why_len, "%s must belong to the user and be private (0600)", path);
        goto out;
    }
    if (sb.st_size <= 0 || (unsigned long long)sb.st_size > max) {
        snprintf(why, why_len, "%s is empty or too large", path);
        goto out;
    }
    size_t size = (size_t)sb.st_size;
    buf = malloc(size + 1);
    if (buf == NULL) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got != size) {
        snprintf(why, why_len, "cannot read %s", path);
        goto out;
    }
    buf[size] = '\0';
    *data = buf;
    *len = size;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

/*
 * Never through a symbolic link, only a regular file, private to the user.
 * An existing file others can read is made 0600; one that cannot be is refused.
 */
FILE *rssp_private_file_append(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0)
        return NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        ((sb.st_mode & 077) != 0 && fchmod(fd, 0600) != 0)) {
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "a");
    if (f == NULL)
        close(fd);
    return f;
}
