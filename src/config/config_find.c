/* rssp_config_locate: which files make the configuration (config.h). */
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

char *rssp_config_user_path(void)
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

const char *rssp_config_system_path(void)
{
    const char *env = getenv("RSSP_PKCS11_SYSTEM_CONF");
    return env != NULL && env[0] != '\0' ? env : SYSTEM_CONFIG;
}

void rssp_config_files_clear(rssp_config_files *files)
{
    free(files->file);
    free(files->system);
    free(files->user);
    free(files->user_wanted);
    memset(files, 0, sizeof *files);
}

/* Keep a copy of path in *slot; false when out of memory. */
static bool keep(char **slot, const char *path)
{
    *slot = strdup(path);
    return *slot != NULL;
}

int rssp_config_locate(const char *init_reserved, rssp_config_files *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (err_len > 0)
        err[0] = '\0';

    /* A file named explicitly must exist: falling back would use another account. */
    const char *env = getenv("RSSP_PKCS11_CONF");
    if (env != NULL && env[0] != '\0') {
        if (!exists(env)) {
            snprintf(err, err_len, "RSSP_PKCS11_CONF names '%s', which does not exist", env);
            return -1;
        }
        return keep(&out->file, env) ? 0 : -1;
    }
    if (init_reserved != NULL && init_reserved[0] != '\0') {
        if (!exists(init_reserved)) {
            snprintf(err, err_len,
                     "the module's initialisation parameter (pReserved) names '%s', which does "
                     "not exist",
                     init_reserved);
            return -1;
        }
        return keep(&out->file, init_reserved) ? 0 : -1;
    }
    const char *system = rssp_config_system_path();
    out->user_wanted = rssp_config_user_path();
    if ((exists(system) && !keep(&out->system, system)) ||
        (out->user_wanted != NULL && exists(out->user_wanted) &&
         !keep(&out->user, out->user_wanted))) {
        snprintf(err, err_len, "out of memory");
        rssp_config_files_clear(out);
        return -1;
    }
    if (out->system != NULL || out->user != NULL)
        return 0;
    snprintf(err, err_len,
             "no configuration file: looked for %s and %s (run 'rssp-tool setup', or set "
             "RSSP_PKCS11_CONF to name one)",
             out->user_wanted != NULL ? out->user_wanted
                                      : "~/.config/" USER_CONFIG " (no home folder found)",
             system);
    rssp_config_files_clear(out);
    return -1;
}
