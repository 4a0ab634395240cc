/*
 * Obtaining a SAD the way the credential's authMode asks: PIN, one-time code
 * (sendOTP first), or approval on the phone (IMPLICIT).
 */
#ifndef RSSP_TOOL_AUTHORIZE_H
#define RSSP_TOOL_AUTHORIZE_H

#include "rssp/client.h"
#include "tool/secret_input.h"
#include "tool/tool.h"

typedef struct {
    tool_secret_source pin;
    tool_secret_source otp;
} tool_auth_options;

/*
 * credentials/info of id with the authorization information and the
 * certificates as asked. Returns a tool exit code.
 */
int tool_credential_info(tool_ctx *ctx, const char *id, rssp_certs_mode certs,
                         rssp_credential *out);

/*
 * credentials/authorize for num signatures. At SCAL 2 the n_hashes hashes
 * are bound to the SAD. Returns a tool exit code; on success *sad is filled
 * (release it with tool_release_sad).
 */
int tool_authorize(tool_ctx *ctx, const rssp_credential *cred, const tool_auth_options *opt,
                   int num, rssp_hash_alg hash_alg, const rssp_buf *hashes, size_t n_hashes,
                   const char *sign_algo_oid, rssp_sad *sad);

/* Revoke the SAD at the service (a SAD never outlives the tool) and wipe it. */
void tool_release_sad(tool_ctx *ctx, const char *credential_id, rssp_sad *sad);

#endif
