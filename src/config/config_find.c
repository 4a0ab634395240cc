/* rssp_config_find: where the configuration file is looked for (config.h). */
#include "config/config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_CONFIG "/etc/rssp-pkcs11.conf"
#define USER_CONFIG "rssp-pkcs11/rssp-pkcs11.conf"

/*
 * True when something is at path. Errors other than "no such file" count as
 * found, so that loading it reports the real problem (e.g. permission denied)
 * instead of silently falling back to another file.
 */
static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

/* The home folder: $HOME if absolute, else the password database. */
static char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home != NULL && home[0] == '/')
        return strdup(home);

    long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t size = hint > 0 ? (size_t)hint : 16384;
    char *result = NULL;
    for (;;) {
        char *buf = malloc(size);
        if (buf == NULL)
            return NULL;
        struct passwd pw;
        struct passwd *found = NULL;
        int rc = getpwuid_r(geteuid(), &pw, buf, size, &found);
        if (rc == 0 && found != NULL && pw.pw_dir != NULL && pw.pw_dir[0] == '/')
            result = strdup(pw.pw_dir);
        free(buf);
        if (rc != ERANGE || size > 1024 * 1024)
            return result;
        size *= 2;
    }
}

/* ~/.config/rssp-pkcs11/rssp-pkcs11.conf, with $XDG_CONFIG_HOME honoured. */
static char *user_config_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    char *base = NULL;
    const char *sub = "";
    /* The XDG base directory spec says to ignore relative values. */
    if (xdg != NULL && xdg[0] == '/') {
        base = strdup(xdg);
    } else {
        base = home_dir();
        sub = "/.config";
    }
    if (base == NULL)
        return NULL;
    size_t len = strlen(base) + strlen(sub) + 1 + strlen(USER_CONFIG) + 1;
    char *path = malloc(len);
    if (path != NULL)
        snprintf(path, len, "%s%s/%s", base, sub, USER_CONFIG);
    free(base);
    return path;
}

char *rssp_config_find(const char *init_reserved, char *err, size_t err_len)
{
    if (err_len > 0)
        err[0] = '\0';

    /* A file named explicitly must exist: falling back would use another account. */
    const char *env = getenv("RSSP_PKCS11_CONF");
    if (env != NULL && env[0] != '\0') {
        if (exists(env))
            return strdup(env);
        snprintf(err, err_len, "RSSP_PKCS11_CONF names '%s', which does not exist", env);
        return NULL;
    }
    if (init_reserved != NULL && init_reserved[0] != '\0') {
        if (exists(init_reserved))
            return strdup(init_reserved);
        snprintf(err, err_len,
                 "the module's initialisation parameter (pReserved) names '%s', which does not "
                 "exist",
                 init_reserved);
        return NULL;
    }
    char *user = user_config_path();
    if (user != NULL && exists(user))
        return user;
    if (exists(SYSTEM_CONFIG)) {
        free(user);
        return strdup(SYSTEM_CONFIG);
    }
    snprintf(err, err_len,
             "no configuration file: looked for %s and %s (set RSSP_PKCS11_CONF to name one)",
             user != NULL ? user : "~/.config/" USER_CONFIG " (no home folder found)",
             SYSTEM_CONFIG);
    free(user);
    return NULL;
}
