/*
 * The file rules of config_file.h on Windows, from the file's owner and
 * access list instead of POSIX modes (docs/windows.md):
 *  - a configuration file belongs to the user, SYSTEM or Administrators, and
 *    no other account may change it;
 *  - a secret file belongs to the user and no other account may read or
 *    change it. The POSIX group rule for shared relying-party secrets has no
 *    counterpart here: on Windows they are private to the user too.
 * SYSTEM and the Administrators group are left out of "other accounts":
 * they can read every file anyway.
 */
#include "common/platform_win32.h"
#include "config/config_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/secmem.h"

static HANDLE open_checked(const char *what, const char *path, rssp_win32_acl *acl, char *why,
                           size_t why_len)
{
    char inner[512];
    HANDLE h = rssp_win32_open_regular(path, inner, sizeof inner);
    if (h == INVALID_HANDLE_VALUE) {
        snprintf(why, why_len, "%s: %s", what, inner);
        return h;
    }
    if (rssp_win32_acl_of(h, path, acl, inner, sizeof inner) != 0) {
        snprintf(why, why_len, "%s: %s", what, inner);
        CloseHandle(h);
        return INVALID_HANDLE_VALUE;
    }
    return h;
}

static int private_verdict(const char *what, const char *path, const rssp_win32_acl *acl, char *why,
                           size_t why_len)
{
    if (!acl->owner_is_user) {
        snprintf(why, why_len, "%s '%s' must belong to you (its owner is another account)", what,
                 path);
        return -1;
    }
    if (acl->others_read || acl->others_write) {
        char rest[1024];
        snprintf(rest, sizeof rest, RSSP_WIN32_NOT_PRIVATE, path);
        snprintf(why, why_len, "%s '%s' %s", what, path, rest);
        return -1;
    }
    return 0;
}

int rssp_cfg_check_private(const char *what, const char *path, bool group_ok, char *why,
                           size_t why_len)
{
    (void)group_ok; /* no shared-group rule on Windows */
    rssp_win32_acl acl;
    HANDLE h = open_checked(what, path, &acl, why, why_len);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    int rc = private_verdict(what, path, &acl, why, why_len);
    CloseHandle(h);
    return rc;
}

int rssp_cfg_check_readable(const char *what, const char *path, char *why, size_t why_len)
{
    char inner[512];
    HANDLE h = rssp_win32_open_regular(path, inner, sizeof inner);
    if (h == INVALID_HANDLE_VALUE) {
        snprintf(why, why_len, "%s: %s", what, inner);
        return -1;
    }
    CloseHandle(h);
    return 0;
}

int rssp_cfg_read_secret(const char *what, const char *path, bool group_ok, char **out, char *why,
                         size_t why_len)
{
    (void)group_ok;
    *out = NULL;
    rssp_win32_acl acl;
    HANDLE h = open_checked(what, path, &acl, why, why_len);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    char *buf = NULL;
    size_t len = 0;
    int rc = -1;
    if (private_verdict(what, path, &acl, why, why_len) != 0)
        goto out;
    int got = rssp_win32_read_all(h, RSSP_CFG_MAX_SECRET_BYTES, &buf, &len);
    if (got == -2) {
        snprintf(why, why_len, "%s '%s' is larger than %d bytes", what, path,
                 RSSP_CFG_MAX_SECRET_BYTES);
        goto out;
    }
    if (got != 0) {
        snprintf(why, why_len, "cannot read %s '%s'", what, path);
        goto out;
    }
    size_t used = len;
    if (used > 0 && buf[used - 1] == '\n') {
        used--;
        if (used > 0 && buf[used - 1] == '\r')
            used--;
    }
    if (used == 0) {
        snprintf(why, why_len, "%s '%s' is empty", what, path);
        goto out;
    }
    if (memchr(buf, '\0', used) != NULL) {
        snprintf(why, why_len, "%s '%s' contains a NUL byte", what, path);
        goto out;
    }
    if ((*out = rssp_secret_dup(buf, used)) == NULL) {
        snprintf(why, why_len, "out of memory reading %s", what);
        goto out;
    }
    rc = 0;
out:
    if (buf != NULL) {
        OPENSSL_cleanse(buf, len);
        free(buf);
    }
    CloseHandle(h);
    return rc;
}

int rssp_cfg_read_config(const char *path, rssp_cfg_text *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    rssp_win32_acl acl;
    HANDLE h = open_checked("configuration file", path, &acl, why, why_len);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    int rc = -1;
    if (!acl.owner_is_user && !acl.owner_is_admin) {
        snprintf(why, why_len,
                 "configuration file '%s' must belong to you or to the Administrators", path);
        goto out;
    }
    if (acl.others_write) {
        snprintf(why, why_len,
                 "configuration file '%s' may be changed by other accounts (remove their "
                 "write permission in Properties > Security)",
                 path);
        goto out;
    }
    int got = rssp_win32_read_all(h, RSSP_CFG_MAX_CONFIG_BYTES, &out->data, &out->len);
    if (got == -2) {
        snprintf(why, why_len, "configuration file '%s' is larger than %d bytes", path,
                 RSSP_CFG_MAX_CONFIG_BYTES);
        goto out;
    }
    if (got != 0) {
        snprintf(why, why_len, "cannot read configuration file '%s'", path);
        goto out;
    }
    if (memchr(out->data, '\0', out->len) != NULL) {
        snprintf(why, why_len, "configuration file '%s' contains a NUL byte", path);
        goto out;
    }
    out->private_to_user = acl.owner_is_user && !acl.others_read && !acl.others_write;
    out->mode = out->private_to_user ? 0600 : 0644; /* for messages only */
    rc = 0;
out:
    CloseHandle(h);
    if (rc != 0)
        rssp_cfg_text_clear(out);
    return rc;
}
