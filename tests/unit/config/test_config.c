/*
 * Unit tests of src/config: every key, defaults, relative paths, every error,
 * file permission rules, discovery order, environment overrides, and that
 * secrets never reach an error message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/net.h"
#include "config/config.h"
#include "config/config_url.h"
#include "config/config_values.h"

#define SECRET_RP "rp-Pa55-secret-7731"
#define SECRET_KEYPW "keypw-secret-0042"
#define SECRET_APP "app-secret-9f9f"
#define SECRET_USER "alice-secret-5150"

typedef struct {
    char dir[64];
    char err[2048];
    char path[512];
} fixture;

/* Write dir/name with mode; returns the path in f->path. */
static const char *write_file(fixture *f, const char *name, const char *content, mode_t mode)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(content, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(f->path, mode), 0);
    return f->path;
}

static void clear_env(void)
{
    static const char *const vars[] = {"RSSP_PKCS11_CONF",       "RSSP_PKCS11_URL",
                                       "RSSP_PKCS11_LOG",        "RSSP_PKCS11_LOG_FILE",
                                       "RSSP_PKCS11_CACHE_DIR",  "XDG_CONFIG_HOME",
                                       "RSSP_PKCS11_SYSTEM_CONF"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rssp-config-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(mkdir(strcat(strcpy(f->path, f->dir), "/secrets"), 0700), 0);
    write_file(f, "secrets/rp-password", SECRET_RP "\n", 0600);
    write_file(f, "secrets/rp-key.p12", "not really a key, only checked for mode\n", 0600);
    write_file(f, "secrets/rp-key-password", SECRET_KEYPW "\r\n", 0600);
    write_file(f, "secrets/app-secret", SECRET_APP, 0600);
    write_file(f, "secrets/alice-password", SECRET_USER "\n", 0400);
    write_file(f, "ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
    clear_env();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    clear_env();
    free(f);
    return 0;
}

/* A complete SSL2 configuration, secrets in files. */
static const char minimal_conf[] = "[service]\n"
                                   "url = https://127.0.0.1:8443/rssp/v1/\n"
                                   "[relying_party]\n"
                                   "name = DEMO-RP\n"
                                   "username = rpuser\n"
                                   "password_file = secrets/rp-password\n"
                                   "signature = c2lnbmF0dXJl\n"
                                   "key_file = secrets/rp-key.p12\n"
                                   "[account]\n"
                                   "username = alice\n"
                                   "password_file = secrets/alice-password\n";

static int load_text(fixture *f, const char *text, mode_t mode, rssp_config *cfg)
{
    write_file(f, "rssp-pkcs11.conf", text, mode);
    return rssp_config_load(f->path, cfg, f->err, sizeof f->err);
}

/* Load text expecting failure; the error must contain want. */
static void expect_error(fixture *f, const char *text, mode_t mode, const char *want)
{
    rssp_config cfg;
    int rc = load_text(f, text, mode, &cfg);
    if (rc == 0 || strstr(f->err, want) == NULL)
        fail_msg("expected an error containing \"%s\", got rc %d: \"%s\"", want, rc, f->err);
    /* out is left cleared */
    assert_null(cfg.url);
    assert_null(cfg.path);
    assert_null(cfg.rp_password);
}

/* minimal_conf with extra lines appended to [account] (the last section). */
static void expect_error_extra(fixture *f, const char *extra, const char *want)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", minimal_conf, extra);
    expect_error(f, text, 0600, want);
}

static void test_every_key(void **state)
{
    fixture *f = *state;
    rssp_config cfg;
    char want[512];
    const char *text = "; comment\n"
                       "[service]\n"
                       "url = http://localhost:9000/rssp/v1\n"
                       "ca_file = ca.pem\n"
                       "connect_timeout_ms = 1500\n"
                       "timeout_ms = 20000\n"
                       "authorize_timeout_ms = 240000\n"
                       "\n"
                       "[relying_party]\n"
                       "name = DEMO-RP\n"
                       "auth = appsign\n"
                       "username = rpuser\n"
                       "password_file = secrets/rp-password\n"
                       "signature = c2lnbmF0dXJl\n"
                       "key_file = secrets/rp-key.p12\n"
                       "key_password_file = secrets/rp-key-password\n"
                       "ssl2_hash = sha256\n"
                       "api_key = demo-app\n"
                       "api_secret_file = secrets/app-secret\n"
                       "appsign_ttl = 0\n"
                       "[account]\n"
                       "user_type = PERSONAL-ID\n"
                       "username = alice\n"
                       "password_file = secrets/alice-password\n"
                       "agreement_uuid = FEC#201910281308\n"
                       "client_mac = 00:11:22:33:44:55\n"
                       "remember_me = no\n"
                       "[module]\n"
                       "cache_dir = cache\n"
                       "cache_ttl = 0\n"
                       "log_level = debug ; inline comment\n"
                       "log_file = /var/tmp/rssp.log\n"
                       "sad_signatures = 25\n"
                       "read_write_sessions = no\n"
                       "login_model = key\n"
                       "key_login_programs = soffice.bin, thunderbird\n";

    assert_int_equal(load_text(f, text, 0644, &cfg), 0);
    snprintf(want, sizeof want, "%s/rssp-pkcs11.conf", f->dir);
    assert_string_equal(cfg.path, want);
    assert_string_equal(cfg.url, "http://localhost:9000/rssp/v1/"); /* '/' added */
    snprintf(want, sizeof want, "%s/ca.pem", f->dir);
    assert_string_equal(cfg.ca_file, want);
    assert_int_equal(cfg.connect_timeout_ms, 1500);
    assert_int_equal(cfg.timeout_ms, 20000);
    assert_int_equal(cfg.authorize_timeout_ms, 240000);
    assert_string_equal(cfg.rp_name, "DEMO-RP");
    assert_int_equal(cfg.rp_auth, RSSP_RP_AUTH_APPSIGN);
    assert_string_equal(cfg.rp_username, "rpuser");
    assert_string_equal(cfg.rp_password, SECRET_RP); /* "\n" stripped */
    assert_string_equal(cfg.rp_signature, "c2lnbmF0dXJl");
    snprintf(want, sizeof want, "%s/secrets/rp-key.p12", f->dir);
    assert_string_equal(cfg.rp_key_file, want);
    assert_string_equal(cfg.rp_key_password, SECRET_KEYPW); /* "\r\n" stripped */
    assert_int_equal(cfg.ssl2_hash, RSSP_HASH_SHA256);
    assert_string_equal(cfg.app_api_key, "demo-app");
    assert_string_equal(cfg.app_api_secret, SECRET_APP); /* no newline to strip */
    assert_int_equal(cfg.app_sign_ttl, 0);
    assert_string_equal(cfg.user_type, "PERSONAL-ID");
    assert_string_equal(cfg.username, "alice");
    assert_string_equal(cfg.password, SECRET_USER);
    assert_string_equal(cfg.agreement_uuid, "FEC#201910281308");
    assert_string_equal(cfg.client_mac, "00:11:22:33:44:55");
    assert_false(cfg.remember_me);
    snprintf(want, sizeof want, "%s/cache", f->dir);
    assert_string_equal(cfg.cache_dir, want);
    assert_int_equal(cfg.cache_ttl_s, 0);
    assert_int_equal(cfg.log_level, RSSP_LOG_DEBUG);
    assert_string_equal(cfg.log_file, "/var/tmp/rssp.log");
    assert_int_equal(cfg.sad_signatures, 25);
    assert_false(cfg.read_write_sessions);
    assert_int_equal(cfg.login_model, RSSP_LOGIN_KEY);
    assert_string_equal(cfg.key_login_programs, "soffice.bin, thunderbird");

    rssp_client_config cc;
    rssp_config_client(&cfg, &cc);
    assert_ptr_equal(cc.base_url, cfg.url);
    assert_ptr_equal(cc.ca_file, cfg.ca_file);
    assert_ptr_equal(cc.relying_party, cfg.rp_name);
    assert_int_equal(cc.rp_auth, RSSP_RP_AUTH_APPSIGN);
    assert_ptr_equal(cc.rp_username, cfg.rp_username);
    assert_ptr_equal(cc.rp_password, cfg.rp_password);
    assert_ptr_equal(cc.rp_signature, cfg.rp_signature);
    assert_ptr_equal(cc.rp_key_file, cfg.rp_key_file);
    assert_ptr_equal(cc.rp_key_password, cfg.rp_key_password);
    assert_int_equal(cc.ssl2_hash, RSSP_HASH_SHA256);
    assert_ptr_equal(cc.app_api_key, cfg.app_api_key);
    assert_ptr_equal(cc.app_api_secret, cfg.app_api_secret);
    assert_int_equal(cc.app_sign_ttl, 0);
    assert_ptr_equal(cc.user_type, cfg.user_type);
    assert_ptr_equal(cc.username, cfg.username);
    assert_ptr_equal(cc.password, cfg.password);
    assert_ptr_equal(cc.agreement_uuid, cfg.agreement_uuid);
    assert_ptr_equal(cc.client_mac, cfg.client_mac);
    assert_null(cc.language);
    assert_false(cc.remember_me);
    assert_int_equal(cc.connect_timeout_ms, 1500);
    assert_int_equal(cc.timeout_ms, 20000);
    assert_int_equal(cc.authorize_timeout_ms, 240000);
    assert_int_equal(cc.max_response_bytes, 0);

    rssp_config_clear(&cfg);
    assert_null(cfg.url);
    assert_null(cfg.password);
    assert_int_equal(cfg.timeout_ms, 0);
}

static void test_defaults(void **state)
{
    fixture *f = *state;
    rssp_config cfg;
    assert_int_equal(load_text(f, minimal_conf, 0644, &cfg), 0);
    assert_string_equal(cfg.url, "https://127.0.0.1:8443/rssp/v1/");
    assert_null(cfg.ca_file);
    assert_int_equal(cfg.connect_timeout_ms, 5000);
    assert_int_equal(cfg.timeout_ms, 30000);
    assert_int_equal(cfg.authorize_timeout_ms, 330000);
    assert_int_equal(cfg.rp_auth, RSSP_RP_AUTH_SSL2);
    assert_int_equal(cfg.ssl2_hash, RSSP_HASH_SHA1);
    assert_null(cfg.rp_key_password);
    assert_null(cfg.app_api_key);
    assert_null(cfg.app_api_secret);
    assert_int_equal(cfg.app_sign_ttl, 60);
    assert_string_equal(cfg.user_type, "USERNAME");
    assert_null(cfg.agreement_uuid);
    assert_null(cfg.client_mac);
    assert_true(cfg.remember_me);
    assert_null(cfg.cache_dir);
    assert_int_equal(cfg.cache_ttl_s, 3600);
    assert_int_equal(cfg.log_level, RSSP_LOG_OFF);
    assert_null(cfg.log_file);
    assert_int_equal(cfg.sad_signatures, 0);
    assert_true(cfg.read_write_sessions); /* OpenSSH and pkcs11-tool open nothing else */
    assert_int_equal(cfg.login_model, RSSP_LOGIN_AUTO);
    assert_null(cfg.key_login_programs); /* the module's default list */
    rssp_config_clear(&cfg);
}

static void test_paths_and_empty_values(void **state)
{
    fixture *f = *state;
    rssp_config cfg;
    char text[4096];
    char abs_secret[256];
    char want[512];

    /* An absolute secret path stays; empty optional values keep the default. */
    snprintf(abs_secret, sizeof abs_secret, "%s/secrets/alice-password", f->dir);
    snprintf(text, sizeof text,
             "[service]\nurl = https://rssp.example/rssp/v1/\nca_file =\n"
             "[relying_party]\nname = RP\nusername = u\npassword_file = ./secrets/rp-password\n"
             "signature = s\nkey_file = secrets/../secrets/rp-key.p12\nkey_password_file =\n"
             "[account]\nusername = alice\npassword_file = %s\nagreement_uuid =\n"
             "[module]\ncache_dir = ../elsewhere/cache\nlog_file = logs/rssp.log\n",
             abs_secret);
    assert_int_equal(load_text(f, text, 0600, &cfg), 0);
    assert_null(cfg.ca_file);
    assert_null(cfg.rp_key_password);
    assert_null(cfg.agreement_uuid);
    assert_string_equal(cfg.password, SECRET_USER);
    snprintf(want, sizeof want, "%s/secrets/../secrets/rp-key.p12", f->dir);
    assert_string_equal(cfg.rp_key_file, want);
    snprintf(want, sizeof want, "%s/../elsewhere/cache", f->dir);
    assert_string_equal(cfg.cache_dir, want);
    snprintf(want, sizeof want, "%s/logs/rssp.log", f->dir);
    assert_string_equal(cfg.log_file, want);
    rssp_config_clear(&cfg);

    /* A configuration path given relative to the working folder. */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    assert_int_equal(rssp_config_load("rssp-pkcs11.conf", &cfg, f->err, sizeof f->err), 0);
    snprintf(want, sizeof want, "%s/rssp-pkcs11.conf", f->dir);
    assert_string_equal(cfg.path, want);
    snprintf(want, sizeof want, "%s/logs/rssp.log", f->dir);
    assert_string_equal(cfg.log_file, want);
    assert_int_equal(chdir(cwd), 0);
    rssp_config_clear(&cfg);
}

static void test_syntax_and_key_errors(void **state)
{
    fixture *f = *state;
    expect_error_extra(f, "foo = 1\n", "rssp-pkcs11.conf:12: unknown key 'foo' in [account]");
    expect_error_extra(f, "[services]\n", "rssp-pkcs11.conf:12: unknown section [services]");
    expect_error_extra(f, "[extra]\nx = 1\n", ":12: unknown section [extra]");
    expect_error_extra(f, "url = https://a/\n", ":12: unknown key 'url' in [account]");
    expect_error_extra(f, "username = bob\n",
                       ":12: duplicate key 'username' in [account] "
                       "(first set on line 10)");
    expect_error_extra(f, "password = inline\n",
                       ":12: 'password' and 'password_file' (line 11) both set the same value");
    expect_error_extra(f, "  remember_me = yes\n", ":12: indented line continues 'password_file'");
    expect_error_extra(f, "just some words\n", ":12: syntax error");
    expect_error_extra(f, "[module\n", ":12: syntax error");
    expect_error(f, "url = https://a/\n[service]\n", 0600, ":1: key 'url' is outside any section");

    char long_line[400];
    memset(long_line, 'x', sizeof long_line);
    memcpy(long_line, "client_mac = ", 13);
    long_line[sizeof long_line - 2] = '\n';
    long_line[sizeof long_line - 1] = '\0';
    expect_error_extra(f, long_line, ":12: line is longer than");

    /* The first error wins, even when a later line is broken too. */
    expect_error_extra(f, "foo = 1\nbar\n", ":12: unknown key 'foo'");
    expect_error_extra(f, "bar\nfoo = 1\n", ":12: syntax error");
}

static void test_value_errors(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *section;
        const char *line;
        const char *want;
    } cases[] = {
        {"module", "cache_ttl = 12x", ":13: bad value '12x' for cache_ttl: expected a whole"},
        {"module", "cache_ttl = -1", "bad value '-1' for cache_ttl"},
        {"module", "cache_ttl = +5", "bad value '+5' for cache_ttl"},
        {"module", "cache_ttl = 0x10", "bad value '0x10' for cache_ttl"},
        {"module", "cache_ttl = 99999999999999999999", "bad value '99999999999999999999'"},
        {"module", "cache_ttl =", ":13: cache_ttl has no value"},
        {"module", "sad_signatures = 1000001", "from 0 to 1000000"},
        {"module", "login_model = session", "expected auto, token or key"},
        {"module", "login_model =", "login_model has no value"},
        {"service", "timeout_ms = 0", "bad value '0' for timeout_ms"},
        {"service", "connect_timeout_ms = 3600001", "bad value '3600001'"},
        {"service", "authorize_timeout_ms = 1.5", "bad value '1.5'"},
        {"relying_party", "appsign_ttl = 86401", "bad value '86401' for appsign_ttl"},
        {"module", "log_level = loud", "bad value 'loud' for log_level"},
        {"relying_party", "auth = oauth", "expected ssl2 or appsign"},
        {"relying_party", "ssl2_hash = sha512", "bad value 'sha512' for ssl2_hash"},
        {"relying_party", "api_key = a&b", "bad value 'a&b' for api_key"},
        {"account", "user_type = NICKNAME", "bad value 'NICKNAME' for user_type"},
    };
    /* Each case adds "[section]" and its line as lines 12 and 13 of minimal_conf. */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096];
        snprintf(text, sizeof text, "%s[%s]\n%s\n", minimal_conf, cases[i].section, cases[i].line);
        expect_error(f, text, 0600, cases[i].want);
    }
    /* key_file and ca_file name files that must exist */
    expect_error(f,
                 "[service]\nurl = https://h/\n[relying_party]\nname = R\nusername = u\n"
                 "password_file = secrets/rp-password\nsignature = s\n"
                 "key_file = secrets/missing.p12\n",
                 0600, ":8: cannot open key_file '");
    expect_error_extra(f, "[service]\nca_file = nowhere.pem\n", ":13: cannot open ca_file '");
    expect_error_extra(f, "[service]\nca_file = secrets\n", "is not a regular file");
    /* Booleans */
    static const char *const bools[] = {"maybe", "on", "2", "truee"};
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
        char extra[64];
        snprintf(extra, sizeof extra, "remember_me = %s\n", bools[i]);
        expect_error_extra(f, extra, "expected true, false, yes, no, 1 or 0");
    }
    static const char *const good_bools[] = {"true", "FALSE", "Yes", "no", "1", "0"};
    static const bool values[] = {true, false, true, false, true, false};
    for (size_t i = 0; i < sizeof good_bools / sizeof good_bools[0]; i++) {
        char text[4096];
        rssp_config cfg;
        snprintf(text, sizeof text, "%sremember_me = %s\n", minimal_conf, good_bools[i]);
        assert_int_equal(load_text(f, text, 0600, &cfg), 0);
        assert_int_equal(cfg.remember_me, values[i]);
        rssp_config_clear(&cfg);
    }
}

