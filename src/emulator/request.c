#include "emulator/request.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "emulator/messages.h"

int emu_fail(emu_req *r, int code, const char *fmt, ...)
{
    r->code = code;
    if (fmt == NULL) {
        r->detail[0] = '\0';
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
    va_end(ap);
    return -1;
}

/* The first member named by one of the '|'-separated aliases that is present and not null. */
static const cJSON *member(const cJSON *obj, const char *names, char *found, size_t found_len)
{
    const char *p = names;
    while (*p != '\0') {
        const char *bar = strchr(p, '|');
        size_t n = bar == NULL ? strlen(p) : (size_t)(bar - p);
        char key[64];
        if (n >= sizeof(key))
            n = sizeof(key) - 1;
        memcpy(key, p, n);
        key[n] = '\0';
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
        if (v != NULL && !cJSON_IsNull(v)) {
            snprintf(found, found_len, "%s", key);
            return v;
        }
        p += n;
        if (*p == '|')
            p++;
    }
    return NULL;
}

#define LOOKUP()                                                                                   \
    char key[64];                                                                                  \
    const cJSON *v = obj == NULL ? NULL : member(obj, name, key, sizeof(key));                     \
    if (v == NULL)                                                                                 \
        return 0;

int emu_get_string(emu_req *r, const cJSON *obj, const char *name, const char **out)
{
    LOOKUP();
    if (!cJSON_IsString(v))
        return emu_fail(r, 3100, "%s must be a string", key);
    *out = v->valuestring;
    return 1;
}

int emu_get_int(emu_req *r, const cJSON *obj, const char *name, long *out)
{
    LOOKUP();
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || !isfinite(d) || d != floor(d) || fabs(d) > 9007199254740991.0)
        return emu_fail(r, 3100, "%s must be an integer", key);
    *out = (long)d;
    return 1;
}

int emu_get_bool(emu_req *r, const cJSON *obj, const char *name, bool *out)
{
    LOOKUP();
    if (!cJSON_IsBool(v))
        return emu_fail(r, 3100, "%s must be true or false", key);
    *out = cJSON_IsTrue(v);
    return 1;
}

int emu_get_object(emu_req *r, const cJSON *obj, const char *name, const cJSON **out)
{
    LOOKUP();
    if (!cJSON_IsObject(v))
        return emu_fail(r, 3100, "%s must be an object", key);
    *out = v;
    return 1;
}

int emu_get_array(emu_req *r, const cJSON *obj, const char *name, const cJSON **out)
{
    LOOKUP();
    if (!cJSON_IsArray(v))
        return emu_fail(r, 3100, "%s must be an array", key);
    *out = v;
    return 1;
}

static const char *first_name(const char *name, char *buf, size_t len)
{
    const char *bar = strchr(name, '|');
    size_t n = bar == NULL ? strlen(name) : (size_t)(bar - name);
    if (n >= len)
        n = len - 1;
    memcpy(buf, name, n);
    buf[n] = '\0';
    return buf;
}

int emu_need_string(emu_req *r, const cJSON *obj, const char *name, const char **out)
{
    char buf[64];
    int rc = emu_get_string(r, obj, name, out);
    if (rc == 0)
        return emu_fail(r, 3100, "%s is missing", first_name(name, buf, sizeof(buf)));
    return rc < 0 ? -1 : 0;
}

int emu_need_int(emu_req *r, const cJSON *obj, const char *name, long *out)
{
    char buf[64];
    int rc = emu_get_int(r, obj, name, out);
    if (rc == 0)
        return emu_fail(r, 3100, "%s is missing", first_name(name, buf, sizeof(buf)));
    return rc < 0 ? -1 : 0;
}

int emu_put_item(emu_req *r, const char *name, cJSON *item)
{
    if (item == NULL || !cJSON_AddItemToObject(r->resp, name, item)) {
        cJSON_Delete(item);
        return emu_fail(r, 9000, "out of memory");
    }
    return 0;
}

int emu_put_string(emu_req *r, const char *name, const char *value)
{
    return emu_put_item(r, name, cJSON_CreateString(value));
}

