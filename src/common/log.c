#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static rssp_log_level log_level = RSSP_LOG_OFF;
static FILE *log_file; /* NULL: stderr */

int rssp_log_level_parse(const char *s)
{
    static const char *const names[] = {"off", "error", "warn", "info", "debug"};
    if (s == NULL)
        return -1;
    for (int i = 0; i < 5; i++) {
        if (strcasecmp(s, names[i]) == 0)
            return i;
    }
    if (s[0] >= '0' && s[0] <= '4' && s[1] == '\0')
        return s[0] - '0';
    return -1;
}

/*
 * Open the log file: never through a symbolic link, only a regular file, and
 * private to the user. An existing file others can read is made 0600 (the log
 * names accounts and credentials); one that cannot be made private is refused.
 */
static int open_private(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        ((sb.st_mode & 077) != 0 && fchmod(fd, 0600) != 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

int rssp_log_open(rssp_log_level level, const char *path)
{
    int rc = 0;
    FILE *f = NULL;

    if (level != RSSP_LOG_OFF && path != NULL && strcmp(path, "stderr") != 0) {
        int fd = open_private(path);
        if (fd >= 0)
            f = fdopen(fd, "a");
        if (f == NULL) {
            if (fd >= 0)
                close(fd);
            rc = -1;
        } else {
            setvbuf(f, NULL, _IOLBF, 0);
        }
    }
    pthread_mutex_lock(&log_lock);
    if (log_file != NULL)
        fclose(log_file);
    log_file = f;
    log_level = level;
    pthread_mutex_unlock(&log_lock);
    return rc;
}

void rssp_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file != NULL)
        fclose(log_file);
    log_file = NULL;
    log_level = RSSP_LOG_OFF;
    pthread_mutex_unlock(&log_lock);
}

rssp_log_level rssp_log_get_level(void)
{
    pthread_mutex_lock(&log_lock);
    rssp_log_level l = log_level;
    pthread_mutex_unlock(&log_lock);
    return l;
}

void rssp_log(rssp_log_level level, const char *fmt, ...)
{
    static const char *const tags[] = {"", "ERROR", "WARN", "INFO", "DEBUG"};
    char stamp[32] = "";
    struct timespec ts;
    struct tm tm;

    if (level <= RSSP_LOG_OFF || level > RSSP_LOG_DEBUG)
        return;
    pthread_mutex_lock(&log_lock);
    if (level > log_level) {
        pthread_mutex_unlock(&log_lock);
        return;
    }
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && gmtime_r(&ts.tv_sec, &tm) != NULL)
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    FILE *out = log_file != NULL ? log_file : stderr;
    fprintf(out, "%s rssp-pkcs11[%ld] %s: ", stamp, (long)getpid(), tags[level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    pthread_mutex_unlock(&log_lock);
}
