#include "emulator/faults.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char *method;
    emu_fault fault;
} rule;

struct emu_faults {
    pthread_mutex_t lock;
    rule *rules;
    size_t n;
};

emu_faults *emu_faults_new(void)
{
    emu_faults *f = calloc(1, sizeof(*f));
    if (f != NULL)
        pthread_mutex_init(&f->lock, NULL);
    return f;
}

static void clear_locked(emu_faults *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->rules[i].method);
    free(f->rules);
    f->rules = NULL;
    f->n = 0;
}

void emu_faults_free(emu_faults *f)
{
    if (f == NULL)
        return;
    clear_locked(f);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void emu_faults_clear(emu_faults *f)
{
    pthread_mutex_lock(&f->lock);
    clear_locked(f);
    pthread_mutex_unlock(&f->lock);
}

static void remove_at(emu_faults *f, size_t i)
{
    free(f->rules[i].method);
    f->rules[i] = f->rules[--f->n];
}

int emu_faults_set(emu_faults *f, const char *method, const emu_fault *fault)
{
    int rc = -1;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->rules[i].method, method) == 0) {
            remove_at(f, i);
            break;
        }
    }
    rule *r = realloc(f->rules, (f->n + 1) * sizeof(*r));
    if (r != NULL) {
        f->rules = r;
        r[f->n].method = strdup(method);
        if (r[f->n].method != NULL) {
            r[f->n].fault = *fault;
            f->n++;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

bool emu_faults_take(emu_faults *f, const char *method, emu_fault *out)
{
    bool found = false;
    pthread_mutex_lock(&f->lock);
    size_t pick = f->n;
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->rules[i].method, method) == 0) {
            pick = i;
            break;
        }
        if (strcmp(f->rules[i].method, "*") == 0)
            pick = i;
    }
    if (pick < f->n) {
        *out = f->rules[pick].fault;
        found = true;
        if (f->rules[pick].fault.count > 0 && --f->rules[pick].fault.count == 0)
            remove_at(f, pick);
    }
    pthread_mutex_unlock(&f->lock);
    return found;
}

static const char *const known_methods[] = {
    "*",
    "info",
    "auth/login",
    "auth/revoke",
    "credentials/list",
    "credentials/info",
    "credentials/sendOTP",
    "credentials/authorize",
    "credentials/extendTransaction",
    "signatures/signHash",
    "owner/list",
    "owner/assign",
};

static const char *canonical_method(const char *m)
{
    if (strcmp(m, "signature/signHash") == 0)
        return "signatures/signHash";
    for (size_t i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]); i++) {
        if (strcmp(known_methods[i], m) == 0)
            return known_methods[i];
    }
    return NULL;
}

static int check_fault(const emu_fault *f, char *err, size_t err_len)
{
    if (f->latency_ms < 0 || f->latency_ms > 600000) {
        snprintf(err, err_len, "latencyMs must be 0..600000");
        return -1;
    }
    if (f->http_status != 0 && (f->http_status < 400 || f->http_status > 599)) {
        snprintf(err, err_len, "httpStatus must be 400..599");
        return -1;
    }
    if (f->response_code < 0 || f->count < 0) {
        snprintf(err, err_len, "responseCode and count must not be negative");
        return -1;
    }
    return 0;
}

/* Set one key; value NULL means a bare flag (true). */
static int set_key(emu_fault *f, const char *key, const char *value, char *err, size_t err_len)
{
    bool *flag = strcmp(key, "drop") == 0        ? &f->drop
                 : strcmp(key, "malformed") == 0 ? &f->malformed
                 : strcmp(key, "truncated") == 0 ? &f->truncated
                 : strcmp(key, "oversized") == 0 ? &f->oversized
                                                 : NULL;
    if (flag != NULL) {
        if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
            *flag = true;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
            *flag = false;
        else {
            snprintf(err, err_len, "%s takes true or false", key);
            return -1;
        }
        return 0;
    }
    if (value == NULL) {
        snprintf(err, err_len, "%s needs a value", key);
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0') {
        snprintf(err, err_len, "%s: '%s' is not a number", key, value);
        return -1;
    }
    if (strcmp(key, "latencyMs") == 0)
        f->latency_ms = v;
    else if (strcmp(key, "responseCode") == 0 && v <= 99999)
        f->response_code = (int)v;
    else if (strcmp(key, "httpStatus") == 0 && v <= 999)
        f->http_status = (int)v;
    else if (strcmp(key, "count") == 0)
        f->count = v;
    else {
        snprintf(err, err_len, "unknown fault key or value out of range: %s", key);
        return -1;
    }
    return 0;
}

