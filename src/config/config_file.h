/*
 * Files the configuration names: the configuration file itself, secret files
 * and the relying party's key file, with the permission rules of
 * docs/configuration.md. Messages written to why name the file and, when a
 * permission is wrong, the command that fixes it; they never hold file content.
 */
#ifndef RSSP_CONFIG_FILE_H
#define RSSP_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Largest configuration file and secret file accepted. */
#define RSSP_CFG_MAX_CONFIG_BYTES (1024 * 1024)
#define RSSP_CFG_MAX_SECRET_BYTES 8192

typedef struct {
    char *data; /* NUL-terminated file content (may hold inline secrets) */
    size_t len;
    bool private_to_user; /* owned by the effective user, no group/other bits */
    unsigned mode;        /* permission bits, for messages */
} rssp_cfg_text;

/*
 * Read a configuration file: a regular file owned by the user or root, not
 * writable by group or others, without NUL bytes. Returns 0 or -1 (why set).
 */
int rssp_cfg_read_config(const char *path, rssp_cfg_text *out, char *why, size_t why_len);
/* Wipe and free the content; the struct is zeroed. */
void rssp_cfg_text_clear(rssp_cfg_text *t);

/*
 * Check that path is a regular file owned by the effective user with no group
 * or other permission bits. what names the key in messages ("key_file").
 */
int rssp_cfg_check_private(const char *what, const char *path, char *why, size_t why_len);

/* Check that path names a regular file this process can open for reading. */
int rssp_cfg_check_readable(const char *what, const char *path, char *why, size_t why_len);

/*
 * Read a secret from a private file (rules of rssp_cfg_check_private) into
 * rssp_secret_* memory, one trailing "\n" or "\r\n" removed. Empty files and
 * files with NUL bytes are refused. *out is freed with rssp_secret_free.
 */
int rssp_cfg_read_secret(const char *what, const char *path, char **out, char *why, size_t why_len);

/* Write s single-quoted for a POSIX shell into out (truncated to cap). */
void rssp_cfg_shell_quote(const char *s, char *out, size_t cap);

#endif
