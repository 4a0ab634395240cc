#include "tool/cmd_appsign.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/secmem.h"
#include "config/config_file.h"
#include "rssp/appsign.h"

enum {
    OPT_API_KEY = 256,
    OPT_SECRET_FILE,
    OPT_TTL,
    OPT_NOW,
    OPT_RANDOM,
    OPT_MAX_SKEW,
};

static const char appsign_usage[] =
    "Usage: rssp-tool appsign make --api-key KEY --secret-file FILE [--ttl N]\n"
    "                              [--now T] [--random R]\n"
    "       rssp-tool appsign verify SIGN --secret-file FILE [--api-key KEY]\n"
    "                              [--now T] [--max-skew S]\n"
    "App-Authentication signs: Base64(HMAC-SHA1(secret, raw) || raw) with\n"
    "raw = a=KEY&b=EXPIRE&c=NOW&d=RANDOM.\n"
    "\n"
    "  make     print a sign for KEY\n"
    "      --api-key KEY      the key name (required)\n"
    "      --secret-file FILE the api secret (a private file: mode 0600; one\n"
    "                         trailing newline is ignored)\n"
    "      --ttl N            lifetime in seconds (default 60); 0 = single-use sign\n"
    "      --now T            the current time as Unix seconds (default: the clock)\n"
    "      --random R         the random field, up to 10 digits (default: random)\n"
    "  verify   decode SIGN, print its fields and the verdict; exit 5 if it is refused\n"
    "      --secret-file FILE the api secret\n"
    "      --api-key KEY      the key the secret belongs to (default: any key)\n"
    "      --now T            verify at this time (default: the clock)\n"
    "      --max-skew S       seconds a sign may come from the future, 1 to 86400\n"
    "                         (default 30)\n"
    "\n" TOOL_COMMON_HELP;

typedef struct {
    const char *api_key;
    const char *secret_file;
    long ttl;
    long now;
    bool have_now;
    const char *random;
    long max_skew;
    bool have_max_skew;
} appsign_options;

