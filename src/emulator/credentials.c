#include "emulator/credentials.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/crypto.h"
#include "emulator/access.h"

typedef enum { CERTS_NONE, CERTS_SINGLE, CERTS_CHAIN } certs_mode;

static int certs_param(emu_req *r, certs_mode def, certs_mode *out)
{
    const char *s;
    int rc = emu_get_string(r, r->body, "certificates|certs", &s);
    *out = def;
    if (rc <= 0)
        return rc;
    if (strcasecmp(s, "none") == 0)
        *out = CERTS_NONE;
    else if (strcasecmp(s, "single") == 0)
        *out = CERTS_SINGLE;
    else if (strcasecmp(s, "chain") == 0)
        *out = CERTS_CHAIN;
    else
        return emu_fail(r, 3100, "certificates must be none, single or chain");
    return 0;
}

static int add_str(cJSON *o, const char *name, const char *v)
{
    return v == NULL || cJSON_AddStringToObject(o, name, v) != NULL ? 0 : -1;
}

static int add_certificates(cJSON *o, const emu_credential *c, certs_mode mode)
{
    if (mode == CERTS_NONE)
        return 0;
    cJSON *arr = cJSON_AddArrayToObject(o, "certificates");
    if (arr == NULL)
        return -1;
    size_t n = mode == CERTS_SINGLE ? 1 : c->n_chain;
    for (size_t i = 0; i < n; i++) {
        char *b64 = rssp_base64_encode(c->chain[i].data, c->chain[i].len);
        cJSON *s = b64 == NULL ? NULL : cJSON_CreateString(b64);
        free(b64);
        if (!cJSON_AddItemToArray(arr, s))
            return -1;
    }
    return 0;
}

static int add_cert_info(cJSON *o, const emu_credential *c)
{
    cJSON *profile;
    if (add_str(o, "issuerDN", c->issuer_dn) || add_str(o, "serialNumber", c->serial_hex) ||
        add_str(o, "subjectDN", c->subject_dn) || add_str(o, "validFrom", c->valid_from) ||
        add_str(o, "validTo", c->valid_to))
        return -1;
    profile = cJSON_AddObjectToObject(o, "certificateProfile");
    if (profile == NULL || add_str(profile, "name", c->profile_name) ||
        add_str(profile, "description", c->profile_description))
        return -1;
    return 0;
}

/* ---- credentials/list ---- */

static int list_conditions(emu_req *r, const char **status, const char **purpose)
{
    const cJSON *sc = NULL;
    *status = "ALL";
    *purpose = "ALL";
    if (emu_get_object(r, r->body, "searchConditions", &sc) < 0 ||
        emu_get_string(r, sc, "certificateStatus", status) < 0 ||
        emu_get_string(r, sc, "certificatePurpose|cetificatePurpose", purpose) < 0)
        return -1;
    if (strcasecmp(*status, "ALL") != 0 && strcasecmp(*status, "GOOD") != 0 &&
        strcasecmp(*status, "REVOKED") != 0)
        return emu_fail(r, 3100, "certificateStatus must be ALL, GOOD or REVOKED");
    if (strcasecmp(*purpose, "ALL") != 0 && strcasecmp(*purpose, "SIGNATURE") != 0 &&
        strcasecmp(*purpose, "ENCRYPTION") != 0)
        return emu_fail(r, 3100, "certificatePurpose must be ALL, SIGNATURE or ENCRYPTION");
    return 0;
}

static int by_id(const void *a, const void *b)
{
    const emu_credential *x = *(emu_credential *const *)a, *y = *(emu_credential *const *)b;
    size_t lx = strlen(x->id), ly = strlen(y->id);
    if (lx != ly)
        return lx < ly ? -1 : 1; /* decimal identifiers sort by value */
    return strcmp(x->id, y->id);
}

static cJSON *list_item(const emu_credential *c, bool info, certs_mode mode, time_t now)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || add_str(o, "credentialID", c->id) ||
        cJSON_AddNumberToObject(o, "certificateID", strtod(c->id, NULL)) == NULL ||
        add_str(o, "thumbprint", c->thumbprint) ||
        add_str(o, "status", emu_credential_status(c, now)))
        goto fail;
    if (info && (add_cert_info(o, c) || add_str(o, "purpose", c->purpose) ||
                 cJSON_AddNumberToObject(o, "numSignatures", c->num_signatures) == NULL))
        goto fail;
    if (cJSON_AddNumberToObject(o, "remainingSigningCounter",
                                (double)c->remaining_signing_counter) == NULL ||
        cJSON_AddNumberToObject(o, "version", c->version) == NULL ||
        add_certificates(o, c, mode) != 0)
        goto fail;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