static void test_required_keys(void **state)
{
    fixture *f = *state;
    expect_error(f, "[service]\n", 0600, "[service] url is required");
    expect_error(f, "[service]\nurl =\n", 0600, "[service] url is required");
    expect_error(f, "[service]\nurl = https://h/\n", 0600, "[relying_party] name is required");
    expect_error(f,
                 "[service]\nurl = https://h/\n[relying_party]\nname = R\nusername = u\n"
                 "password_file = secrets/rp-password\nsignature = s\n",
                 0600, "[relying_party] key_file (auth = ssl2) is required");
    expect_error(f,
                 "[service]\nurl = https://h/\n[relying_party]\nname = R\nauth = appsign\n"
                 "api_key = k\n[account]\nagreement_uuid = A\n",
                 0600,
                 "api_secret_file, api_secret_keyring or api_secret (auth = appsign) is required");
    expect_error(f,
                 "[service]\nurl = https://h/\n[relying_party]\nname = R\nauth = appsign\n"
                 "api_key = k\napi_secret_file = secrets/app-secret\n",
                 0600, "[account] agreement_uuid (needed without username");
    expect_error(
        f,
        "[service]\nurl = https://h/\n[relying_party]\nname = R\nauth = appsign\n"
        "api_key = k\napi_secret_file = secrets/app-secret\n[account]\nusername = a\n",
        0600,
        "[account] password_file, password_keyring or password (username is set) is required");

    /* App-Authentication with an RP-only login is complete. */
    rssp_config cfg;
    assert_int_equal(load_text(f,
                               "[service]\nurl = https://h/\n[relying_party]\nname = R\n"
                               "auth = appsign\napi_key = k\napi_secret_file = secrets/app-secret\n"
                               "[account]\nagreement_uuid = A\n",
                               0600, &cfg),
                     0);
    assert_null(cfg.username);
    assert_string_equal(cfg.agreement_uuid, "A");
    rssp_config_clear(&cfg);
}