static int parse_options(tool_ctx *ctx, int argc, char **argv, appsign_options *o)
{
    static const struct option opts[] = {
        TOOL_COMMON_LONG_OPTIONS,
        {"api-key", required_argument, NULL, OPT_API_KEY},
        {"secret-file", required_argument, NULL, OPT_SECRET_FILE},
        {"ttl", required_argument, NULL, OPT_TTL},
        {"now", required_argument, NULL, OPT_NOW},
        {"random", required_argument, NULL, OPT_RANDOM},
        {"max-skew", required_argument, NULL, OPT_MAX_SKEW},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = "appsign";
    int c, rc = TOOL_CONTINUE;

    memset(o, 0, sizeof *o);
    o->ttl = 60;
    optind = 0;
    while ((c = getopt_long(argc, argv, TOOL_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
        switch (c) {
        case OPT_API_KEY:
            o->api_key = optarg;
            break;
        case OPT_SECRET_FILE:
            o->secret_file = optarg;
            break;
        case OPT_TTL:
            rc = tool_parse_long_option(cmd, "--ttl", optarg, 0, 31536000, &o->ttl);
            break;
        case OPT_NOW:
            o->have_now = true;
            rc = tool_parse_long_option(cmd, "--now", optarg, 0, LONG_MAX, &o->now);
            break;
        case OPT_RANDOM:
            o->random = optarg;
            break;
        case OPT_MAX_SKEW:
            o->have_max_skew = true;
            rc = tool_parse_long_option(cmd, "--max-skew", optarg, 1, 86400, &o->max_skew);
            break;
        default:
            rc = tool_common_option(ctx, c, optarg, appsign_usage);
            break;
        }
        if (rc != TOOL_CONTINUE)
            return rc;
    }
    if (o->secret_file == NULL)
        return tool_usage_error(cmd, "--secret-file is required");
    return TOOL_CONTINUE;
}

static int read_api_secret(const char *path, char **secret)
{
    char why[1024];
    if (rssp_cfg_read_secret("secret file", path, false, secret, why, sizeof why) != 0) {
        fprintf(stderr, "rssp-tool: %s\n", why);
        return TOOL_EXIT_USAGE;
    }
    return TOOL_EXIT_OK;
}

static int appsign_make(tool_ctx *ctx, int argc, char **argv)
{
    appsign_options o;
    char *secret = NULL;
    char *sign = NULL;

    int rc = parse_options(ctx, argc, argv, &o);
    if (rc != TOOL_CONTINUE)
        return rc;
    if (o.api_key == NULL)
        return tool_usage_error("appsign", "make needs --api-key");
    if (optind != argc)
        return tool_usage_error("appsign", "make takes no operands");
    rc = read_api_secret(o.secret_file, &secret);
    if (rc != TOOL_EXIT_OK)
        return rc;
    int64_t now = o.have_now ? (int64_t)o.now : (int64_t)time(NULL);
    rssp_appsign_result r = rssp_appsign_make(o.api_key, (const unsigned char *)secret,
                                              strlen(secret), now, o.ttl, o.random, &sign);
    rssp_secret_free(secret);
    if (r != RSSP_APPSIGN_OK) {
        fprintf(stderr, "rssp-tool: appsign make: %s\n", rssp_appsign_message(r));
        return r == RSSP_APPSIGN_BAD_INPUT ? TOOL_EXIT_USAGE : TOOL_EXIT_INTERNAL;
    }
    printf("%s\n", sign);
    free(sign);
    return TOOL_EXIT_OK;
}

typedef struct {
    const char *api_key; /* NULL: the secret serves any key */
    const char *secret;
} secret_lookup;

static int lookup_secret(void *ctx, const char *api_key, const unsigned char **secret,
                         size_t *secret_len)
{
    const secret_lookup *l = ctx;
    if (l->api_key != NULL && strcmp(l->api_key, api_key) != 0)
        return -1;
    *secret = (const unsigned char *)l->secret;
    *secret_len = strlen(l->secret);
    return 0;
}

static void print_time(const char *label, int64_t t)
{
    char when[32] = "";
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%-13s %" PRId64 " (%s)\n", label, t, when);
}

static int appsign_verify(tool_ctx *ctx, int argc, char **argv)
{
    appsign_options o;
    secret_lookup lookup = {NULL, NULL};
    rssp_appsign_verifier *v = NULL;
    char *secret = NULL;

    int rc = parse_options(ctx, argc, argv, &o);
    if (rc != TOOL_CONTINUE)
        return rc;
    if (argc - optind != 1)
        return tool_usage_error("appsign", "verify needs exactly one SIGN");
    const char *sign = argv[optind];
    rc = read_api_secret(o.secret_file, &secret);
    if (rc != TOOL_EXIT_OK)
        return rc;
    lookup.api_key = o.api_key;
    lookup.secret = secret;

    rssp_appsign_policy policy = {
        .max_skew = 0, .max_age = 0, .replay_capacity = 0}; /* 0: default */
    if (o.have_max_skew)
        policy.max_skew = o.max_skew;
    rssp_appsign_result r = rssp_appsign_verifier_new(lookup_secret, &lookup, &policy, &v);
    if (r != RSSP_APPSIGN_OK) {
        fprintf(stderr, "rssp-tool: appsign verify: %s\n", rssp_appsign_message(r));
        rc = TOOL_EXIT_INTERNAL;
        goto out;
    }
    rssp_appsign_fields fields;
    memset(&fields, 0, sizeof fields);
    int64_t now = o.have_now ? (int64_t)o.now : (int64_t)time(NULL);
    r = rssp_appsign_verify(v, sign, now, &fields);
    if (fields.api_key[0] != '\0') {
        printf("%-13s ", "api_key:");
        tool_print_untrusted(stdout, fields.api_key);
        putchar('\n');
        if (fields.expire_time == 0)
            printf("%-13s 0 (single use)\n", "expire_time:");
        else
            print_time("expire_time:", fields.expire_time);
        print_time("current_time:", fields.current_time);
        printf("%-13s %" PRIu64 "\n", "random:", fields.random);
    }
    if (r == RSSP_APPSIGN_OK) {
        printf("%-13s valid\n", "verdict:");
        rc = TOOL_EXIT_OK;
    } else {
        printf("%-13s refused: %s (%s)\n", "verdict:", rssp_appsign_reason(r),
               rssp_appsign_message(r));
        /* BUSY cannot happen with one sign per run; it is no verdict on the sign either. */
        bool failure =
            r == RSSP_APPSIGN_NOMEM || r == RSSP_APPSIGN_INTERNAL || r == RSSP_APPSIGN_BUSY;
        rc = failure ? TOOL_EXIT_INTERNAL : TOOL_EXIT_VERIFY;
    }
out:
    rssp_appsign_verifier_free(v);
    rssp_secret_free(secret);
    return rc;
}

int cmd_appsign(tool_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return tool_usage_error("appsign", "needs 'make' or 'verify'");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(appsign_usage, stdout);
        return TOOL_EXIT_OK;
    }
    if (strcmp(argv[1], "make") == 0)
        return appsign_make(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "verify") == 0)
        return appsign_verify(ctx, argc - 1, argv + 1);
    return tool_usage_error("appsign", "unknown appsign command '%s'", argv[1]);
}
