/*
 * One RSSP request as the method handlers see it: the parsed JSON body,
 * the headers that matter, typed field access that turns a wrong type into
 * 3100, and the response under construction (envelope added by the server).
 */
#ifndef EMU_REQUEST_H
#define EMU_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "emulator/context.h"

typedef struct {
    emu_ctx *ctx;
    emu_method method;
    cJSON *body;               /* the request object */
    const char *authorization; /* Authorization header or NULL */
    const char *entity_name;   /* rssp-entity-name request header or NULL */
    char client_ip[64];
    int client_fd;           /* the connection's socket (IMPLICIT cancellation) */
    bool vn;                 /* language VN */
    emu_protocol dialect;    /* RSSP requests carry rssp-entity-name (§1.6); CSC ones do not */
    bool csc_otp;            /* CSC: the request carried an OTP (its errors name the OTP) */
    bool csc_token_endpoint; /* CSC: oauth2/token (errors are OAuth 2.0 client errors) */

    /* response */
    cJSON *resp;          /* method fields; the server adds the envelope */
    int code;             /* responseCode */
    char detail[256];     /* appended to the standard message */
    char bill_prefix[72]; /* RP name once known */
    char entity_out[129]; /* rssp-entity-name response header, "" = none */
    bool client_gone;     /* close the connection without a response */
} emu_req;

/* Set the result code with a detail text (English, never a secret). Returns -1. */
int emu_fail(emu_req *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Typed access to an object's member. Return 1 if present with the right
 * type (value in *out), 0 if absent or null, -1 (and 3100 set) if present
 * with another type. name may list aliases separated by '|': the first
 * present one is used.
 */
int emu_get_string(emu_req *r, const cJSON *obj, const char *name, const char **out);
int emu_get_int(emu_req *r, const cJSON *obj, const char *name, long *out);
int emu_get_bool(emu_req *r, const cJSON *obj, const char *name, bool *out);
int emu_get_object(emu_req *r, const cJSON *obj, const char *name, const cJSON **out);
int emu_get_array(emu_req *r, const cJSON *obj, const char *name, const cJSON **out);

/* Required variants: absent also sets 3100. Return 0 or -1. */
int emu_need_string(emu_req *r, const cJSON *obj, const char *name, const char **out);
int emu_need_int(emu_req *r, const cJSON *obj, const char *name, long *out);

/* Response fields; return 0 or -1 (9000 set on allocation failure). */
int emu_put_string(emu_req *r, const char *name, const char *value);
int emu_put_int(emu_req *r, const char *name, long long value);
int emu_put_bool(emu_req *r, const char *name, bool value);
/* Takes ownership of item (freed on failure). */
int emu_put_item(emu_req *r, const char *name, cJSON *item);

/* The client identity of the session binding: clientInfo.macAddr, else the IP. */
const char *emu_client_identity(emu_req *r);

/* Check the common request fields (§1.2): types, language, lengths. */
int emu_check_common_fields(emu_req *r);

/* cJSON_Delete after wiping every string (request bodies hold PINs, responses tokens). */
void emu_json_wipe_delete(cJSON *item);

/* Build the final JSON text with the envelope (malloc'ed; NULL on allocation failure). */
char *emu_response_text(emu_req *r);

#endif
