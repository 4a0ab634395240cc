#include "tool/cmd_sign.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "tool/authorize.h"

enum {
    OPT_PIN_FILE = 256,
    OPT_PIN_STDIN,
    OPT_OTP_FILE,
    OPT_OTP_STDIN,
    OPT_HASH,
    OPT_ALGO,
    OPT_OUT,
    OPT_DER,
    OPT_RAW,
};

/* clang-format off */
#define AUTH_LONG_OPTIONS                                   \
    {"pin-file", required_argument, NULL, OPT_PIN_FILE},    \
    {"pin-stdin", no_argument, NULL, OPT_PIN_STDIN},        \
    {"otp-file", required_argument, NULL, OPT_OTP_FILE},    \
    {"otp-stdin", no_argument, NULL, OPT_OTP_STDIN}
/* clang-format on */

#define AUTH_HELP                                                                                  \
    "      --pin-file FILE  read the PIN from FILE (a private file: mode 0600)\n"                  \
    "      --pin-stdin      read the PIN from the first line of standard input\n"                  \
    "      --otp-file FILE  read the one-time code from FILE (mode 0600) after sendOTP\n"          \
    "      --otp-stdin      read the one-time code from standard input after sendOTP\n"            \
    "  Without them the PIN or code is asked for on the terminal, without echo.\n"                 \
    "  A PIN is never taken from the command line, where every user can read it.\n"                \
    "  OTP credentials get credentials/sendOTP first; IMPLICIT ones wait for the\n"                \
    "  approval on the phone.\n"

/* Handle an authorization option; false if opt is not one. */
static bool auth_option(tool_auth_options *auth, int opt, const char *arg)
{
    switch (opt) {
    case OPT_PIN_FILE:
        auth->pin.file = arg;
        return true;
    case OPT_PIN_STDIN:
        auth->pin.from_stdin = true;
        return true;
    case OPT_OTP_FILE:
        auth->otp.file = arg;
        return true;
    case OPT_OTP_STDIN:
        auth->otp.from_stdin = true;
        return true;
    default:
        return false;
    }
}

static void auth_options_init(tool_auth_options *auth)
{
    memset(auth, 0, sizeof *auth);
    auth->pin.option = "pin";
    auth->otp.option = "otp";
}

static int check_auth_options(const char *cmd, const tool_auth_options *auth)
{
    if (auth->pin.file != NULL && auth->pin.from_stdin)
        return tool_usage_error(cmd, "--pin-file and --pin-stdin exclude each other");
    if (auth->otp.file != NULL && auth->otp.from_stdin)
        return tool_usage_error(cmd, "--otp-file and --otp-stdin exclude each other");
    return TOOL_CONTINUE;
}

static const char authorize_usage[] =
    "Usage: rssp-tool authorize [OPTIONS] CREDENTIAL_ID\n"
    "Authorize the credential (credentials/authorize) the way its authMode asks,\n"
    "report the outcome, and revoke the SAD again (a SAD never leaves rssp-tool).\n"
    "A SCAL 2 credential binds its SAD to the hashes to sign: use 'sign' for it.\n"
    "\n"
    "  -n, --num N          numSignatures to ask for (default 1)\n" AUTH_HELP "\n" TOOL_COMMON_HELP;

