/* The file rules of config_file.h on POSIX: owners, groups and modes. */
#include "config/config_file.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/secmem.h"

/* Room for a quoted path: every byte may become four ('\''), plus quotes. */
#define QUOTED_PATH_CAP 4200

#define GROUP_HINT                                                                                 \
    " (relying-party secrets are shared with the members of group " RSSP_SECRET_GROUP              \
    ": ask your administrator to add you)"

/*
 * Open path without blocking on a FIFO or taking a terminal, and return the
 * descriptor with its status (checks then apply to what was opened).
 */
static int open_and_stat(const char *what, const char *path, bool group_hint, struct stat *sb,
                         char *why, size_t why_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        snprintf(why, why_len, "cannot open %s '%s': %s%s", what, path, strerror(e),
                 e == EACCES && group_hint ? GROUP_HINT : "");
        return -1;
    }
    if (fstat(fd, sb) != 0) {
        snprintf(why, why_len, "cannot read the status of %s '%s': %s", what, path,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(sb->st_mode)) {
        snprintf(why, why_len, "%s '%s' is not a regular file", what, path);
        close(fd);
        return -1;
    }
    return fd;
}

rssp_cfg_private rssp_cfg_private_verdict(unsigned owner, unsigned group, unsigned mode,
                                          unsigned me, unsigned secret_gid, bool group_ok)
{
    if (owner == me && (mode & 077) == 0)
        return RSSP_CFG_PRIVATE_OK;
    if (!group_ok || owner != 0)
        return owner == me ? RSSP_CFG_PRIVATE_MODE : RSSP_CFG_PRIVATE_OWNER;
    /* Root's file: the group may read (not write), others nothing. */
    if ((mode & 037) != 0)
        return RSSP_CFG_PRIVATE_MODE;
    if ((mode & 040) != 0 && (secret_gid == (gid_t)-1 || group != secret_gid))
        return RSSP_CFG_PRIVATE_GROUP;
    return RSSP_CFG_PRIVATE_OK;
}

/* The gid of RSSP_SECRET_GROUP, or (gid_t)-1 if there is no such group. */
static gid_t secret_group_id(void)
{
    char buf[4096];
    struct group gr;
    struct group *found = NULL;
    if (getgrnam_r(RSSP_SECRET_GROUP, &gr, buf, sizeof buf, &found) != 0 || found == NULL)
        return (gid_t)-1;
    return gr.gr_gid;
}

/* The private-file rule on an open file; fd stays open either way. */
static int check_private_stat(const char *what, const char *path, const struct stat *sb,
                              bool group_ok, char *why, size_t why_len)
{
    static const char rule[] =
        "is not private: it must be a regular file owned by you with no group or other "
        "permissions";
    char quoted[QUOTED_PATH_CAP];
    uid_t me = geteuid();
    /* Look the group up only when the rule needs it (it may ask NSS). */
    bool need_group = group_ok && sb->st_uid == 0 && (sb->st_mode & 040) != 0;
    gid_t secret_gid = need_group ? secret_group_id() : (gid_t)-1;

    rssp_cfg_private v =
        rssp_cfg_private_verdict(sb->st_uid, sb->st_gid, sb->st_mode, me, secret_gid, group_ok);
    if (v == RSSP_CFG_PRIVATE_OK)
        return 0;
    rssp_cfg_shell_quote(path, quoted, sizeof quoted);
    int n = 0;
    switch (v) {
    case RSSP_CFG_PRIVATE_OWNER:
        n = snprintf(why, why_len,
                     "%s '%s' %s (it is owned by uid %u, you are uid %u); run: chown %u %s && "
                     "chmod 600 %s",
                     what, path, rule, (unsigned)sb->st_uid, (unsigned)me, (unsigned)me, quoted,
                     quoted);
        break;
    case RSSP_CFG_PRIVATE_GROUP:
        n = snprintf(why, why_len, "%s '%s' %s (it is readable by group %u, not %s%s)", what, path,
                     rule, (unsigned)sb->st_gid, RSSP_SECRET_GROUP,
                     secret_gid == (gid_t)-1 ? ", which does not exist" : "");
        break;
    default:
        n = snprintf(why, why_len, "%s '%s' %s (its mode is %04o); run: chmod 600 %s", what, path,
                     rule, (unsigned)(sb->st_mode & 07777), quoted);
        break;
    }
    /* Relying-party material shared by the organisation: the other way to get it right. */
    if (group_ok && n > 0 && (size_t)n < why_len)
        snprintf(why + n, why_len - (size_t)n,
                 "; a relying-party secret may instead be owned by root and readable by group "
                 "%s only (as root: chown root:%s %s && chmod 640 %s)",
                 RSSP_SECRET_GROUP, RSSP_SECRET_GROUP, quoted, quoted);
    return -1;
}

int rssp_cfg_check_private(const char *what, const char *path, bool group_ok, char *why,
                           size_t why_len)
{
    struct stat sb;
    int fd = open_and_stat(what, path, group_ok, &sb, why, why_len);
    if (fd < 0)
        return -1;
    int rc = check_private_stat(what, path, &sb, group_ok, why, why_len);
    close(fd);
    return rc;
}