static void test_url_rules(void **state)
{
    fixture *f = *state;
    static const char *const good[] = {
        "https://rssp.example.com/rssp/v1/", "https://10.1.2.3:8443/x/", "http://127.0.0.1:1/",
        "http://127.200.3.4/rssp/v1/",       "http://localhost/",        "http://LOCALHOST:80/",
        "http://[::1]:8080/rssp/v1/",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *out = NULL;
        char why[512];
        if (rssp_cfg_check_url(good[i], &out, why, sizeof why) != 0)
            fail_msg("%s refused: %s", good[i], why);
        assert_non_null(out);
        free(out);
    }
    static const struct {
        const char *url;
        const char *want;
    } bad[] = {
        {"http://10.0.0.1/rssp/v1/", "not loopback; use https://"},
        {"http://rssp.example.com/", "not loopback"},
        {"http://128.0.0.1/", "not loopback"},
        {"http://localhost.example.com/", "not loopback"},
        {"http://127.0.0.1.example.com/", "not loopback"},
        {"http://[::2]/", "not loopback"},
        {"ftp://127.0.0.1/", "must start with https://"},
        {"https://user:pw@host/", "must not contain a user name or password"},
        {"https://host/rssp?x=1", "must not have a query or fragment"},
        {"not a url", "is not a valid URL"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char extra[256];
        snprintf(extra, sizeof extra, "[service]\nurl = %s\n", bad[i].url);
        char text[4096];
        snprintf(text, sizeof text, "%s", minimal_conf);
        /* Drop minimal_conf's url line so the new one is not a duplicate. */
        char *u = strstr(text, "url = ");
        memcpy(u, "; x ", 4);
        strncat(text, extra, sizeof text - strlen(text) - 1);
        expect_error(f, text, 0600, bad[i].want);
    }
    /* The password in user information is never echoed. */
    char *out = NULL;
    char why[512];
    assert_int_equal(rssp_cfg_check_url("https://u:" SECRET_RP "@h/", &out, why, sizeof why), -1);
    assert_null(strstr(why, SECRET_RP));
    assert_int_equal(rssp_cfg_check_url("https://u:" SECRET_RP "@h/%zz", &out, why, sizeof why),
                     -1);
    assert_null(strstr(why, SECRET_RP));
    assert_true(rssp_host_is_loopback("127.0.0.1"));
    assert_true(rssp_host_is_loopback("::1"));
    assert_true(rssp_host_is_loopback("[0:0:0:0:0:0:0:1]"));
    assert_false(rssp_host_is_loopback("127.example"));
    assert_false(rssp_host_is_loopback(NULL));
}

static void test_secret_file_permissions(void **state)
{
    fixture *f = *state;
    char extra[512];

    write_file(f, "secrets/open-password", "x\n", 0644);
    expect_error_extra(f, "[relying_party]\nkey_password_file = secrets/open-password\n",
                       "key_password_file '");
    expect_error_extra(f, "[relying_party]\nkey_password_file = secrets/open-password\n",
                       "secrets/open-password' is not private: it must be a regular file owned "
                       "by you with no group or other permissions (its mode is 0644); "
                       "run: chmod 600 '");
    write_file(f, "secrets/group-password", "x\n", 0640);
    /* Root's own file falls under the group rule (test_layers.c covers it). */
    expect_error_extra(f, "[relying_party]\nkey_password_file = secrets/group-password\n",
                       geteuid() == 0 ? "(it is readable by group 0, not rssp-pkcs11"
                                      : "(its mode is 0640)");
    write_file(f, "secrets/open-secret", SECRET_APP, 0604);
    snprintf(extra, sizeof extra, "[relying_party]\napi_secret_file = secrets/open-secret\n");
    expect_error_extra(f, extra, ":13: api_secret_file '");
    write_file(f, "secrets/open-key.p12", "k", 0644);
    expect_error(f,
                 "[service]\nurl = https://h/\n[relying_party]\nname = R\nusername = u\n"
                 "password_file = secrets/rp-password\nsignature = s\n"
                 "key_file = secrets/open-key.p12\n",
                 0600, ":8: key_file '");
    expect_error(f,
                 "[service]\nurl = https://h/\n[relying_party]\nname = R\nusername = u\n"
                 "password_file = secrets/rp-password\nsignature = s\n"
                 "key_file = secrets/open-key.p12\n",
                 0600, "(its mode is 0644); run: chmod 600");
    expect_error_extra(f, "[relying_party]\nkey_password_file = secrets\n", "key_password_file '");
    expect_error_extra(f, "[relying_party]\nkey_password_file = secrets\n",
                       "is not a regular file");
    write_file(f, "secrets/empty", "\n", 0600);
    expect_error_extra(f, "[relying_party]\nkey_password_file = secrets/empty\n", "is empty");
}

static void test_secret_file_owner(void **state)
{
    fixture *f = *state;
    if (geteuid() != 0)
        skip(); /* only root can give a file to another user */
    write_file(f, "secrets/foreign", "x\n", 0600);
    assert_int_equal(chown(f->path, 65534, 65534), 0);
    expect_error_extra(
        f, "[relying_party]\nkey_password_file = secrets/foreign\n",
        "is not private: it must be a regular file owned by you with no group or "
        "other permissions (it is owned by uid 65534, you are uid 0); run: chown 0 '");
}

static void test_inline_secrets(void **state)
{
    fixture *f = *state;
    rssp_config cfg;
    const char *text = "[service]\nurl = https://h/\n"
                       "[relying_party]\nname = R\nusername = u\npassword = " SECRET_RP "\n"
                       "signature = s\nkey_file = secrets/rp-key.p12\n"
                       "key_password = " SECRET_KEYPW "\napi_secret = " SECRET_APP "\n"
                       "[account]\nusername = a\npassword = " SECRET_USER "\n";

    assert_int_equal(load_text(f, text, 0600, &cfg), 0);
    assert_string_equal(cfg.rp_password, SECRET_RP);
    assert_string_equal(cfg.rp_key_password, SECRET_KEYPW);
    assert_string_equal(cfg.app_api_secret, SECRET_APP);
    assert_string_equal(cfg.password, SECRET_USER);
    rssp_config_clear(&cfg);

    /* 0400 is private too. */
    assert_int_equal(load_text(f, text, 0400, &cfg), 0);
    rssp_config_clear(&cfg);

    expect_error(f, text, 0644,
                 ":6: inline password is accepted only in a private configuration file (owned "
                 "by you, no group or other permissions; its mode is 0644): put it in "
                 "password_file instead, or run: chmod 600 '");
    expect_error(f, text, 0640, "its mode is 0640");
    assert_null(strstr(f->err, SECRET_RP));
}

static void test_config_file_rules(void **state)
{
    fixture *f = *state;
    expect_error(f, minimal_conf, 0664,
                 "rssp-pkcs11.conf' is writable by group or others (its mode is 0664); run: "
                 "chmod go-w '");
    expect_error(f, minimal_conf, 0602, "is writable by group or others");
    rssp_config cfg;
    assert_int_equal(rssp_config_load("/nonexistent/rssp.conf", &cfg, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "cannot open configuration file '/nonexistent/rssp.conf'"));
    assert_int_equal(rssp_config_load(f->dir, &cfg, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "is not a regular file"));
    assert_int_equal(rssp_config_load(NULL, &cfg, f->err, sizeof f->err), -1);
    if (geteuid() == 0) {
        write_file(f, "foreign.conf", minimal_conf, 0644);
        assert_int_equal(chown(f->path, 65534, 65534), 0);
        assert_int_equal(rssp_config_load(f->path, &cfg, f->err, sizeof f->err), -1);
        assert_non_null(strstr(f->err, "is owned by uid 65534; it must be owned by you"));
    }
}

/* No error message ever contains a secret, whatever went wrong. */
static void test_secret_never_in_error(void **state)
{
    fixture *f = *state;
    static const char *const secrets[] = {SECRET_RP, SECRET_KEYPW, SECRET_APP, SECRET_USER};
    static const char *const texts[] = {
        /* inline secret in a config that is not private */
        "[service]\nurl = https://h/\n[relying_party]\nname = R\npassword = " SECRET_RP "\n",
        /* secret file readable by others */
        "[service]\nurl = https://h/\n[relying_party]\nname = R\n"
        "api_secret_file = secrets/leaky\n",
        /* duplicate inline secret */
        "[account]\npassword = " SECRET_USER "\npassword = " SECRET_USER "\n",
        /* secrets read, then a later error */
        "[relying_party]\npassword_file = secrets/rp-password\n"
        "key_password = " SECRET_KEYPW "\n[module]\ncache_ttl = never\n",
        /* secrets read, then a missing key */
        "[relying_party]\npassword_file = secrets/rp-password\n"
        "api_secret_file = secrets/app-secret\n[account]\npassword = " SECRET_USER "\n",
        /* a password without a username */
        "[service]\nurl = https://h/\n[relying_party]\nname = R\nauth = appsign\napi_key = k\n"
        "api_secret = " SECRET_APP "\n[account]\nagreement_uuid = A\npassword = " SECRET_USER "\n",
        /* a secret on a line that cannot be parsed */
        "[account]\n" SECRET_USER "\n",
        /* a secret in the URL */
        "[service]\nurl = https://alice:" SECRET_USER "@h/\n",
    };
    write_file(f, "secrets/leaky", SECRET_APP "\n", 0644);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        static const mode_t modes[] = {0600, 0644};
        for (size_t m = 0; m < 2; m++) {
            mode_t mode = modes[m];
            rssp_config cfg;
            assert_int_equal(load_text(f, texts[i], mode, &cfg), -1);
            assert_true(f->err[0] != '\0');
            for (size_t j = 0; j < sizeof secrets / sizeof secrets[0]; j++) {
                if (strstr(f->err, secrets[j]) != NULL)
                    fail_msg("case %zu mode %o leaks a secret: %s", i, (unsigned)mode, f->err);
            }
        }
    }
}

