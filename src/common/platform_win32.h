/*
 * Windows-only helpers of platform_win32.c, for the Windows halves of other
 * parts (config_file_win32.c): opening a regular file and reading who may
 * read and write it from its access list.
 */
#ifndef RSSP_PLATFORM_WIN32_H
#define RSSP_PLATFORM_WIN32_H

#include <windows.h>

#include <stdbool.h>
#include <stddef.h>

/* Who the access list of a file lets in, SYSTEM and Administrators left out. */
typedef struct {
    bool owner_is_user;  /* the file's owner is the account this process runs as */
    bool owner_is_admin; /* ... or SYSTEM / the Administrators group */
    bool others_read;    /* another account or group may read it */
    bool others_write;   /* another account or group may change it or its permissions */
} rssp_win32_acl;

/* What a file that is not private is told to do about it (printf: the path twice). */
#define RSSP_WIN32_NOT_PRIVATE                                                                     \
    "is not private: other accounts may read or change it (remove them in Properties > "           \
    "Security, or run: icacls \"%s\" /inheritance:r /grant:r \"%%USERNAME%%\":F)"

/* UTF-8 to UTF-16 and back, malloc'ed; NULL when invalid or out of memory. */
wchar_t *rssp_win32_wide(const char *s);
char *rssp_win32_narrow(const wchar_t *w);

/* Open path for reading: a regular file, not a link. INVALID_HANDLE_VALUE with why. */
HANDLE rssp_win32_open_regular(const char *path, char *why, size_t why_len);
/* The access facts of an open file (opened with READ_CONTROL). 0, or -1 with why. */
int rssp_win32_acl_of(HANDLE h, const char *path, rssp_win32_acl *out, char *why, size_t why_len);
/* The whole file, NUL-terminated: 0, -1 (read error or memory), -2 (more than max bytes). */
int rssp_win32_read_all(HANDLE h, size_t max, char **data, size_t *len);

#endif
