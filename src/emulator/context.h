/* Everything a running emulator (`serve`) shares between its request threads. */
#ifndef EMU_CONTEXT_H
#define EMU_CONTEXT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "emulator/hsm.h"
#include "emulator/state.h"
#include "rssp/appsign.h"

typedef enum {
    EMU_M_INFO = 0,
    EMU_M_LOGIN,
    EMU_M_REVOKE,
    EMU_M_LIST,
    EMU_M_CRED_INFO,
    EMU_M_SEND_OTP,
    EMU_M_AUTHORIZE,
    EMU_M_EXTEND,
    EMU_M_SIGN_HASH,
    EMU_M_OWNER_LIST,
    EMU_M_OWNER_ASSIGN,
    EMU_M_COUNT
} emu_method;

/* Canonical method name ("signatures/signHash"). */
const char *emu_method_name(emu_method m);

/* The dialect `serve --protocol` speaks (one per server). */
typedef enum {
    EMU_PROTO_RSSP = 0, /* /rssp/v1/ */
    EMU_PROTO_CSC_V1,   /* /csc/v1/, CSC API 1.0.4.0 */
    EMU_PROTO_CSC_V2,   /* /csc/v2/, CSC API 2.0.0.2 */
} emu_protocol;

/* "rssp", "csc-v1", "csc-v2" <-> value; -1 for an unknown name. */
int emu_protocol_parse(const char *name);
const char *emu_protocol_name(emu_protocol p);
/* The path prefix of its API: "/rssp/v1/", "/csc/v1/", "/csc/v2/". */
const char *emu_protocol_prefix(emu_protocol p);

typedef struct {
    long token_ttl_s;     /* access token lifetime */
    long refresh_ttl_s;   /* refresh token lifetime */
    long sad_ttl_s;       /* SAD lifetime */
    int max_attempts;     /* wrong passwords / codes before a lock */
    long lock_time_s;     /* lock duration */
    long auto_approve_ms; /* IMPLICIT: approve by itself after this delay; <0 = never */
    bool admin;           /* /_emulator/ endpoints on */
} emu_rules;

typedef struct emu_sessions emu_sessions;
typedef struct emu_approvals emu_approvals;
typedef struct emu_outbox emu_outbox;
typedef struct emu_faults emu_faults;

typedef struct {
    atomic_ulong requests[EMU_M_COUNT];
    atomic_ulong connections;
    atomic_ulong admin_requests;
    atomic_ulong http_errors; /* 404/405/413/415 */
} emu_stats;

typedef struct {
    emu_rules rules;
    emu_protocol protocol;
    char base_url[256]; /* the API's base URL (CSC info announces it as the OAuth 2.0 server) */
    emu_state *st;      /* durable model; st->lock also guards sessions */
    emu_hsm *hsm;
    emu_sessions *sessions; /* tokens and SADs (guarded by st->lock) */
    emu_approvals *approvals;
    emu_outbox *outbox;
    emu_faults *faults;
    rssp_appsign_verifier *appsign;
    emu_stats stats;
    atomic_ulong bill_seq;
} emu_ctx;

#endif
