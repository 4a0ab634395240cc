/* pkcs11/login_model.c: which programs get the key login model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pkcs11/login_model.h"

static bool is_key(int model, const char *programs, const char *program)
{
    rssp_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.login_model = model;
    cfg.key_login_programs = (char *)programs;
    return p11_login_model_is_key(&cfg, program);
}

static void test_explicit_models_ignore_the_program(void **state)
{
    (void)state;
    assert_true(is_key(RSSP_LOGIN_KEY, NULL, "firefox-esr"));
    assert_true(is_key(RSSP_LOGIN_KEY, NULL, NULL));
    assert_false(is_key(RSSP_LOGIN_TOKEN, NULL, "soffice.bin"));
    assert_false(is_key(RSSP_LOGIN_TOKEN, "firefox-esr", "firefox-esr"));
}

static void test_auto_default_list(void **state)
{
    (void)state;
    assert_true(is_key(RSSP_LOGIN_AUTO, NULL, "soffice.bin"));
    assert_false(is_key(RSSP_LOGIN_AUTO, NULL, "soffice"));
    assert_false(is_key(RSSP_LOGIN_AUTO, NULL, "firefox-esr"));
    assert_false(is_key(RSSP_LOGIN_AUTO, NULL, "java"));
    assert_false(is_key(RSSP_LOGIN_AUTO, NULL, ""));
    assert_false(is_key(RSSP_LOGIN_AUTO, NULL, NULL));
}

static void test_auto_configured_list(void **state)
{
    (void)state;
    const char *list = " soffice.bin,thunderbird\tcmsutil ,";
    assert_true(is_key(RSSP_LOGIN_AUTO, list, "soffice.bin"));
    assert_true(is_key(RSSP_LOGIN_AUTO, list, "thunderbird"));
    assert_true(is_key(RSSP_LOGIN_AUTO, list, "cmsutil"));
    assert_false(is_key(RSSP_LOGIN_AUTO, list, "thunder")); /* whole names only */
    assert_false(is_key(RSSP_LOGIN_AUTO, list, "thunderbird-bin"));
    assert_false(is_key(RSSP_LOGIN_AUTO, list, ""));
    assert_false(is_key(RSSP_LOGIN_AUTO, "firefox-esr", "soffice.bin")); /* replaces the default */
}

static void test_program_name(void **state)
{
    (void)state;
    char name[64];
    p11_program_name(name, sizeof name);
    assert_string_equal(name, "test_login_model");
    char tiny[5];
    p11_program_name(tiny, sizeof tiny);
    assert_string_equal(tiny, "test");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explicit_models_ignore_the_program),
        cmocka_unit_test(test_auto_default_list),
        cmocka_unit_test(test_auto_configured_list),
        cmocka_unit_test(test_program_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
