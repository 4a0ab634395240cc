#include "config/config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* getcwd */

#include <ini.h>
#include <openssl/crypto.h>

#include "common/attributes.h"
#include "common/log.h"
#include "common/platform.h"
#include "common/secmem.h"
#include "config/config_file.h"
#include "config/config_keyring.h"
#include "config/config_url.h"
#include "config/config_values.h"
#include "crypto/crypto.h"

typedef enum {
    KIND_STRING,      /* plain text */
    KIND_PATH,        /* relative to the configuration file's folder */
    KIND_READ_PATH,   /* a path that must name a readable regular file */
    KIND_URL,         /* service base URL (config_url.h) */
    KIND_LONG,        /* whole number in [min, max] */
    KIND_INT,         /* same, stored in an int */
    KIND_BOOL,        /* true/false/yes/no/1/0 */
    KIND_SECRET,      /* inline secret: only in a private configuration file */
    KIND_SECRET_FILE, /* path of a private file holding the secret */
    KIND_SECRET_RING, /* keyring attribute spec: the secret is looked up after parsing */
    KIND_KEY_FILE,    /* path of a private key file (read later by the client) */
    KIND_RP_AUTH,     /* ssl2 | appsign */
    KIND_PROTOCOL,    /* rssp | csc-v1 | csc-v2 */
    KIND_SSL2_HASH,   /* sha1 | sha256 */
    KIND_LOG_LEVEL,   /* off|error|warn|info|debug */
    KIND_USER_TYPE,   /* the Basic usertype values of rssp-protocol.md 1.4 */
    KIND_API_KEY,     /* App-Authentication key: no '&' or '=', at most 128 bytes */
    KIND_LOGIN_MODEL, /* auto | token | key */
} value_kind;

typedef struct {
    const char *section;
    const char *key;
    value_kind kind;
    size_t offset; /* of the field in rssp_config */
    long min;      /* KIND_LONG / KIND_INT range */
    long max;
    bool org; /* the organisation's: a user file cannot change it once the system file sets one */
} key_spec;

#define FIELD(f) offsetof(rssp_config, f)
#define MS_MAX 3600000L /* one hour */

/*
 * Every key of docs/configuration.md; keys sharing a field exclude each other
 * within a file and replace each other across layers.
 */
static const key_spec keys[] = {
    {"service", "protocol", KIND_PROTOCOL, FIELD(protocol), 0, 0, true},
    {"service", "url", KIND_URL, FIELD(url), 0, 0, true},
    {"service", "ca_file", KIND_READ_PATH, FIELD(ca_file), 0, 0, true},
    {"service", "connect_timeout_ms", KIND_LONG, FIELD(connect_timeout_ms), 1, MS_MAX, false},
    {"service", "timeout_ms", KIND_LONG, FIELD(timeout_ms), 1, MS_MAX, false},
    {"service", "authorize_timeout_ms", KIND_LONG, FIELD(authorize_timeout_ms), 1, MS_MAX, false},
    {"service", "revoke_budget_ms", KIND_LONG, FIELD(revoke_budget_ms), 1, MS_MAX, false},
    {"relying_party", "name", KIND_STRING, FIELD(rp_name), 0, 0, true},
    {"relying_party", "auth", KIND_RP_AUTH, FIELD(rp_auth), 0, 0, true},
    {"relying_party", "username", KIND_STRING, FIELD(rp_username), 0, 0, true},
    {"relying_party", "password", KIND_SECRET, FIELD(rp_password), 0, 0, true},
    {"relying_party", "password_file", KIND_SECRET_FILE, FIELD(rp_password), 0, 0, true},
    {"relying_party", "password_keyring", KIND_SECRET_RING, FIELD(rp_password), 0, 0, true},
    {"relying_party", "signature", KIND_STRING, FIELD(rp_signature), 0, 0, true},
    {"relying_party", "key_file", KIND_KEY_FILE, FIELD(rp_key_file), 0, 0, true},
    {"relying_party", "key_password", KIND_SECRET, FIELD(rp_key_password), 0, 0, true},
    {"relying_party", "key_password_file", KIND_SECRET_FILE, FIELD(rp_key_password), 0, 0, true},
    {"relying_party", "key_password_keyring", KIND_SECRET_RING, FIELD(rp_key_password), 0, 0, true},
    {"relying_party", "ssl2_hash", KIND_SSL2_HASH, FIELD(ssl2_hash), 0, 0, true},
    {"relying_party", "api_key", KIND_API_KEY, FIELD(app_api_key), 0, 0, true},
    {"relying_party", "api_secret", KIND_SECRET, FIELD(app_api_secret), 0, 0, true},
    {"relying_party", "api_secret_file", KIND_SECRET_FILE, FIELD(app_api_secret), 0, 0, true},
    {"relying_party", "api_secret_keyring", KIND_SECRET_RING, FIELD(app_api_secret), 0, 0, true},
    {"relying_party", "appsign_ttl", KIND_LONG, FIELD(app_sign_ttl), 0, 86400, true},
    {"account", "user_type", KIND_USER_TYPE, FIELD(user_type), 0, 0, false},
    {"account", "username", KIND_STRING, FIELD(username), 0, 0, false},
    {"account", "password", KIND_SECRET, FIELD(password), 0, 0, false},
    {"account", "password_file", KIND_SECRET_FILE, FIELD(password), 0, 0, false},
    {"account", "password_keyring", KIND_SECRET_RING, FIELD(password), 0, 0, false},
    {"account", "agreement_uuid", KIND_STRING, FIELD(agreement_uuid), 0, 0, false},
    {"account", "client_mac", KIND_STRING, FIELD(client_mac), 0, 0, false},
    {"account", "remember_me", KIND_BOOL, FIELD(remember_me), 0, 0, false},
    {"oauth2", "url", KIND_URL, FIELD(oauth2_url), 0, 0, true},
    {"oauth2", "client_id", KIND_STRING, FIELD(oauth2_client_id), 0, 0, true},
    {"oauth2", "client_secret", KIND_SECRET, FIELD(oauth2_client_secret), 0, 0, true},
    {"oauth2", "client_secret_file", KIND_SECRET_FILE, FIELD(oauth2_client_secret), 0, 0, true},
    {"module", "cache_dir", KIND_PATH, FIELD(cache_dir), 0, 0, false},
    {"module", "cache_ttl", KIND_LONG, FIELD(cache_ttl_s), 0, 31536000, false},
    {"module", "log_level", KIND_LOG_LEVEL, FIELD(log_level), 0, 0, false},
    {"module", "log_file", KIND_PATH, FIELD(log_file), 0, 0, false},
    {"module", "sad_signatures", KIND_INT, FIELD(sad_signatures), 0, 1000000, false},
    {"module", "read_write_sessions", KIND_BOOL, FIELD(read_write_sessions), 0, 0, false},
    {"module", "login_model", KIND_LOGIN_MODEL, FIELD(login_model), 0, 0, false},
    {"module", "key_login_programs", KIND_STRING, FIELD(key_login_programs), 0, 0, false},
};
#define N_KEYS (sizeof keys / sizeof keys[0])
_Static_assert(N_KEYS <= RSSP_CONFIG_MAX_KEYS, "raise RSSP_CONFIG_MAX_KEYS");

