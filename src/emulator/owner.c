#include "emulator/owner.h"

#include <stdlib.h>
#include <string.h>

#include "emulator/access.h"

#define PAGE_DEFAULT 20
#define PAGE_MAX 100

static int require_rp(emu_req *r, emu_principal *p)
{
    if (emu_require_access(r, p, false) != 0)
        return -1;
    if (p->owner >= 0)
        return emu_fail(r, 3024, "owner/* needs a relying-party login (SSL2 only)");
    return 0;
}

typedef struct {
    const char *username, *tax_id, *personal_id, *passport_id, *budget_id, *owner_uuid;
    long page, count;
} owner_query;

static int parse_query(emu_req *r, owner_query *q)
{
    const cJSON *sc = NULL;
    memset(q, 0, sizeof(*q));
    q->page = 1;
    q->count = PAGE_DEFAULT;
    if (emu_get_object(r, r->body, "searchConditions", &sc) < 0 ||
        emu_get_string(r, sc, "username", &q->username) < 0 ||
        emu_get_string(r, sc, "taxID", &q->tax_id) < 0 ||
        emu_get_string(r, sc, "personalID", &q->personal_id) < 0 ||
        emu_get_string(r, sc, "passportID", &q->passport_id) < 0 ||
        emu_get_string(r, sc, "budgetID", &q->budget_id) < 0 ||
        emu_get_string(r, r->body, "ownerUUID", &q->owner_uuid) < 0 ||
        emu_get_int(r, r->body, "pageNumber", &q->page) < 0 ||
        emu_get_int(r, r->body, "recordCount", &q->count) < 0)
        return -1;
    if (q->page < 1)
        return emu_fail(r, 3100, "pageNumber must be at least 1");
    if (q->count < 1 || q->count > PAGE_MAX)
        return emu_fail(r, 3100, "recordCount must be 1..%d", PAGE_MAX);
    return 0;
}

static bool field_matches(const char *want, const char *have)
{
    return want == NULL || (have != NULL && strcmp(want, have) == 0);
}

/* Owners "known to the RP": their record names it, or they hold one of its agreements. */
static bool known_to(emu_state *st, const emu_owner *o, const char *rp)
{
    if (strcmp(o->rp, rp) == 0)
        return true;
    for (size_t i = 0; i < st->n_agreements; i++) {
        const emu_agreement *a = &st->agreements[i];
        if (strcmp(a->rp, rp) == 0 && a->owner_uuid != NULL && strcmp(a->owner_uuid, o->uuid) == 0)
            return true;
    }
    return false;
}

static int by_username(const void *a, const void *b)
{
    return strcmp((*(emu_owner *const *)a)->username, (*(emu_owner *const *)b)->username);
}

static int add_opt(cJSON *o, const char *name, const char *v)
{
    return v == NULL || cJSON_AddStringToObject(o, name, v) != NULL ? 0 : -1;
}

static cJSON *owner_json(const emu_owner *o)
{
    cJSON *j = cJSON_CreateObject();
    char *phone = emu_mask_phone(o->phone), *email = emu_mask_email(o->email);
    if (j == NULL || add_opt(j, "ownerUUID", o->uuid) || add_opt(j, "username", o->username) ||
        add_opt(j, "userType", o->user_type) || add_opt(j, "fullName", o->full_name) ||
        add_opt(j, "companyName", o->company_name) || add_opt(j, "taxID", o->tax_id) ||
        add_opt(j, "personalID", o->personal_id) || add_opt(j, "passportID", o->passport_id) ||
        add_opt(j, "budgetID", o->budget_id) || add_opt(j, "phone", phone) ||
        add_opt(j, "email", email)) {
        cJSON_Delete(j);
        j = NULL;
    }
    free(phone);
    free(email);
    return j;
}

void emu_handle_owner_list(emu_req *r)
{
    emu_principal p;
    owner_query q;
    if (require_rp(r, &p) != 0 || parse_query(r, &q) != 0)
        return;
    emu_state *st = r->ctx->st;
    emu_owner **hits = calloc(st->n_owners + 1, sizeof(*hits));
    cJSON *arr = cJSON_CreateArray();
    size_t n = 0, shown = 0;
    if (hits == NULL || arr == NULL) {
        emu_fail(r, 9000, "out of memory");
        goto out;
    }
    pthread_mutex_lock(&st->lock);
    const char *rp = st->rps[p.rp].name;
    for (size_t i = 0; i < st->n_owners; i++) {
        emu_owner *o = &st->owners[i];
        if (known_to(st, o, rp) && field_matches(q.username, o->username) &&
            field_matches(q.tax_id, o->tax_id) && field_matches(q.personal_id, o->personal_id) &&
            field_matches(q.passport_id, o->passport_id) &&
            field_matches(q.budget_id, o->budget_id) && field_matches(q.owner_uuid, o->uuid))
            hits[n++] = o;
    }
    qsort(hits, n, sizeof(*hits), by_username);
    size_t first = (size_t)(q.page - 1) * (size_t)q.count;
    for (size_t i = first; i < n && shown < (size_t)q.count; i++, shown++) {
        if (!cJSON_AddItemToArray(arr, owner_json(hits[i]))) {
            emu_fail(r, 9000, "out of memory");
            break;
        }
    }
    pthread_mutex_unlock(&st->lock);
    if (r->code != 0)
        goto out;
    if (emu_put_item(r, "owners", arr) == 0 && emu_put_int(r, "currentPage", q.page) == 0 &&
        emu_put_int(r, "recordCount", (long long)shown) == 0)
        emu_put_int(r, "recordTotal", (long long)n);
    arr = NULL;
out:
    cJSON_Delete(arr);
    free(hits);
}

void emu_handle_owner_assign(emu_req *r)
{
    emu_principal p;
    const char *agreement_uuid, *owner_uuid;
    if (require_rp(r, &p) != 0 ||
        emu_need_string(r, r->body, "agreementUUID", &agreement_uuid) != 0 ||
        emu_need_string(r, r->body, "ownerUUID", &owner_uuid) != 0)
        return;
    emu_state *st = r->ctx->st;
    bool changed = false;
    pthread_mutex_lock(&st->lock);
    const char *rp = st->rps[p.rp].name;
    emu_agreement *a = emu_find_agreement(st, agreement_uuid);
    emu_owner *o = emu_find_owner(st, owner_uuid);
    if (a == NULL || strcmp(a->rp, rp) != 0) {
        emu_fail(r, 3007, "unknown agreementUUID or one of another relying party");
    } else if (o == NULL || !known_to(st, o, rp)) {
        emu_fail(r, 3003, "unknown ownerUUID");
    } else if (a->owner_uuid != NULL && strcmp(a->owner_uuid, o->uuid) != 0) {
        emu_fail(r, 3025, NULL);
    } else if (a->owner_uuid == NULL) {
        a->owner_uuid = strdup(o->uuid);
        if (a->owner_uuid == NULL) {
            emu_fail(r, 9000, "out of memory");
        } else {
            changed = true;
            emu_state_changed(st);
        }
    }
    pthread_mutex_unlock(&st->lock);
    if (changed)
        emu_state_flush(st);
    if (r->code == 0 && emu_put_string(r, "agreementUUID", agreement_uuid) == 0)
        emu_put_string(r, "ownerUUID", owner_uuid);
}
