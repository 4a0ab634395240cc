/*
 * Unit tests of the configuration's layers (docs/configuration.md): the
 * system file merged with the user file, the keys each may set, where each
 * value came from, the secret-file rule with the relying-party group, and
 * keyring secrets through a stand-in helper program.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_file.h"
#include "config/config_keyring.h"

#define SECRET_RP "rp-layer-secret-1"
#define SECRET_USER "alice-layer-secret-2"
#define SECRET_RING "ring-secret-3"

typedef struct {
    char dir[64];
    char err[2048];
    char path[512];
    char system[512]; /* DIR/etc/rssp-pkcs11.conf */
    char user[512];   /* DIR/xdg/rssp-pkcs11/rssp-pkcs11.conf */
} fixture;

static const char *write_file(fixture *f, const char *name, const char *content, mode_t mode)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    assert_true(fputs(content, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(f->path, mode), 0);
    return f->path;
}

static void clear_env(void)
{
    static const char *const vars[] = {"RSSP_PKCS11_CONF",        "RSSP_PKCS11_URL",
                                       "RSSP_PKCS11_LOG",         "RSSP_PKCS11_LOG_FILE",
                                       "RSSP_PKCS11_CACHE_DIR",   "XDG_CONFIG_HOME",
                                       "RSSP_PKCS11_SYSTEM_CONF", "RSSP_PKCS11_KEYRING_HELPER"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
}

static void make_dir(fixture *f, const char *name)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    assert_int_equal(mkdir(f->path, 0700), 0);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rssp-layers-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    make_dir(f, "etc");
    make_dir(f, "etc/secrets");
    make_dir(f, "xdg");
    make_dir(f, "xdg/rssp-pkcs11");
    write_file(f, "etc/secrets/rp-password", SECRET_RP "\n", 0600);
    write_file(f, "etc/secrets/rp-key.p12", "only checked for mode\n", 0600);
    write_file(f, "etc/ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
    write_file(f, "xdg/rssp-pkcs11/alice-password", SECRET_USER "\n", 0600);
    snprintf(f->system, sizeof f->system, "%s/etc/rssp-pkcs11.conf", f->dir);
    snprintf(f->user, sizeof f->user, "%s/xdg/rssp-pkcs11/rssp-pkcs11.conf", f->dir);
    clear_env();
    setenv("RSSP_PKCS11_SYSTEM_CONF", f->system, 1);
    snprintf(f->path, sizeof f->path, "%s/xdg", f->dir);
    setenv("XDG_CONFIG_HOME", f->path, 1);
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

/* What an organisation's system file holds: service, relying party, defaults. */
static const char system_conf[] = "[service]\n"
                                  "url = https://rssp.example.com/rssp/v1/\n"
                                  "ca_file = ca.pem\n"
                                  "timeout_ms = 20000\n"
                                  "[relying_party]\n"
                                  "name = ORG-RP\n"
                                  "username = orgrp\n"
                                  "password_file = secrets/rp-password\n"
                                  "signature = c2ln\n"
                                  "key_file = secrets/rp-key.p12\n"
                                  "[account]\n"
                                  "user_type = PERSONAL-ID\n"
                                  "[module]\n"
                                  "cache_ttl = 100\n"
                                  "log_level = warn\n"
                                  "cache_dir = cache\n";

/* What rssp-tool setup writes for the user: the account. */
static const char user_conf[] = "[account]\n"
                                "username = alice\n"
                                "password_file = alice-password\n"
                                "[module]\n"
                                "cache_ttl = 5\n"
                                "cache_dir =\n"
                                "[service]\n"
                                "timeout_ms = 1000\n";

static int load_default(fixture *f, rssp_config *cfg)
{
    return rssp_config_load_default(NULL, cfg, f->err, sizeof f->err);
}

static void expect_default_error(fixture *f, const char *want)
{
    rssp_config cfg;
    int rc = load_default(f, &cfg);
    if (rc == 0 || strstr(f->err, want) == NULL)
        fail_msg("expected an error containing \"%s\", got rc %d: \"%s\"", want, rc, f->err);
}

/* Origin of [section] key, found by walking rssp_config_origin_at. */
static rssp_config_origin origin(const rssp_config *cfg, const char *section, const char *key)
{
    rssp_config_origin o;
    for (size_t i = 0; rssp_config_origin_at(cfg, i, &o) == 0; i++) {
        if (strcmp(o.section, section) == 0 && strcmp(o.key, key) == 0)
            return o;
    }
    fail_msg("no key [%s] %s", section, key);
    return o;
}

static void test_merge(void **state)
{
    fixture *f = *state;
    rssp_config cfg;
    char want[600];
    write_file(f, "etc/rssp-pkcs11.conf", system_conf, 0644);
    write_file(f, "xdg/rssp-pkcs11/rssp-pkcs11.conf", user_conf, 0600);

    assert_int_equal(load_default(f, &cfg), 0);
    assert_string_equal(cfg.url, "https://rssp.example.com/rssp/v1/");
    snprintf(want, sizeof want, "%s/etc/ca.pem", f->dir); /* against the system file's folder */
    assert_string_equal(cfg.ca_file, want);
    assert_string_equal(cfg.rp_password, SECRET_RP);
    assert_string_equal(cfg.user_type, "PERSONAL-ID"); /* the organisation's default kept */
    assert_string_equal(cfg.username, "alice");
    assert_string_equal(cfg.password, SECRET_USER); /* against the user file's folder */
    assert_int_equal(cfg.cache_ttl_s, 5);           /* the user's wins */
    assert_int_equal(cfg.log_level, 2);
    snprintf(want, sizeof want, "%s/etc/cache", f->dir); /* empty user value: the system's stays */
    assert_string_equal(cfg.cache_dir, want);
    assert_int_equal(origin(&cfg, "module", "cache_dir").source, RSSP_CFG_FROM_SYSTEM);
    assert_int_equal(cfg.timeout_ms, 1000);
    assert_true(cfg.org_locked);
    assert_string_equal(cfg.path, f->user);
    assert_string_equal(cfg.system_path, f->system);

    rssp_config_origin o = origin(&cfg, "service", "url");
    assert_int_equal(o.source, RSSP_CFG_FROM_SYSTEM);
    assert_string_equal(o.file, f->system);
    assert_int_equal(o.line, 2);
    o = origin(&cfg, "account", "password_file");
    assert_int_equal(o.source, RSSP_CFG_FROM_USER);
    assert_string_equal(o.file, f->user);
    assert_int_equal(o.line, 3);
    assert_int_equal(origin(&cfg, "account", "password").source, RSSP_CFG_FROM_DEFAULT);
    assert_int_equal(origin(&cfg, "module", "cache_ttl").source, RSSP_CFG_FROM_USER);
    assert_int_equal(origin(&cfg, "module", "log_level").source, RSSP_CFG_FROM_SYSTEM);
    assert_int_equal(origin(&cfg, "module", "sad_signatures").source, RSSP_CFG_FROM_DEFAULT);
    assert_string_equal(rssp_config_source_name(RSSP_CFG_FROM_USER), "user file");
    rssp_config_clear(&cfg);

    /* Environment last; it says which variable. */
    setenv("RSSP_PKCS11_LOG", "debug", 1);
    assert_int_equal(load_default(f, &cfg), 0);
    o = origin(&cfg, "module", "log_level");
    assert_int_equal(o.source, RSSP_CFG_FROM_ENV);
    assert_string_equal(o.env, "RSSP_PKCS11_LOG");
    rssp_config_clear(&cfg);
}

static void test_user_cannot_change_organisation_keys(void **state)
{
    fixture *f = *state;
    char text[1024];
    write_file(f, "etc/rssp-pkcs11.conf", system_conf, 0644);
    static const char *const forbidden[] = {
        "[service]\nurl = https://evil.example/\n",
        "[service]\nca_file = /etc/ssl/certs/ca-certificates.crt\n",
        "[relying_party]\nname = OTHER\n",
        "[relying_party]\npassword_keyring = service=x\n",
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
        snprintf(text, sizeof text, "%s%s", user_conf, forbidden[i]);
        write_file(f, "xdg/rssp-pkcs11/rssp-pkcs11.conf", text, 0600);
        expect_default_error(f, "is the organisation's, set in");
        expect_default_error(f, "rssp-pkcs11.conf:10: [");
    }
    write_file(f, "xdg/rssp-pkcs11/rssp-pkcs11.conf", user_conf, 0600);
    setenv("RSSP_PKCS11_URL", "https://other.example/", 1);
    expect_default_error(f, "RSSP_PKCS11_URL: the service URL is the organisation's");
    unsetenv("RSSP_PKCS11_URL");

    /* A system file without the organisation's keys locks nothing. */
    rssp_config cfg;
    write_file(f, "etc/rssp-pkcs11.conf", "[module]\ncache_ttl = 7\n", 0644);
    snprintf(text, sizeof text,
             "%s[service]\nurl = https://own.example/\n[relying_party]\nname = OWN\n"
             "username = u\npassword = inline-ok\nsignature = s\nkey_file = alice-password\n",
             "[account]\nusername = alice\npassword_file = alice-password\n");
    write_file(f, "xdg/rssp-pkcs11/rssp-pkcs11.conf", text, 0600);
    assert_int_equal(load_default(f, &cfg), 0);
    assert_false(cfg.org_locked);
    assert_string_equal(cfg.url, "https://own.example/");
    assert_int_equal(cfg.cache_ttl_s, 7);
    rssp_config_clear(&cfg);
}

static void test_explicit_file_is_alone(void **state)
{
    fixture *f = *state;
    rssp_config cfg;
    /* A broken system file is not read when a file is named. */
    write_file(f, "etc/rssp-pkcs11.conf", "[service]\nnonsense = 1\n", 0644);
    expect_default_error(f, "unknown key 'nonsense'");
    char text[1024];
    snprintf(text, sizeof text,
             "[service]\nurl = https://named.example/\n[relying_party]\nname = R\nusername = u\n"
             "password = p\nsignature = s\nkey_file = secrets/rp-key.p12\n"
             "[account]\nusername = bob\npassword = bobs-secret\n");
    const char *named = write_file(f, "etc/named.conf", text, 0600);
    setenv("RSSP_PKCS11_CONF", named, 1);
    assert_int_equal(load_default(f, &cfg), 0);
    assert_string_equal(cfg.url, "https://named.example/");
    assert_null(cfg.system_path);
    assert_int_equal(origin(&cfg, "service", "url").source, RSSP_CFG_FROM_FILE);
    rssp_config_clear(&cfg);
    /* pReserved the same way. */
    unsetenv("RSSP_PKCS11_CONF");
    assert_int_equal(rssp_config_load_default(named, &cfg, f->err, sizeof f->err), 0);
    assert_string_equal(cfg.username, "bob");
    rssp_config_clear(&cfg);
}

static void test_private_verdict(void **state)
{
    (void)state;
    const uid_t me = 1000;
    const gid_t grp = 990; /* the rssp-pkcs11 group */
    static const struct {
        uid_t owner;
        gid_t group;
        mode_t mode;
        gid_t secret_gid;
        bool group_ok;
        rssp_cfg_private want;
    } cases[] = {
        {1000, 1000, 0600, 990, false, RSSP_CFG_PRIVATE_OK},
        {1000, 1000, 0400, 990, false, RSSP_CFG_PRIVATE_OK},
        {1000, 1000, 0640, 990, false, RSSP_CFG_PRIVATE_MODE},
        {1000, 990, 0640, 990, true, RSSP_CFG_PRIVATE_MODE}, /* the user's: 0600 only */
        {1000, 1000, 0604, 990, true, RSSP_CFG_PRIVATE_MODE},
        {0, 990, 0640, 990, true, RSSP_CFG_PRIVATE_OK}, /* the group model */
        {0, 990, 0440, 990, true, RSSP_CFG_PRIVATE_OK},
        {0, 0, 0600, 990, true, RSSP_CFG_PRIVATE_OK},       /* root's, private */
        {0, 990, 0640, 990, false, RSSP_CFG_PRIVATE_OWNER}, /* account secrets: never */
        {0, 990, 0660, 990, true, RSSP_CFG_PRIVATE_MODE},   /* group may not write */
        {0, 990, 0644, 990, true, RSSP_CFG_PRIVATE_MODE},   /* others nothing */
        {0, 990, 0641, 990, true, RSSP_CFG_PRIVATE_MODE},
        {0, 100, 0640, 990, true, RSSP_CFG_PRIVATE_GROUP},       /* another group */
        {0, 990, 0640, (gid_t)-1, true, RSSP_CFG_PRIVATE_GROUP}, /* no such group */
        {1001, 990, 0600, 990, true, RSSP_CFG_PRIVATE_OWNER},    /* another user's */
        {1001, 1001, 0600, 990, false, RSSP_CFG_PRIVATE_OWNER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rssp_cfg_private got =
            rssp_cfg_private_verdict(cases[i].owner, cases[i].group, cases[i].mode, me,
                                     cases[i].secret_gid, cases[i].group_ok);
        if (got != cases[i].want)
            fail_msg("case %zu: owner %u group %u mode %04o: got %d, want %d", i,
                     (unsigned)cases[i].owner, (unsigned)cases[i].group, (unsigned)cases[i].mode,
                     got, cases[i].want);
    }
    (void)grp;
}

static void test_keyring_spec(void **state)
{
    (void)state;
    char why[256];
    assert_int_equal(
        rssp_cfg_keyring_check_spec("service=rssp-pkcs11 account=alice", why, sizeof why), 0);
    assert_int_equal(rssp_cfg_keyring_check_spec("  a=b\tc.d:e-f_g=h@x  ", why, sizeof why), 0);
    static const char *const bad[] = {
        "",   "   ",     "service",  "service=",
        "=x", "a=b a=c", "sp ace=1", "a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (rssp_cfg_keyring_check_spec(bad[i], why, sizeof why) == 0)
            fail_msg("'%s' accepted", bad[i]);
    }
}

/* A stand-in for rssp-keyring: answers by the value of its "case" attribute. */
static const char fake_helper[] =
    "#!/bin/sh\n"
    "[ \"$1\" = lookup ] || exit 1\n"
    "[ \"$2\" = -- ] || exit 1\n"
    "case \"$4\" in\n"
    "found) printf '%s' '" SECRET_RING "' ;;\n"
    "missing) exit 2 ;;\n"
    "locked) exit 3 ;;\n"
    "noservice) echo 'Cannot autolaunch D-Bus without X11 $DISPLAY' >&2; exit 4 ;;\n"
    "crash) echo 'segfault' >&2; kill -SEGV $$ ;;\n"
    "slow) exec sleep 30 ;;\n"
    "esac\n";

static void test_keyring_secrets(void **state)
{
    fixture *f = *state;
    rssp_config cfg;
    char text[1024];
    const char *helper = write_file(f, "fake-keyring", fake_helper, 0700);
    setenv("RSSP_PKCS11_KEYRING_HELPER", helper, 1);
    write_file(f, "etc/rssp-pkcs11.conf", system_conf, 0644);

    static const struct {
        const char *value;
        const char *want; /* NULL: success */
    } cases[] = {
        {"found", NULL},
        {"missing", "no secret in the keyring matches 'case=missing'"},
        {"locked", "is locked"},
        {"noservice", "no Secret Service (desktop keyring) to ask: Cannot autolaunch D-Bus"},
        {"crash", "failed"},
        {"slow", "did not answer within 5 s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "[account]\nusername = alice\npassword_keyring = case=%s\n",
                 cases[i].value);
        write_file(f, "xdg/rssp-pkcs11/rssp-pkcs11.conf", text, 0600);
        int rc = load_default(f, &cfg);
        if (cases[i].want == NULL) {
            if (rc != 0)
                fail_msg("%s: %s", cases[i].value, f->err);
            assert_string_equal(cfg.password, SECRET_RING);
            rssp_config_origin o = origin(&cfg, "account", "password_keyring");
            assert_int_equal(o.source, RSSP_CFG_FROM_USER);
            assert_int_equal(o.line, 3);
            rssp_config_clear(&cfg);
            continue;
        }
        if (rc == 0 || strstr(f->err, cases[i].want) == NULL)
            fail_msg("%s: expected \"%s\", got rc %d: \"%s\"", cases[i].value, cases[i].want, rc,
                     f->err);
        assert_non_null(strstr(f->err, "rssp-pkcs11.conf:3: [account] password_keyring"));
    }
    /* No helper at all. */
    setenv("RSSP_PKCS11_KEYRING_HELPER", "/nonexistent/rssp-keyring", 1);
    write_file(f, "xdg/rssp-pkcs11/rssp-pkcs11.conf",
               "[account]\nusername = alice\npassword_keyring = case=found\n", 0600);
    expect_default_error(f, "cannot start the keyring helper '/nonexistent/rssp-keyring'");
    /* A bad spec is a parse error on its line. */
    write_file(f, "xdg/rssp-pkcs11/rssp-pkcs11.conf",
               "[account]\nusername = alice\npassword_keyring = alice\n", 0600);
    expect_default_error(f, "rssp-pkcs11.conf:3: password_keyring: expected name=value pairs");
    /* password_keyring and password_file exclude each other within a file. */
    write_file(
        f, "xdg/rssp-pkcs11/rssp-pkcs11.conf",
        "[account]\nusername = alice\npassword_keyring = a=b\npassword_file = alice-password\n",
        0600);
    expect_default_error(f, "both set the same value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_cannot_change_organisation_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_file_is_alone, setup, teardown),
        cmocka_unit_test(test_private_verdict),
        cmocka_unit_test(test_keyring_spec),
        cmocka_unit_test_setup_teardown(test_keyring_secrets, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