void emu_handle_list(emu_req *r)
{
    emu_principal p;
    const char *status, *purpose;
    bool info = false;
    certs_mode mode;
    if (emu_require_access(r, &p, false) != 0 || list_conditions(r, &status, &purpose) != 0 ||
        emu_get_bool(r, r->body, "certificateInfo|certInfo|certInfoEnabled", &info) < 0 ||
        certs_param(r, CERTS_NONE, &mode) != 0)
        return;
    emu_state *st = r->ctx->st;
    emu_credential **picked = calloc(st->n_credentials + 1, sizeof(*picked));
    cJSON *arr = cJSON_CreateArray();
    if (picked == NULL || arr == NULL) {
        emu_fail(r, 9000, "out of memory");
        goto out;
    }
    time_t now = time(NULL);
    size_t n = 0;
    pthread_mutex_lock(&st->lock);
    emu_agreement *a;
    if (emu_resolve_agreement(r, p, &a) == 0) {
        for (size_t i = 0; i < st->n_credentials; i++) {
            emu_credential *c = &st->credentials[i];
            const char *cs = emu_credential_status(c, now);
            if (!emu_credential_visible(st, p, a, c) ||
                (strcasecmp(status, "GOOD") == 0 && strcmp(cs, "valid") != 0) ||
                (strcasecmp(status, "REVOKED") == 0 && strcmp(cs, "revoked") != 0) ||
                (strcasecmp(purpose, "ALL") != 0 && strcasecmp(purpose, c->purpose) != 0))
                continue;
            picked[n++] = c;
        }
        qsort(picked, n, sizeof(*picked), by_id);
        for (size_t i = 0; i < n; i++) {
            if (!cJSON_AddItemToArray(arr, list_item(picked[i], info, mode, now))) {
                emu_fail(r, 9000, "out of memory");
                break;
            }
        }
    }
    pthread_mutex_unlock(&st->lock);
    if (r->code == 0) {
        emu_put_item(r, "certificates", arr);
        arr = NULL;
    }
out:
    cJSON_Delete(arr);
    free(picked);
}

/* ---- credentials/info ---- */

static int add_key(cJSON *o, const emu_credential *c)
{
    cJSON *key = cJSON_AddObjectToObject(o, "key");
    cJSON *algo = key == NULL ? NULL : cJSON_AddArrayToObject(key, "algo");
    const char *oid = c->key_type == RSSP_KEY_RSA ? "1.2.840.113549.1.1.1" : "1.2.840.10045.2.1";
    if (algo == NULL || !cJSON_AddItemToArray(algo, cJSON_CreateString(oid)) ||
        cJSON_AddNumberToObject(key, "len", c->key_bits) == NULL ||
        add_str(key, "curve", c->curve_oid))
        return -1;
    return 0;
}

static cJSON *info_body(emu_req *r, const emu_credential *c, certs_mode mode, bool cert_info,
                        bool auth_info)
{
    emu_state *st = r->ctx->st;
    time_t now = time(NULL);
    cJSON *o = cJSON_CreateObject();
    cJSON *cert = o == NULL ? NULL : cJSON_AddObjectToObject(o, "certificate");
    cJSON *modes = NULL;
    if (cert == NULL || add_str(cert, "status", emu_credential_status(c, now)) ||
        add_certificates(cert, c, mode) != 0 || (cert_info && add_cert_info(cert, c) != 0) ||
        add_str(cert, "thumbprint", c->thumbprint) || add_str(cert, "purpose", c->purpose))
        goto fail;
    if (add_str(o, "sharedMode", c->shared_mode) || add_str(o, "createdRP", c->created_rp) ||
        cJSON_AddNumberToObject(o, "numSignatures", c->num_signatures) == NULL ||
        (modes = cJSON_AddArrayToObject(o, "authModeSupported")) == NULL)
        goto fail;
    for (size_t i = 0; i < c->n_auth_modes; i++) {
        if (!cJSON_AddItemToArray(modes, cJSON_CreateString(c->auth_modes[i])))
            goto fail;
    }
    if (add_str(o, "authMode", c->auth_mode) ||
        cJSON_AddNumberToObject(o, "SCAL", c->scal) == NULL ||
        add_str(o, "contractExpirationDt", c->contract_expiration) ||
        cJSON_AddNumberToObject(o, "remainingSigningCounter",
                                (double)c->remaining_signing_counter) == NULL)
        goto fail;
    if (auth_info) {
        const emu_agreement *a = emu_find_agreement(st, c->agreement);
        const emu_owner *owner = a == NULL ? NULL : emu_find_owner(st, a->owner_uuid);
        if (owner != NULL) {
            char *phone = emu_mask_phone(owner->phone), *email = emu_mask_email(owner->email);
            int bad =
                add_str(o, "authorizationPhone", phone) || add_str(o, "authorizationEmail", email);
            free(phone);
            free(email);
            if (bad)
                goto fail;
        }
    }
    if (cJSON_AddBoolToObject(o, "passphraseDefault", false) == NULL || add_key(o, c) != 0 ||
        cJSON_AddNumberToObject(o, "version", c->version) == NULL)
        goto fail;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

void emu_handle_credential_info(emu_req *r)
{
    emu_principal p;
    bool cert_info = false, auth_info = false;
    certs_mode mode;
    emu_credential *c;
    if (emu_require_access(r, &p, false) != 0 || certs_param(r, CERTS_SINGLE, &mode) != 0 ||
        emu_get_bool(r, r->body, "certificateInfo|certInfo|certInfoEnabled", &cert_info) < 0 ||
        emu_get_bool(r, r->body, "authenticationInfo|authInfo|authInfoEnabled", &auth_info) < 0)
        return;
    emu_state *st = r->ctx->st;
    cJSON *body = NULL;
    pthread_mutex_lock(&st->lock);
    if (emu_resolve_credential(r, p, &c, NULL) == 0) {
        body = info_body(r, c, mode, cert_info, auth_info);
        if (body == NULL)
            emu_fail(r, 9000, "out of memory");
    }
    pthread_mutex_unlock(&st->lock);
    if (body == NULL)
        return;
    /* Move the fields into the response. */
    while (body->child != NULL) {
        cJSON *item = cJSON_DetachItemViaPointer(body, body->child);
        if (emu_put_item(r, item->string, item) != 0)
            break;
    }
    cJSON_Delete(body);
}