int cmd_authorize(tool_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        TOOL_COMMON_LONG_OPTIONS,
        AUTH_LONG_OPTIONS,
        {"num", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    tool_auth_options auth;
    long num = 1;
    int c, rc;

    auth_options_init(&auth);
    optind = 0;
    while ((c = getopt_long(argc, argv, TOOL_COMMON_SHORT_OPTIONS "n:", opts, NULL)) != -1) {
        if (auth_option(&auth, c, optarg))
            continue;
        if (c == 'n')
            rc = tool_parse_long_option(argv[0], "--num", optarg, 1, 1000000, &num);
        else
            rc = tool_common_option(ctx, c, optarg, authorize_usage);
        if (rc != TOOL_CONTINUE)
            return rc;
    }
    if (argc - optind != 1)
        return tool_usage_error(argv[0], "needs exactly one CREDENTIAL_ID");
    rc = check_auth_options(argv[0], &auth);
    if (rc != TOOL_CONTINUE)
        return rc;
    const char *id = argv[optind];

    rc = tool_connect(ctx);
    if (rc != TOOL_EXIT_OK)
        return rc;
    rssp_credential cred;
    rssp_sad sad;
    memset(&cred, 0, sizeof cred);
    memset(&sad, 0, sizeof sad);
    rc = tool_credential_info(ctx, id, RSSP_CERTS_NONE, &cred);
    if (rc != TOOL_EXIT_OK)
        goto out;
    if (cred.scal == 2) {
        fprintf(stderr,
                "rssp-tool: credential %s is SCAL 2: its authorization is bound to the hashes "
                "to sign; use 'rssp-tool sign'\n",
                id);
        rc = TOOL_EXIT_USAGE;
        goto out;
    }
    rc = tool_authorize(ctx, &cred, &auth, (int)num, RSSP_HASH_NONE, NULL, 0, NULL, &sad);
    if (rc != TOOL_EXIT_OK)
        goto out;
    printf("authorized credential %s for %ld signature(s); the SAD is valid for %ld s", id, num,
           sad.expires_in);
    if (sad.remaining_counter >= 0)
        printf("; %d attempt(s) allowed", sad.remaining_counter);
    printf("\n");
    tool_release_sad(ctx, id, &sad);
    printf("revoked the SAD\n");
out:
    rssp_sad_clear(&sad);
    rssp_credential_clear(&cred);
    return rc;
}

/* Hash a file with alg into out (rssp_hash_len(alg) bytes). */
static int hash_file(const char *path, rssp_hash_alg alg, unsigned char *out)
{
    unsigned char chunk[65536];
    rssp_digest_ctx *dc = NULL;
    int rc = TOOL_EXIT_INTERNAL;

    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "rssp-tool: cannot open '%s': %s\n", path, strerror(errno));
        return TOOL_EXIT_USAGE;
    }
    if (rssp_digest_new(alg, &dc) != RSSP_CRYPTO_OK)
        goto out;
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (rssp_digest_update(dc, chunk, n) != RSSP_CRYPTO_OK)
            goto out;
    }
    if (ferror(f)) {
        fprintf(stderr, "rssp-tool: cannot read '%s'\n", path);
        rc = TOOL_EXIT_USAGE;
        goto out;
    }
    if (rssp_digest_final(dc, out) != RSSP_CRYPTO_OK)
        goto out;
    rc = TOOL_EXIT_OK;
out:
    if (rc == TOOL_EXIT_INTERNAL)
        fprintf(stderr, "rssp-tool: hashing '%s' failed\n", path);
    rssp_digest_free(dc);
    fclose(f);
    return rc;
}

static int write_output(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "rssp-tool: cannot create '%s': %s\n", path, strerror(errno));
        return TOOL_EXIT_USAGE;
    }
    size_t done = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || done < len) {
        fprintf(stderr, "rssp-tool: cannot write '%s': %s\n", path, strerror(errno));
        return TOOL_EXIT_INTERNAL;
    }
    return TOOL_EXIT_OK;
}

typedef enum {
    ALGO_DEFAULT = 0,
    ALGO_PKCS1,
    ALGO_PSS,
    ALGO_ECDSA,
} sign_algo;

typedef struct {
    rssp_hash_alg hash;
    sign_algo algo;
    const char *out;
    int ec_raw; /* -1 unset, 0 DER, 1 raw r||s */
    tool_auth_options auth;
} sign_options;