static void test_env_overrides(void **state)
{
    fixture *f = *state;
    rssp_config cfg;

    setenv("RSSP_PKCS11_URL", "http://[::1]:9999/rssp/v1", 1);
    setenv("RSSP_PKCS11_LOG", "warn", 1);
    setenv("RSSP_PKCS11_LOG_FILE", "/tmp/rssp-env.log", 1);
    setenv("RSSP_PKCS11_CACHE_DIR", "/tmp/rssp-env-cache", 1);
    assert_int_equal(load_text(f, minimal_conf, 0600, &cfg), 0);
    assert_string_equal(cfg.url, "http://[::1]:9999/rssp/v1/");
    assert_int_equal(cfg.log_level, RSSP_LOG_WARN);
    assert_string_equal(cfg.log_file, "/tmp/rssp-env.log");
    assert_string_equal(cfg.cache_dir, "/tmp/rssp-env-cache");
    rssp_config_clear(&cfg);

    /* The environment also completes a file without url. */
    char text[4096];
    snprintf(text, sizeof text, "%s", minimal_conf);
    memcpy(strstr(text, "url = "), "; x ", 4);
    assert_int_equal(load_text(f, text, 0600, &cfg), 0);
    assert_string_equal(cfg.url, "http://[::1]:9999/rssp/v1/");
    rssp_config_clear(&cfg);

    /* Empty variables are ignored. */
    clear_env();
    setenv("RSSP_PKCS11_URL", "", 1);
    setenv("RSSP_PKCS11_LOG", "", 1);
    assert_int_equal(load_text(f, minimal_conf, 0600, &cfg), 0);
    assert_string_equal(cfg.url, "https://127.0.0.1:8443/rssp/v1/");
    assert_int_equal(cfg.log_level, RSSP_LOG_OFF);
    rssp_config_clear(&cfg);

    setenv("RSSP_PKCS11_URL", "http://192.168.1.10/rssp/v1/", 1);
    expect_error(f, minimal_conf, 0600, "RSSP_PKCS11_URL: url 'http://192.168.1.10/rssp/v1/'");
    clear_env();
    setenv("RSSP_PKCS11_LOG", "chatty", 1);
    expect_error(f, minimal_conf, 0600, "RSSP_PKCS11_LOG: bad log level 'chatty'");
}

