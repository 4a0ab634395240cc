#include "emulator/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "emulator/approvals.h"
#include "emulator/faults.h"
#include "emulator/outbox.h"
#include "emulator/sessions.h"

static unsigned reply(cJSON *j, unsigned status, char **out)
{
    *out = j == NULL ? NULL : cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return *out == NULL ? 500 : status;
}

static unsigned error(unsigned status, const char *message, char **out)
{
    cJSON *j = cJSON_CreateObject();
    if (j != NULL && cJSON_AddStringToObject(j, "error", message) == NULL) {
        cJSON_Delete(j);
        j = NULL;
    }
    return reply(j, status, out);
}

static unsigned ok(char **out)
{
    cJSON *j = cJSON_CreateObject();
    if (j != NULL && cJSON_AddTrueToObject(j, "ok") == NULL) {
        cJSON_Delete(j);
        j = NULL;
    }
    return reply(j, 200, out);
}

static unsigned answer(emu_ctx *ctx, const cJSON *body, bool approve, char **out)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "credentialID");
    if (!cJSON_IsString(id))
        return error(400, "credentialID (string) is required", out);
    if (emu_approvals_answer(ctx->approvals, id->valuestring, approve) != 0)
        return error(404, "no pending approval for this credential", out);
    return ok(out);
}

static unsigned set_fault(emu_ctx *ctx, const cJSON *body, char **out)
{
    const char *method;
    emu_fault f;
    char err[160];
    if (emu_faults_parse_json(body, &method, &f, err, sizeof(err)) != 0)
        return error(400, err, out);
    if (emu_faults_set(ctx->faults, method, &f) != 0)
        return error(500, "out of memory", out);
    return ok(out);
}

static unsigned stats(emu_ctx *ctx, char **out)
{
    cJSON *j = cJSON_CreateObject();
    cJSON *req = j == NULL ? NULL : cJSON_AddObjectToObject(j, "requests");
    cJSON *tok = j == NULL ? NULL : cJSON_AddObjectToObject(j, "tokens");
    size_t access, refresh, sads;
    if (req == NULL || tok == NULL)
        goto fail;
    for (int m = 0; m < EMU_M_COUNT; m++) {
        if (cJSON_AddNumberToObject(req, emu_method_name((emu_method)m),
                                    (double)atomic_load(&ctx->stats.requests[m])) == NULL)
            goto fail;
    }
    pthread_mutex_lock(&ctx->st->lock);
    emu_sessions_counts(ctx->sessions, &access, &refresh, &sads);
    pthread_mutex_unlock(&ctx->st->lock);
    if (cJSON_AddNumberToObject(j, "connections", (double)atomic_load(&ctx->stats.connections)) ==
            NULL ||
        cJSON_AddNumberToObject(j, "httpErrors", (double)atomic_load(&ctx->stats.http_errors)) ==
            NULL ||
        cJSON_AddNumberToObject(j, "adminRequests",
                                (double)atomic_load(&ctx->stats.admin_requests)) == NULL ||
        cJSON_AddNumberToObject(tok, "access", (double)access) == NULL ||
        cJSON_AddNumberToObject(tok, "refresh", (double)refresh) == NULL ||
        cJSON_AddNumberToObject(tok, "sads", (double)sads) == NULL)
        goto fail;
    return reply(j, 200, out);
fail:
    cJSON_Delete(j);
    return error(500, "out of memory", out);
}

unsigned emu_admin_handle(emu_ctx *ctx, const char *what, const char *http_method, const char *body,
                          size_t body_len, char **out)
{
    bool get = strcmp(http_method, "GET") == 0, post = strcmp(http_method, "POST") == 0;
    bool del = strcmp(http_method, "DELETE") == 0;
    cJSON *json = NULL;
    unsigned status;
    *out = NULL;
    atomic_fetch_add(&ctx->stats.admin_requests, 1);
    if (post && body_len > 0) {
        json = cJSON_ParseWithLength(body, body_len);
        if (!cJSON_IsObject(json)) {
            cJSON_Delete(json);
            return error(400, "the body must be a JSON object", out);
        }
    }
    if (strcmp(what, "outbox") == 0 && get)
        status = reply(emu_outbox_list(ctx->outbox), 200, out);
    else if (strcmp(what, "pending") == 0 && get)
        status = reply(emu_approvals_list(ctx->approvals), 200, out);
    else if ((strcmp(what, "approve") == 0 || strcmp(what, "deny") == 0) && post)
        status = answer(ctx, json, what[0] == 'a', out);
    else if (strcmp(what, "faults") == 0 && post)
        status = set_fault(ctx, json, out);
    else if (strcmp(what, "faults") == 0 && del) {
        emu_faults_clear(ctx->faults);
        status = ok(out);
    } else if (strcmp(what, "faults") == 0 && get)
        status = reply(emu_faults_list(ctx->faults), 200, out);
    else if (strcmp(what, "expire") == 0 && post) {
        pthread_mutex_lock(&ctx->st->lock);
        emu_sessions_expire_all(ctx->sessions);
        pthread_mutex_unlock(&ctx->st->lock);
        status = ok(out);
    } else if (strcmp(what, "stats") == 0 && get)
        status = stats(ctx, out);
    else if (strcmp(what, "outbox") == 0 || strcmp(what, "pending") == 0 ||
             strcmp(what, "approve") == 0 || strcmp(what, "deny") == 0 ||
             strcmp(what, "faults") == 0 || strcmp(what, "expire") == 0 ||
             strcmp(what, "stats") == 0)
        status = error(405, "method not allowed here", out);
    else
        status = error(404, "unknown admin endpoint", out);
    cJSON_Delete(json);
    return status;
}
