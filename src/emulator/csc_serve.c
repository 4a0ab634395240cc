/*
 * One CSC method: parse, authenticate the dialect's own way (auth/login with
 * RFC 7617 Basic, oauth2/token), rewrite into the RSSP request, run the RSSP
 * handler, add the v2 credentialInfos, answer in CSC form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/secmem.h"
#include "crypto/crypto.h"
#include "emulator/auth.h"
#include "emulator/credentials.h"
#include "emulator/csc.h"

void emu_csc_handle_info(emu_req *r)
{
    bool v2 = r->dialect == EMU_PROTO_CSC_V2;
    const char *methods[] = {"auth/login",
                             "auth/revoke",
                             "credentials/list",
                             "credentials/info",
                             "credentials/authorize",
                             "credentials/sendOTP",
                             "signatures/signHash",
                             "credentials/extendTransaction"};
    size_t n_methods = sizeof(methods) / sizeof(methods[0]) - (v2 ? 1 : 0);
    const char *auth_v1[] = {"basic", "oauth2client"};
    cJSON *m = cJSON_CreateStringArray(methods, (int)n_methods);
    cJSON *a = cJSON_CreateStringArray(auth_v1, 2);
    if (emu_put_string(r, "specs", v2 ? "2.0.0.2" : "1.0.4.0") != 0 ||
        emu_put_string(r, "name", "rssp-emulator") != 0 ||
        emu_put_string(r, "logo", "https://127.0.0.1/logo.png") != 0 ||
        emu_put_string(r, "region", "VN") != 0 || emu_put_string(r, "lang", "en-US") != 0 ||
        emu_put_string(r, "description", "Local CSC service for tests (rssp-pkcs11)") != 0 ||
        emu_put_item(r, "authType", a) != 0 || emu_put_string(r, "oauth2", r->ctx->base_url) != 0) {
        cJSON_Delete(m);
        return;
    }
    emu_put_item(r, "methods", m);
}

/* RFC 7617: Base64(user-id ":" password), the user-id without a colon. */
static int basic_decode(const char *cred, char **username, char **password)
{
    rssp_buf text = {NULL, 0};
    int rc = -1;
    *username = *password = NULL;
    if (rssp_base64_decode(cred, strlen(cred), &text) != RSSP_CRYPTO_OK ||
        memchr(text.data, '\0', text.len) != NULL)
        goto out;
    const char *p = (const char *)text.data;
    const char *colon = memchr(p, ':', text.len);
    if (colon == NULL || colon == p)
        goto out;
    *username = strndup(p, (size_t)(colon - p));
    *password = rssp_secret_dup(colon + 1, text.len - (size_t)(colon - p) - 1);
    if (*username == NULL || *password == NULL) {
        free(*username);
        rssp_secret_free(*password);
        *username = *password = NULL;
        goto out;
    }
    rc = 0;
out:
    rssp_buf_clear_secret(&text);
    return rc;
}

