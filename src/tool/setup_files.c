#include "tool/setup_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

/* Keys whose value is a path; the secret ones are copied private. */
static const struct {
    const char *key;
    bool secret;
} path_keys[] = {
    {"ca_file", false},          {"password_file", true},   {"key_file", true},
    {"key_password_file", true}, {"api_secret_file", true},
};

/* Account keys setup writes itself; a provider file must not set them. */
static const char *const own_account_keys[] = {"username", "password", "password_file",
                                               "password_keyring"};

typedef struct {
    setup_provider *p;
    char *why;
    size_t why_len;
    bool failed;
} read_ctx;

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    read_ctx *c = user;
    if (c->failed)
        return 1;
    if (strcmp(section, "service") != 0 && strcmp(section, "relying_party") != 0 &&
        strcmp(section, "account") != 0 && strcmp(section, "module") != 0) {
        snprintf(c->why, c->why_len, "unknown section [%.31s]", section);
        c->failed = true;
        return 1;
    }
    for (size_t i = 0; strcmp(section, "account") == 0 &&
                       i < sizeof own_account_keys / sizeof own_account_keys[0];
         i++) {
        if (strcmp(key, own_account_keys[i]) == 0) {
            snprintf(c->why, c->why_len,
                     "[account] %s belongs to each user, not to a provider file", key);
            c->failed = true;
            return 1;
        }
    }
    if (strlen(section) >= sizeof c->p->entries[0].section ||
        strlen(key) >= sizeof c->p->entries[0].key ||
        strlen(value) >= sizeof c->p->entries[0].value) {
        snprintf(c->why, c->why_len, "[%.31s] %.63s is too long", section, key);
        c->failed = true;
        return 1;
    }
    setup_entry *grown = realloc(c->p->entries, (c->p->count + 1) * sizeof *grown);
    if (grown == NULL) {
        snprintf(c->why, c->why_len, "out of memory");
        c->failed = true;
        return 1;
    }
    c->p->entries = grown;
    setup_entry *e = &grown[c->p->count++];
    snprintf(e->section, sizeof e->section, "%s", section);
    snprintf(e->key, sizeof e->key, "%s", key);
    snprintf(e->value, sizeof e->value, "%s", value);
    return 1;
}

int setup_provider_read(const char *path, setup_provider *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    read_ctx c = {out, why, why_len, false};
    int rc = ini_parse(path, on_entry, &c);
    if (rc < 0) {
        snprintf(why, why_len, "cannot read provider file '%s': %s", path, strerror(errno));
    } else if (rc > 0) {
        snprintf(why, why_len, "%s:%d: syntax error (expected [section] or key = value)", path, rc);
    } else if (c.failed) {
        char inner[600];
        snprintf(inner, sizeof inner, "%s", why);
        snprintf(why, why_len, "provider file '%s': %s", path, inner);
    } else {
        const char *slash = strrchr(path, '/');
        out->dir = slash == NULL ? strdup(".") : strndup(path, (size_t)(slash - path));
        if (out->dir != NULL)
            return 0;
        snprintf(why, why_len, "out of memory");
    }
    setup_provider_clear(out);
    return -1;
}

void setup_provider_clear(setup_provider *p)
{
    free(p->entries);
    free(p->dir);
    memset(p, 0, sizeof *p);
}

int setup_mkdirs(const char *path, unsigned mode)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
            return -1;
        *p = saved;
        if (saved == '\0')
            return 0;
    }
}

int setup_write_file(const char *path, const void *data, size_t len, unsigned mode, char *why,
                     size_t why_len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(why, why_len, "cannot create a file beside '%s': %s", path, strerror(errno));
        return -1;
    }
    const char *p = data;
    size_t left = len;
    bool ok = fchmod(fd, (mode_t)mode) == 0;
    while (ok && left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok) {
            p += n;
            left -= (size_t)n;
        }
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(why, why_len, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Copy src to dst with mode (through setup_write_file); at most 1 MiB. */
static int copy_file(const char *src, const char *dst, unsigned mode, char *why, size_t why_len)
{
    FILE *in = fopen(src, "rb");
    if (in == NULL) {
        snprintf(why, why_len, "cannot read '%s': %s", src, strerror(errno));
        return -1;
    }
    size_t cap = (size_t)1024 * 1024;
    char *buf = malloc(cap);
    size_t len = buf != NULL ? fread(buf, 1, cap, in) : 0;
    bool too_big = buf != NULL && len == cap;
    bool err = ferror(in) != 0;
    fclose(in);
    int rc = -1;
    if (buf == NULL)
        snprintf(why, why_len, "out of memory");
    else if (err || too_big)
        snprintf(why, why_len, "cannot copy '%s': %s", src,
                 too_big ? "larger than 1 MiB" : "read error");
    else
        rc = setup_write_file(dst, buf, len, mode, why, why_len);
    if (buf != NULL) {
        memset(buf, 0, len); /* may be a secret */
        free(buf);
    }
    return rc;
}

int setup_provider_copy_files(const setup_provider *p, const char *dir, char *why, size_t why_len)
{
    for (size_t i = 0; i < p->count; i++) {
        const setup_entry *e = &p->entries[i];
        for (size_t k = 0; k < sizeof path_keys / sizeof path_keys[0]; k++) {
            if (strcmp(e->key, path_keys[k].key) != 0 || e->value[0] == '/' || e->value[0] == '\0')
                continue;
            if (strstr(e->value, "..") != NULL) {
                snprintf(why, why_len,
                         "[%s] %s: a relative path must stay in the provider's folder", e->section,
                         e->key);
                return -1;
            }
            char src[4200], dst[4200];
            snprintf(src, sizeof src, "%s/%s", p->dir, e->value);
            snprintf(dst, sizeof dst, "%s/%s", dir, e->value);
            char *slash = strrchr(dst, '/');
            *slash = '\0';
            if (setup_mkdirs(dst, 0700) != 0) {
                snprintf(why, why_len, "cannot create '%s': %s", dst, strerror(errno));
                return -1;
            }
            *slash = '/';
            if (copy_file(src, dst, path_keys[k].secret ? 0600 : 0644, why, why_len) != 0)
                return -1;
        }
    }
    return 0;
}

void setup_provider_write(const setup_provider *p, const char *skip_section, FILE *out)
{
    static const char *const order[] = {"service", "relying_party", "account", "module"};
    for (size_t s = 0; s < sizeof order / sizeof order[0]; s++) {
        if (skip_section != NULL && strcmp(order[s], skip_section) == 0)
            continue;
        bool header = false;
        for (size_t i = 0; i < p->count; i++) {
            if (strcmp(p->entries[i].section, order[s]) != 0)
                continue;
            if (!header)
                fprintf(out, "[%s]\n", order[s]);
            header = true;
            fprintf(out, "%s = %s\n", p->entries[i].key, p->entries[i].value);
        }
        if (header)
            fputc('\n', out);
    }
}