static const char sign_usage[] =
    "Usage: rssp-tool sign [OPTIONS] CREDENTIAL_ID FILE\n"
    "Hash FILE, authorize the credential (binding the hash at SCAL 2), sign the\n"
    "hash (signatures/signHash) and write the signature to FILE.sig.\n"
    "\n"
    "      --hash NAME      sha1, sha224, sha256 (default), sha384 or sha512\n"
    "      --algo NAME      pkcs1 (RSA PKCS#1 v1.5), pss (RSA-PSS, MGF1 with the same\n"
    "                       hash, salt = hash length) or ecdsa; default: pkcs1 for RSA\n"
    "                       keys, ecdsa for EC keys\n"
    "  -o, --out FILE       where to write the signature (default FILE.sig)\n"
    "      --der            EC: DER ECDSA-Sig-Value, what 'openssl dgst -verify' reads\n"
    "                       (default)\n"
    "      --raw            EC: raw r||s, each the size of the group order\n" AUTH_HELP
    "\n" TOOL_COMMON_HELP;

static int parse_sign_options(tool_ctx *ctx, int argc, char **argv, sign_options *o)
{
    static const struct option opts[] = {
        TOOL_COMMON_LONG_OPTIONS,
        AUTH_LONG_OPTIONS,
        {"hash", required_argument, NULL, OPT_HASH},
        {"algo", required_argument, NULL, OPT_ALGO},
        {"out", required_argument, NULL, 'o'},
        {"der", no_argument, NULL, OPT_DER},
        {"raw", no_argument, NULL, OPT_RAW},
        {NULL, 0, NULL, 0},
    };
    static const char *const hashes[] = {"sha1", "sha224", "sha256", "sha384", "sha512"};
    int c, rc;

    memset(o, 0, sizeof *o);
    o->hash = RSSP_HASH_SHA256;
    o->ec_raw = -1;
    auth_options_init(&o->auth);
    optind = 0;
    while ((c = getopt_long(argc, argv, TOOL_COMMON_SHORT_OPTIONS "o:", opts, NULL)) != -1) {
        if (auth_option(&o->auth, c, optarg))
            continue;
        switch (c) {
        case OPT_HASH:
            o->hash = RSSP_HASH_NONE;
            for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
                if (strcmp(optarg, hashes[i]) == 0)
                    o->hash = rssp_hash_from_string(optarg);
            }
            if (o->hash == RSSP_HASH_NONE)
                return tool_usage_error(argv[0], "unknown --hash '%s'", optarg);
            break;
        case OPT_ALGO:
            if (strcmp(optarg, "pkcs1") == 0)
                o->algo = ALGO_PKCS1;
            else if (strcmp(optarg, "pss") == 0)
                o->algo = ALGO_PSS;
            else if (strcmp(optarg, "ecdsa") == 0)
                o->algo = ALGO_ECDSA;
            else
                return tool_usage_error(argv[0], "unknown --algo '%s'", optarg);
            break;
        case 'o':
            o->out = optarg;
            break;
        case OPT_DER:
        case OPT_RAW:
            if (o->ec_raw != -1)
                return tool_usage_error(argv[0], "give --der or --raw, not both");
            o->ec_raw = c == OPT_RAW;
            break;
        default:
            rc = tool_common_option(ctx, c, optarg, sign_usage);
            if (rc != TOOL_CONTINUE)
                return rc;
        }
    }
    if (argc - optind != 2)
        return tool_usage_error(argv[0], "needs CREDENTIAL_ID and FILE");
    return check_auth_options(argv[0], &o->auth);
}

