/*
 * What differs between the operating systems the module runs on, behind one
 * interface: platform_posix.c (Linux and other POSIX systems) and
 * platform_win32.c (64-bit Windows, built with mingw-w64), chosen by CMake.
 * Mutexes are POSIX threads on both (mingw-w64's winpthreads, linked
 * statically into the DLL); everything else that differs is here.
 */
#ifndef RSSP_PLATFORM_H
#define RSSP_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- memory */

/* Keep [p, p+len) out of swap (mlock / VirtualLock); best effort, false if refused. */
bool rssp_mem_lock(void *p, size_t len);
void rssp_mem_unlock(void *p, size_t len);

/*
 * Read one byte at src without crashing on unreadable memory (a pipe on
 * POSIX, ReadProcessMemory on Windows). For pointers an application hands
 * the module unchecked (C_Initialize's pReserved).
 */
typedef struct rssp_memprobe rssp_memprobe;
rssp_memprobe *rssp_memprobe_new(void); /* NULL when no probe can be made */
bool rssp_memprobe_byte(rssp_memprobe *probe, const void *src, char *out);
void rssp_memprobe_free(rssp_memprobe *probe);
/* The smallest page size: no valid object lives below it. */
size_t rssp_page_size(void);

/* ---- processes and time */

/*
 * Changes in a child after fork() (POSIX; never on Windows). Cheap: read
 * on every PKCS#11 call without a system call.
 */
unsigned long rssp_process_generation(void);
/* The process id, for log lines. */
long rssp_process_id(void);
/* The file name (no folder) of the running program, "" when unknown. */
void rssp_program_name(char *out, size_t out_len);
void rssp_sleep_ms(long ms);

/* ---- TLS */

/* Whether libcurl must be told to use the system's certificate store when no ca_file is set. */
bool rssp_tls_native_ca(void);

/* ---- places */

/* True for an absolute path ("/..." on POSIX; "C:\...", "\\server\..." on Windows). */
bool rssp_path_is_absolute(const char *path);
/* True for a folder separator ('/' everywhere, and '\' on Windows). */
bool rssp_path_is_separator(char c);
/*
 * The user's folder for configuration ($XDG_CONFIG_HOME or ~/.config;
 * %APPDATA%) and for caches ($XDG_CACHE_HOME or ~/.cache; %LOCALAPPDATA%),
 * malloc'ed, or NULL when there is none.
 */
char *rssp_user_config_dir(void);
char *rssp_user_cache_dir(void);
/* The system-wide configuration file (/etc/...; %ProgramData%\...), malloc'ed. */
char *rssp_system_config_file(void);

/* ---- private files (the credential cache, the log) */

/* Create the folders above path that are missing, private to the user. 0 or -1 (errno). */
int rssp_make_private_parents(const char *path);
/*
 * Replace path atomically with len bytes of data, readable by the user only
 * (a temporary file in the same folder, flushed to disk, then renamed).
 * 0, or -1 with why.
 */
int rssp_private_file_replace(const char *path, const void *data, size_t len, char *why,
                              size_t why_len);
/*
 * Read a whole file that must be a regular file (not through a link on
 * POSIX), belong to the user and be private to them, at most max bytes.
 * *data is malloc'ed and NUL-terminated. 0, or -1 with why.
 */
int rssp_private_file_read(const char *path, size_t max, char **data, size_t *len, char *why,
                           size_t why_len);
/* Open path for appending, made private to the user; NULL when it cannot be. */
FILE *rssp_private_file_append(const char *path);

#endif
