#include "tool/cmd_service.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "crypto/crypto.h"
#include "tool/authorize.h"

/* Parse a subcommand that takes only the common options and exactly n operands. */
static int parse_simple(tool_ctx *ctx, int argc, char **argv, const char *usage, int n,
                        char **operands)
{
    static const struct option opts[] = {TOOL_COMMON_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, TOOL_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
        int rc = tool_common_option(ctx, c, optarg, usage);
        if (rc != TOOL_CONTINUE)
            return rc;
    }
    if (argc - optind != n) {
        if (n == 0)
            return tool_usage_error(argv[0], "takes no operands");
        return tool_usage_error(argv[0], "needs exactly %d operand(s)", n);
    }
    for (int i = 0; i < n; i++)
        operands[i] = argv[optind + i];
    return TOOL_CONTINUE;
}

static void print_list(const char *label, char **items, size_t n)
{
    printf("%-12s ", label);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputs(", ", stdout);
        tool_print_untrusted(stdout, items[i]);
    }
    fputc('\n', stdout);
}

static void print_field(const char *label, const char *value)
{
    printf("%-12s ", label);
    tool_print_untrusted(stdout, value != NULL ? value : "-");
    fputc('\n', stdout);
}

static const char info_usage[] = "Usage: rssp-tool info [OPTIONS]\n"
                                 "Show the service description (method info; no login).\n"
                                 "\n" TOOL_COMMON_HELP;

int cmd_info(tool_ctx *ctx, int argc, char **argv)
{
    int rc = parse_simple(ctx, argc, argv, info_usage, 0, NULL);
    if (rc != TOOL_CONTINUE)
        return rc;
    rc = tool_connect(ctx);
    if (rc != TOOL_EXIT_OK)
        return rc;

    rssp_info_result info;
    rssp_status st;
    rssp_err err = rssp_info(ctx->client, &info, &st);
    if (err != RSSP_OK) {
        rssp_info_result_clear(&info);
        return tool_report("info", err, &st);
    }
    print_field("name:", info.name);
    print_field("version:", info.version);
    print_field("description:", info.description);
    print_list("languages:", info.languages, info.n_languages);
    print_list("authTypes:", info.auth_types, info.n_auth_types);
    print_list("methods:", info.methods, info.n_methods);
    rssp_info_result_clear(&info);
    return TOOL_EXIT_OK;
}

static const char login_usage[] =
    "Usage: rssp-tool login [OPTIONS]\n"
    "Log in (auth/login) with the configured relying party and account, then log\n"
    "out again: checks that the configuration is accepted.\n"
    "\n" TOOL_COMMON_HELP;

int cmd_login(tool_ctx *ctx, int argc, char **argv)
{
    int rc = parse_simple(ctx, argc, argv, login_usage, 0, NULL);
    if (rc != TOOL_CONTINUE)
        return rc;
    rc = tool_connect(ctx);
    if (rc != TOOL_EXIT_OK)
        return rc;

    rssp_status st;
    rssp_err err = rssp_login(ctx->client, &st);
    if (err != RSSP_OK)
        return tool_report("auth/login", err, &st);
    fputs("logged in as ", stdout);
    if (ctx->cfg.protocol != RSSP_PROTOCOL_RSSP) {
        /* CSC: Basic login of an account, or OAuth 2.0 client credentials */
        tool_print_untrusted(stdout, ctx->cfg.username != NULL ? ctx->cfg.username
                                                               : ctx->cfg.oauth2_client_id);
        fputs(ctx->cfg.username != NULL ? " (CSC Basic)" : " (CSC OAuth 2.0 client)", stdout);
    } else if (ctx->cfg.username != NULL) {
        tool_print_untrusted(stdout, ctx->cfg.username);
        fputs(" via relying party ", stdout);
        tool_print_untrusted(stdout, ctx->cfg.rp_name);
    } else {
        fputs("relying party ", stdout);
        tool_print_untrusted(stdout, ctx->cfg.rp_name);
        fputs(" (agreement ", stdout);
        tool_print_untrusted(stdout, ctx->cfg.agreement_uuid);
        fputc(')', stdout);
    }
    fputc('\n', stdout);
    return TOOL_EXIT_OK;
}

/* "RSA-2048", "EC-256", from the end-entity certificate. */
static void describe_key(const rssp_credential *cred, char *out, size_t cap)
{
    rssp_cert_info ci;
    if (cred->n_certificates == 0) {
        snprintf(out, cap, "-");
        return;
    }
    if (rssp_cert_parse(cred->certificates[0].data, cred->certificates[0].len, &ci) !=
        RSSP_CRYPTO_OK) {
        snprintf(out, cap, "unparsable-certificate");
        return;
    }
    const char *type = ci.key_type == RSSP_KEY_RSA  ? "RSA"
                       : ci.key_type == RSSP_KEY_EC ? "EC"
                                                    : "unknown";
    snprintf(out, cap, "%s-%zu", type, ci.key_bits);
    rssp_cert_info_clear(&ci);
}