/* The signature algorithm OID and, for PSS, its parameters. */
static int sign_algorithm(const sign_options *o, rssp_buf *params, const char **oid)
{
    switch (o->algo) {
    case ALGO_PKCS1:
        *oid = "1.2.840.113549.1.1.1"; /* rsaEncryption: DigestInfo(hash) is signed */
        return TOOL_EXIT_OK;
    case ALGO_PSS:
        *oid = "1.2.840.113549.1.1.10";
        if (rssp_pss_params_encode(o->hash, o->hash, rssp_hash_len(o->hash), params) !=
            RSSP_CRYPTO_OK) {
            fprintf(stderr, "rssp-tool: cannot encode the RSA-PSS parameters\n");
            return TOOL_EXIT_INTERNAL;
        }
        return TOOL_EXIT_OK;
    case ALGO_ECDSA:
        *oid = "1.2.840.10045.2.1";
        return TOOL_EXIT_OK;
    case ALGO_DEFAULT:
        break;
    }
    return TOOL_EXIT_INTERNAL;
}

/*
 * Sanity-check the signature's size and put an ECDSA value in the encoding
 * asked for. The service sends DER (or, tolerated, raw r||s). Returns a tool
 * exit code; *out receives the bytes to write.
 */
static int shape_signature(const rssp_cert_info *ci, const sign_options *o, const rssp_buf *sig,
                           rssp_buf *out)
{
    if (ci->key_type == RSSP_KEY_RSA) {
        size_t k = (ci->key_bits + 7) / 8;
        if (sig->len != k) {
            fprintf(stderr,
                    "rssp-tool: the service sent a %zu-byte RSA signature; a %zu-bit key makes "
                    "%zu bytes\n",
                    sig->len, ci->key_bits, k);
            return TOOL_EXIT_TRANSPORT;
        }
        return rssp_buf_set(out, sig->data, sig->len) == RSSP_CRYPTO_OK ? TOOL_EXIT_OK
                                                                        : TOOL_EXIT_INTERNAL;
    }
    unsigned char raw[2 * 66];
    size_t raw_len = 0;
    size_t field = ci->ec_field_len;
    if (rssp_ecdsa_der_to_raw(sig->data, sig->len, field, raw, sizeof raw, &raw_len) !=
        RSSP_CRYPTO_OK) {
        if (sig->len != 2 * field || sig->len > sizeof raw) {
            fprintf(stderr,
                    "rssp-tool: the service sent %zu bytes that are not an ECDSA signature for "
                    "a %zu-bit key\n",
                    sig->len, ci->key_bits);
            return TOOL_EXIT_TRANSPORT;
        }
        memcpy(raw, sig->data, sig->len);
        raw_len = sig->len;
    }
    rssp_crv crv =
        o->ec_raw == 1 ? rssp_buf_set(out, raw, raw_len) : rssp_ecdsa_raw_to_der(raw, raw_len, out);
    return crv == RSSP_CRYPTO_OK ? TOOL_EXIT_OK : TOOL_EXIT_INTERNAL;
}

static const char *algo_label(sign_algo algo)
{
    return algo == ALGO_PSS ? "RSA-PSS" : algo == ALGO_ECDSA ? "ECDSA" : "RSA PKCS#1 v1.5";
}