void emu_csc_handle_login(emu_req *r)
{
    const char *refresh = NULL;
    bool remember = false;
    if (emu_get_string(r, r->body, "refresh_token", &refresh) < 0 ||
        emu_get_bool(r, r->body, "rememberMe", &remember) < 0)
        return;
    if (refresh != NULL) {
        emu_login_refresh(r, refresh, NULL, remember);
        return;
    }
    const char *h = r->authorization;
    if (h == NULL || strncasecmp(h, "Basic ", 6) != 0) {
        emu_fail(r, 3003, "HTTP Basic credentials or a refresh_token are required");
        return;
    }
    char *username = NULL, *password = NULL;
    if (basic_decode(h + 6, &username, &password) != 0) {
        emu_fail(r, 3100, "Basic credentials must be Base64(username:password)");
        return;
    }
    emu_login_password(r, username, password, remember);
    free(username);
    rssp_secret_free(password);
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode one application/x-www-form-urlencoded value in place; -1 if malformed. */
static int form_decode(char *s)
{
    char *w = s;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '+') {
            *w++ = ' ';
        } else if (*p == '%') {
            int hi = hex(p[1]), lo = hi < 0 ? -1 : hex(p[2]);
            if (lo < 0 || (hi == 0 && lo == 0))
                return -1;
            *w++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return 0;
}

void emu_csc_handle_token(emu_req *r, const char *form, size_t len)
{
    const char *grant = NULL, *id = NULL, *secret = NULL, *refresh = NULL;
    char *copy = rssp_secret_dup(form, len);
    if (copy == NULL) {
        emu_fail(r, 9000, "out of memory");
        return;
    }
    char *save = NULL;
    for (char *kv = strtok_r(copy, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL || (*eq = '\0', form_decode(kv)) != 0 || form_decode(eq + 1) != 0) {
            emu_fail(r, 3100, "malformed form body");
            goto out;
        }
        const char **slot = strcmp(kv, "grant_type") == 0      ? &grant
                            : strcmp(kv, "client_id") == 0     ? &id
                            : strcmp(kv, "client_secret") == 0 ? &secret
                            : strcmp(kv, "refresh_token") == 0 ? &refresh
                                                               : NULL;
        if (slot != NULL && *slot != NULL) {
            emu_fail(r, 3100, "parameter %.20s given twice", kv);
            goto out;
        }
        if (slot != NULL)
            *slot = eq + 1;
    }
    if (grant == NULL || id == NULL || secret == NULL) {
        emu_fail(r, 3100, "grant_type, client_id and client_secret are required");
    } else if (strcmp(grant, "client_credentials") == 0) {
        /* the emulator's confidential clients are its owners (docs/emulator.md) */
        emu_login_password(r, id, secret, true);
    } else if (strcmp(grant, "refresh_token") == 0 && refresh != NULL) {
        emu_login_refresh(r, refresh, NULL, true);
    } else {
        emu_fail(r, 3101, "grant_type %.40s is not supported", grant);
    }
out:
    rssp_secret_free(copy);
}

/* v2 credentialInfo: the credentials/info of every listed credential, in the list answer. */
static void add_credential_infos(emu_req *r, const cJSON *csc_body)
{
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(csc_body, "credentialInfo");
    if (r->dialect != EMU_PROTO_CSC_V2 || !cJSON_IsTrue(want))
        return;
    const cJSON *certs = cJSON_GetObjectItemCaseSensitive(csc_body, "certificates");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r->resp, "certificates");
    cJSON *infos = cJSON_CreateArray();
    const cJSON *it = NULL;
    if (infos == NULL) {
        emu_fail(r, 9000, "out of memory");
        return;
    }
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "credentialID");
        emu_req sub = *r;
        sub.body = cJSON_CreateObject();
        sub.resp = cJSON_CreateObject();
        sub.code = 0;
        sub.detail[0] = '\0';
        if (sub.body == NULL || sub.resp == NULL || !cJSON_IsString(id) ||
            cJSON_AddStringToObject(sub.body, "credentialID", id->valuestring) == NULL ||
            cJSON_AddStringToObject(sub.body, "certificates",
                                    cJSON_IsString(certs) ? certs->valuestring : "single") ==
                NULL ||
            cJSON_AddBoolToObject(sub.body, "certificateInfo", true) == NULL ||
            cJSON_AddBoolToObject(sub.body, "authenticationInfo", true) == NULL) {
            sub.code = 9000;
        } else {
            emu_handle_credential_info(&sub);
        }
        cJSON *o = sub.code == 0 ? emu_csc_credential_object(&sub, sub.resp) : NULL;
        if (o != NULL && (cJSON_AddStringToObject(o, "credentialID", id->valuestring) == NULL ||
                          !cJSON_AddItemToArray(infos, o)))
            cJSON_Delete(o);
        int code = sub.code;
        emu_json_wipe_delete(sub.body);
        emu_json_wipe_delete(sub.resp);
        if (code != 0 && code != 3008) {
            emu_fail(r, code, "credentialInfo of %.64s failed", id->valuestring);
            cJSON_Delete(infos);
            return;
        }
    }
    emu_put_item(r, "credentialInfos", infos);
}

char *emu_csc_serve(emu_req *r, emu_handler_fn fn, const char *body, size_t len, unsigned *status)
{
    cJSON *csc_body = NULL;
    if (r->code != 0)
        return emu_csc_reply(r, status); /* fault injected */
    if (fn == NULL) {
        r->csc_token_endpoint = true;
        emu_csc_handle_token(r, body, len);
        return emu_csc_reply(r, status);
    }
    r->body = len == 0 ? cJSON_CreateObject() : cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(r->body)) {
        emu_fail(r, 3100, "the body is not a JSON object");
    } else if (r->method == EMU_M_INFO) {
        emu_csc_handle_info(r);
    } else if (r->method == EMU_M_LOGIN) {
        emu_csc_handle_login(r);
    } else {
        csc_body = r->body;
        r->body = NULL;
        r->body = cJSON_Duplicate(csc_body, 1);
        if (r->body == NULL)
            emu_fail(r, 9000, "out of memory");
        else if (emu_csc_translate_request(r) == 0)
            fn(r);
        if (r->code == 0 && r->method == EMU_M_LIST)
            add_credential_infos(r, csc_body);
    }
    emu_json_wipe_delete(csc_body);
    emu_json_wipe_delete(r->body);
    r->body = NULL;
    if (r->client_gone)
        return NULL;
    return emu_csc_reply(r, status);
}
