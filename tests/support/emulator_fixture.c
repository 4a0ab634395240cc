#include "emulator_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#ifndef RSSP_EMULATOR_PATH
#error "RSSP_EMULATOR_PATH must be defined by the build"
#endif
#ifndef RSSP_EMULATOR_TEMPLATE_BASE
#error "RSSP_EMULATOR_TEMPLATE_BASE must be defined by the build"
#endif

#define STOP_WAIT_MS 10000

static const char *emulator_binary(void)
{
    const char *env = getenv("RSSP_EMULATOR");
    return env != NULL && env[0] != '\0' ? env : RSSP_EMULATOR_PATH;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char child[PATH_MAX];
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        if (remove_tree(child) != 0)
            rc = -1;
    }
    closedir(d);
    return rmdir(path) == 0 ? rc : -1;
}

/* Start argv with stdout and stderr appended to log; returns the pid or -1. */
static pid_t spawn(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* child: die with the test process, so no server outlives a crashed test */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(127);
    execv(argv[0], argv);
    _exit(127);
}

static void show_log(const char *log)
{
    FILE *f = fopen(log, "r");
    char line[512];
    if (f == NULL)
        return;
    fprintf(stderr, "--- %s ---\n", log);
    while (fgets(line, sizeof(line), f) != NULL)
        fputs(line, stderr);
    fclose(f);
}

static void template_path(char *out, size_t len)
{
    const char *env = getenv("RSSP_EMULATOR_TEMPLATE");
    struct stat st;
    if (env != NULL && env[0] != '\0') {
        snprintf(out, len, "%s", env);
        return;
    }
    /* Keyed by the binary, so a rebuilt emulator never reuses an older template. */
    if (stat(emulator_binary(), &st) == 0)
        snprintf(out, len, "%s-%lld-%lld", RSSP_EMULATOR_TEMPLATE_BASE, (long long)st.st_mtime,
                 (long long)st.st_size);
    else
        snprintf(out, len, "none");
}

static int run_init(const rssp_emu_options *opt, rssp_emu *emu)
{
    char tpl[PATH_MAX];
    template_path(tpl, sizeof(tpl));
    bool fresh = opt->fresh_init || strcmp(tpl, "none") == 0;
    char *argv[] = {
        (char *)emulator_binary(), "init", emu->dir, "--quiet", fresh ? NULL : "--template",
        fresh ? NULL : tpl,        NULL};
    pid_t pid = spawn(argv, emu->log_file);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "emulator fixture: `%s init %s` failed\n", argv[0], emu->dir);
        show_log(emu->log_file);
        return -1;
    }
    return 0;
}