/* The file rssp_config_locate picks first (explicit, else user, else system), or NULL. */
static char *rssp_config_find(const char *reserved, char *err, size_t err_len)
{
    rssp_config_files files;
    if (rssp_config_locate(reserved, &files, err, err_len) != 0)
        return NULL;
    const char *first = files.file != NULL   ? files.file
                        : files.user != NULL ? files.user
                                             : files.system;
    char *found = strdup(first);
    rssp_config_files_clear(&files);
    return found;
}

static void test_find_order(void **state)
{
    fixture *f = *state;
    char env_conf[256], reserved_conf[256], xdg[256], home[256], want[512];
    char err[1024];
    char *found;

    snprintf(env_conf, sizeof env_conf, "%s", write_file(f, "env.conf", "", 0600));
    snprintf(reserved_conf, sizeof reserved_conf, "%s", write_file(f, "reserved.conf", "", 0600));
    snprintf(xdg, sizeof xdg, "%s/xdg", f->dir);
    snprintf(home, sizeof home, "%s/home", f->dir);
    assert_int_equal(mkdir(xdg, 0700), 0);
    assert_int_equal(mkdir(home, 0700), 0);
    snprintf(want, sizeof want, "%s/.config", home);
    assert_int_equal(mkdir(want, 0700), 0);
    snprintf(want, sizeof want, "%s/.config/rssp-pkcs11", home);
    assert_int_equal(mkdir(want, 0700), 0);
    write_file(f, "home/.config/rssp-pkcs11/rssp-pkcs11.conf", "", 0600);
    snprintf(want, sizeof want, "%s/rssp-pkcs11", xdg);
    assert_int_equal(mkdir(want, 0700), 0);
    char *old_home = getenv("HOME") != NULL ? strdup(getenv("HOME")) : NULL;

    /* 1. $RSSP_PKCS11_CONF beats pReserved */
    setenv("RSSP_PKCS11_CONF", env_conf, 1);
    found = rssp_config_find(reserved_conf, err, sizeof err);
    assert_non_null(found);
    assert_string_equal(found, env_conf);
    free(found);
    /* ... and, when it names nothing, is an error rather than a fallback */
    setenv("RSSP_PKCS11_CONF", "/nonexistent/rssp.conf", 1);
    assert_null(rssp_config_find(reserved_conf, err, sizeof err));
    assert_non_null(strstr(err, "RSSP_PKCS11_CONF names '/nonexistent/rssp.conf'"));
    unsetenv("RSSP_PKCS11_CONF");

    /* 2. pReserved beats the user's file */
    setenv("HOME", home, 1);
    found = rssp_config_find(reserved_conf, err, sizeof err);
    assert_non_null(found);
    assert_string_equal(found, reserved_conf);
    free(found);
    assert_null(rssp_config_find("/nonexistent/reserved.conf", err, sizeof err));
    assert_non_null(strstr(err, "(pReserved) names '/nonexistent/reserved.conf'"));

    /* 3. the user's file: $XDG_CONFIG_HOME when it holds one ... */
    write_file(f, "xdg/rssp-pkcs11/rssp-pkcs11.conf", "", 0600);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    found = rssp_config_find(NULL, err, sizeof err);
    assert_non_null(found);
    snprintf(want, sizeof want, "%s/rssp-pkcs11/rssp-pkcs11.conf", xdg);
    assert_string_equal(found, want);
    free(found);
    /* ... a relative XDG_CONFIG_HOME is ignored (XDG base directory spec) ... */
    setenv("XDG_CONFIG_HOME", "relative/xdg", 1);
    found = rssp_config_find("", err, sizeof err);
    assert_non_null(found);
    snprintf(want, sizeof want, "%s/.config/rssp-pkcs11/rssp-pkcs11.conf", home);
    assert_string_equal(found, want);
    free(found);
    /* ... else ~/.config */
    unsetenv("XDG_CONFIG_HOME");
    found = rssp_config_find(NULL, err, sizeof err);
    assert_non_null(found);
    assert_string_equal(found, want);
    free(found);

    /* 4. nothing found: say where we looked */
    snprintf(want, sizeof want, "%s/.config/rssp-pkcs11/rssp-pkcs11.conf", home);
    unlink(want);
    setenv("RSSP_PKCS11_SYSTEM_CONF", "/nonexistent/etc/rssp-pkcs11.conf", 1);
    assert_null(rssp_config_find(NULL, err, sizeof err));
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "/nonexistent/etc/rssp-pkcs11.conf"));
    assert_non_null(strstr(err, "rssp-tool setup"));
    /* 5. the system file alone */
    snprintf(want, sizeof want, "%s", write_file(f, "system.conf", "", 0644));
    setenv("RSSP_PKCS11_SYSTEM_CONF", want, 1);
    found = rssp_config_find(NULL, err, sizeof err);
    assert_non_null(found);
    assert_string_equal(found, want);
    free(found);
    unsetenv("RSSP_PKCS11_SYSTEM_CONF");

    if (old_home != NULL)
        setenv("HOME", old_home, 1);
    else
        unsetenv("HOME");
    free(old_home);
}

