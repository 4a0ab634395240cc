#include "bench_emu.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(m) ? m->valuestring : "";
}

static double num(const cJSON *o, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(m) ? m->valuedouble : -1;
}

static bool copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

/* Which benchmark key a credential can serve as, or -1. */
static int key_of(const cJSON *c, const char *owner)
{
    if (strcmp(str(c, "owner"), owner) != 0 || num(c, "scal") != 1 ||
        strcmp(str(c, "authMode"), "EXPLICIT/PIN") != 0 || strcmp(str(c, "status"), "valid") != 0)
        return -1;
    if (strcmp(str(c, "keyType"), "RSA") == 0 && num(c, "keyBits") == 2048)
        return BENCH_KEY_RSA;
    if (strcmp(str(c, "keyType"), "EC") == 0 && strcmp(str(c, "curve"), "P-256") == 0)
        return BENCH_KEY_EC;
    return -1;
}

/* A SCAL 2 EXPLICIT/PIN RSA credential of owner (authorize + signHash per signature). */
static bool scal2_rsa(const cJSON *c, const char *owner)
{
    return strcmp(str(c, "owner"), owner) == 0 && num(c, "scal") == 2 &&
           strcmp(str(c, "authMode"), "EXPLICIT/PIN") == 0 &&
           strcmp(str(c, "status"), "valid") == 0 && strcmp(str(c, "keyType"), "RSA") == 0;
}

/* fixture.json holds passwords and PINs: wipe every string before the tree is freed. */
static void wipe_json(cJSON *j)
{
    for (cJSON *m = j; m != NULL; m = m->next) {
        if (cJSON_IsString(m) && m->valuestring != NULL)
            OPENSSL_cleanse(m->valuestring, strlen(m->valuestring));
        wipe_json(m->child);
    }
}

int bench_fixture_read(const char *fixture_json, const char *owner, bench_fixture *out)
{
    memset(out, 0, sizeof *out);
    char *text = read_file(fixture_json);
    cJSON *j = text != NULL ? cJSON_Parse(text) : NULL;
    bool found[BENCH_KEY_COUNT] = {false};
    bool ok = j != NULL;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "credentials"))
    {
        if (out->scal2_id[0] == '\0' && scal2_rsa(c, owner))
            ok = ok && copy(out->scal2_id, sizeof out->scal2_id, str(c, "id")) &&
                 copy(out->scal2_cert, sizeof out->scal2_cert, str(c, "certificate"));
        int k = key_of(c, owner);
        if (k < 0 || found[k])
            continue;
        found[k] = true;
        out->sad_signatures[k] = (int)num(c, "numSignatures");
        ok = ok && copy(out->key_id[k], sizeof out->key_id[k], str(c, "id")) &&
             copy(out->cert[k], sizeof out->cert[k], str(c, "certificate")) &&
             copy(out->pin, sizeof out->pin, str(c, "pin")) && out->sad_signatures[k] > 0;
    }
    const cJSON *hsm = cJSON_GetObjectItemCaseSensitive(j, "hsm");
    ok = ok && found[BENCH_KEY_RSA] && found[BENCH_KEY_EC] && out->scal2_id[0] != '\0' &&
         copy(out->hsm_module, sizeof out->hsm_module, str(hsm, "module")) &&
         copy(out->hsm_conf, sizeof out->hsm_conf, str(hsm, "softhsm2Conf")) &&
         copy(out->hsm_label, sizeof out->hsm_label, str(hsm, "tokenLabel")) &&
         copy(out->hsm_pin, sizeof out->hsm_pin, str(hsm, "userPin"));
    if (text != NULL)
        OPENSSL_cleanse(text, strlen(text));
    free(text);
    wipe_json(j);
    cJSON_Delete(j);
    if (!ok) {
        fprintf(stderr,
                "bench: %s lists no SCAL 1 EXPLICIT/PIN RSA-2048 and EC P-256 credentials of %s, "
                "no SCAL 2 EXPLICIT/PIN RSA one, or no SoftHSM2 token\n",
                fixture_json, owner);
        bench_fixture_wipe(out);
        return -1;
    }
    return 0;
}

void bench_fixture_wipe(bench_fixture *f)
{
    OPENSSL_cleanse(f->pin, sizeof f->pin);
    OPENSSL_cleanse(f->hsm_pin, sizeof f->hsm_pin);
}

double bench_process_cpu_ms(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields after the command name (which may hold spaces): state is field 3, utime 14. */
    const char *p = strrchr(buf, ')');
    unsigned long long utime, stime;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (double)(utime + stime) * 1e3 / (double)hz : -1;
}

int bench_emu_stats_take(const rssp_emu *emu, bench_emu_stats *out)
{
    memset(out, 0, sizeof *out);
    char *body = NULL;
    long status = rssp_emu_admin(emu, "GET", "stats", NULL, &body);
    cJSON *j = status == 200 && body != NULL ? cJSON_Parse(body) : NULL;
    free(body);
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(j, "requests");
    const cJSON *m;
    cJSON_ArrayForEach(m, req)
    {
        if (cJSON_IsNumber(m))
            out->requests += m->valuedouble;
    }
    out->connections = num(j, "connections");
    out->sign_hash = num(req, "signatures/signHash");
    out->authorize = num(req, "credentials/authorize");
    out->login = num(req, "auth/login") < 0 ? 0 : num(req, "auth/login");
    out->cpu_ms = bench_process_cpu_ms(emu->pid);
    bool ok = j != NULL && out->connections >= 0 && out->sign_hash >= 0 && out->authorize >= 0 &&
              out->cpu_ms >= 0;
    cJSON_Delete(j);
    if (!ok)
        fprintf(stderr, "bench: cannot read the emulator's counters (HTTP %ld)\n", status);
    return ok ? 0 : -1;
}