static int read_url(rssp_emu *emu)
{
    char path[PATH_MAX + 8];
    snprintf(path, sizeof(path), "%s/url", emu->dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char *ok = fgets(emu->url, sizeof(emu->url), f);
    fclose(f);
    if (ok == NULL)
        return -1;
    emu->url[strcspn(emu->url, "\r\n")] = '\0';
    /* https://host:port/rssp/v1/ (or /csc/vN/) -> https://host:port/_emulator/ */
    char *api = strstr(emu->url, rssp_emu_protocol_rssp(emu) ? "/rssp/v1/" : "/csc/v");
    if (api == NULL)
        return -1;
    snprintf(emu->admin_url, sizeof(emu->admin_url), "%.*s/_emulator/", (int)(api - emu->url),
             emu->url);
    return 0;
}

static int start_server(const rssp_emu_options *opt, rssp_emu *emu)
{
    const char *argv[64];
    size_t n = 0;
    argv[n++] = emulator_binary();
    argv[n++] = "serve";
    argv[n++] = emu->dir;
    argv[n++] = "--port";
    argv[n++] = "0";
    if (!opt->no_admin)
        argv[n++] = "--admin";
    if (!rssp_emu_protocol_rssp(emu)) {
        argv[n++] = "--protocol";
        argv[n++] = emu->protocol;
    }
    for (size_t i = 0; opt->serve_args != NULL && opt->serve_args[i] != NULL; i++) {
        if (n + 1 >= sizeof(argv) / sizeof(argv[0])) {
            fprintf(stderr, "emulator fixture: too many serve arguments\n");
            return -1;
        }
        argv[n++] = opt->serve_args[i];
    }
    argv[n] = NULL;
    emu->url[0] = '\0';
    emu->pid = spawn((char *const *)argv, emu->log_file);
    if (emu->pid < 0) {
        emu->pid = 0;
        fprintf(stderr, "emulator fixture: fork: %s\n", strerror(errno));
        return -1;
    }
    double deadline = now_s() + (opt->start_timeout_s > 0 ? opt->start_timeout_s : 30.0);
    while (now_s() < deadline) {
        int status;
        if (waitpid(emu->pid, &status, WNOHANG) == emu->pid) {
            emu->pid = 0;
            fprintf(stderr, "emulator fixture: the server exited during start-up\n");
            show_log(emu->log_file);
            return -1;
        }
        if (read_url(emu) == 0)
            return 0;
        sleep_ms(10);
    }
    fprintf(stderr, "emulator fixture: no %s/url after the start timeout\n", emu->dir);
    show_log(emu->log_file);
    rssp_emu_stop_server(emu);
    return -1;
}

int rssp_emu_start(const rssp_emu_options *opt, rssp_emu *emu)
{
    static const rssp_emu_options defaults;
    const char *tmp = getenv("TMPDIR");
    if (opt == NULL)
        opt = &defaults;
    memset(emu, 0, sizeof(*emu));
    snprintf(emu->root, sizeof(emu->root), "%s/rssp-emu-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(emu->root) == NULL) {
        fprintf(stderr, "emulator fixture: mkdtemp %s: %s\n", emu->root, strerror(errno));
        return -1;
    }
    snprintf(emu->dir, sizeof(emu->dir), "%s/emu", emu->root);
    snprintf(emu->log_file, sizeof(emu->log_file), "%s/serve.log", emu->root);
    const char *protocol = getenv("RSSP_TEST_PROTOCOL");
    snprintf(emu->protocol, sizeof(emu->protocol), "%s",
             protocol != NULL && protocol[0] != '\0' ? protocol : "rssp");
    if (strcmp(emu->protocol, "rssp") != 0 && strcmp(emu->protocol, "csc-v1") != 0 &&
        strcmp(emu->protocol, "csc-v2") != 0) {
        fprintf(stderr, "emulator fixture: RSSP_TEST_PROTOCOL=%s is not rssp, csc-v1 or csc-v2\n",
                emu->protocol);
        remove_tree(emu->root);
        return -1;
    }
    rssp_emu_config(emu, "rssp-pkcs11.conf", emu->demo_config, sizeof(emu->demo_config));
    rssp_emu_path(emu, "fixture.json", emu->fixture_json, sizeof(emu->fixture_json));
    rssp_emu_path(emu, "ca.pem", emu->ca_file, sizeof(emu->ca_file));
    if (run_init(opt, emu) != 0 || start_server(opt, emu) != 0) {
        remove_tree(emu->root);
        memset(emu, 0, sizeof(*emu));
        return -1;
    }
    return 0;
}

int rssp_emu_stop_server(rssp_emu *emu)
{
    int status = 0, rc = -1;
    if (emu->pid <= 0)
        return -1;
    kill(emu->pid, SIGTERM);
    for (int waited = 0; waited < STOP_WAIT_MS; waited += 10) {
        pid_t r = waitpid(emu->pid, &status, WNOHANG);
        if (r == emu->pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            emu->pid = 0;
            return rc;
        }
        if (r < 0)
            break;
        sleep_ms(10);
    }
    fprintf(stderr, "emulator fixture: server %d ignored SIGTERM; killing it\n", (int)emu->pid);
    kill(emu->pid, SIGKILL);
    waitpid(emu->pid, &status, 0);
    emu->pid = 0;
    return -1;
}

int rssp_emu_stop(rssp_emu *emu)
{
    int rc = rssp_emu_stop_server(emu);
    if (emu->root[0] != '\0' && remove_tree(emu->root) != 0)
        fprintf(stderr, "emulator fixture: cannot remove %s\n", emu->root);
    memset(emu, 0, sizeof(*emu));
    return rc;
}

int rssp_emu_restart(rssp_emu *emu, const rssp_emu_options *opt)
{
    static const rssp_emu_options defaults;
    if (emu->pid > 0)
        rssp_emu_stop_server(emu);
    return start_server(opt != NULL ? opt : &defaults, emu);
}

void rssp_emu_path(const rssp_emu *emu, const char *rel, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s/%s", emu->dir, rel);
}

bool rssp_emu_protocol_rssp(const rssp_emu *emu)
{
    return emu->protocol[0] == '\0' || strcmp(emu->protocol, "rssp") == 0;
}

void rssp_emu_config(const rssp_emu *emu, const char *rel, char *out, size_t out_len)
{
    if (rssp_emu_protocol_rssp(emu))
        snprintf(out, out_len, "%s/%s", emu->dir, rel);
    else
        snprintf(out, out_len, "%s/%s/%s", emu->dir, emu->protocol, rel);
}

void rssp_emu_owner_config(const rssp_emu *emu, const char *username, char *out, size_t out_len)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "owners/%s.conf", username);
    rssp_emu_config(emu, rel, out, out_len);
}