static void test_home_from_passwd(void **state)
{
    (void)state;
    char err[1024];
    char *old_home = getenv("HOME") != NULL ? strdup(getenv("HOME")) : NULL;
    unsetenv("HOME");
    char *found = rssp_config_find(NULL, err, sizeof err);
    /* Without $HOME the home folder comes from the password database. */
    if (found == NULL) {
        assert_non_null(strstr(err, "/.config/rssp-pkcs11/rssp-pkcs11.conf"));
        assert_null(strstr(err, "no home folder found"));
    }
    free(found);
    if (old_home != NULL)
        setenv("HOME", old_home, 1);
    free(old_home);
}

/* protocol = csc-v1 | csc-v2: Basic or [oauth2] client credentials, no relying party. */
static void test_csc_protocol(void **state)
{
    fixture *f = *state;
    rssp_config cfg;
    rssp_client_config cc;
    assert_int_equal(load_text(f,
                               "[service]\nprotocol = csc-v2\n"
                               "url = https://127.0.0.1:8443/csc/v2/\n"
                               "[oauth2]\nurl = https://127.0.0.1:8443/oauth/\n"
                               "client_id = app-1\nclient_secret_file = secrets/alice-password\n",
                               0600, &cfg),
                     0);
    assert_int_equal(cfg.protocol, RSSP_PROTOCOL_CSC_V2);
    assert_string_equal(cfg.oauth2_client_id, "app-1");
    assert_string_equal(cfg.oauth2_client_secret, SECRET_USER);
    rssp_config_client(&cfg, &cc);
    assert_int_equal(cc.protocol, RSSP_PROTOCOL_CSC_V2);
    assert_int_equal(cc.csc_auth, RSSP_CSC_AUTH_OAUTH2_CLIENT);
    assert_string_equal(cc.oauth2_url, "https://127.0.0.1:8443/oauth/");
    assert_ptr_equal(cc.oauth2_client_secret, cfg.oauth2_client_secret);
    rssp_config_clear(&cfg);

    assert_int_equal(load_text(f,
                               "[service]\nprotocol = csc-v1\n"
                               "url = https://127.0.0.1:8443/csc/v1/\n"
                               "[account]\nusername = alice\n"
                               "password_file = secrets/alice-password\n",
                               0600, &cfg),
                     0);
    rssp_config_client(&cfg, &cc);
    assert_int_equal(cc.protocol, RSSP_PROTOCOL_CSC_V1);
    assert_int_equal(cc.csc_auth, RSSP_CSC_AUTH_BASIC);
    rssp_config_clear(&cfg);

    expect_error(f, "[service]\nprotocol = csc-v3\nurl = https://h/\n", 0600,
                 "expected rssp, csc-v1 or csc-v2");
    expect_error(f, "[service]\nprotocol = csc-v2\nurl = https://h/\n", 0600,
                 "[account] username, or [oauth2] client_id");
    expect_error(f, "[service]\nprotocol = csc-v2\nurl = https://h/\n[oauth2]\nclient_id = a\n",
                 0600, "client_secret_file or client_secret");
    expect_error(f,
                 "[service]\nprotocol = csc-v2\nurl = https://h/\n[relying_party]\nname = X\n"
                 "[account]\nusername = a\npassword = p\n",
                 0600, "belong to protocol = rssp");
    char text[4096];
    snprintf(text, sizeof text, "%s[oauth2]\nclient_id = a\nclient_secret = s\n", minimal_conf);
    expect_error(f, text, 0600, "[oauth2] needs protocol = csc-v1 or csc-v2");
}