int cmd_sign(tool_ctx *ctx, int argc, char **argv)
{
    sign_options o;
    int rc = parse_sign_options(ctx, argc, argv, &o);
    if (rc != TOOL_CONTINUE)
        return rc;
    const char *id = argv[optind];
    const char *input = argv[optind + 1];

    unsigned char hash[64];
    rssp_buf hash_buf = {hash, rssp_hash_len(o.hash)};
    rssp_credential cred;
    rssp_cert_info ci;
    rssp_sad sad;
    rssp_signatures sigs;
    rssp_buf params = {NULL, 0};
    rssp_buf out = {NULL, 0};
    char *out_path = NULL;
    memset(&cred, 0, sizeof cred);
    memset(&ci, 0, sizeof ci);
    memset(&sad, 0, sizeof sad);
    memset(&sigs, 0, sizeof sigs);

    rc = hash_file(input, o.hash, hash);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (o.out == NULL) {
        size_t len = strlen(input) + sizeof ".sig";
        out_path = malloc(len);
        if (out_path == NULL)
            return TOOL_EXIT_INTERNAL;
        snprintf(out_path, len, "%s.sig", input);
    }
    const char *sig_path = o.out != NULL ? o.out : out_path;

    rc = tool_connect(ctx);
    if (rc != TOOL_EXIT_OK)
        goto out;
    rc = tool_credential_info(ctx, id, RSSP_CERTS_SINGLE, &cred);
    if (rc != TOOL_EXIT_OK)
        goto out;
    if (cred.n_certificates == 0 ||
        rssp_cert_parse(cred.certificates[0].data, cred.certificates[0].len, &ci) !=
            RSSP_CRYPTO_OK) {
        fprintf(stderr, "rssp-tool: no usable certificate for credential %s\n", id);
        rc = TOOL_EXIT_TRANSPORT;
        goto out;
    }
    if (o.algo == ALGO_DEFAULT)
        o.algo = ci.key_type == RSSP_KEY_EC ? ALGO_ECDSA : ALGO_PKCS1;
    if ((o.algo == ALGO_ECDSA) != (ci.key_type == RSSP_KEY_EC) ||
        (ci.key_type != RSSP_KEY_EC && ci.key_type != RSSP_KEY_RSA)) {
        fprintf(stderr, "rssp-tool: --algo %s does not fit the %s key of credential %s\n",
                o.algo == ALGO_ECDSA ? "ecdsa"
                : o.algo == ALGO_PSS ? "pss"
                                     : "pkcs1",
                ci.key_type == RSSP_KEY_EC    ? "EC"
                : ci.key_type == RSSP_KEY_RSA ? "RSA"
                                              : "unknown",
                id);
        rc = TOOL_EXIT_USAGE;
        goto out;
    }
    if (o.ec_raw != -1 && ci.key_type != RSSP_KEY_EC) {
        fprintf(stderr, "rssp-tool: --der and --raw apply to EC keys only\n");
        rc = TOOL_EXIT_USAGE;
        goto out;
    }
    const char *oid = NULL;
    rc = sign_algorithm(&o, &params, &oid);
    if (rc != TOOL_EXIT_OK)
        goto out;

    rc = tool_authorize(ctx, &cred, &o.auth, 1, o.hash, &hash_buf, 1, oid, &sad);
    if (rc != TOOL_EXIT_OK)
        goto out;
    rssp_sign_request req = {
        .credential_id = id,
        .sad = &sad,
        .hash_alg = o.hash,
        .hashes = &hash_buf,
        .n_hashes = 1,
        .sign_algo_oid = oid,
        .sign_algo_params = params.data,
        .sign_algo_params_len = params.len,
    };
    rssp_status st;
    rssp_err err = rssp_sign_hash(ctx->client, &req, &sigs, &st);
    if (err != RSSP_OK) {
        rc = tool_report("signatures/signHash", err, &st);
        goto out;
    }
    if (sigs.count != 1) {
        fprintf(stderr, "rssp-tool: the service sent %zu signatures for one hash\n", sigs.count);
        rc = TOOL_EXIT_TRANSPORT;
        goto out;
    }
    rc = shape_signature(&ci, &o, &sigs.items[0], &out);
    if (rc != TOOL_EXIT_OK)
        goto out;
    rc = write_output(sig_path, out.data, out.len);
    if (rc != TOOL_EXIT_OK)
        goto out;
    printf("wrote %s: %s signature with %s, %zu bytes%s\n", sig_path, algo_label(o.algo),
           rssp_hash_name(o.hash), out.len,
           ci.key_type != RSSP_KEY_EC ? ""
           : o.ec_raw == 1            ? " (raw r||s)"
                                      : " (DER)");
out:
    if (sad.sad != NULL)
        tool_release_sad(ctx, id, &sad);
    rssp_sad_clear(&sad);
    rssp_signatures_clear(&sigs);
    rssp_buf_clear(&out);
    rssp_buf_clear(&params);
    rssp_cert_info_clear(&ci);
    rssp_credential_clear(&cred);
    free(out_path);
    return rc;
}
