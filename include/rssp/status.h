/* One error type for everything the client library can report. */
#ifndef RSSP_STATUS_H
#define RSSP_STATUS_H

#include <stdbool.h>

typedef enum {
    RSSP_OK = 0,
    RSSP_ERR_ARGS,      /* the caller passed something invalid */
    RSSP_ERR_NOMEM,     /* an allocation failed */
    RSSP_ERR_CONFIG,    /* configuration or key material unusable */
    RSSP_ERR_TRANSPORT, /* connect, TLS, timeout, or an HTTP status without an envelope */
    RSSP_ERR_PROTOCOL,  /* the body was not a valid response (JSON, types, size) */
    RSSP_ERR_SERVICE,   /* the service answered with a non-zero responseCode */
    RSSP_ERR_CANCELLED, /* the call was cancelled by the caller */
} rssp_err;

/* Service result codes of rssp-protocol.md §5 that callers act on. */
enum {
    RSSP_RC_SUCCESS = 0,
    RSSP_RC_REQUEST_ACCEPTED = 1007,
    RSSP_RC_INVALID_OWNER_CREDENTIALS = 3000,
    RSSP_RC_RP_AUTHENTICATION_FAILED = 3001,
    RSSP_RC_ACCOUNT_LOCKED = 3002,
    RSSP_RC_ACCOUNT_NOT_FOUND = 3003,
    RSSP_RC_REFRESH_TOKEN_INVALID = 3004,
    RSSP_RC_ACCESS_TOKEN_EXPIRED = 3005,
    RSSP_RC_ACCESS_TOKEN_INVALID = 3006,
    RSSP_RC_AGREEMENT_INVALID = 3007,
    RSSP_RC_CREDENTIAL_NOT_FOUND = 3008,
    RSSP_RC_CERTIFICATE_REVOKED = 3009,
    RSSP_RC_CERTIFICATE_NOT_VALID = 3010,
    RSSP_RC_AUTHORIZE_CODE_INVALID = 3011,
    RSSP_RC_CREDENTIAL_LOCKED = 3012,
    RSSP_RC_OTP_EXPIRED = 3013,
    RSSP_RC_SAD_INVALID = 3014,
    RSSP_RC_SAD_EXPIRED = 3015,
    RSSP_RC_SAD_EXHAUSTED = 3016,
    RSSP_RC_HASH_NOT_AUTHORIZED = 3017,
    RSSP_RC_SIGNING_COUNTER_EXHAUSTED = 3018,
    RSSP_RC_ALGORITHM_NOT_SUPPORTED = 3019,
    RSSP_RC_SESSION_BOUND_TO_OTHER_CLIENT = 3020,
    RSSP_RC_AUTH_MODE_MISMATCH = 3021,
    RSSP_RC_USER_DENIED = 3022,
    RSSP_RC_ENTITY_NAME_MISMATCH = 3023,
    RSSP_RC_PERMISSION_DENIED = 3024,
    RSSP_RC_AGREEMENT_ALREADY_ASSIGNED = 3025,
    RSSP_RC_NUM_SIGNATURES_EXCEEDED = 3026,
    RSSP_RC_REQUEST_EXPIRED = 3036,
    RSSP_RC_INVALID_PARAMETER = 3100,
    RSSP_RC_NOT_SUPPORTED = 3101,
    RSSP_RC_MOBILE_APP_NOT_READY = 3213,
    RSSP_RC_INTERNAL_ERROR = 9000,
    RSSP_RC_SERVICE_UNAVAILABLE = 9001,
};

/*
 * Details of the last outcome of a call. Every client call takes an optional
 * rssp_status *; it is reset at the start of the call and filled on return.
 * Never holds a secret.
 */
typedef struct {
    rssp_err err;
    int response_code;             /* service responseCode; 0 unless err == RSSP_ERR_SERVICE */
    long http_status;              /* last HTTP status, 0 if none */
    int remaining_counter;         /* attempts left (3000, 3011), -1 when absent */
    int temporary_lock_time;       /* seconds (3002, 3012), -1 when absent */
    int remaining_signing_counter; /* from signHash/list, -2 when absent (-1 means unlimited) */
    bool maybe_sent;               /* the request may have reached the service */
    char message[256];             /* responseMessage or a description of the failure */
    char bill_code[96];            /* billCode of the response, "" if none */
} rssp_status;

/* Reset *st to "no error" (counters absent). NULL is allowed. */
void rssp_status_reset(rssp_status *st);

/* A short constant name for an error kind ("transport error" ...). */
const char *rssp_err_name(rssp_err err);

#endif
