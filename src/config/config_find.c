/* rssp_config_locate: which files make the configuration (config.h). */
#include "config/config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/platform.h"

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

char *rssp_config_user_path(void)
{
    char *base = rssp_user_config_dir();
    if (base == NULL)
        return NULL;
    size_t len = strlen(base) + 1 + strlen(USER_CONFIG) + 1;
    char *path = malloc(len);
    if (path != NULL)
        snprintf(path, len, "%s/%s", base, USER_CONFIG);
    free(base);
    return path;
}

/* Computed once and kept for the life of the process, like an environment value. */
static char *system_file;
static pthread_once_t system_file_once = PTHREAD_ONCE_INIT;

static void find_system_file(void)
{
    system_file = rssp_system_config_file();
}

const char *rssp_config_system_path(void)
{
    const char *env = getenv("RSSP_PKCS11_SYSTEM_CONF");
    if (env != NULL && env[0] != '\0')
        return env;
    pthread_once(&system_file_once, find_system_file);
    return system_file != NULL ? system_file : "";
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
                                      : "the user's configuration folder (none found)",
             system);
    rssp_config_files_clear(out);
    return -1;
}
