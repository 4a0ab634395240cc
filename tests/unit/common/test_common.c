/* Unit tests of src/common: log levels, log file permissions, secret memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/net.h"
#include "common/secmem.h"

static void test_level_parse(void **state)
{
    (void)state;
    assert_int_equal(rssp_log_level_parse("off"), RSSP_LOG_OFF);
    assert_int_equal(rssp_log_level_parse("ERROR"), RSSP_LOG_ERROR);
    assert_int_equal(rssp_log_level_parse("Warn"), RSSP_LOG_WARN);
    assert_int_equal(rssp_log_level_parse("info"), RSSP_LOG_INFO);
    assert_int_equal(rssp_log_level_parse("debug"), RSSP_LOG_DEBUG);
    assert_int_equal(rssp_log_level_parse("3"), RSSP_LOG_INFO);
    assert_int_equal(rssp_log_level_parse("5"), -1);
    assert_int_equal(rssp_log_level_parse("verbose"), -1);
    assert_int_equal(rssp_log_level_parse(""), -1);
    assert_int_equal(rssp_log_level_parse(NULL), -1);
}

static void test_log_file_private_and_filtered(void **state)
{
    (void)state;
    char path[] = "/tmp/rssp-log-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);

    assert_int_equal(rssp_log_open(RSSP_LOG_WARN, path), 0);
    rssp_warn("visible %d", 42);
    rssp_debug("hidden %d", 7);
    rssp_log_close();
    rssp_error("after close");

    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[512] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "WARN: visible 42"));
    assert_null(strstr(buf, "hidden"));
    assert_null(strstr(buf, "after close"));
    unlink(path);
}

/* Issue 10, defect 10: an existing log file others can read is made private. */
static void test_log_file_made_private(void **state)
{
    (void)state;
    char path[] = "/tmp/rssp-log-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(fchmod(fd, 0644), 0);
    close(fd);

    assert_int_equal(rssp_log_open(RSSP_LOG_WARN, path), 0);
    rssp_warn("appended");
    rssp_log_close();
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    unlink(path);
}

/* A symbolic link and a non-regular file are refused (logging falls back to stderr). */
static void test_log_file_no_link_no_device(void **state)
{
    (void)state;
    char dir[] = "/tmp/rssp-log-dir-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char target[64], link_path[64];
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(link_path, sizeof link_path, "%s/link", dir);
    FILE *t = fopen(target, "w");
    assert_non_null(t);
    fclose(t);
    assert_int_equal(symlink(target, link_path), 0);

    assert_int_equal(rssp_log_open(RSSP_LOG_WARN, link_path), -1);
    rssp_log_close();
    struct stat sb;
    assert_int_equal(stat(target, &sb), 0);
    assert_int_equal(sb.st_size, 0);
    assert_int_equal(rssp_log_open(RSSP_LOG_WARN, dir), -1); /* a folder */
    rssp_log_close();
    unlink(link_path);
    unlink(target);
    rmdir(dir);
}

static void test_log_open_bad_path(void **state)
{
    (void)state;
    assert_int_equal(rssp_log_open(RSSP_LOG_INFO, "/nonexistent-dir/x/log"), -1);
    assert_int_equal(rssp_log_get_level(), RSSP_LOG_INFO);
    rssp_log_close();
    assert_int_equal(rssp_log_get_level(), RSSP_LOG_OFF);
}

static void test_secret_dup(void **state)
{
    (void)state;
    char *s = rssp_secret_strdup("123456");
    assert_non_null(s);
    assert_string_equal(s, "123456");
    rssp_secret_free(s);

    unsigned char bin[3] = {0x00, 0x41, 0x00};
    char *b = rssp_secret_dup(bin, sizeof bin);
    assert_non_null(b);
    assert_memory_equal(b, bin, sizeof bin);
    assert_int_equal(b[3], '\0');
    rssp_secret_free(b);

    assert_null(rssp_secret_strdup(NULL));
    rssp_secret_free(NULL);
    rssp_str_free_secret(NULL);
    char *plain = strdup("password");
    assert_non_null(plain);
    rssp_str_free_secret(plain);
}

static void test_loopback(void **state)
{
    (void)state;
    assert_true(rssp_host_is_loopback("localhost"));
    assert_true(rssp_host_is_loopback("LocalHost"));
    assert_true(rssp_host_is_loopback("127.0.0.1"));
    assert_true(rssp_host_is_loopback("127.255.0.9"));
    assert_true(rssp_host_is_loopback("::1"));
    assert_true(rssp_host_is_loopback("[::1]"));
    assert_false(rssp_host_is_loopback("128.0.0.1"));
    assert_false(rssp_host_is_loopback("10.0.0.1"));
    assert_false(rssp_host_is_loopback("localhost.example"));
    assert_false(rssp_host_is_loopback("::2"));
    assert_false(rssp_host_is_loopback("[::1"));
    assert_false(rssp_host_is_loopback(""));
    assert_false(rssp_host_is_loopback(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_parse),
        cmocka_unit_test(test_log_file_private_and_filtered),
        cmocka_unit_test(test_log_file_made_private),
        cmocka_unit_test(test_log_file_no_link_no_device),
        cmocka_unit_test(test_log_open_bad_path),
        cmocka_unit_test(test_secret_dup),
        cmocka_unit_test(test_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
