/*
 * CSC outcomes (CSC API v1 §10.1, v2 §10.1): success is a 200 with the
 * method's object; an error is HTTP 4xx/5xx with {"error", "error_description"}
 * (RFC 6749 §5.2 style). The error strings are mapped to the RSSP codes of
 * status.h so that callers act on one set of codes. The CSC specifications
 * give some conditions only in error_description (e.g. "SAD expired" as
 * invalid_request); those are told apart by words of the description, as
 * docs/protocol.md lists.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "client/envelope_csc.h"
#include "client/json.h"
#include "client/status_internal.h"

typedef struct {
    const char *error;  /* error string, NULL = any */
    const char *method; /* method prefix, NULL = any */
    const char *word;   /* case-insensitive word of error_description, NULL = any */
    int code;
} csc_rule;

/* First match wins. */
static const csc_rule rules[] = {
    {"invalid_token", NULL, "expired", RSSP_RC_ACCESS_TOKEN_EXPIRED},
    {"invalid_token", NULL, NULL, RSSP_RC_ACCESS_TOKEN_INVALID},
    {"expired_token", NULL, NULL, RSSP_RC_ACCESS_TOKEN_EXPIRED},
    /* login and the token endpoint */
    {"invalid_grant", NULL, NULL, RSSP_RC_REFRESH_TOKEN_INVALID},
    {"invalid_client", NULL, NULL, RSSP_RC_RP_AUTHENTICATION_FAILED},
    {"unauthorized_client", NULL, NULL, RSSP_RC_RP_AUTHENTICATION_FAILED},
    {"unsupported_grant_type", NULL, NULL, RSSP_RC_NOT_SUPPORTED},
    {NULL, "auth/login", "lock", RSSP_RC_ACCOUNT_LOCKED},
    {"authentication_error", "auth/login", NULL, RSSP_RC_INVALID_OWNER_CREDENTIALS},
    {"access_denied", "auth/login", NULL, RSSP_RC_INVALID_OWNER_CREDENTIALS},
    {"invalid_request", "auth/login", "password", RSSP_RC_INVALID_OWNER_CREDENTIALS},
    /* PIN and OTP */
    {NULL, "credentials/", "lock", RSSP_RC_CREDENTIAL_LOCKED},
    {"invalid_otp", NULL, "expired", RSSP_RC_OTP_EXPIRED},
    {"invalid_pin", NULL, NULL, RSSP_RC_AUTHORIZE_CODE_INVALID},
    {"invalid_otp", NULL, NULL, RSSP_RC_AUTHORIZE_CODE_INVALID},
    {"invalid_request", "credentials/authorize", "PIN is invalid", RSSP_RC_AUTHORIZE_CODE_INVALID},
    {"invalid_request", "credentials/authorize", "OTP is invalid", RSSP_RC_AUTHORIZE_CODE_INVALID},
    /* SAD */
    {"invalid_request", NULL, "hash not authorized", RSSP_RC_HASH_NOT_AUTHORIZED},
    {"invalid_request", NULL, "SAD expired", RSSP_RC_SAD_EXPIRED},
    {"invalid_request", NULL, "parameter SAD", RSSP_RC_SAD_INVALID},
    {"invalid_request", NULL, "SAD", RSSP_RC_SAD_INVALID},
    /* credentials and algorithms */
    {"invalid_request", NULL, "parameter credentialID", RSSP_RC_CREDENTIAL_NOT_FOUND},
    {"invalid_request", NULL, "parameter signAlgo", RSSP_RC_ALGORITHM_NOT_SUPPORTED},
    {"invalid_request", NULL, "parameter hashAlgo", RSSP_RC_ALGORITHM_NOT_SUPPORTED},
    {"invalid_request", NULL, "parameter numSignatures", RSSP_RC_NUM_SIGNATURES_EXCEEDED},
    {"invalid_request", NULL, "revoked", RSSP_RC_CERTIFICATE_REVOKED},
    {"invalid_request", NULL, "certificate", RSSP_RC_CERTIFICATE_NOT_VALID},
    {"invalid_request", NULL, "not supported", RSSP_RC_NOT_SUPPORTED},
    {"invalid_request", NULL, NULL, RSSP_RC_INVALID_PARAMETER},
    {"access_denied", NULL, "denied by the user", RSSP_RC_USER_DENIED},
    {"access_denied", NULL, "signing counter", RSSP_RC_SIGNING_COUNTER_EXHAUSTED},
    {"access_denied", NULL, "expired before", RSSP_RC_REQUEST_EXPIRED},
    {"access_denied", NULL, NULL, RSSP_RC_PERMISSION_DENIED},
    {"temporarily_unavailable", NULL, NULL, RSSP_RC_SERVICE_UNAVAILABLE},
};

/* Case-insensitive substring search. */
static bool contains(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (; *text != '\0'; text++) {
        if (strncasecmp(text, word, n) == 0)
            return true;
    }
    return false;
}

int rssp_csc_error_code(const char *error, const char *description, const char *method)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const csc_rule *r = &rules[i];
        if (r->error != NULL && strcmp(r->error, error) != 0)
            continue;
        if (r->method != NULL &&
            (method == NULL || strncmp(method, r->method, strlen(r->method)) != 0))
            continue;
        if (r->word != NULL && (description == NULL || !contains(description, r->word)))
            continue;
        return r->code;
    }
    return RSSP_RC_INTERNAL_ERROR;
}

rssp_err rssp_envelope_read_csc(const cJSON *root, long http_status, const char *method,
                                rssp_status *st)
{
    const cJSON *error = cJSON_IsObject(root) ? rssp_json_member(root, RSSP_NAMES("error")) : NULL;
    if (cJSON_IsString(error) && error->valuestring != NULL && error->valuestring[0] != '\0') {
        const cJSON *d = rssp_json_member(root, RSSP_NAMES("error_description"));
        const char *description = cJSON_IsString(d) ? d->valuestring : NULL;
        st->response_code = rssp_csc_error_code(error->valuestring, description, method);
        rssp_status_copy(st->message, sizeof st->message,
                         description != NULL && description[0] != '\0' ? description
                                                                       : error->valuestring);
        st->err = RSSP_ERR_SERVICE;
        return RSSP_ERR_SERVICE;
    }
    if (http_status != 200)
        return rssp_fail(st, RSSP_ERR_TRANSPORT, "HTTP status %ld without a CSC error",
                         http_status);
    if (!cJSON_IsObject(root))
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "response is not a JSON object");
    return RSSP_OK;
}
