#include "tool/nss_targets.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "tool/paths.h"

static const struct {
    const char *word;
    const char *title;
    const char *home_sub; /* Mozilla programs: the folder of profiles.ini */
} programs[] = {
    [NSS_PROGRAM_FIREFOX] = {"firefox", "Firefox", ".mozilla/firefox"},
    [NSS_PROGRAM_THUNDERBIRD] = {"thunderbird", "Thunderbird", ".thunderbird"},
    [NSS_PROGRAM_CHROMIUM] = {"chromium", "Chromium", ".pki/nssdb"},
    [NSS_PROGRAM_DIR] = {"nss-db", "NSS database", NULL},
};

int nss_program_parse(const char *word, nss_program *out)
{
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        if (strcmp(programs[i].word, word) == 0) {
            *out = (nss_program)i;
            return 0;
        }
    }
    return -1;
}

const char *nss_program_title(nss_program p)
{
    return programs[p].title;
}

void nss_target_list_clear(nss_target_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].dir);
        free(list->items[i].label);
    }
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Takes dir and label (both malloc'ed, may be NULL after a failed allocation). */
static int add_target(nss_target_list *list, char *dir, char *label)
{
    nss_target *grown = realloc(list->items, (list->count + 1) * sizeof *grown);
    if (dir == NULL || label == NULL || grown == NULL) {
        free(dir);
        free(label);
        if (grown != NULL)
            list->items = grown;
        return -1;
    }
    list->items = grown;
    list->items[list->count].dir = dir;
    list->items[list->count].label = label;
    list->items[list->count].exists = is_dir(dir);
    list->count++;
    return 0;
}

static char *label_for(nss_program p, const char *name)
{
    size_t len = strlen(programs[p].title) + strlen(name) + 16;
    char *label = malloc(len);
    if (label != NULL)
        snprintf(label, len, "%s profile '%s'", programs[p].title, name);
    return label;
}

/* One [ProfileN] section of profiles.ini while it is read. */
typedef struct {
    nss_program program;
    const char *ini_dir;
    nss_target_list *list;
    char section[64];
    char name[256];
    char path[PATH_MAX];
    bool relative;
    bool failed;
} ini_state;

static void flush_profile(ini_state *st)
{
    if (strncmp(st->section, "Profile", 7) == 0 && st->path[0] != '\0') {
        char *dir = st->relative || st->path[0] != '/' ? tool_path_join(st->ini_dir, st->path)
                                                       : strdup(st->path);
        const char *name = st->name[0] != '\0' ? st->name : st->path;
        if (add_target(st->list, dir, label_for(st->program, name)) != 0)
            st->failed = true;
    }
    st->section[0] = st->name[0] = st->path[0] = '\0';
    st->relative = true;
}

static int on_ini_value(void *user, const char *section, const char *key, const char *value)
{
    ini_state *st = user;
    if (strcmp(section, st->section) != 0) {
        flush_profile(st);
        snprintf(st->section, sizeof st->section, "%s", section);
    }
    if (strcmp(key, "Name") == 0)
        snprintf(st->name, sizeof st->name, "%s", value);
    else if (strcmp(key, "Path") == 0)
        snprintf(st->path, sizeof st->path, "%s", value);
    else if (strcmp(key, "IsRelative") == 0)
        st->relative = strcmp(value, "0") != 0;
    return 1;
}

static int find_mozilla_profiles(nss_program p, const char *home, nss_target_list *out, char *err,
                                 size_t err_len)
{
    char *ini_dir = tool_path_join(home, programs[p].home_sub);
    char *ini = ini_dir != NULL ? tool_path_join(ini_dir, "profiles.ini") : NULL;
    int rc = 0;
    if (ini == NULL) {
        snprintf(err, err_len, "out of memory");
        rc = -1;
    } else {
        ini_state st = {.program = p, .ini_dir = ini_dir, .list = out, .relative = true};
        FILE *f = fopen(ini, "r");
        if (f == NULL) {
            snprintf(err, err_len, "no %s profiles: cannot read %s (%s); start %s once to make one",
                     programs[p].title, ini, strerror(errno), programs[p].title);
        } else {
            int ini_rc = ini_parse_file(f, on_ini_value, &st);
            fclose(f);
            flush_profile(&st);
            if (ini_rc != 0 || st.failed) {
                snprintf(err, err_len, "%s: cannot read it (line %d)", ini, ini_rc);
                rc = -1;
            } else if (out->count == 0) {
                snprintf(err, err_len, "no %s profiles in %s", programs[p].title, ini);
            }
        }
    }
    free(ini);
    free(ini_dir);
    return rc;
}

int nss_targets_find(nss_program p, const char *dir, nss_target_list *out, char *err,
                     size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (err_len > 0)
        err[0] = '\0';
    if (p == NSS_PROGRAM_DIR) {
        char cwd[PATH_MAX];
        char *abs = NULL;
        if (dir[0] == '/')
            abs = strdup(dir);
        else if (getcwd(cwd, sizeof cwd) != NULL)
            abs = tool_path_join(cwd, dir);
        if (add_target(out, abs, strdup("NSS database")) != 0) {
            snprintf(err, err_len, "out of memory");
            return -1;
        }
        return 0;
    }
    char *home = tool_home_dir();
    if (home == NULL) {
        snprintf(err, err_len, "cannot find the home folder ($HOME)");
        return -1;
    }
    int rc = 0;
    if (p == NSS_PROGRAM_CHROMIUM) {
        char *db = tool_path_join(home, programs[p].home_sub);
        char *label = strdup("Chromium database");
        if (add_target(out, db, label) != 0) {
            snprintf(err, err_len, "out of memory");
            rc = -1;
        }
    } else {
        rc = find_mozilla_profiles(p, home, out, err, err_len);
    }
    free(home);
    if (rc != 0)
        nss_target_list_clear(out);
    return rc;
}

static bool pid_alive(long pid)
{
    if (pid <= 0 || pid > INT_MAX)
        return false;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* The number after the last sep in the target of the symbolic link path, or 0. */
static long link_pid(const char *path, char sep)
{
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    const char *p = strrchr(target, sep);
    if (p == NULL)
        return 0;
    char *end = NULL;
    long pid = strtol(p + 1, &end, 10);
    return end != p + 1 && *end == '\0' ? pid : 0;
}

/* The process holding an fcntl lock on path, or 0. */
static long fcntl_lock_holder(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    long pid = 0;
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
        pid = fl.l_pid > 0 ? (long)fl.l_pid : -1;
    close(fd);
    return pid;
}

static bool mozilla_in_use(const char *dir, char *why, size_t why_len)
{
    char *lock = tool_path_join(dir, "lock");
    char *parent = tool_path_join(dir, ".parentlock");
    bool busy = false;
    if (lock != NULL && parent != NULL) {
        long pid = fcntl_lock_holder(parent);
        if (pid != 0) {
            busy = true;
            if (pid > 0)
                snprintf(why, why_len, "%s is locked by process %ld", parent, pid);
            else
                snprintf(why, why_len, "%s is locked by another process", parent);
        } else if ((pid = link_pid(lock, '+')) != 0 && pid_alive(pid)) {
            busy = true;
            snprintf(why, why_len, "%s names the running process %ld", lock, pid);
        }
    }
    free(lock);
    free(parent);
    return busy;
}

/* Chromium and Google Chrome share ~/.pki/nssdb; SingletonLock is "HOST-PID". */
static bool chromium_in_use(char *why, size_t why_len)
{
    static const char *const browsers[] = {"chromium", "google-chrome"};
    const char *xdg = getenv("XDG_CONFIG_HOME");
    char *home = tool_home_dir();
    char *config = xdg != NULL && xdg[0] == '/' ? strdup(xdg)
                   : home != NULL               ? tool_path_join(home, ".config")
                                                : NULL;
    char host[256] = "";
    bool busy = false;
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    for (size_t i = 0; config != NULL && i < 2 && !busy; i++) {
        char *dir = tool_path_join(config, browsers[i]);
        char *lock = dir != NULL ? tool_path_join(dir, "SingletonLock") : NULL;
        char target[PATH_MAX];
        ssize_t n = lock != NULL ? readlink(lock, target, sizeof target - 1) : -1;
        if (n > 0) {
            target[n] = '\0';
            long pid = link_pid(lock, '-');
            size_t host_len = strlen(host);
            bool same_host = strncmp(target, host, host_len) == 0 && target[host_len] == '-';
            if (same_host && pid_alive(pid)) {
                busy = true;
                snprintf(why, why_len, "%s names the running process %ld", lock, pid);
            }
        }
        free(lock);
        free(dir);
    }
    free(config);
    free(home);
    return busy;
}

bool nss_target_in_use(nss_program p, const nss_target *t, char *why, size_t why_len)
{
    if (why_len > 0)
        why[0] = '\0';
    if (p == NSS_PROGRAM_CHROMIUM)
        return chromium_in_use(why, why_len);
    /* A folder given by hand may be a Firefox or Thunderbird profile too. */
    return mozilla_in_use(t->dir, why, why_len);
}
