#include "fuzz.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* At most this many distinct temp files per process (harnesses use a few). */
#define MAX_TEMP_FILES 8

static char temp_dir[PATH_MAX];
static char temp_files[MAX_TEMP_FILES][PATH_MAX];
static size_t n_temp_files;

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static void remove_temp(void)
{
    for (size_t i = 0; i < n_temp_files; i++)
        unlink(temp_files[i]);
    if (temp_dir[0] != '\0')
        rmdir(temp_dir);
}

const char *fuzz_temp_path(const char *name)
{
    if (temp_dir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        int n = snprintf(temp_dir, sizeof temp_dir, "%s/rssp-fuzz-XXXXXX",
                         base != NULL && base[0] != '\0' ? base : "/tmp");
        if (n < 0 || (size_t)n >= sizeof temp_dir || mkdtemp(temp_dir) == NULL)
            abort();
        atexit(remove_temp);
    }
    for (size_t i = 0; i < n_temp_files; i++) {
        const char *slash = strrchr(temp_files[i], '/');
        if (strcmp(slash + 1, name) == 0)
            return temp_files[i];
    }
    if (n_temp_files == MAX_TEMP_FILES || strchr(name, '/') != NULL)
        abort();
    char *path = temp_files[n_temp_files];
    int n = snprintf(path, PATH_MAX, "%s/%s", temp_dir, name);
    if (n < 0 || n >= PATH_MAX)
        abort();
    n_temp_files++;
    return path;
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    if (close(fd) != 0)
        abort();
}
