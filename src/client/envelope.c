#include "client/envelope.h"

#include <limits.h>
#include <string.h>

#include "client/envelope_csc.h"
#include "client/json.h"
#include "client/status_internal.h"

/* Map a CSC error string (RFC 6749 style) to a service code (§1.1). */
static int csc_error_code(const char *error)
{
    if (strcmp(error, "invalid_token") == 0)
        return RSSP_RC_ACCESS_TOKEN_INVALID;
    if (strcmp(error, "invalid_request") == 0)
        return RSSP_RC_INVALID_PARAMETER;
    return RSSP_RC_INTERNAL_ERROR;
}

/* Message and billCode are informational: a wrong type is ignored rather than hiding the code. */
static void copy_text(const cJSON *root, const char *const *names, char *dst, size_t dst_size)
{
    const cJSON *m = rssp_json_member(root, names);
    if (cJSON_IsString(m) && m->valuestring != NULL)
        rssp_status_copy(dst, dst_size, m->valuestring);
}

static rssp_err read_counters(const cJSON *root, rssp_status *st)
{
    long long v = 0;
    rssp_err err = rssp_json_int(root, RSSP_NAMES("remainingCounter"), -1, INT_MAX, -1, &v, st);
    if (err != RSSP_OK)
        return err;
    st->remaining_counter = (int)v;
    err = rssp_json_int(root,
                        RSSP_NAMES("temporaryLockTime", "tempLockoutDuration", "tempLockDuration"),
                        -1, INT_MAX, -1, &v, st);
    if (err != RSSP_OK)
        return err;
    st->temporary_lock_time = (int)v;
    err = rssp_json_int(root, RSSP_NAMES("remainingSigningCounter"), -1, INT_MAX, -2, &v, st);
    if (err != RSSP_OK)
        return err;
    st->remaining_signing_counter = (int)v;
    return RSSP_OK;
}

/* Nothing usable in the body: the HTTP status decides between transport and protocol error. */
static rssp_err no_envelope(long http_status, const char *what, rssp_status *st)
{
    if (http_status != 200)
        return rssp_fail(st, RSSP_ERR_TRANSPORT, "HTTP status %ld without an RSSP response",
                         http_status);
    return rssp_fail(st, RSSP_ERR_PROTOCOL, "%s", what);
}

rssp_err rssp_envelope_read(const cJSON *root, long http_status, const rssp_envelope_rules *rules,
                            rssp_status *st)
{
    if (rules->csc)
        return rssp_envelope_read_csc(root, http_status, rules->method, st);
    if (!cJSON_IsObject(root))
        return no_envelope(http_status, "response is not a JSON object", st);

    int code = 0;
    const cJSON *rc = rssp_json_member(root, RSSP_NAMES("responseCode", "error"));
    if (rc == NULL) {
        if (rules->accept_bare_info && http_status == 200 &&
            rssp_json_member(root, RSSP_NAMES("version")) != NULL)
            return RSSP_OK;
        return no_envelope(http_status, "response has no responseCode", st);
    }
    if (cJSON_IsString(rc) && strcmp(rc->string, "error") == 0 && rc->valuestring != NULL) {
        /* CSC error body: {"error":"invalid_token","error_description":"..."} */
        code = csc_error_code(rc->valuestring);
        rssp_status_copy(st->message, sizeof st->message, rc->valuestring);
        copy_text(root, RSSP_NAMES("error_description"), st->message, sizeof st->message);
    } else {
        long long v = 0;
        rssp_err err =
            rssp_json_int(root, RSSP_NAMES("responseCode", "error"), INT_MIN, INT_MAX, 0, &v, st);
        if (err != RSSP_OK)
            return err;
        code = (int)v;
        copy_text(root, RSSP_NAMES("responseMessage", "errorDescription"), st->message,
                  sizeof st->message);
    }
    copy_text(root, RSSP_NAMES("billCode"), st->bill_code, sizeof st->bill_code);
    rssp_err err = read_counters(root, st);
    if (err != RSSP_OK)
        return err;

    if (code == RSSP_RC_SUCCESS || (code == RSSP_RC_REQUEST_ACCEPTED && rules->accept_1007)) {
        st->response_code = 0;
        return RSSP_OK;
    }
    st->response_code = code;
    if (st->message[0] == '\0')
        rssp_status_copy(st->message, sizeof st->message, "the service refused the request");
    st->err = RSSP_ERR_SERVICE;
    return RSSP_ERR_SERVICE;
}

rssp_err rssp_envelope_parse(const char *body, size_t len, long http_status,
                             const rssp_envelope_rules *rules, cJSON **root, rssp_status *st)
{
    *root = NULL;
    cJSON *parsed = NULL;
    if (rules->csc && len == 0 && (http_status == 200 || http_status == 204)) {
        /* CSC methods without a result (sendOTP, revoke) may answer with no body at all. */
        *root = cJSON_CreateObject();
        return *root != NULL ? RSSP_OK : rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    rssp_err err = rssp_json_parse(body, len, &parsed, st);
    if (err != RSSP_OK) {
        if (rules->csc && http_status == 401) {
            /* RFC 6750 §3: a Bearer refusal may come with WWW-Authenticate only. */
            rssp_status_reset(st);
            st->response_code = RSSP_RC_ACCESS_TOKEN_INVALID;
            return rssp_fail(st, RSSP_ERR_SERVICE, "HTTP 401: the access token was refused");
        }
        if (http_status != 200)
            return rssp_fail(st, RSSP_ERR_TRANSPORT, "HTTP status %ld without an RSSP response",
                             http_status);
        return err;
    }
    err = rssp_envelope_read(parsed, http_status, rules, st);
    if (err == RSSP_OK || err == RSSP_ERR_SERVICE) {
        *root = parsed;
        return err;
    }
    rssp_json_delete(parsed);
    return err;
}