static void test_value_parsers(void **state)
{
    (void)state;
    long v = 0;
    bool b = false;
    assert_int_equal(rssp_cfg_parse_long("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(rssp_cfg_parse_long("-3", -5, 5, &v), 0);
    assert_int_equal(v, -3);
    assert_int_equal(rssp_cfg_parse_long(" 4", 0, 100, &v), -1);
    assert_int_equal(rssp_cfg_parse_long("4 ", 0, 100, &v), -1);
    assert_int_equal(rssp_cfg_parse_long("", 0, 100, &v), -1);
    assert_int_equal(rssp_cfg_parse_long("-", 0, 100, &v), -1);
    assert_int_equal(rssp_cfg_parse_long("101", 0, 100, &v), -1);
    assert_int_equal(rssp_cfg_parse_long("9223372036854775808", 0, 100, &v), -1);
    assert_int_equal(rssp_cfg_parse_long(NULL, 0, 100, &v), -1);
    assert_int_equal(rssp_cfg_parse_bool("yes", &b), 0);
    assert_true(b);
    assert_int_equal(rssp_cfg_parse_bool("0", &b), 0);
    assert_false(b);
    assert_int_equal(rssp_cfg_parse_bool("", &b), -1);
    assert_int_equal(rssp_cfg_parse_bool(NULL, &b), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_and_empty_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_and_key_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_required_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_file_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_file_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_file_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_never_in_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_home_from_passwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csc_protocol, setup, teardown),
        cmocka_unit_test(test_value_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