int emu_faults_parse_spec(const char *spec, char **method, emu_fault *out, char *err,
                          size_t err_len)
{
    const char *colon = strchr(spec, ':');
    memset(out, 0, sizeof(*out));
    if (colon == NULL) {
        snprintf(err, err_len, "fault '%s': expected METHOD:key=value,...", spec);
        return -1;
    }
    char *name = strndup(spec, (size_t)(colon - spec));
    char *keys = strdup(colon + 1);
    int rc = -1;
    if (name == NULL || keys == NULL) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    const char *canon = canonical_method(name);
    if (canon == NULL) {
        snprintf(err, err_len, "fault: unknown method '%s'", name);
        goto out;
    }
    char *save = NULL;
    for (char *tok = strtok_r(keys, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (eq != NULL)
            *eq = '\0';
        if (set_key(out, tok, eq == NULL ? NULL : eq + 1, err, err_len) != 0)
            goto out;
    }
    if (check_fault(out, err, err_len) != 0)
        goto out;
    *method = strdup(canon);
    rc = *method == NULL ? -1 : 0;
out:
    free(name);
    free(keys);
    return rc;
}

static int json_long(const cJSON *obj, const char *key, long max, long *out, char *err,
                     size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
        v->valuedouble > (double)max) {
        snprintf(err, err_len, "%s must be an integer 0..%ld", key, max);
        return -1;
    }
    *out = (long)v->valuedouble;
    return 0;
}

static int json_flag(const cJSON *obj, const char *key, bool *out, char *err, size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v)) {
        snprintf(err, err_len, "%s must be true or false", key);
        return -1;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

int emu_faults_parse_json(const cJSON *obj, const char **method, emu_fault *out, char *err,
                          size_t err_len)
{
    long code = 0, status = 0;
    memset(out, 0, sizeof(*out));
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "method");
    if (!cJSON_IsObject(obj) || !cJSON_IsString(m)) {
        snprintf(err, err_len, "method (string) is required, \"*\" for every method");
        return -1;
    }
    *method = canonical_method(m->valuestring);
    if (*method == NULL) {
        snprintf(err, err_len, "unknown method '%s'", m->valuestring);
        return -1;
    }
    if (json_long(obj, "latencyMs", 600000, &out->latency_ms, err, err_len) != 0 ||
        json_long(obj, "responseCode", 99999, &code, err, err_len) != 0 ||
        json_long(obj, "httpStatus", 599, &status, err, err_len) != 0 ||
        json_long(obj, "count", 1000000000L, &out->count, err, err_len) != 0 ||
        json_flag(obj, "drop", &out->drop, err, err_len) != 0 ||
        json_flag(obj, "malformed", &out->malformed, err, err_len) != 0 ||
        json_flag(obj, "truncated", &out->truncated, err, err_len) != 0 ||
        json_flag(obj, "oversized", &out->oversized, err, err_len) != 0)
        return -1;
    out->response_code = (int)code;
    out->http_status = (int)status;
    return check_fault(out, err, err_len);
}

cJSON *emu_faults_list(emu_faults *f)
{
    cJSON *arr = cJSON_CreateArray();
    if (arr == NULL)
        return NULL;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->n; i++) {
        const emu_fault *x = &f->rules[i].fault;
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || cJSON_AddStringToObject(o, "method", f->rules[i].method) == NULL ||
            cJSON_AddNumberToObject(o, "latencyMs", (double)x->latency_ms) == NULL ||
            cJSON_AddNumberToObject(o, "responseCode", x->response_code) == NULL ||
            cJSON_AddNumberToObject(o, "httpStatus", x->http_status) == NULL ||
            cJSON_AddNumberToObject(o, "count", (double)x->count) == NULL ||
            cJSON_AddBoolToObject(o, "drop", x->drop) == NULL ||
            cJSON_AddBoolToObject(o, "malformed", x->malformed) == NULL ||
            cJSON_AddBoolToObject(o, "truncated", x->truncated) == NULL ||
            cJSON_AddBoolToObject(o, "oversized", x->oversized) == NULL ||
            !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(arr);
            arr = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return arr;
}
