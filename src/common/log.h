/*
 * Logging for the module, the tool and the emulator. Off by default; never
 * writes to stdout. Callers must never pass a secret (PIN, password, token,
 * SAD, key) to these functions.
 */
#ifndef RSSP_LOG_H
#define RSSP_LOG_H

#include "common/attributes.h"

typedef enum {
    RSSP_LOG_OFF = 0,
    RSSP_LOG_ERROR = 1,
    RSSP_LOG_WARN = 2,
    RSSP_LOG_INFO = 3,
    RSSP_LOG_DEBUG = 4,
} rssp_log_level;

/* Parse "off", "error", "warn", "info", "debug" or "0".."4"; -1 if invalid. */
int rssp_log_level_parse(const char *s);

/*
 * Set the level and the destination: a file path (appended, created 0600;
 * opened without following a symbolic link; an existing file readable by
 * others is made 0600; anything but a regular file is refused), "stderr", or
 * NULL for stderr. Returns 0, or -1 if the file cannot be opened or made
 * private (logging then goes to stderr). Thread-safe.
 */
int rssp_log_open(rssp_log_level level, const char *path);
/* Close the log file and switch logging off. */
void rssp_log_close(void);

rssp_log_level rssp_log_get_level(void);

void rssp_log(rssp_log_level level, const char *fmt, ...) RSSP_PRINTF_LIKE(2, 3);

#define rssp_error(...) rssp_log(RSSP_LOG_ERROR, __VA_ARGS__)
#define rssp_warn(...) rssp_log(RSSP_LOG_WARN, __VA_ARGS__)
#define rssp_info_log(...) rssp_log(RSSP_LOG_INFO, __VA_ARGS__)
#define rssp_debug(...) rssp_log(RSSP_LOG_DEBUG, __VA_ARGS__)

#endif