/* The fields that hold secrets, in the order of rssp_config.keyring_spec. */
static const size_t secret_fields[RSSP_CONFIG_N_SECRETS] = {
    FIELD(rp_password),
    FIELD(rp_key_password),
    FIELD(app_api_secret),
    FIELD(password),
};

/* Index of a secret field in secret_fields, or -1 for other fields. */
static int secret_index(size_t offset)
{
    for (int i = 0; i < RSSP_CONFIG_N_SECRETS; i++) {
        if (secret_fields[i] == offset)
            return i;
    }
    return -1;
}

static const char *const sections[] = {"service", "relying_party", "account", "oauth2", "module"};

static const char *const user_types[] = {
    "USERNAME",    "PERSONAL-ID", "PASSPORT-ID", "CITIZEN-IDENTITY-CARD",
    "BUDGET-CODE", "TAX-CODE",    "UUID",
};

typedef struct {
    rssp_config *cfg;
    rssp_config_source source; /* which layer this file is */
    const char *path;          /* as the caller gave it, for messages */
    const char *dir;           /* absolute folder of the file, for relative paths */
    const rssp_cfg_text *text; /* the file's content */
    size_t pos;                /* next byte the reader hands to inih */
    int line;                  /* number of the line inih is working on */
    bool indented;             /* that line starts with white space */
    int set_line[N_KEYS];      /* where each key was set, 0 if not */
    int err_line;              /* line of the first error, 0 if none */
    char *err;
    size_t err_len;
} parse_ctx;

/* Record the first error, prefixed with file:line. Never pass a secret. */
static void fail_at(parse_ctx *ctx, const char *fmt, ...) RSSP_PRINTF_LIKE(2, 3);
static void fail_at(parse_ctx *ctx, const char *fmt, ...)
{
    if (ctx->err_line != 0)
        return;
    ctx->err_line = ctx->line;
    int n = snprintf(ctx->err, ctx->err_len, "%s:%d: ", ctx->path, ctx->line);
    if (n < 0 || (size_t)n >= ctx->err_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err + n, ctx->err_len - (size_t)n, fmt, ap);
    va_end(ap);
}

static void *field_of(rssp_config *cfg, const key_spec *spec)
{
    return (char *)cfg + spec->offset;
}

/* A configuration path made absolute against the file's folder. */
static char *resolve_path(const parse_ctx *ctx, const char *value)
{
    if (rssp_path_is_absolute(value))
        return strdup(value);
    size_t len = strlen(ctx->dir) + 1 + strlen(value) + 1;
    char *p = malloc(len);
    if (p != NULL)
        snprintf(p, len, "%s/%s", ctx->dir, value);
    return p;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return true;
    }
    return false;
}

