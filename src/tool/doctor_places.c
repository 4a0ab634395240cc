#include "tool/doctor_places.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool/nss_moddb.h"
#include "tool/nss_targets.h"
#include "tool/paths.h"
#include "tool/tool.h"

#define WHAT_MODULE "module file"

/* One NSS database: 1 registered well, 0 not registered, -1 registered badly. */
static int check_db(doctor_report *r, nss_program p, const nss_target *t, const char *module,
                    const char *name)
{
    char what[512], err[1024], fix[256];
    nss_moddb_state st;
    snprintf(what, sizeof what, "%s", t->label);
    snprintf(fix, sizeof fix, "close %s, then run: rssp-tool register %s", nss_program_title(p),
             p == NSS_PROGRAM_FIREFOX       ? "firefox"
             : p == NSS_PROGRAM_THUNDERBIRD ? "thunderbird"
                                            : "chromium");
    if (nss_moddb_inspect(t->dir, module, name, &st, err, sizeof err) != 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_NSSDB, what, NULL, "%s", err);
        return -1;
    }
    struct stat sb;
    if (st.entries == 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_NSSDB, what, fix, "not registered (%s)", t->dir);
        return 0;
    }
    if (st.entries > 1) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_NSSDB, what, fix,
                    "registered %zu times: every token is listed %zu times", st.entries,
                    st.entries);
        return -1;
    }
    if (stat(st.library, &sb) != 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_NSSDB, what, fix,
                    "registered as %s, which does not exist", st.library);
        return -1;
    }
    if (!st.friendly) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_NSSDB, what, fix,
                    "registered as \"%s\" without public certificates: %s asks for a PIN for "
                    "every token before it shows its certificate chooser",
                    st.name, nss_program_title(p));
        return -1;
    }
    doctor_line(r, DOCTOR_PASS, 0, what, NULL, "registered as \"%s\" (%s), certificates public",
                st.name, st.library);
    return 1;
}

/* Every database of program p; counts the good registrations. */
static void check_program(doctor_report *r, nss_program p, const char *module, const char *name,
                          unsigned *registered)
{
    nss_target_list list;
    char err[1024];
    if (nss_targets_find(p, NULL, &list, err, sizeof err) != 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_NSSDB, nss_program_title(p), NULL, "%s", err);
        return;
    }
    size_t present = 0;
    for (size_t i = 0; i < list.count; i++) {
        if (!list.items[i].exists)
            continue;
        present++;
        if (check_db(r, p, &list.items[i], module, name) > 0)
            (*registered)++;
    }
    if (present == 0)
        doctor_line(r, DOCTOR_INFO, 0, nss_program_title(p), NULL,
                    "not set up for this user (no %s)",
                    p == NSS_PROGRAM_CHROMIUM ? "~/.pki/nssdb" : "profiles.ini");
    nss_target_list_clear(&list);
}

/* The value of "module:" in a p11-kit module file, or "" (p11-kit's format: "key: value"). */
static void p11kit_module_value(const char *file, char *out, size_t len)
{
    char line[PATH_MAX + 64];
    FILE *f = fopen(file, "r");
    out[0] = '\0';
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        char *p = line + strspn(line, " \t");
        if (strncmp(p, "module:", 7) != 0)
            continue;
        p += 7;
        p += strspn(p, " \t");
        p[strcspn(p, "\r\n")] = '\0';
        snprintf(out, len, "%s", p);
        break;
    }
    fclose(f);
}

static bool is_ours(const char *value, const char *module)
{
    const char *base = strrchr(value, '/');
    base = base != NULL ? base + 1 : value;
    return strcmp(value, module) == 0 || strcmp(base, "rssp-pkcs11.so") == 0;
}

static void check_p11kit(doctor_report *r, const char *module, unsigned *registered)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    char *home = tool_home_dir();
    char user_dir[PATH_MAX] = "";
    if (xdg != NULL && xdg[0] == '/')
        snprintf(user_dir, sizeof user_dir, "%s/pkcs11/modules", xdg);
    else if (home != NULL)
        snprintf(user_dir, sizeof user_dir, "%s/.config/pkcs11/modules", home);
    free(home);
    const char *dirs[] = {user_dir, "/etc/pkcs11/modules", "/usr/share/p11-kit/modules"};
    bool found = false;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        DIR *d = dirs[i][0] != '\0' ? opendir(dirs[i]) : NULL;
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            size_t n = strlen(e->d_name);
            if (n < 8 || strcmp(e->d_name + n - 7, ".module") != 0)
                continue;
            char file[PATH_MAX + 256], value[PATH_MAX];
            snprintf(file, sizeof file, "%s/%s", dirs[i], e->d_name);
            p11kit_module_value(file, value, sizeof value);
            if (value[0] == '\0' || !is_ours(value, module))
                continue;
            found = true;
            (*registered)++;
            doctor_line(r, DOCTOR_PASS, 0, "p11-kit", NULL, "%s (module: %s)", file, value);
        }
        if (d != NULL)
            closedir(d);
    }
    if (!found)
        doctor_line(r, DOCTOR_INFO, 0, "p11-kit", NULL,
                    "no module file names rssp-pkcs11.so: programs that load p11-kit-proxy.so "
                    "(GnuTLS, p11-kit list-modules) do not see the tokens");
}

void doctor_check_places(doctor_report *r, const char *module, const char *name)
{
    char err[1024];
    char *abs = tool_check_module(module, err, sizeof err);
    if (abs == NULL)
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_NSSDB, WHAT_MODULE,
                    "install rssp-pkcs11, or name the module with --module PATH", "%s", err);
    else
        doctor_line(r, DOCTOR_PASS, 0, WHAT_MODULE, NULL, "%s loads as a PKCS#11 module", abs);
    const char *path = abs != NULL ? abs : module;
    unsigned registered = 0;
    check_program(r, NSS_PROGRAM_FIREFOX, path, name, &registered);
    check_program(r, NSS_PROGRAM_THUNDERBIRD, path, name, &registered);
    check_program(r, NSS_PROGRAM_CHROMIUM, path, name, &registered);
    check_p11kit(r, path, &registered);
    if (registered == 0)
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_NSSDB, "registered",
                    "close the program, then: rssp-tool register firefox (or thunderbird, "
                    "chromium, nss-db DIR); see docs/install.md",
                    "nowhere: no program loads the module");
    free(abs);
}