int emu_put_int(emu_req *r, const char *name, long long value)
{
    return emu_put_item(r, name, cJSON_CreateNumber((double)value));
}

int emu_put_bool(emu_req *r, const char *name, bool value)
{
    return emu_put_item(r, name, cJSON_CreateBool(value));
}

const char *emu_client_identity(emu_req *r)
{
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(r->body, "clientInfo");
    const cJSON *mac = cJSON_IsObject(ci) ? cJSON_GetObjectItemCaseSensitive(ci, "macAddr") : NULL;
    if (cJSON_IsString(mac) && mac->valuestring[0] != '\0')
        return mac->valuestring;
    return r->client_ip;
}

int emu_check_common_fields(emu_req *r)
{
    const char *s;
    const cJSON *ci;
    int rc = emu_get_string(r, r->body, "language|lang", &s);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        if (strcasecmp(s, "VN") == 0)
            r->vn = true;
        else if (strcasecmp(s, "EN") != 0)
            return emu_fail(r, 3100, "language must be EN or VN");
    }
    if (emu_get_string(r, r->body, "relyingParty", &s) < 0 ||
        emu_get_string(r, r->body, "billCode", &s) < 0)
        return -1;
    rc = emu_get_string(r, r->body, "relyingPartyBillCode", &s);
    if (rc < 0)
        return -1;
    if (rc > 0 && strlen(s) > 64)
        return emu_fail(r, 3100, "relyingPartyBillCode is longer than 64 characters");
    rc = emu_get_object(r, r->body, "clientInfo", &ci);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        static const char *const fields[] = {"iccid", "imei", "macAddr", "instanceUUID"};
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            rc = emu_get_string(r, ci, fields[i], &s);
            if (rc < 0)
                return -1;
            if (rc > 0 && strlen(s) > 128)
                return emu_fail(r, 3100, "clientInfo.%s is longer than 128 characters", fields[i]);
        }
    }
    return 0;
}

static void wipe(cJSON *item)
{
    for (; item != NULL; item = item->next) {
        if (item->valuestring != NULL)
            OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
        wipe(item->child);
    }
}

void emu_json_wipe_delete(cJSON *item)
{
    if (item == NULL)
        return;
    wipe(item->child);
    if (item->valuestring != NULL)
        OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
    cJSON_Delete(item);
}

static void bill_code(emu_req *r, char *out, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    char stamp[80];
    gmtime_r(&now, &tm);
    /* yyMMddHHmmss as in the seed's bill codes */
    snprintf(stamp, sizeof(stamp), "%02d%02d%02d%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    unsigned long seq = atomic_fetch_add(&r->ctx->bill_seq, 1) + 1;
    snprintf(out, len, "%s-%s-1-%06lu", r->bill_prefix[0] != '\0' ? r->bill_prefix : "EMU", stamp,
             seq % 1000000);
}

char *emu_response_text(emu_req *r)
{
    char message[400], bill[200];
    const char *base = emu_message(r->code, r->vn);
    if (r->detail[0] != '\0')
        snprintf(message, sizeof(message), "%s: %s", base, r->detail);
    else
        snprintf(message, sizeof(message), "%s", base);
    bill_code(r, bill, sizeof(bill));

    cJSON *root = cJSON_CreateObject();
    char *text = NULL;
    if (root == NULL || cJSON_AddNumberToObject(root, "responseCode", r->code) == NULL ||
        cJSON_AddStringToObject(root, "responseMessage", message) == NULL ||
        cJSON_AddStringToObject(root, "billCode", bill) == NULL)
        goto out;
    while (r->resp != NULL && r->resp->child != NULL) {
        cJSON *item = cJSON_DetachItemViaPointer(r->resp, r->resp->child);
        if (!cJSON_AddItemToObject(root, item->string, item)) {
            cJSON_Delete(item);
            goto out;
        }
    }
    text = cJSON_PrintUnformatted(root);
out:
    emu_json_wipe_delete(root);
    return text;
}

const char *emu_method_name(emu_method m)
{
    static const char *const names[EMU_M_COUNT] = {
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
    return (unsigned)m < EMU_M_COUNT ? names[m] : "?";
}
