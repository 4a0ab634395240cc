/* rssp-emulator: a complete local RSSP (docs/emulator.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/init.h"
#include "emulator/serve.h"

static void usage(FILE *f)
{
    fputs(
        "usage: rssp-emulator init DIR [--force] [--template TEMPLATE_DIR] [--softhsm LIB]\n"
        "       rssp-emulator serve DIR [options]\n"
        "\n"
        "serve options:\n"
        "  --listen ADDR          IPv4 or IPv6 address (default 127.0.0.1)\n"
        "  --port N               TCP port, 0 = a free one (default 0)\n"
        "  --admin                enable the /_emulator/ test controls\n"
        "  --token-ttl S          access-token lifetime (default 3600)\n"
        "  --refresh-ttl S        refresh-token lifetime (default 86400)\n"
        "  --sad-ttl S            SAD lifetime (default 300)\n"
        "  --max-attempts N       wrong passwords/codes before a lock (default 5)\n"
        "  --lock-time S          lock duration (default 300)\n"
        "  --auto-approve-ms N    approve IMPLICIT requests by themselves after N ms\n"
        "  --fault METHOD:SPEC    inject a fault, e.g. signatures/signHash:httpStatus=503,count=2\n"
        "  --protocol P           rssp (default, /rssp/v1/), csc-v1 (/csc/v1/) or csc-v2 "
        "(/csc/v2/)\n"
        "  --threads N            at most N connections, each with its own thread (default 256)\n"
        "  --softhsm LIB          PKCS#11 library (default libsofthsm2.so)\n"
        "  --log-level LEVEL      off, error, warn, info, debug (default off)\n"
        "  --log-file PATH        log destination (default stderr)\n",
        f);
}

static int number(const char *opt, const char *arg, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "rssp-emulator: %s takes a number %ld..%ld, not '%s'\n", opt, min, max,
                arg);
        return -1;
    }
    *out = v;
    return 0;
}

enum {
    OPT_FORCE = 256,
    OPT_TEMPLATE,
    OPT_SOFTHSM,
    OPT_LISTEN,
    OPT_PORT,
    OPT_ADMIN,
    OPT_TOKEN_TTL,
    OPT_REFRESH_TTL,
    OPT_SAD_TTL,
    OPT_MAX_ATTEMPTS,
    OPT_LOCK_TIME,
    OPT_AUTO_APPROVE,
    OPT_FAULT,
    OPT_THREADS,
    OPT_LOG_LEVEL,
    OPT_LOG_FILE,
    OPT_QUIET,
    OPT_PROTOCOL,
};

static const struct option options[] = {
    {"force", no_argument, NULL, OPT_FORCE},
    {"template", required_argument, NULL, OPT_TEMPLATE},
    {"softhsm", required_argument, NULL, OPT_SOFTHSM},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"port", required_argument, NULL, OPT_PORT},
    {"admin", no_argument, NULL, OPT_ADMIN},
    {"token-ttl", required_argument, NULL, OPT_TOKEN_TTL},
    {"refresh-ttl", required_argument, NULL, OPT_REFRESH_TTL},
    {"sad-ttl", required_argument, NULL, OPT_SAD_TTL},
    {"max-attempts", required_argument, NULL, OPT_MAX_ATTEMPTS},
    {"lock-time", required_argument, NULL, OPT_LOCK_TIME},
    {"auto-approve-ms", required_argument, NULL, OPT_AUTO_APPROVE},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"log-file", required_argument, NULL, OPT_LOG_FILE},
    {"protocol", required_argument, NULL, OPT_PROTOCOL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Options valid for init only, for serve only. */
static int init_only(int opt)
{
    return opt == OPT_FORCE || opt == OPT_TEMPLATE || opt == OPT_QUIET;
}

int main(int argc, char **argv)
{
    emu_init_options io = {0};
    emu_serve_options so = {0};
    long v;
    int rc = 2;
    if (argc < 2 || (strcmp(argv[1], "init") != 0 && strcmp(argv[1], "serve") != 0)) {
        usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
        return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    int serve = strcmp(argv[1], "serve") == 0;
    so.listen = "127.0.0.1";
    so.max_connections = 256;
    so.rules = (emu_rules){3600, 86400, 300, 5, 300, -1, false};
    so.faults = calloc((size_t)argc, sizeof(char *));
    if (so.faults == NULL)
        return 1;
    optind = 2;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            rc = 0;
            goto out;
        }
        if (opt == '?' || (serve && init_only(opt)) ||
            (!serve && opt != OPT_SOFTHSM && !init_only(opt))) {
            if (opt != '?')
                fprintf(stderr, "rssp-emulator: %s does not apply to %s\n", argv[optind - 1],
                        argv[1]);
            usage(stderr);
            goto out;
        }
        switch (opt) {
        case OPT_FORCE:
            io.force = true;
            break;
        case OPT_TEMPLATE:
            io.template_dir = optarg;
            break;
        case OPT_QUIET:
            io.quiet = true;
            break;
        case OPT_SOFTHSM:
            io.hsm_module = so.hsm_module = optarg;
            break;
        case OPT_LISTEN:
            so.listen = optarg;
            break;
        case OPT_ADMIN:
            so.rules.admin = true;
            break;
        case OPT_FAULT:
            so.faults[so.n_faults++] = optarg;
            break;
        case OPT_LOG_LEVEL:
            so.log_level = optarg;
            break;
        case OPT_PROTOCOL: {
            int p = emu_protocol_parse(optarg);
            if (p < 0) {
                fprintf(stderr, "rssp-emulator: --protocol must be rssp, csc-v1 or csc-v2\n");
                goto out;
            }
            so.protocol = (emu_protocol)p;
            break;
        }
        case OPT_LOG_FILE:
            so.log_file = optarg;
            break;
        case OPT_PORT:
            if (number("--port", optarg, 0, 65535, &v) != 0)
                goto out;
            so.port = (unsigned)v;
            break;
        case OPT_THREADS:
            if (number("--threads", optarg, 1, 100000, &v) != 0)
                goto out;
            so.max_connections = (unsigned)v;
            break;
        case OPT_TOKEN_TTL:
        case OPT_REFRESH_TTL:
        case OPT_SAD_TTL:
        case OPT_LOCK_TIME:
            if (number(argv[optind - 1], optarg, 1, 10L * 365 * 86400, &v) != 0)
                goto out;
            *(opt == OPT_TOKEN_TTL     ? &so.rules.token_ttl_s
              : opt == OPT_REFRESH_TTL ? &so.rules.refresh_ttl_s
              : opt == OPT_SAD_TTL     ? &so.rules.sad_ttl_s
                                       : &so.rules.lock_time_s) = v;
            break;
        case OPT_MAX_ATTEMPTS:
            if (number("--max-attempts", optarg, 1, 1000, &v) != 0)
                goto out;
            so.rules.max_attempts = (int)v;
            break;
        case OPT_AUTO_APPROVE:
            if (number("--auto-approve-ms", optarg, 0, 600000, &v) != 0)
                goto out;
            so.rules.auto_approve_ms = v;
            break;
        default:
            usage(stderr);
            goto out;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "rssp-emulator %s: exactly one DIR is needed\n", argv[1]);
        usage(stderr);
        goto out;
    }
    io.dir = so.dir = argv[optind];
    rc = serve ? emu_serve(&so) : (emu_init(&io) == 0 ? 0 : 1);
out:
    free(so.faults);
    return rc;
}
