#include "tool/authorize.h"

#include <stdio.h>
#include <string.h>

#include "common/secmem.h"
#include "tool/progress.h"

int tool_credential_info(tool_ctx *ctx, const char *id, rssp_certs_mode certs, rssp_credential *out)
{
    rssp_status st;
    rssp_err err = rssp_credentials_info(ctx->client, id, certs, true, true, out, &st);
    if (err != RSSP_OK)
        return tool_report("credentials/info", err, &st);
    return TOOL_EXIT_OK;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The code the authMode needs (NULL for IMPLICIT), after sendOTP when it is an OTP. */
static int obtain_code(tool_ctx *ctx, const rssp_credential *cred, const tool_auth_options *opt,
                       char **code)
{
    const char *mode = cred->auth_mode;
    char prompt[256];

    *code = NULL;
    if (strcmp(mode, "EXPLICIT/PIN") == 0) {
        snprintf(prompt, sizeof prompt, "PIN for credential %s: ", cred->credential_id);
        return tool_read_secret(&opt->pin, "PIN", prompt, code);
    }
    if (strcmp(mode, "EXPLICIT/OTP-SMS") == 0 || strcmp(mode, "EXPLICIT/OTP-EMAIL") == 0 ||
        strcmp(mode, "EXPLICIT/OTP-ONLINE") == 0) {
        bool email = strcmp(mode, "EXPLICIT/OTP-EMAIL") == 0;
        bool csc = strcmp(mode, "EXPLICIT/OTP-ONLINE") == 0; /* the service picks the channel */
        rssp_status st;
        /* The subject is required for e-mail delivery (rssp-protocol.md 2.6). */
        rssp_err err = rssp_send_otp(ctx->client, cred->credential_id, NULL,
                                     email ? "rssp-tool signing code" : NULL, &st);
        if (err != RSSP_OK)
            return tool_report("credentials/sendOTP", err, &st);
        fprintf(stderr, "rssp-tool: a one-time code was sent%s",
                csc     ? ""
                : email ? " by e-mail"
                        : " by SMS");
        const char *to = email ? cred->authorization_email : cred->authorization_phone;
        if (to != NULL) {
            fputs(" to ", stderr);
            tool_print_untrusted(stderr, to);
        }
        fputc('\n', stderr);
        snprintf(prompt, sizeof prompt, "one-time code for credential %s: ", cred->credential_id);
        return tool_read_secret(&opt->otp, "one-time code", prompt, code);
    }
    if (starts_with(mode, "IMPLICIT/")) {
        fprintf(stderr, "rssp-tool: approve the request on your phone (credential %s)...\n",
                cred->credential_id);
        return TOOL_EXIT_OK;
    }
    fprintf(stderr, "rssp-tool: credential %s uses authMode ", cred->credential_id);
    tool_print_untrusted(stderr, mode);
    fputs(", which rssp-tool cannot satisfy\n", stderr);
    return TOOL_EXIT_REFUSED;
}

/* The longest approval window of IMPLICIT modes (rssp-protocol.md): 300 s. */
#define APPROVAL_WINDOW_MS 300000L

typedef struct {
    rssp_client *client;
    const rssp_authorize_request *req;
    rssp_sad *sad;
    rssp_status *st;
    rssp_err err;
} authorize_call;

static void run_authorize(void *p)
{
    authorize_call *c = p;
    c->err = rssp_authorize(c->client, c->req, c->sad, c->st);
}

int tool_authorize(tool_ctx *ctx, const rssp_credential *cred, const tool_auth_options *opt,
                   int num, rssp_hash_alg hash_alg, const rssp_buf *hashes, size_t n_hashes,
                   const char *sign_algo_oid, rssp_sad *sad)
{
    char *code = NULL;

    if (!cred->has_auth_info || cred->auth_mode == NULL) {
        fprintf(stderr,
                "rssp-tool: credentials/info of %s did not say how to authorize "
                "(no authMode)\n",
                cred->credential_id);
        return TOOL_EXIT_TRANSPORT;
    }
    int rc = obtain_code(ctx, cred, opt, &code);
    if (rc != TOOL_EXIT_OK)
        return rc;

    rssp_authorize_request req;
    memset(&req, 0, sizeof req);
    req.credential_id = cred->credential_id;
    req.num_signatures = num;
    req.authorize_code = code;
    req.code_is_otp = strncmp(cred->auth_mode, "EXPLICIT/OTP-", 13) == 0;
    req.sign_algo_oid = sign_algo_oid;
    if (cred->scal == 2) {
        req.hash_alg = hash_alg;
        req.hashes = hashes;
        req.n_hashes = n_hashes;
    }
    req.notification_message = "Signing request from rssp-tool";

    rssp_status st;
    rssp_err err;
    authorize_call call = {ctx->client, &req, sad, &st, RSSP_OK};
    if (starts_with(cred->auth_mode, "IMPLICIT/")) {
        /* The service holds the call until the phone answers, within its window. */
        long limit = ctx->cfg.authorize_timeout_ms;
        if (limit > APPROVAL_WINDOW_MS)
            limit = APPROVAL_WINDOW_MS;
        char what[160];
        snprintf(what, sizeof what, "waiting for approval on your phone (credential %.64s)",
                 cred->credential_id);
        tool_wait_with_progress(run_authorize, &call, what, limit);
    } else {
        run_authorize(&call);
    }
    err = call.err;
    rssp_secret_free(code);
    if (err != RSSP_OK) {
        rssp_sad_clear(sad);
        return tool_report("credentials/authorize", err, &st);
    }
    return TOOL_EXIT_OK;
}

void tool_release_sad(tool_ctx *ctx, const char *credential_id, rssp_sad *sad)
{
    if (sad->sad != NULL) {
        rssp_status st;
        rssp_sad_ref ref = {.sad = sad->sad, .credential_id = credential_id};
        /* Bounded by revoke_budget_ms, like the logout at exit. */
        rssp_err err = rssp_revoke_all(ctx->client, &ref, 1, false, &st);
        if (err != RSSP_OK) {
            fprintf(stderr, "rssp-tool: warning: could not revoke the SAD: ");
            tool_print_untrusted(stderr, st.message);
            fputc('\n', stderr);
        }
    }
    rssp_sad_clear(sad);
}