typedef struct {
    char *data;
    size_t len;
} growbuf;

static size_t collect(char *ptr, size_t size, size_t n, void *ud)
{
    growbuf *b = ud;
    size_t add = size * n;
    char *d = realloc(b->data, b->len + add + 1);
    if (d == NULL)
        return 0;
    memcpy(d + b->len, ptr, add);
    b->len += add;
    d[b->len] = '\0';
    b->data = d;
    return add;
}

long rssp_emu_admin(const rssp_emu *emu, const char *http_method, const char *what,
                    const char *json_body, char **response)
{
    char url[512];
    growbuf body = {NULL, 0};
    long status = -1;
    struct curl_slist *headers = NULL;
    CURL *c = curl_easy_init();
    if (response != NULL)
        *response = NULL;
    if (c == NULL)
        return -1;
    snprintf(url, sizeof(url), "%s%s", emu->admin_url, what);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, emu->ca_file);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, http_method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (json_body != NULL)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
    else if (strcmp(http_method, "POST") == 0)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    if (response != NULL && status >= 0)
        *response = body.data;
    else
        free(body.data);
    return status;
}

int rssp_emu_approve(const rssp_emu *emu, const char *credential_id, bool approve, double timeout_s)
{
    char body[160];
    snprintf(body, sizeof(body), "{\"credentialID\":\"%s\"}", credential_id);
    double deadline = now_s() + timeout_s;
    do {
        long st = rssp_emu_admin(emu, "POST", approve ? "approve" : "deny", body, NULL);
        if (st == 200)
            return 0;
        if (st != 404)
            return -1; /* 404: not pending yet */
        sleep_ms(10);
    } while (now_s() < deadline);
    return -1;
}

int rssp_emu_last_otp(const rssp_emu *emu, const char *credential_id, char out[7])
{
    char *text = NULL;
    int rc = -1;
    if (rssp_emu_admin(emu, "GET", "outbox", NULL, &text) != 200)
        goto out;
    cJSON *arr = cJSON_Parse(text);
    const cJSON *m;
    cJSON_ArrayForEach(m, arr)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "credentialID");
        const cJSON *otp = cJSON_GetObjectItemCaseSensitive(m, "otp");
        if (cJSON_IsString(id) && cJSON_IsString(otp) &&
            strcmp(id->valuestring, credential_id) == 0 && strlen(otp->valuestring) == 6) {
            memcpy(out, otp->valuestring, 7);
            rc = 0;
        }
    }
    cJSON_Delete(arr);
out:
    free(text);
    return rc;
}
