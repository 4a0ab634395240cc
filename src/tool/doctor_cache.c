#include "tool/doctor_cache.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool/tool.h"

#define WHAT "cache"

/* Do both lists name the same credentials (in any order)? */
static bool same_ids(const rssp_credential_list *a, const rssp_credential_list *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++) {
        bool found = false;
        for (size_t j = 0; j < b->count && !found; j++)
            found = a->items[i].credential_id != NULL && b->items[j].credential_id != NULL &&
                    strcmp(a->items[i].credential_id, b->items[j].credential_id) == 0;
        if (!found)
            return false;
    }
    return true;
}

static void check_file(doctor_report *r, const rssp_config *cfg, const char *path, const char *key,
                       const rssp_credential_list *live)
{
    char fix[PATH_MAX + 64];
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            doctor_line(r, DOCTOR_PASS, 0, WHAT, NULL,
                        "none yet; the module writes %s when it first lists the credentials", path);
        else
            doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_CONFIG, WHAT, NULL, "%s: %s", path,
                        strerror(errno));
        return;
    }
    rssp_credential_list cached = {0};
    rssp_status st;
    snprintf(fix, sizeof fix, "remove it (rm %s); the module writes a new one", path);
    if (rssp_credential_cache_read(path, key, LONG_MAX, &cached, &st) != RSSP_OK) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_CONFIG, WHAT, fix, "%s: %s", path, st.message);
        rssp_credential_list_clear(&cached);
        return;
    }
    long age = (long)(time(NULL) - sb.st_mtime);
    bool fresh = age < cfg->cache_ttl_s;
    if (fresh && live != NULL && !same_ids(&cached, live)) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_CONFIG, WHAT, fix,
                    "%s lists %zu credential(s), the service now %zu: programs show the old "
                    "list for another %ld min",
                    path, cached.count, live->count, (cfg->cache_ttl_s - age + 59) / 60);
    } else if (fresh) {
        doctor_line(r, DOCTOR_PASS, 0, WHAT, NULL,
                    "%s: %zu credential(s), written %ld min ago, used for another %ld min%s", path,
                    cached.count, age / 60, (cfg->cache_ttl_s - age + 59) / 60,
                    live != NULL ? "; the same as the service's" : "");
    } else {
        doctor_line(r, DOCTOR_PASS, 0, WHAT, NULL,
                    "%s: older than cache_ttl (%ld s); the module asks the service at its next "
                    "start",
                    path, cfg->cache_ttl_s);
    }
    rssp_credential_list_clear(&cached);
}

void doctor_check_cache(doctor_report *r, const rssp_config *cfg, const rssp_credential_list *live)
{
    char *path = NULL, *key = NULL;
    if (rssp_config_cache_location(cfg, &path, &key) != 0) {
        doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_INTERNAL, WHAT, NULL, "out of memory");
        return;
    }
    if (cfg->cache_ttl_s <= 0) {
        doctor_line(r, DOCTOR_PASS, 0, WHAT, NULL,
                    "off (cache_ttl = 0): programs ask the service for the list at every start");
    } else if (path == NULL) {
        doctor_line(r, DOCTOR_INFO, 0, WHAT, NULL, "no home folder: nothing is cached");
    } else {
        /* The folder holds account data: it must be private like the file. */
        char *dir = strdup(path);
        char *slash = dir != NULL ? strrchr(dir, '/') : NULL;
        struct stat sb;
        if (slash != NULL)
            *slash = '\0';
        if (dir != NULL && stat(dir, &sb) == 0 && (sb.st_mode & 077) != 0) {
            char fix[PATH_MAX + 32];
            snprintf(fix, sizeof fix, "chmod 700 %s", dir);
            doctor_line(r, DOCTOR_FAIL, TOOL_EXIT_CONFIG, WHAT, fix,
                        "the folder %s is open to others (mode %04o)", dir,
                        (unsigned)(sb.st_mode & 07777));
        } else {
            check_file(r, cfg, path, key, live);
        }
        free(dir);
    }
    free(path);
    free(key);
}
