/*
 * The CSC dialects: v1 (1.0.4.0) and v2 (2.0.0.x) over the codec_csc_*.c
 * functions, and their logins: auth/login with HTTP Basic (RFC 7617) and a
 * refresh_token body, or the OAuth 2.0 token endpoint with the
 * client_credentials and refresh_token grants (RFC 6749 §4.4, §6).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/auth_header.h"
#include "client/call.h"
#include "client/client_internal.h"
#include "client/codec_authorize.h"
#include "client/codec_csc.h"
#include "client/codec_sign.h"
#include "client/dialect.h"
#include "client/json.h"
#include "client/status_internal.h"
#include "common/secmem.h"
#include "crypto/crypto.h"

/* "Basic " Base64(username ":" password), secret memory. */
static rssp_err basic_authorization(const char *username, const char *password, char **out,
                                    rssp_status *st)
{
    *out = NULL;
    size_t lu = strlen(username), lp = strlen(password);
    char *plain = malloc(lu + 1 + lp + 1);
    if (plain == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    memcpy(plain, username, lu);
    plain[lu] = ':';
    memcpy(plain + lu + 1, password, lp + 1);
    char *b64 = rssp_base64_encode(plain, lu + 1 + lp);
    OPENSSL_cleanse(plain, lu + 1 + lp);
    free(plain);
    if (b64 == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    size_t lb = strlen(b64);
    char *value = malloc(6 + lb + 1);
    if (value != NULL) {
        memcpy(value, "Basic ", 6);
        memcpy(value + 6, b64, lb + 1);
        *out = rssp_secret_dup(value, 6 + lb);
        OPENSSL_cleanse(value, 6 + lb);
        free(value);
    }
    rssp_str_free_secret(b64);
    return *out == NULL ? rssp_fail(st, RSSP_ERR_NOMEM, "out of memory") : RSSP_OK;
}

/* POST <oauth2_url>oauth2/token with the client credentials or the refresh token. */
static rssp_err oauth2_token(rssp_client *c, const char *refresh, rssp_login_result *out,
                             rssp_status *st)
{
    char *form = NULL;
    size_t form_len = 0;
    rssp_err err = rssp_csc_encode_token_form(c->oauth2_client_id, c->oauth2_client_secret, refresh,
                                              &form, &form_len, st);
    if (err != RSSP_OK)
        return err;
    size_t lb = strlen(c->oauth2_url);
    char *url = malloc(lb + sizeof "oauth2/token");
    if (url == NULL) {
        rssp_secret_free(form);
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    }
    memcpy(url, c->oauth2_url, lb);
    memcpy(url + lb, "oauth2/token", sizeof "oauth2/token");
    rssp_call_spec spec = {
        .method = "oauth2/token",
        .url = url,
        .content_type = "application/x-www-form-urlencoded",
    };
    rssp_call_result res;
    err = rssp_call_run_text(c, &spec, form, form_len, &res, st);
    if (err == RSSP_OK)
        err = rssp_csc_decode_login(res.root, out, st);
    rssp_call_result_clear(&res);
    rssp_secret_free(form);
    free(url);
    return err;
}

/* auth/login: Basic username:password, or {"refresh_token"} (CSC v1 §11.2, v2 §11.2). */
static rssp_err basic_login(rssp_client *c, const char *refresh, rssp_login_result *out,
                            rssp_status *st)
{
    char *authorization = NULL;
    cJSON *body = NULL;
    rssp_err err = RSSP_OK;
    if (refresh == NULL)
        err = basic_authorization(c->username, c->password, &authorization, st);
    if (err == RSSP_OK)
        err = rssp_csc_encode_login(refresh, c->remember_me, &body, st);
    if (err == RSSP_OK) {
        rssp_call_spec spec = {.method = "auth/login", .authorization = authorization};
        rssp_call_result res;
        err = rssp_call_run(c, &spec, body, &res, st);
        if (err == RSSP_OK)
            err = rssp_csc_decode_login(res.root, out, st);
        rssp_call_result_clear(&res);
    }
    rssp_json_delete(body);
    rssp_secret_free(authorization);
    return err;
}

static rssp_err csc_login(rssp_client *c, const char *refresh, rssp_login_result *out,
                          rssp_status *st)
{
    memset(out, 0, sizeof *out);
    if (c->csc_auth == RSSP_CSC_AUTH_OAUTH2_CLIENT)
        return oauth2_token(c, refresh, out, st);
    return basic_login(c, refresh, out, st);
}

static rssp_err list_v1(const rssp_list_request *req, const char *page_token,
                        const rssp_req_common *cm, cJSON **out, rssp_status *st)
{
    (void)cm;
    return rssp_csc_encode_list(1, req, page_token, out, st);
}

static rssp_err list_v2(const rssp_list_request *req, const char *page_token,
                        const rssp_req_common *cm, cJSON **out, rssp_status *st)
{
    (void)cm;
    return rssp_csc_encode_list(2, req, page_token, out, st);
}

static rssp_err credinfo(const char *credential_id, rssp_certs_mode certs, bool certificate_info,
                         bool authentication_info, const rssp_req_common *cm, cJSON **out,
                         rssp_status *st)
{
    (void)cm;
    return rssp_csc_encode_credinfo(credential_id, certs, certificate_info, authentication_info,
                                    out, st);
}

static rssp_err send_otp(const char *credential_id, const char *template_text, const char *subject,
                         const rssp_req_common *cm, cJSON **out, rssp_status *st)
{
    (void)template_text; /* CSC services word their own messages */
    (void)subject;
    (void)cm;
    return rssp_csc_encode_send_otp(credential_id, out, st);
}

static rssp_err authorize_v1(const rssp_authorize_request *req, const rssp_req_common *cm,
                             cJSON **out, rssp_status *st)
{
    (void)cm;
    return rssp_csc_encode_authorize(1, req, out, st);
}

static rssp_err authorize_v2(const rssp_authorize_request *req, const rssp_req_common *cm,
                             cJSON **out, rssp_status *st)
{
    (void)cm;
    return rssp_csc_encode_authorize(2, req, out, st);
}

static rssp_err extend_v1(const char *credential_id, const char *sad, rssp_hash_alg hash_alg,
                          const rssp_buf *hashes, size_t n_hashes, const rssp_req_common *cm,
                          cJSON **out, rssp_status *st)
{
    (void)hash_alg; /* v1 extendTransaction carries no hash algorithm */
    (void)cm;
    return rssp_csc_encode_extend(credential_id, sad, hashes, n_hashes, out, st);
}

static rssp_err extend_none(const char *credential_id, const char *sad, rssp_hash_alg hash_alg,
                            const rssp_buf *hashes, size_t n_hashes, const rssp_req_common *cm,
                            cJSON **out, rssp_status *st)
{
    (void)credential_id;
    (void)sad;
    (void)hash_alg;
    (void)hashes;
    (void)n_hashes;
    (void)cm;
    *out = NULL;
    return rssp_fail(st, RSSP_ERR_ARGS, "CSC v2 has no credentials/extendTransaction");
}

static rssp_err sign_v1(const rssp_sign_request *req, const rssp_req_common *cm, cJSON **out,
                        rssp_status *st)
{
    (void)cm;
    return rssp_csc_encode_sign_hash(1, req, out, st);
}

static rssp_err sign_v2(const rssp_sign_request *req, const rssp_req_common *cm, cJSON **out,
                        rssp_status *st)
{
    (void)cm;
    return rssp_csc_encode_sign_hash(2, req, out, st);
}

const rssp_dialect rssp_dialect_csc_v1 = {
    .name = "csc-v1",
    .csc_envelope = true,
    .revokes_sad = false,
    .has_extend = true,
    .login = csc_login,
    .decode_info = rssp_csc_decode_info,
    .encode_revoke = rssp_csc_encode_revoke,
    .encode_list = list_v1,
    .decode_list = rssp_csc_decode_list,
    .encode_credinfo = credinfo,
    .decode_credinfo = rssp_csc_decode_credinfo,
    .encode_send_otp = send_otp,
    .encode_authorize = authorize_v1,
    .encode_extend = extend_v1,
    .decode_sad = rssp_decode_sad,
    .encode_sign_hash = sign_v1,
    .decode_sign_hash = rssp_decode_sign_hash,
};

const rssp_dialect rssp_dialect_csc_v2 = {
    .name = "csc-v2",
    .csc_envelope = true,
    .revokes_sad = false,
    .has_extend = false,
    .login = csc_login,
    .decode_info = rssp_csc_decode_info,
    .encode_revoke = rssp_csc_encode_revoke,
    .encode_list = list_v2,
    .decode_list = rssp_csc_decode_list,
    .encode_credinfo = credinfo,
    .decode_credinfo = rssp_csc_decode_credinfo,
    .encode_send_otp = send_otp,
    .encode_authorize = authorize_v2,
    .encode_extend = extend_none,
    .decode_sad = rssp_decode_sad,
    .encode_sign_hash = sign_v2,
    .decode_sign_hash = rssp_decode_sign_hash,
};
