/*
 * The resolver used when the application forbids threads
 * (CKF_LIBRARY_CANT_CREATE_OS_THREADS): IP literals need no entry, and
 * "localhost" is loopback without the name service (a chroot or minimal
 * container has no /etc/hosts), as libcurl treats it itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "client/resolve.h"

static void expect_entry(const char *url, const char *want)
{
    char *entry = (char *)"unset";
    rssp_status st;
    assert_int_equal(rssp_resolve_entry(url, &entry, &st), RSSP_OK);
    if (want == NULL) {
        assert_null(entry);
    } else {
        assert_non_null(entry);
        assert_string_equal(entry, want);
    }
    free(entry);
}

static void test_ip_literals_need_no_entry(void **state)
{
    (void)state;
    expect_entry("https://127.0.0.1:8443/rssp/v1/", NULL);
    expect_entry("https://[::1]:8443/rssp/v1/", NULL);
    expect_entry("https://192.0.2.7/rssp/v1/", NULL);
}

static void test_localhost_without_name_service(void **state)
{
    (void)state;
    expect_entry("https://localhost:8443/rssp/v1/", "localhost:8443:127.0.0.1,[::1]");
    expect_entry("http://LocalHost/rssp/v1/", "LocalHost:80:127.0.0.1,[::1]");
    expect_entry("https://localhost/", "localhost:443:127.0.0.1,[::1]");
}

static void test_bad_url(void **state)
{
    (void)state;
    char *entry = NULL;
    rssp_status st;
    assert_int_equal(rssp_resolve_entry("not a url", &entry, &st), RSSP_ERR_CONFIG);
    assert_null(entry);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ip_literals_need_no_entry),
        cmocka_unit_test(test_localhost_without_name_service),
        cmocka_unit_test(test_bad_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