/* Store a string field, replacing a default. */
static void set_string(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

static void apply_path(parse_ctx *ctx, const key_spec *spec, const char *value)
{
    char why[768];
    char *path = resolve_path(ctx, value);
    if (path == NULL) {
        fail_at(ctx, "out of memory");
        return;
    }
    int rc = 0;
    if (spec->kind == KIND_KEY_FILE)
        rc = rssp_cfg_check_private(spec->key, path, true, why, sizeof why);
    else if (spec->kind == KIND_READ_PATH)
        rc = rssp_cfg_check_readable(spec->key, path, why, sizeof why);
    if (rc != 0) {
        fail_at(ctx, "%s", why);
        free(path);
        return;
    }
    set_string(field_of(ctx->cfg, spec), path);
}

static void apply_secret(parse_ctx *ctx, const key_spec *spec, const char *value)
{
    char **slot = field_of(ctx->cfg, spec);
    char **ring = &ctx->cfg->keyring_spec[secret_index(spec->offset)];
    char why[768];

    /* A later layer replaces the value, whichever key of the field sets it. */
    rssp_secret_free(*slot);
    *slot = NULL;
    free(*ring);
    *ring = NULL;
    if (spec->kind == KIND_SECRET_RING) {
        if (rssp_cfg_keyring_check_spec(value, why, sizeof why) != 0) {
            fail_at(ctx, "%s: %s", spec->key, why);
            return;
        }
        if ((*ring = strdup(value)) == NULL)
            fail_at(ctx, "out of memory");
        return;
    }
    if (spec->kind == KIND_SECRET_FILE) {
        char *path = resolve_path(ctx, value);
        if (path == NULL) {
            fail_at(ctx, "out of memory");
            return;
        }
        /* Relying-party material may be shared through the group (config_file.h). */
        bool group_ok = strcmp(spec->section, "relying_party") == 0;
        if (rssp_cfg_read_secret(spec->key, path, group_ok, slot, why, sizeof why) != 0)
            fail_at(ctx, "%s", why);
        free(path);
        return;
    }
    if (!ctx->text->private_to_user) {
        char quoted[4200];
        rssp_cfg_shell_quote(ctx->path, quoted, sizeof quoted);
        fail_at(ctx,
                "inline %s is accepted only in a private configuration file (owned by you, "
                "no group or other permissions; its mode is %04o): put it in %s_file instead, "
                "or run: chmod 600 %s",
                spec->key, ctx->text->mode, spec->key, quoted);
        return;
    }
    *slot = rssp_secret_strdup(value);
    if (*slot == NULL)
        fail_at(ctx, "out of memory");
}

/* Parse a non-empty value into its field. Messages quote values, never secrets. */
static void apply(parse_ctx *ctx, const key_spec *spec, const char *value)
{
    void *field = field_of(ctx->cfg, spec);
    char why[768];
    long n = 0;
    bool b = false;

    switch (spec->kind) {
    case KIND_STRING:
    case KIND_USER_TYPE:
    case KIND_API_KEY: {
        if (spec->kind == KIND_USER_TYPE &&
            !in_list(value, user_types, sizeof user_types / sizeof user_types[0])) {
            fail_at(ctx,
                    "bad value '%.64s' for %s: expected USERNAME, PERSONAL-ID, PASSPORT-ID, "
                    "CITIZEN-IDENTITY-CARD, BUDGET-CODE, TAX-CODE or UUID",
                    value, spec->key);
            return;
        }
        if (spec->kind == KIND_API_KEY && (strlen(value) > 128 || strpbrk(value, "&=") != NULL)) {
            fail_at(ctx, "bad value '%.64s' for %s: at most 128 characters, no '&' or '='", value,
                    spec->key);
            return;
        }
        char *copy = strdup(value);
        if (copy == NULL) {
            fail_at(ctx, "out of memory");
            return;
        }
        set_string(field, copy);
        return;
    }
    case KIND_PATH:
    case KIND_READ_PATH:
    case KIND_KEY_FILE:
        apply_path(ctx, spec, value);
        return;
    case KIND_SECRET:
    case KIND_SECRET_FILE:
    case KIND_SECRET_RING:
        apply_secret(ctx, spec, value);
        return;
    case KIND_URL: {
        char *url = NULL;
        if (rssp_cfg_check_url(value, &url, why, sizeof why) != 0) {
            fail_at(ctx, "%s", why);
            return;
        }
        set_string(field, url);
        return;
    }
    case KIND_LONG:
    case KIND_INT:
        if (rssp_cfg_parse_long(value, spec->min, spec->max, &n) != 0) {
            fail_at(ctx, "bad value '%.64s' for %s: expected a whole number from %ld to %ld", value,
                    spec->key, spec->min, spec->max);
            return;
        }
        if (spec->kind == KIND_INT)
            *(int *)field = (int)n; /* the range above fits an int */
        else
            *(long *)field = n;
        return;
    case KIND_BOOL:
        if (rssp_cfg_parse_bool(value, &b) != 0) {
            fail_at(ctx, "bad value '%.64s' for %s: expected true, false, yes, no, 1 or 0", value,
                    spec->key);
            return;
        }
        *(bool *)field = b;
        return;
    case KIND_RP_AUTH:
        if (strcmp(value, "ssl2") == 0) {
            *(rssp_rp_auth *)field = RSSP_RP_AUTH_SSL2;
        } else if (strcmp(value, "appsign") == 0) {
            *(rssp_rp_auth *)field = RSSP_RP_AUTH_APPSIGN;
        } else {
            fail_at(ctx, "bad value '%.64s' for %s: expected ssl2 or appsign", value, spec->key);
        }
        return;
    case KIND_PROTOCOL:
        if (strcmp(value, "rssp") == 0) {
            *(rssp_protocol *)field = RSSP_PROTOCOL_RSSP;
        } else if (strcmp(value, "csc-v1") == 0) {
            *(rssp_protocol *)field = RSSP_PROTOCOL_CSC_V1;
        } else if (strcmp(value, "csc-v2") == 0) {
            *(rssp_protocol *)field = RSSP_PROTOCOL_CSC_V2;
        } else {
            fail_at(ctx, "bad value '%.64s' for %s: expected rssp, csc-v1 or csc-v2", value,
                    spec->key);
        }
        return;
    case KIND_SSL2_HASH: {
        rssp_hash_alg alg = rssp_hash_from_string(value);
        if (alg != RSSP_HASH_SHA1 && alg != RSSP_HASH_SHA256) {
            fail_at(ctx, "bad value '%.64s' for %s: expected sha1 or sha256", value, spec->key);
            return;
        }
        *(rssp_hash_alg *)field = alg;
        return;
    }
    case KIND_LOGIN_MODEL:
        if (strcmp(value, "auto") == 0) {
            *(int *)field = RSSP_LOGIN_AUTO;
        } else if (strcmp(value, "token") == 0) {
            *(int *)field = RSSP_LOGIN_TOKEN;
        } else if (strcmp(value, "key") == 0) {
            *(int *)field = RSSP_LOGIN_KEY;
        } else {
            fail_at(ctx, "bad value '%.64s' for %s: expected auto, token or key", value, spec->key);
        }
        return;
    case KIND_LOG_LEVEL: {
        int level = rssp_log_level_parse(value);
        if (level < 0) {
            fail_at(ctx, "bad value '%.64s' for %s: expected off, error, warn, info or debug",
                    value, spec->key);
            return;
        }
        *(int *)field = level;
        return;
    }
    }
}

/* Record that key i (and not the keys sharing its field) was set by source. */
static void set_origin(rssp_config *cfg, size_t i, rssp_config_source source, int line)
{
    for (size_t j = 0; j < N_KEYS; j++) {
        if (keys[j].offset == keys[i].offset) {
            cfg->key_source[j] = RSSP_CFG_FROM_DEFAULT;
            cfg->key_line[j] = 0;
        }
    }
    cfg->key_source[i] = (unsigned char)source;
    cfg->key_line[i] = line;
}

/* Index of [section] key in keys (both must exist). */
static size_t key_index(const char *section, const char *key)
{
    size_t i = 0;
    while (i < N_KEYS && (strcmp(keys[i].section, section) != 0 || strcmp(keys[i].key, key) != 0))
        i++;
    return i;
}

/* The inih handler: one call per name = value line. */
static int on_value(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *ctx = user;

    if (ctx->err_line != 0)
        return 1; /* the first error is the one reported */
    if (section[0] == '\0') {
        fail_at(ctx, "key '%.64s' is outside any section", name);
        return 1;
    }
    size_t i = key_index(section, name);
    if (i == N_KEYS) {
        fail_at(ctx, "unknown key '%.64s' in [%s]", name, section);
        return 1;
    }
    for (size_t j = 0; j < N_KEYS; j++) {
        if (ctx->set_line[j] == 0 || keys[j].offset != keys[i].offset)
            continue;
        if (j == i && ctx->indented)
            fail_at(ctx,
                    "indented line continues '%s' of line %d; keys must start at the beginning "
                    "of a line",
                    name, ctx->set_line[j]);
        else if (j == i)
            fail_at(ctx, "duplicate key '%s' in [%s] (first set on line %d)", name, section,
                    ctx->set_line[j]);
        else
            fail_at(ctx, "'%s' and '%s' (line %d) both set the same value in [%s]; keep one", name,
                    keys[j].key, ctx->set_line[j], section);
        return 1;
    }
    if (ctx->source == RSSP_CFG_FROM_USER && keys[i].org && ctx->cfg->org_locked) {
        fail_at(ctx,
                "[%s] %s is the organisation's, set in %s; a user configuration cannot change "
                "it: remove this line",
                section, name, ctx->cfg->system_path);
        return 1;
    }
    ctx->set_line[i] = ctx->line;
    if (value[0] == '\0') {
        /* An empty value leaves the default; only text-like keys may be empty. */
        switch (keys[i].kind) {
        case KIND_STRING:
        case KIND_PATH:
        case KIND_READ_PATH:
        case KIND_KEY_FILE:
        case KIND_SECRET:
        case KIND_SECRET_FILE:
        case KIND_SECRET_RING:
        case KIND_URL:
            return 1;
        default:
            fail_at(ctx, "%s has no value", name);
            return 1;
        }
    }
    /* Provenance: this key now holds the field, its siblings do not. */
    set_origin(ctx->cfg, i, ctx->source, ctx->line);
    apply(ctx, &keys[i], value);
    return 1;
}

/*
 * Section headers are checked here, as the reader hands lines to inih,
 * because inih calls the handler only for keys and would not report an empty
 * unknown section.
 */
static void check_section_header(parse_ctx *ctx, const char *line)
{
    const unsigned char *p = (const unsigned char *)line;
    if (ctx->line == 1 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        p += 3; /* inih skips a UTF-8 BOM on the first line */
    while (isspace(*p))
        p++;
    if (*p != '[')
        return;
    const char *name = (const char *)p + 1;
    const char *end = strchr(name, ']');
    if (end == NULL)
        return; /* inih reports the syntax error */
    size_t len = (size_t)(end - name);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        if (strlen(sections[i]) == len && memcmp(sections[i], name, len) == 0)
            return;
    }
    fail_at(ctx, "unknown section [%.*s]", (int)(len > 64 ? 64 : len), name);
}

/*
 * inih reader over the file content in memory. Counting the lines here gives
 * the handler its line number: Debian's inih is built without
 * INI_HANDLER_LINENO, and inih calls the handler for a line before it asks
 * for the next one.
 */
static char *read_line(char *str, int num, void *stream)
{
    parse_ctx *ctx = stream;
    size_t cap = num > 1 ? (size_t)num : 1;

    if (ctx->err_line != 0 || ctx->pos >= ctx->text->len)
        goto stop;
    const char *start = ctx->text->data + ctx->pos;
    const char *nl = memchr(start, '\n', ctx->text->len - ctx->pos);
    size_t n = nl != NULL ? (size_t)(nl - start) + 1 : ctx->text->len - ctx->pos;
    ctx->line++;
    if (n > cap - 1) {
        fail_at(ctx, "line is longer than %zu characters", cap > 2 ? cap - 2 : 0);
        goto stop;
    }
    memcpy(str, start, n);
    str[n] = '\0';
    ctx->pos += n;
    ctx->indented = n > 0 && (str[0] == ' ' || str[0] == '\t');
    check_section_header(ctx, str);
    if (ctx->err_line != 0)
        goto stop;
    return str;
stop:
    /* inih's line buffer may hold an inline secret; wipe it before inih returns. */
    OPENSSL_cleanse(str, cap);
    return NULL;
}

static int set_defaults(rssp_config *cfg)
{
    cfg->connect_timeout_ms = 5000;
    cfg->timeout_ms = 30000;
    cfg->authorize_timeout_ms = 330000;
    cfg->revoke_budget_ms = 2000;
    cfg->rp_auth = RSSP_RP_AUTH_SSL2;
    cfg->ssl2_hash = RSSP_HASH_SHA1;
    cfg->app_sign_ttl = 60;
    cfg->remember_me = true;
    cfg->cache_ttl_s = 3600;
    cfg->log_level = RSSP_LOG_OFF;
    cfg->sad_signatures = 0;
    cfg->read_write_sessions = true;
    cfg->login_model = RSSP_LOGIN_AUTO;
    cfg->user_type = strdup("USERNAME");
    return cfg->user_type != NULL ? 0 : -1;
}

/* The absolute form of path (not resolving symbolic links) and its folder. */
static int absolute_path(const char *path, char **abs_out, char **dir_out)
{
    char *abs = NULL;
    if (rssp_path_is_absolute(path)) {
        abs = strdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (cwd == NULL)
            return -1;
        size_t len = strlen(cwd) + 1 + strlen(path) + 1;
        abs = malloc(len);
        if (abs != NULL)
            snprintf(abs, len, "%s/%s", cwd, path);
        free(cwd);
    }
    if (abs == NULL)
        return -1;
    char *dir = strdup(abs);
    if (dir == NULL) {
        free(abs);
        return -1;
    }
    /* The last separator; the first one of an absolute path is the root's. */
    char *first = NULL, *slash = NULL;
    for (char *c = dir; *c != '\0'; c++) {
        if (rssp_path_is_separator(*c)) {
            first = first != NULL ? first : c;
            slash = c;
        }
    }
    if (slash == NULL) {
        free(abs);
        free(dir);
        return -1;
    }
    if (slash == first)
        slash[1] = '\0'; /* a file in the root folder ("/", "C:\") */
    else
        *slash = '\0';
    *abs_out = abs;
    *dir_out = dir;
    return 0;
}

/* Environment variables that replace a [module] path as given. */
static const struct {
    const char *name;
    const char *key;
} env_paths[] = {
    {"RSSP_PKCS11_LOG_FILE", "log_file"},
    {"RSSP_PKCS11_CACHE_DIR", "cache_dir"},
};

static int apply_env(rssp_config *cfg, char *err, size_t err_len)
{
    char why[768];
    const char *v = getenv("RSSP_PKCS11_URL");
    if (v != NULL && v[0] != '\0') {
        char *url = NULL;
        if (cfg->org_locked) {
            snprintf(err, err_len,
                     "RSSP_PKCS11_URL: the service URL is the organisation's, set in %s; unset "
                     "the variable, or name a whole configuration with RSSP_PKCS11_CONF",
                     cfg->system_path);
            return -1;
        }
        if (rssp_cfg_check_url(v, &url, why, sizeof why) != 0) {
            snprintf(err, err_len, "RSSP_PKCS11_URL: %s", why);
            return -1;
        }
        set_string(&cfg->url, url);
        set_origin(cfg, key_index("service", "url"), RSSP_CFG_FROM_ENV, 0);
    }
    v = getenv("RSSP_PKCS11_LOG");
    if (v != NULL && v[0] != '\0') {
        int level = rssp_log_level_parse(v);
        if (level < 0) {
            snprintf(err, err_len,
                     "RSSP_PKCS11_LOG: bad log level '%.64s': expected off, error, warn, info or "
                     "debug",
                     v);
            return -1;
        }
        cfg->log_level = level;
        set_origin(cfg, key_index("module", "log_level"), RSSP_CFG_FROM_ENV, 0);
    }
    for (size_t i = 0; i < sizeof env_paths / sizeof env_paths[0]; i++) {
        v = getenv(env_paths[i].name);
        if (v == NULL || v[0] == '\0')
            continue;
        char *copy = strdup(v);
        if (copy == NULL) {
            snprintf(err, err_len, "out of memory");
            return -1;
        }
        size_t k = key_index("module", env_paths[i].key);
        set_string((char **)field_of(cfg, &keys[k]), copy);
        set_origin(cfg, k, RSSP_CFG_FROM_ENV, 0);
    }
    return 0;
}

/* CSC: a Basic login (username, password) or OAuth 2.0 client credentials; no relying party. */
static int check_complete_csc(const rssp_config *cfg, char *err, size_t err_len)
{
    const char *missing = NULL;
    bool has_password = cfg->password != NULL || cfg->keyring_spec[3] != NULL;
    if (cfg->url == NULL)
        missing = "[service] url";
    else if (cfg->oauth2_client_id != NULL && cfg->oauth2_client_secret == NULL)
        missing = "[oauth2] client_secret_file or client_secret (client_id is set)";
    else if (cfg->oauth2_client_id == NULL && cfg->username == NULL)
        missing = "[account] username, or [oauth2] client_id";
    else if (cfg->oauth2_client_id == NULL && !has_password)
        missing = "[account] password_file, password_keyring or password (username is set)";
    if (missing != NULL) {
        snprintf(err, err_len, "%s: %s is required", cfg->path, missing);
        return -1;
    }
    if (cfg->rp_name != NULL || cfg->agreement_uuid != NULL) {
        snprintf(err, err_len,
                 "%s: [relying_party] and agreement_uuid belong to protocol = rssp, not %s",
                 cfg->path, cfg->protocol == RSSP_PROTOCOL_CSC_V1 ? "csc-v1" : "csc-v2");
        return -1;
    }
    return 0;
}

/* What a usable configuration must contain, once files and environment are read. */
static int check_complete(const rssp_config *cfg, char *err, size_t err_len)
{
    if (cfg->protocol != RSSP_PROTOCOL_RSSP)
        return check_complete_csc(cfg, err, err_len);
    const char *missing = NULL;
    if (cfg->url == NULL)
        missing = "[service] url";
    else if (cfg->rp_name == NULL)
        missing = "[relying_party] name";
    else if (cfg->rp_auth == RSSP_RP_AUTH_SSL2 && cfg->rp_username == NULL)
        missing = "[relying_party] username (auth = ssl2)";
    else if (cfg->rp_auth == RSSP_RP_AUTH_SSL2 && cfg->rp_password == NULL &&
             cfg->keyring_spec[0] == NULL)
        missing = "[relying_party] password_file, password_keyring or password (auth = ssl2)";
    else if (cfg->rp_auth == RSSP_RP_AUTH_SSL2 && cfg->rp_signature == NULL)
        missing = "[relying_party] signature (auth = ssl2)";
    else if (cfg->rp_auth == RSSP_RP_AUTH_SSL2 && cfg->rp_key_file == NULL)
        missing = "[relying_party] key_file (auth = ssl2)";
    else if (cfg->rp_auth == RSSP_RP_AUTH_APPSIGN && cfg->app_api_key == NULL)
        missing = "[relying_party] api_key (auth = appsign)";
    else if (cfg->rp_auth == RSSP_RP_AUTH_APPSIGN && cfg->app_api_secret == NULL &&
             cfg->keyring_spec[2] == NULL)
        missing = "[relying_party] api_secret_file, api_secret_keyring or api_secret (auth = "
                  "appsign)";
    else if (cfg->username != NULL && cfg->password == NULL && cfg->keyring_spec[3] == NULL)
        missing = "[account] password_file, password_keyring or password (username is set)";
    else if (cfg->username == NULL && cfg->agreement_uuid == NULL)
        missing = "[account] agreement_uuid (needed without username, for an RP-only login)";
    if (missing != NULL) {
        snprintf(err, err_len, "%s: %s is required", cfg->path, missing);
        return -1;
    }
    if (cfg->username == NULL && (cfg->password != NULL || cfg->keyring_spec[3] != NULL)) {
        snprintf(err, err_len, "%s: [account] has a password but no username", cfg->path);
        return -1;
    }
    if (cfg->oauth2_client_id != NULL || cfg->oauth2_url != NULL ||
        cfg->oauth2_client_secret != NULL) {
        snprintf(err, err_len, "%s: [oauth2] needs protocol = csc-v1 or csc-v2", cfg->path);
        return -1;
    }
    return 0;
}

/* Look up the secrets given as keyring attribute specs (config_keyring.h). */
static int resolve_keyring(rssp_config *cfg, char *err, size_t err_len)
{
    char why[768];
    for (int i = 0; i < RSSP_CONFIG_N_SECRETS; i++) {
        if (cfg->keyring_spec[i] == NULL)
            continue;
        /* The key that set it, for the message. */
        size_t k = 0;
        while (k < N_KEYS &&
               (keys[k].offset != secret_fields[i] || keys[k].kind != KIND_SECRET_RING))
            k++;
        char **slot = (char **)(void *)((char *)cfg + secret_fields[i]);
        if (rssp_cfg_keyring_lookup(cfg->keyring_spec[i], slot, why, sizeof why) != 0) {
            rssp_config_origin o;
            rssp_config_origin_at(cfg, k, &o);
            if (o.file != NULL)
                snprintf(err, err_len, "%s:%d: [%s] %s: %s", o.file, o.line, o.section, o.key, why);
            else
                snprintf(err, err_len, "[%s] %s: %s", o.section, o.key, why);
            return -1;
        }
    }
    return 0;
}

/*
 * Parse one file into cfg as layer source. The file's relative paths resolve
 * against its own folder; duplicates are checked within the file.
 */
static int parse_file(rssp_config *cfg, const char *path, rssp_config_source source, char **abs_out,
                      char *err, size_t err_len)
{
    rssp_cfg_text text = {0};
    parse_ctx ctx = {0};
    char *abs = NULL;
    char *dir = NULL;
    char why[768];
    int rc = -1;

    if (absolute_path(path, &abs, &dir) != 0) {
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    if (rssp_cfg_read_config(abs, &text, why, sizeof why) != 0) {
        snprintf(err, err_len, "%s", why);
        goto out;
    }
    ctx.cfg = cfg;
    ctx.source = source;
    ctx.path = path;
    ctx.dir = dir;
    ctx.text = &text;
    ctx.err = err;
    ctx.err_len = err_len;
    int ini_rc = ini_parse_stream(read_line, &ctx, on_value, &ctx);
    if (ini_rc > 0 && (ctx.err_line == 0 || ini_rc < ctx.err_line)) {
        /* A line inih could not read (no '=', unclosed '[') comes first. */
        snprintf(err, err_len, "%s:%d: syntax error (expected [section] or key = value)", path,
                 ini_rc);
        goto out;
    }
    if (ini_rc < 0) {
        snprintf(err, err_len, "%s: cannot parse (inih error %d)", path, ini_rc);
        goto out;
    }
    if (ctx.err_line != 0)
        goto out;
    *abs_out = abs;
    abs = NULL;
    rc = 0;
out:
    rssp_cfg_text_clear(&text);
    free(abs);
    free(dir);
    return rc;
}

int rssp_config_load_files(const rssp_config_files *files, rssp_config *out, char *err,
                           size_t err_len)
{
    int rc = -1;

    if (err_len > 0)
        err[0] = '\0';
    memset(out, 0, sizeof *out);
    if (set_defaults(out) != 0) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    if (files->file != NULL) {
        if (files->file[0] == '\0') {
            snprintf(err, err_len, "no configuration file given");
            goto out;
        }
        if (parse_file(out, files->file, RSSP_CFG_FROM_FILE, &out->path, err, err_len) != 0)
            goto out;
    } else {
        if (files->system == NULL && files->user == NULL) {
            snprintf(err, err_len, "no configuration file given");
            goto out;
        }
        if (files->system != NULL) {
            if (parse_file(out, files->system, RSSP_CFG_FROM_SYSTEM, &out->system_path, err,
                           err_len) != 0)
                goto out;
            for (size_t i = 0; i < N_KEYS; i++)
                out->org_locked |= keys[i].org && out->key_source[i] == RSSP_CFG_FROM_SYSTEM;
        }
        if (files->user != NULL) {
            if (parse_file(out, files->user, RSSP_CFG_FROM_USER, &out->path, err, err_len) != 0)
                goto out;
        } else if ((out->path = strdup(out->system_path)) == NULL) {
            snprintf(err, err_len, "out of memory");
            goto out;
        }
    }
    if (apply_env(out, err, err_len) != 0)
        goto out;
    if (!files->partial &&
        (check_complete(out, err, err_len) != 0 || resolve_keyring(out, err, err_len) != 0))
        goto out;
    rc = 0;
out:
    if (rc != 0)
        rssp_config_clear(out);
    return rc;
}

int rssp_config_load(const char *path, rssp_config *out, char *err, size_t err_len)
{
    if (path == NULL || path[0] == '\0') {
        if (err_len > 0)
            snprintf(err, err_len, "no configuration file given");
        memset(out, 0, sizeof *out);
        return -1;
    }
    rssp_config_files files = {.file = (char *)path};
    return rssp_config_load_files(&files, out, err, err_len);
}

int rssp_config_load_default(const char *init_reserved, rssp_config *out, char *err, size_t err_len)
{
    rssp_config_files files;
    memset(out, 0, sizeof *out);
    if (rssp_config_locate(init_reserved, &files, err, err_len) != 0)
        return -1;
    int rc = rssp_config_load_files(&files, out, err, err_len);
    rssp_config_files_clear(&files);
    return rc;
}

const char *rssp_config_source_name(rssp_config_source source)
{
    switch (source) {
    case RSSP_CFG_FROM_DEFAULT:
        return "default";
    case RSSP_CFG_FROM_SYSTEM:
        return "system file";
    case RSSP_CFG_FROM_USER:
        return "user file";
    case RSSP_CFG_FROM_FILE:
        return "file";
    case RSSP_CFG_FROM_ENV:
        return "environment";
    }
    return "unknown";
}

int rssp_config_origin_at(const rssp_config *cfg, size_t i, rssp_config_origin *out)
{
    memset(out, 0, sizeof *out);
    if (i >= N_KEYS)
        return -1;
    out->section = keys[i].section;
    out->key = keys[i].key;
    out->source = (rssp_config_source)cfg->key_source[i];
    out->line = cfg->key_line[i];
    switch (out->source) {
    case RSSP_CFG_FROM_SYSTEM:
        out->file = cfg->system_path;
        break;
    case RSSP_CFG_FROM_USER:
    case RSSP_CFG_FROM_FILE:
        out->file = cfg->path;
        break;
    case RSSP_CFG_FROM_ENV:
        if (strcmp(out->key, "url") == 0)
            out->env = "RSSP_PKCS11_URL";
        else if (strcmp(out->key, "log_level") == 0)
            out->env = "RSSP_PKCS11_LOG";
        for (size_t e = 0; e < sizeof env_paths / sizeof env_paths[0]; e++) {
            if (strcmp(out->key, env_paths[e].key) == 0)
                out->env = env_paths[e].name;
        }
        break;
    case RSSP_CFG_FROM_DEFAULT:
        break;
    }
    return 0;
}

void rssp_config_clear(rssp_config *cfg)
{
    if (cfg == NULL)
        return;
    rssp_secret_free(cfg->rp_password);
    rssp_secret_free(cfg->rp_key_password);
    rssp_secret_free(cfg->app_api_secret);
    rssp_secret_free(cfg->password);
    rssp_secret_free(cfg->oauth2_client_secret);
    free(cfg->oauth2_url);
    free(cfg->oauth2_client_id);
    for (int i = 0; i < RSSP_CONFIG_N_SECRETS; i++)
        free(cfg->keyring_spec[i]);
    free(cfg->key_login_programs);
    char *plain[] = {
        cfg->path,        cfg->system_path,    cfg->url,         cfg->ca_file,     cfg->rp_name,
        cfg->rp_username, cfg->rp_signature,   cfg->rp_key_file, cfg->app_api_key, cfg->user_type,
        cfg->username,    cfg->agreement_uuid, cfg->client_mac,  cfg->cache_dir,   cfg->log_file,
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        free(plain[i]);
    memset(cfg, 0, sizeof *cfg);
}

void rssp_config_client(const rssp_config *cfg, rssp_client_config *out)
{
    memset(out, 0, sizeof *out);
    out->protocol = cfg->protocol;
    out->base_url = cfg->url;
    out->csc_auth =
        cfg->oauth2_client_id != NULL ? RSSP_CSC_AUTH_OAUTH2_CLIENT : RSSP_CSC_AUTH_BASIC;
    out->oauth2_url = cfg->oauth2_url;
    out->oauth2_client_id = cfg->oauth2_client_id;
    out->oauth2_client_secret = cfg->oauth2_client_secret;
    out->ca_file = cfg->ca_file;
    out->relying_party = cfg->rp_name;
    out->rp_auth = cfg->rp_auth;
    out->rp_username = cfg->rp_username;
    out->rp_password = cfg->rp_password;
    out->rp_signature = cfg->rp_signature;
    out->rp_key_file = cfg->rp_key_file;
    out->rp_key_password = cfg->rp_key_password;
    out->ssl2_hash = cfg->ssl2_hash;
    out->app_api_key = cfg->app_api_key;
    out->app_api_secret = cfg->app_api_secret;
    out->app_sign_ttl = cfg->app_sign_ttl;
    out->user_type = cfg->user_type;
    out->username = cfg->username;
    out->password = cfg->password;
    out->agreement_uuid = cfg->agreement_uuid;
    out->client_mac = cfg->client_mac;
    out->remember_me = cfg->remember_me;
    out->connect_timeout_ms = cfg->connect_timeout_ms;
    out->timeout_ms = cfg->timeout_ms;
    out->authorize_timeout_ms = cfg->authorize_timeout_ms;
    out->revoke_budget_ms = cfg->revoke_budget_ms;
}
