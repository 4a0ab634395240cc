#include "emulator/access.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "emulator/httpauth.h"

#define ID_MAX 64

int emu_require_access(emu_req *r, emu_principal *p, bool allow_refresh)
{
    emu_auth_header h;
    char why[128];
    if (r->authorization == NULL)
        return emu_fail(r, 3006, "Authorization: Bearer <accessToken> is missing");
    if (emu_auth_parse(r->authorization, &h, why, sizeof(why)) != 0) {
        emu_auth_header_clear(&h);
        return emu_fail(r, 3006, "%s", why);
    }
    if (h.bearer == NULL || h.ssl2 != NULL || h.basic != NULL || h.appsign != NULL) {
        emu_auth_header_clear(&h);
        return emu_fail(r, 3006, "this method takes Authorization: Bearer <accessToken> only");
    }
    emu_state *st = r->ctx->st;
    pthread_mutex_lock(&st->lock);
    emu_token_check c = emu_access_check(r->ctx->sessions, h.bearer, p);
    if (c == EMU_TOKEN_UNKNOWN && allow_refresh)
        c = emu_refresh_check(r->ctx->sessions, h.bearer, p);
    if (c == EMU_TOKEN_OK)
        snprintf(r->bill_prefix, sizeof(r->bill_prefix), "%s", st->rps[p->rp].name);
    pthread_mutex_unlock(&st->lock);
    emu_auth_header_clear(&h);
    if (c == EMU_TOKEN_EXPIRED)
        return emu_fail(r, 3005, NULL);
    if (c != EMU_TOKEN_OK)
        return emu_fail(r, 3006, "unknown or revoked access token");
    return 0;
}

int emu_resolve_agreement(emu_req *r, emu_principal p, emu_agreement **out)
{
    emu_state *st = r->ctx->st;
    const char *uuid = NULL;
    int rc = emu_get_string(r, r->body, "agreementUUID", &uuid);
    *out = NULL;
    if (rc < 0)
        return -1;
    if (rc == 0) {
        if (p.owner < 0)
            return emu_fail(r, 3007, "agreementUUID is required after an SSL2-only login");
        return 0;
    }
    emu_agreement *a = emu_find_agreement(st, uuid);
    if (a == NULL)
        return emu_fail(r, 3007, "unknown agreementUUID");
    if (strcmp(a->rp, st->rps[p.rp].name) != 0)
        return emu_fail(r, 3007, "agreementUUID belongs to another relying party");
    if (p.owner >= 0 &&
        (a->owner_uuid == NULL || strcmp(a->owner_uuid, st->owners[p.owner].uuid) != 0))
        return emu_fail(r, 3007, "agreementUUID does not belong to the logged-in owner");
    *out = a;
    return 0;
}

bool emu_credential_visible(emu_state *st, emu_principal p, const emu_agreement *a,
                            const emu_credential *c)
{
    if (a != NULL)
        return strcmp(c->agreement, a->uuid) == 0;
    if (p.owner < 0)
        return false; /* an RP principal always names an agreement */
    const emu_agreement *ca = emu_find_agreement(st, c->agreement);
    return ca != NULL && ca->owner_uuid != NULL &&
           strcmp(ca->owner_uuid, st->owners[p.owner].uuid) == 0;
}

/* One identifier field: 1 and *c (maybe NULL: unknown) if given, 0 if absent, -1 on a bad type. */
static int identifier(emu_req *r, const char *name, emu_credential **c, bool *given)
{
    emu_state *st = r->ctx->st;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->body, name);
    char text[ID_MAX + 2];
    *given = false;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsString(v)) {
        if (strlen(v->valuestring) > ID_MAX || v->valuestring[0] == '\0')
            return emu_fail(r, 3100, "%s must be 1..%d characters", name, ID_MAX);
        snprintf(text, sizeof(text), "%s", v->valuestring);
    } else if (cJSON_IsNumber(v) && strcmp(name, "certificateID") == 0 &&
               v->valuedouble == floor(v->valuedouble) && v->valuedouble >= 0 &&
               v->valuedouble < 9007199254740992.0) {
        snprintf(text, sizeof(text), "%.0f", v->valuedouble);
    } else {
        return emu_fail(r, 3100, "%s must be a string", name);
    }
    *given = true;
    if (strcmp(name, "thumbprint") == 0) {
        size_t n = strlen(text);
        if (n != 64 && n != 40)
            return emu_fail(r, 3100, "thumbprint must be 64 (SHA-256) or 40 (SHA-1) hex digits");
        *c = emu_find_credential_by_thumbprint(st, text);
    } else {
        *c = emu_find_credential(st, text);
    }
    return 1;
}

int emu_resolve_credential(emu_req *r, emu_principal p, emu_credential **out, size_t *index)
{
    static const char *const names[] = {"credentialID", "certificateID", "thumbprint"};
    emu_credential *found = NULL;
    bool any = false, unknown = false, conflict = false;
    for (size_t i = 0; i < 3; i++) {
        emu_credential *c = NULL;
        bool given;
        if (identifier(r, names[i], &c, &given) < 0)
            return -1;
        if (!given)
            continue;
        if (c == NULL)
            unknown = true;
        else if (found != NULL && found != c)
            conflict = true;
        else
            found = c;
        any = true;
    }
    if (!any)
        return emu_fail(r, 3100, "credentialID is missing");
    if (conflict || (unknown && found != NULL))
        return emu_fail(r, 3100,
                        "credentialID, certificateID and thumbprint name different "
                        "credentials");
    emu_agreement *a;
    if (emu_resolve_agreement(r, p, &a) != 0)
        return -1;
    if (found == NULL || !emu_credential_visible(r->ctx->st, p, a, found))
        return emu_fail(r, 3008, NULL);
    *out = found;
    if (index != NULL)
        *index = (size_t)(found - r->ctx->st->credentials);
    return 0;
}
