/* Reason codes and messages of App-Authentication results. */
#include "rssp/appsign.h"

typedef struct {
    const char *reason;
    const char *message;
} reason_entry;

static reason_entry describe(rssp_appsign_result r)
{
    switch (r) {
    case RSSP_APPSIGN_OK:
        return (reason_entry){"ok", "The sign is valid."};
    case RSSP_APPSIGN_BAD_INPUT:
        return (reason_entry){"bad-input",
                              "Cannot make a sign: api_key must be 1 to 128 bytes without '&', "
                              "'=' or control characters, the secret non-empty, times "
                              "non-negative and random at most 10 decimal digits."};
    case RSSP_APPSIGN_NOMEM:
        return (reason_entry){"no-memory", "Out of memory."};
    case RSSP_APPSIGN_NOT_BASE64:
        return (reason_entry){"not-base64", "The sign is not standard, padded Base64."};
    case RSSP_APPSIGN_TRUNCATED:
        return (reason_entry){"truncated", "The sign is too short to hold an HMAC and its fields."};
    case RSSP_APPSIGN_MALFORMED:
        return (reason_entry){"malformed",
                              "The signed text is not exactly "
                              "a=<api_key>&b=<expire_time>&c=<current_time>&d=<random>."};
    case RSSP_APPSIGN_UNKNOWN_KEY:
        return (reason_entry){"unknown-key", "The sign names an unknown api_key."};
    case RSSP_APPSIGN_BAD_HMAC:
        return (reason_entry){"bad-hmac", "The sign's HMAC does not match: it was altered or "
                                          "made with another secret."};
    case RSSP_APPSIGN_FUTURE:
        return (reason_entry){"future", "The sign's current_time lies in the future beyond the "
                                        "allowed clock skew."};
    case RSSP_APPSIGN_EXPIRED:
        return (reason_entry){"expired", "The sign has expired."};
    case RSSP_APPSIGN_REPLAYED:
        return (reason_entry){"replayed", "The single-use sign has already been used."};
    case RSSP_APPSIGN_INTERNAL:
        return (reason_entry){"internal", "Internal error while handling the sign."};
    case RSSP_APPSIGN_BUSY:
        return (reason_entry){"busy", "Too many single-use signs are live at once; try again "
                                      "later."};
    }
    return (reason_entry){"unknown", "Unknown App-Authentication result."};
}

const char *rssp_appsign_reason(rssp_appsign_result r)
{
    return describe(r).reason;
}

const char *rssp_appsign_message(rssp_appsign_result r)
{
    return describe(r).message;
}