static const char list_usage[] =
    "Usage: rssp-tool list [OPTIONS]\n"
    "List the credentials, one line each, fields separated by tabs:\n"
    "  credentialID  status  key (type-bits)  SCAL  authMode  subject\n"
    "\n" TOOL_COMMON_HELP;

int cmd_list(tool_ctx *ctx, int argc, char **argv)
{
    int rc = parse_simple(ctx, argc, argv, list_usage, 0, NULL);
    if (rc != TOOL_CONTINUE)
        return rc;
    rc = tool_connect(ctx);
    if (rc != TOOL_EXIT_OK)
        return rc;

    rssp_list_request req = {
        .certificate_status = NULL,
        .certificate_purpose = NULL,
        .certificate_info = true,
        .certificates = RSSP_CERTS_SINGLE,
    };
    rssp_credential_list list;
    rssp_status st;
    rssp_err err = rssp_credentials_list(ctx->client, &req, &list, &st);
    if (err != RSSP_OK) {
        rssp_credential_list_clear(&list);
        return tool_report("credentials/list", err, &st);
    }

    for (size_t i = 0; i < list.count && rc == TOOL_EXIT_OK; i++) {
        const rssp_credential *item = &list.items[i];
        rssp_credential info;
        char key[64];
        /* SCAL and authMode come only with credentials/info. */
        rc = tool_credential_info(ctx, item->credential_id, RSSP_CERTS_NONE, &info);
        if (rc != TOOL_EXIT_OK) {
            rssp_credential_clear(&info);
            break;
        }
        describe_key(item, key, sizeof key);
        tool_print_untrusted(stdout, item->credential_id);
        putchar('\t');
        tool_print_untrusted(stdout, item->status != NULL ? item->status : "-");
        printf("\t%s\tSCAL%d\t", key, info.scal);
        tool_print_untrusted(stdout, info.auth_mode != NULL ? info.auth_mode : "-");
        putchar('\t');
        tool_print_untrusted(stdout, item->subject_dn != NULL ? item->subject_dn : "-");
        putchar('\n');
        rssp_credential_clear(&info);
    }
    rssp_credential_list_clear(&list);
    return rc;
}

static const char cert_usage[] =
    "Usage: rssp-tool cert [OPTIONS] CREDENTIAL_ID\n"
    "Print the credential's certificate chain as PEM, end entity first.\n"
    "\n" TOOL_COMMON_HELP;

int cmd_cert(tool_ctx *ctx, int argc, char **argv)
{
    char *id = NULL;
    int rc = parse_simple(ctx, argc, argv, cert_usage, 1, &id);
    if (rc != TOOL_CONTINUE)
        return rc;
    rc = tool_connect(ctx);
    if (rc != TOOL_EXIT_OK)
        return rc;

    rssp_credential cred;
    rc = tool_credential_info(ctx, id, RSSP_CERTS_CHAIN, &cred);
    if (rc == TOOL_EXIT_OK && cred.n_certificates == 0) {
        fprintf(stderr, "rssp-tool: the service sent no certificate for credential %s\n", id);
        rc = TOOL_EXIT_TRANSPORT;
    }
    for (size_t i = 0; i < cred.n_certificates && rc == TOOL_EXIT_OK; i++) {
        const rssp_buf *der = &cred.certificates[i];
        if (PEM_write(stdout, "CERTIFICATE", "", der->data, (long)der->len) <= 0) {
            fprintf(stderr, "rssp-tool: cannot write the certificate\n");
            rc = TOOL_EXIT_INTERNAL;
        }
    }
    rssp_credential_clear(&cred);
    return rc;
}

static const char revoke_usage[] =
    "Usage: rssp-tool revoke [OPTIONS]\n"
    "Log in, then log out: revoke the refresh token and the access token\n"
    "(auth/revoke). Every other subcommand also logs out when it is done, so no\n"
    "token outlives a run; this one checks that revocation works.\n"
    "\n" TOOL_COMMON_HELP;

int cmd_revoke(tool_ctx *ctx, int argc, char **argv)
{
    int rc = parse_simple(ctx, argc, argv, revoke_usage, 0, NULL);
    if (rc != TOOL_CONTINUE)
        return rc;
    rc = tool_connect(ctx);
    if (rc != TOOL_EXIT_OK)
        return rc;

    rssp_status st;
    rssp_err err = rssp_login(ctx->client, &st);
    if (err != RSSP_OK)
        return tool_report("auth/login", err, &st);
    err = rssp_logout(ctx->client, &st);
    if (err != RSSP_OK)
        return tool_report("auth/revoke", err, &st);
    printf("revoked the access token%s\n", ctx->cfg.remember_me ? " and the refresh token" : "");
    return TOOL_EXIT_OK;
}
