/* The test fixture itself: start, use, restart and stop a private emulator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "emulator_fixture.h"

static void test_start_stop(void **state)
{
    (void)state;
    rssp_emu emu;
    struct stat st;
    char *stats = NULL, root[PATH_MAX];
    assert_int_equal(rssp_emu_start(NULL, &emu), 0);
    assert_true(emu.pid > 0);
    assert_non_null(strstr(emu.url, "https://127.0.0.1:"));
    assert_non_null(strstr(emu.url, "/rssp/v1/"));
    assert_int_equal(stat(emu.fixture_json, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(emu.demo_config, &st), 0);
    assert_int_equal(rssp_emu_admin(&emu, "GET", "stats", NULL, &stats), 200);
    cJSON *j = cJSON_Parse(stats);
    assert_non_null(cJSON_GetObjectItem(j, "requests"));
    cJSON_Delete(j);
    free(stats);
    snprintf(root, sizeof(root), "%s", emu.root);
    assert_int_equal(rssp_emu_stop(&emu), 0); /* clean shutdown on SIGTERM */
    assert_int_not_equal(stat(root, &st), 0); /* nothing left */
}

static void test_restart_keeps_folder(void **state)
{
    (void)state;
    rssp_emu emu;
    char url[256], path[PATH_MAX + 16];
    struct stat st;
    assert_int_equal(rssp_emu_start(NULL, &emu), 0);
    snprintf(url, sizeof(url), "%s", emu.url);
    assert_int_equal(rssp_emu_stop_server(&emu), 0);
    snprintf(path, sizeof(path), "%s/url", emu.dir);
    assert_int_not_equal(stat(path, &st), 0); /* removed at shutdown */
    assert_int_equal(rssp_emu_restart(&emu, NULL), 0);
    assert_true(emu.pid > 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(rssp_emu_stop(&emu), 0);
}

static void test_without_admin(void **state)
{
    (void)state;
    rssp_emu emu;
    rssp_emu_options opt = {.no_admin = true};
    assert_int_equal(rssp_emu_start(&opt, &emu), 0);
    assert_int_equal(rssp_emu_admin(&emu, "GET", "stats", NULL, NULL), 404);
    assert_int_equal(rssp_emu_stop(&emu), 0);
}

static void test_bad_serve_args_fail_cleanly(void **state)
{
    (void)state;
    rssp_emu emu;
    const char *args[] = {"--token-ttl", "zero", NULL};
    rssp_emu_options opt = {.serve_args = args, .start_timeout_s = 10};
    assert_int_equal(rssp_emu_start(&opt, &emu), -1);
    assert_int_equal(emu.pid, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_stop),
        cmocka_unit_test(test_restart_keeps_folder),
        cmocka_unit_test(test_without_admin),
        cmocka_unit_test(test_bad_serve_args_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
