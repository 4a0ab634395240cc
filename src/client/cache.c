/*
 * The credential list cache on disk: atomic, private writes and suspicious
 * reads (owner, permissions, size, age, key). The format is in cache_codec.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client/cache_codec.h"
#include "client/json.h"
#include "client/status_internal.h"
#include "rssp/client.h"

/* A cache larger than this is not ours. */
#define CACHE_MAX_BYTES (16 * 1024 * 1024)

/* Create every missing folder above path with mode 0700. */
static rssp_err make_parents(const char *path, rssp_status *st)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    rssp_err err = RSSP_OK;
    for (char *p = copy + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
            err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot create the cache folder %s: %s", copy,
                            strerror(errno));
            break;
        }
        *p = '/';
    }
    free(copy);
    return err;
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

/* The folder part of path ("." when none), malloc'ed. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (dir != NULL) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

static rssp_err write_file(const char *path, const char *text, size_t len, rssp_status *st)
{
    rssp_err err = RSSP_OK;
    char *dir = folder_of(path);
    size_t dl = dir != NULL ? strlen(dir) : 0;
    char *tmp = dir != NULL ? malloc(dl + sizeof "/.rssp-cache-XXXXXX") : NULL;
    if (tmp == NULL) {
        free(dir);
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    memcpy(tmp, dir, dl);
    memcpy(tmp + dl, "/.rssp-cache-XXXXXX", sizeof "/.rssp-cache-XXXXXX");

    int fd = mkstemp(tmp);
    if (fd < 0) {
        err =
            rssp_fail(st, RSSP_ERR_CONFIG, "cannot create a file in %s: %s", dir, strerror(errno));
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || !write_all(fd, text, len) || fsync(fd) != 0) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot write the cache: %s", strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot put the cache in place: %s", strerror(errno));
        unlink(tmp);
        goto out;
    }
    /* Make the rename itself durable. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
out:
    free(tmp);
    free(dir);
    return err;
}

rssp_err rssp_credential_cache_write(const char *path, const char *key,
                                     const rssp_credential_list *l, rssp_status *st)
{
    rssp_status local;
    st = st != NULL ? st : &local;
    rssp_status_reset(st);
    if (path == NULL || path[0] == '\0' || key == NULL || l == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "path, key and list are required");
    char *text = NULL;
    size_t len = 0;
    rssp_err err = rssp_cache_encode(key, (long long)time(NULL), l, &text, &len, st);
    if (err == RSSP_OK)
        err = make_parents(path, st);
    if (err == RSSP_OK)
        err = write_file(path, text, len, st);
    rssp_json_text_free(text);
    return err;
}

static rssp_err read_private_file(const char *path, char **text, size_t *len, rssp_status *st)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return rssp_fail(st, RSSP_ERR_CONFIG, "cannot open the cache: %s", strerror(errno));
    rssp_err err = RSSP_OK;
    char *buf = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "the cache is not a regular file");
        goto out;
    }
    if (sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
        err = rssp_fail(st, RSSP_ERR_CONFIG,
                        "the cache must belong to the user and be private (0600)");
        goto out;
    }
    if (sb.st_size <= 0 || sb.st_size > CACHE_MAX_BYTES) {
        err = rssp_fail(st, RSSP_ERR_CONFIG, "the cache is empty or too large");
        goto out;
    }
    size_t size = (size_t)sb.st_size;
    buf = malloc(size + 1);
    if (buf == NULL) {
        err = rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
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
        err = rssp_fail(st, RSSP_ERR_CONFIG, "cannot read the cache");
        goto out;
    }
    buf[size] = '\0';
    *text = buf;
    *len = size;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return err;
}

rssp_err rssp_credential_cache_read(const char *path, const char *key, long max_age_s,
                                    rssp_credential_list *out, rssp_status *st)
{
    rssp_status local;
    st = st != NULL ? st : &local;
    rssp_status_reset(st);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (path == NULL || key == NULL || out == NULL || max_age_s < 0)
        return rssp_fail(st, RSSP_ERR_ARGS, "path, key, output and a max age >= 0 are required");
    char *text = NULL;
    size_t len = 0;
    rssp_err err = read_private_file(path, &text, &len, st);
    if (err == RSSP_OK)
        err = rssp_cache_decode(text, len, key, max_age_s, (long long)time(NULL), out, st);
    free(text);
    return err;
}
