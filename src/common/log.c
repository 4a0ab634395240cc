#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/platform.h"

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

int rssp_log_open(rssp_log_level level, const char *path)
{
    int rc = 0;
    FILE *f = NULL;

    if (level != RSSP_LOG_OFF && path != NULL && strcmp(path, "stderr") != 0) {
        /* Not through a link, a regular file, private: the log names accounts. */
        f = rssp_private_file_append(path);
        if (f == NULL)
            rc = -1;
        else
            setvbuf(f, NULL, _IOLBF, 0);
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
    fprintf(out, "%s rssp-pkcs11[%ld] %s: ", stamp, rssp_process_id(), tags[level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    pthread_mutex_unlock(&log_lock);
}
