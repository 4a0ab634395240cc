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

/* The group that may read relying-party secrets owned by root (docs/configuration.md). */
#ifndef RSSP_SECRET_GROUP
#define RSSP_SECRET_GROUP "rssp-pkcs11"
#endif

/* What rssp_cfg_private_verdict finds wrong with a secret file. */
typedef enum {
    RSSP_CFG_PRIVATE_OK = 0,
    RSSP_CFG_PRIVATE_OWNER, /* owned by someone else than the user (or root, for the group rule) */
    RSSP_CFG_PRIVATE_MODE,  /* group or other permission bits beyond the rule */
    RSSP_CFG_PRIVATE_GROUP, /* group-readable, but not by RSSP_SECRET_GROUP */
} rssp_cfg_private;

/*
 * The rule for a secret file, on its owner, group and mode, for the user me.
 * Always allowed: owned by me, no group or other bits (0600, 0400).
 * With group_ok (relying-party material): also owned by root, readable by
 * its group only when that group is secret_gid (RSSP_SECRET_GROUP's id, or
 * (unsigned)-1 when there is no such group), never writable by the group,
 * nothing for others (0640, 0440, 0600, 0400).
 */
rssp_cfg_private rssp_cfg_private_verdict(unsigned owner, unsigned group, unsigned mode,
                                          unsigned me, unsigned secret_gid, bool group_ok);

/* Check that path is a private file by the rule above; what names the key ("key_file"). */
int rssp_cfg_check_private(const char *what, const char *path, bool group_ok, char *why,
                           size_t why_len);

/* Check that path names a regular file this process can open for reading. */
int rssp_cfg_check_readable(const char *what, const char *path, char *why, size_t why_len);

/*
 * Read a secret from a private file (rules of rssp_cfg_check_private) into
 * rssp_secret_* memory, one trailing "\n" or "\r\n" removed. Empty files and
 * files with NUL bytes are refused. *out is freed with rssp_secret_free.
 */
int rssp_cfg_read_secret(const char *what, const char *path, bool group_ok, char **out, char *why,
                         size_t why_len);

/* Write s single-quoted for a POSIX shell into out (truncated to cap). */
void rssp_cfg_shell_quote(const char *s, char *out, size_t cap);

#endif
