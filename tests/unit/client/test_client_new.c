/*
 * Client creation (configuration checks, URL policy: http:// only towards
 * loopback), status helpers, and a transport failure against a closed
 * loopback port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/url.h"
#include "common/net.h"
#include "rssp/client.h"
#include "test_util.h"

static rssp_client_config base_config(void)
{
    return (rssp_client_config){
        .base_url = "https://rssp.example/rssp/v1/",
        .relying_party = "DEMO-RP",
        .rp_username = "rpuser",
        .rp_password = "rppass",
        .rp_signature = "c2ln",
        .rp_key_file = tu_data("rp-key.pem"),
    };
}

static rssp_err try_new(const rssp_client_config *cfg, rssp_status *st)
{
    rssp_client *c = NULL;
    rssp_err err = rssp_client_new(cfg, &c, st);
    if (err == RSSP_OK)
        assert_non_null(c);
    else
        assert_null(c);
    rssp_client_free(c);
    return err;
}

static void test_status_helpers(void **state)
{
    (void)state;
    rssp_status st;
    memset(&st, 0x5a, sizeof st);
    rssp_status_reset(&st);
    assert_int_equal(st.err, RSSP_OK);
    assert_int_equal(st.response_code, 0);
    assert_int_equal(st.http_status, 0);
    assert_int_equal(st.remaining_counter, -1);
    assert_int_equal(st.temporary_lock_time, -1);
    assert_int_equal(st.remaining_signing_counter, -2);
    assert_false(st.maybe_sent);
    assert_string_equal(st.message, "");
    assert_string_equal(st.bill_code, "");
    rssp_status_reset(NULL);

    assert_string_equal(rssp_err_name(RSSP_OK), "ok");
    assert_string_equal(rssp_err_name(RSSP_ERR_TRANSPORT), "transport error");
    assert_string_equal(rssp_err_name(RSSP_ERR_SERVICE), "service error");
    for (int e = RSSP_OK; e <= RSSP_ERR_CANCELLED; e++)
        assert_non_null(rssp_err_name((rssp_err)e));
    assert_string_equal(rssp_err_name((rssp_err)99), "unknown error");
}

static void test_loopback_hosts(void **state)
{
    (void)state;
    assert_true(rssp_host_is_loopback("localhost"));
    assert_true(rssp_host_is_loopback("LOCALHOST"));
    assert_true(rssp_host_is_loopback("127.0.0.1"));
    assert_true(rssp_host_is_loopback("127.255.3.9"));
    assert_true(rssp_host_is_loopback("::1"));
    assert_true(rssp_host_is_loopback("[::1]"));
    assert_false(rssp_host_is_loopback("128.0.0.1"));
    assert_false(rssp_host_is_loopback("10.0.0.1"));
    assert_false(rssp_host_is_loopback("localhost.evil.example"));
    assert_false(rssp_host_is_loopback("127.0.0.1.evil.example"));
    assert_false(rssp_host_is_loopback("::2"));
    assert_false(rssp_host_is_loopback("[::ffff:10.0.0.1]"));
    assert_false(rssp_host_is_loopback(""));
    assert_false(rssp_host_is_loopback(NULL));
}

static void test_url_policy(void **state)
{
    (void)state;
    rssp_status st;
    rssp_client_config cfg = base_config();
    assert_int_equal(try_new(&cfg, &st), RSSP_OK);

    const char *refused[] = {
        "http://rssp.example/rssp/v1/",
        "http://10.0.0.1:8080/rssp/v1/",
        "http://localhost.evil.example/",
        "ftp://127.0.0.1/",
        "file:///etc/passwd",
        "https://rssp.example/rssp/v1/?x=1",
        "https://rssp.example/#f",
        "not a url",
        "",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        cfg.base_url = refused[i];
        if (try_new(&cfg, &st) != RSSP_ERR_CONFIG)
            print_error("accepted %s\n", refused[i]);
        assert_int_equal(st.err, RSSP_ERR_CONFIG);
    }
    cfg.base_url = "http://rssp.example/rssp/v1/";
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);
    assert_non_null(strstr(st.message, "loopback"));
    cfg.base_url = NULL;
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);

    const char *accepted[] = {
        "http://127.0.0.1:8443/rssp/v1/", "http://127.0.0.1:8443/rssp/v1",
        "http://localhost/rssp/v1/",      "http://[::1]:9000/",
        "HTTPS://RSSP.EXAMPLE/rssp/v1/",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        cfg.base_url = accepted[i];
        if (try_new(&cfg, &st) != RSSP_OK)
            print_error("refused %s: %s\n", accepted[i], st.message);
        assert_int_equal(st.err, RSSP_OK);
    }

    char *n = NULL;
    bool loopback = false;
    assert_int_equal(rssp_base_url_check("http://127.0.0.1:8443/rssp/v1", &n, &loopback, &st),
                     RSSP_OK);
    assert_string_equal(n, "http://127.0.0.1:8443/rssp/v1/");
    assert_true(loopback);
    char *m = rssp_method_url(n, "credentials/list");
    assert_string_equal(m, "http://127.0.0.1:8443/rssp/v1/credentials/list");
    free(m);
    free(n);
    assert_int_equal(rssp_base_url_check("https://rssp.example", &n, &loopback, &st), RSSP_OK);
    assert_string_equal(n, "https://rssp.example/");
    assert_false(loopback);
    free(n);
}

static void test_config_checks(void **state)
{
    (void)state;
    rssp_status st;
    rssp_client_config cfg = base_config();

    assert_int_equal(rssp_client_new(&cfg, NULL, &st), RSSP_ERR_ARGS);
    rssp_client *c = (rssp_client *)&cfg; /* must be reset to NULL */
    assert_int_equal(rssp_client_new(NULL, &c, &st), RSSP_ERR_ARGS);
    assert_null(c);

    cfg.relying_party = NULL;
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);
    cfg = base_config();
    cfg.rp_key_file = NULL;
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);
    cfg.rp_key_file = tu_data("ec-key.pem");
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);
    cfg.rp_key_file = tu_data("rp-key.p12");
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG); /* no password */
    cfg.rp_key_password = "p12pass";
    assert_int_equal(try_new(&cfg, &st), RSSP_OK);
    cfg.rp_username = "rp:user";
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);
    cfg = base_config();
    cfg.ssl2_hash = (rssp_hash_alg)42;
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);

    /* owner */
    cfg = base_config();
    cfg.username = "alice";
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG); /* no password */
    cfg.password = "secret";
    assert_int_equal(try_new(&cfg, &st), RSSP_OK);
    cfg.user_type = "PERSONAL:ID";
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);

    /* AppSign instead of SSL2: no key file needed */
    cfg = base_config();
    cfg.rp_auth = RSSP_RP_AUTH_APPSIGN;
    cfg.rp_key_file = NULL;
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);
    cfg.app_api_key = "app-1";
    cfg.app_api_secret = "s3cret";
    assert_int_equal(try_new(&cfg, &st), RSSP_OK);
    cfg.app_sign_ttl = -1;
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);
    cfg.app_sign_ttl = 0;
    cfg.rp_auth = (rssp_rp_auth)7;
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);

    cfg = base_config();
    cfg.timeout_ms = -1;
    assert_int_equal(try_new(&cfg, &st), RSSP_ERR_CONFIG);

    /* calls check their arguments before any network use */
    cfg = base_config();
    assert_int_equal(rssp_client_new(&cfg, &c, NULL), RSSP_OK);
    assert_false(rssp_logged_in(c));
    assert_int_equal(rssp_info(c, NULL, &st), RSSP_ERR_ARGS);
    assert_int_equal(
        rssp_credentials_info(c, NULL, RSSP_CERTS_NONE, false, false, &(rssp_credential){0}, &st),
        RSSP_ERR_ARGS);
    assert_int_equal(rssp_sign_hash(c, NULL, &(rssp_signatures){0}, &st), RSSP_ERR_ARGS);
    assert_int_equal(rssp_extend_transaction(c, "1", NULL, RSSP_HASH_NONE, NULL, 0, &st),
                     RSSP_ERR_ARGS);
    rssp_client_free(c);
    rssp_client_free(NULL);
    assert_false(rssp_logged_in(NULL));
}

/* A loopback port nobody listens on. */
static int closed_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

static void test_closed_port(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/rssp/v1/", closed_port());
    rssp_client_config cfg = base_config();
    cfg.base_url = url;
    rssp_client *c = NULL;
    rssp_status st;
    assert_int_equal(rssp_client_new(&cfg, &c, &st), RSSP_OK);

    long long t0 = rssp_monotonic_ms();
    rssp_info_result info;
    assert_int_equal(rssp_info(c, &info, &st), RSSP_ERR_TRANSPORT);
    assert_false(st.maybe_sent);
    assert_int_equal(st.http_status, 0);
    assert_true(st.message[0] != '\0');
    assert_null(info.version);
    /* a login attempt (from a bearer call) fails the same way */
    rssp_credential_list l;
    assert_int_equal(rssp_credentials_list(c, NULL, &l, &st), RSSP_ERR_TRANSPORT);
    assert_false(st.maybe_sent);
    assert_false(rssp_logged_in(c));
    assert_true(rssp_monotonic_ms() - t0 < 5000);
    rssp_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_helpers), cmocka_unit_test(test_loopback_hosts),
        cmocka_unit_test(test_url_policy),     cmocka_unit_test(test_config_checks),
        cmocka_unit_test(test_closed_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
