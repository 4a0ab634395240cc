/*
 * The Authorization header (rssp-protocol.md §1.4): splitting into schemes,
 * and the server-side checks of SSL2, Basic and App-Authentication
 * (docs/protocol.md). Nothing here logs or keeps a secret.
 */
#ifndef EMU_HTTPAUTH_H
#define EMU_HTTPAUTH_H

#include <stddef.h>

#include "emulator/context.h"
#include "emulator/state.h"

typedef struct {
    char *buf; /* owned copy of the header, cut into the fields below */
    const char *ssl2;
    const char *basic;
    const char *bearer;
    const char *appsign;
} emu_auth_header;

/* 0, or -1 if malformed (unknown or repeated scheme, empty credentials); why says which. */
int emu_auth_parse(const char *header, emu_auth_header *out, char *why, size_t why_len);
void emu_auth_header_clear(emu_auth_header *h);

/* Check SSL2 credentials at now_ms (epoch ms); *rp on success, why on failure. */
int emu_ssl2_check(emu_state *st, const char *cred, long long now_ms, emu_rp **rp, char *why,
                   size_t why_len);

/* Decode Basic credentials: usertype, username, password (all malloc'ed; password secret). */
int emu_basic_decode(const char *cred, char **user_type, char **username, char **password);

/* App-Authentication sign as the relying party's factor; *rp on success. */
int emu_appsign_check(emu_ctx *ctx, const char *sign, emu_rp **rp, char *why, size_t why_len);
/* The verifier's secret lookup over the relying parties of st (ctx = emu_state). */
int emu_appsign_lookup(void *ctx, const char *api_key, const unsigned char **secret,
                       size_t *secret_len);

#endif
