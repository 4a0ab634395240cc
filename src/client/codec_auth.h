/* auth/login and auth/revoke: request bodies and the login response (rssp-protocol.md §2.2-2.3). */
#ifndef RSSP_CLIENT_CODEC_AUTH_H
#define RSSP_CLIENT_CODEC_AUTH_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "client/codec_common.h"
#include "rssp/client.h"

/* {"relyingParty", "rememberMe", "language"}; relyingParty omitted when NULL (Bearer refresh). */
rssp_err rssp_encode_login(const rssp_req_common *cm, bool remember_me, cJSON **out,
                           rssp_status *st);

typedef struct {
    char *access_token;  /* secret memory */
    char *refresh_token; /* secret memory; NULL when not sent */
    long expires_in;     /* seconds; 3600 when not sent */
} rssp_login_result;

rssp_err rssp_decode_login(const cJSON *root, rssp_login_result *out, rssp_status *st);
void rssp_login_result_clear(rssp_login_result *r);

/*
 * {"token", "tokenType", "credentialID" (SAD only), "agreementUUID" (SAD only,
 * when configured), "language"}.
 */
rssp_err rssp_encode_revoke(rssp_token_type type, const char *token, const char *credential_id,
                            const rssp_req_common *cm, cJSON **out, rssp_status *st);

#endif