int rssp_cfg_check_readable(const char *what, const char *path, char *why, size_t why_len)
{
    struct stat sb;
    int fd = open_and_stat(what, path, false, &sb, why, why_len);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* Read at most cap bytes of fd into buf; -1 on a read error, -2 if longer than cap. */
static ssize_t read_all(int fd, unsigned char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            unsigned char probe;
            ssize_t r = read(fd, &probe, 1);
            if (r < 0 && errno == EINTR)
                continue;
            return r == 0 ? (ssize_t)n : r < 0 ? -1 : -2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return (ssize_t)n;
        n += (size_t)r;
    }
}

int rssp_cfg_read_secret(const char *what, const char *path, bool group_ok, char **out, char *why,
                         size_t why_len)
{
    unsigned char buf[RSSP_CFG_MAX_SECRET_BYTES];
    struct stat sb;
    int rc = -1;
    ssize_t got = -1;

    *out = NULL;
    int fd = open_and_stat(what, path, group_ok, &sb, why, why_len);
    if (fd < 0)
        return -1;
    if (check_private_stat(what, path, &sb, group_ok, why, why_len) != 0)
        goto out;
    got = read_all(fd, buf, sizeof buf);
    if (got == -1) {
        snprintf(why, why_len, "cannot read %s '%s': %s", what, path, strerror(errno));
        goto out;
    }
    if (got == -2) {
        snprintf(why, why_len, "%s '%s' is larger than %d bytes", what, path,
                 RSSP_CFG_MAX_SECRET_BYTES);
        goto out;
    }
    size_t len = (size_t)got;
    if (len > 0 && buf[len - 1] == '\n') {
        len--;
        if (len > 0 && buf[len - 1] == '\r')
            len--;
    }
    if (len == 0) {
        snprintf(why, why_len, "%s '%s' is empty", what, path);
        goto out;
    }
    if (memchr(buf, '\0', len) != NULL) {
        snprintf(why, why_len, "%s '%s' contains a NUL byte", what, path);
        goto out;
    }
    *out = rssp_secret_dup(buf, len);
    if (*out == NULL) {
        snprintf(why, why_len, "out of memory reading %s", what);
        goto out;
    }
    rc = 0;
out:
    OPENSSL_cleanse(buf, sizeof buf); /* also after a partial read */
    close(fd);
    return rc;
}

int rssp_cfg_read_config(const char *path, rssp_cfg_text *out, char *why, size_t why_len)
{
    char quoted[QUOTED_PATH_CAP];
    struct stat sb;
    int rc = -1;
    ssize_t got = 0;

    memset(out, 0, sizeof *out);
    int fd = open_and_stat("configuration file", path, false, &sb, why, why_len);
    if (fd < 0)
        return -1;
    uid_t me = geteuid();
    if (sb.st_uid != me && sb.st_uid != 0) {
        snprintf(why, why_len,
                 "configuration file '%s' is owned by uid %u; it must be owned by you (uid %u) "
                 "or root",
                 path, (unsigned)sb.st_uid, (unsigned)me);
        goto out;
    }
    if ((sb.st_mode & 022) != 0) {
        rssp_cfg_shell_quote(path, quoted, sizeof quoted);
        snprintf(why, why_len,
                 "configuration file '%s' is writable by group or others (its mode is %04o); "
                 "run: chmod go-w %s",
                 path, (unsigned)(sb.st_mode & 07777), quoted);
        goto out;
    }
    if (sb.st_size > RSSP_CFG_MAX_CONFIG_BYTES) {
        snprintf(why, why_len, "configuration file '%s' is larger than %d bytes", path,
                 RSSP_CFG_MAX_CONFIG_BYTES);
        goto out;
    }
    size_t cap = (size_t)sb.st_size;
    out->data = malloc(cap + 1);
    if (out->data == NULL) {
        snprintf(why, why_len, "out of memory reading '%s'", path);
        goto out;
    }
    out->len = cap; /* until the read is done, so that a failure wipes it all */
    got = read_all(fd, (unsigned char *)out->data, cap);
    if (got == -1) {
        snprintf(why, why_len, "cannot read configuration file '%s': %s", path, strerror(errno));
        goto out;
    }
    if (got == -2) {
        snprintf(why, why_len, "configuration file '%s' changed while being read", path);
        goto out;
    }
    out->len = (size_t)got;
    out->data[out->len] = '\0';
    if (memchr(out->data, '\0', out->len) != NULL) {
        snprintf(why, why_len, "configuration file '%s' contains a NUL byte", path);
        goto out;
    }
    out->private_to_user = sb.st_uid == me && (sb.st_mode & 077) == 0;
    out->mode = (unsigned)(sb.st_mode & 07777);
    rc = 0;
out:
    close(fd);
    if (rc != 0)
        rssp_cfg_text_clear(out);
    return rc;
}
