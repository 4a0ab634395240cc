#include "tool/paths.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *tool_home_dir(void)
{
    const char *home = getenv("HOME");
    if (home != NULL && home[0] == '/')
        return strdup(home);
    struct passwd pw;
    struct passwd *found = NULL;
    char buf[16384];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found != NULL &&
        pw.pw_dir != NULL && pw.pw_dir[0] == '/')
        return strdup(pw.pw_dir);
    return NULL;
}

char *tool_path_join(const char *a, const char *b)
{
    size_t len = strlen(a) + 1 + strlen(b) + 1;
    char *path = malloc(len);
    if (path != NULL)
        snprintf(path, len, "%s/%s", a, b);
    return path;
}

#define MODULE_SUBPATH "pkcs11/rssp-pkcs11.so"

char *tool_default_module_path(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0'; /* exe is now the tool's folder */
            size_t len = strlen(exe), bin_len = strlen(RSSP_INSTALL_BINDIR);
            if (len > bin_len && exe[len - bin_len - 1] == '/' &&
                strcmp(exe + len - bin_len, RSSP_INSTALL_BINDIR) == 0) {
                exe[len - bin_len - 1] = '\0'; /* the prefix */
                char *path = NULL;
                char *libdir = tool_path_join(exe[0] != '\0' ? exe : "", RSSP_INSTALL_LIBDIR);
                if (libdir != NULL)
                    path = tool_path_join(libdir, MODULE_SUBPATH);
                free(libdir);
                return path;
            }
        }
    }
    return tool_path_join(RSSP_INSTALL_FULL_LIBDIR, MODULE_SUBPATH);
}

char *tool_check_module(const char *path, char *err, size_t err_len)
{
    char *abs = NULL;
    if (path[0] == '/') {
        abs = strdup(path);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) == NULL) {
            snprintf(err, err_len, "cannot find the working folder: %s", strerror(errno));
            return NULL;
        }
        abs = tool_path_join(cwd, path);
    }
    if (abs == NULL) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    struct stat sb;
    if (stat(abs, &sb) != 0) {
        snprintf(err, err_len, "no module at %s: %s", abs, strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        snprintf(err, err_len, "%s is not a regular file", abs);
    } else {
        void *lib = dlopen(abs, RTLD_NOW | RTLD_LOCAL);
        if (lib == NULL) {
            const char *why = dlerror();
            snprintf(err, err_len, "%s does not load: %s", abs,
                     why != NULL ? why : "dlopen failed");
        } else {
            bool ok = dlsym(lib, "C_GetFunctionList") != NULL;
            dlclose(lib);
            if (ok)
                return abs;
            snprintf(err, err_len, "%s is not a PKCS#11 module (no C_GetFunctionList)", abs);
        }
    }
    free(abs);
    return NULL;
}
