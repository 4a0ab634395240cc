/*
 * CKF_LIBRARY_CANT_CREATE_OS_THREADS honoured: with the flag, a whole session
 * (list, login, sign) creates no thread. libcurl resolves "localhost" by
 * itself, so the resolver is exercised with this machine's host name (when
 * /etc/hosts maps it to loopback) on a closed port: without the flag libcurl
 * starts its resolver thread, with it the module resolves in the calling
 * thread. pthread_create is interposed by this executable (ENABLE_EXPORTS).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator_fixture.h"
#include "p11_helpers.h"

static atomic_int threads_created;

/* Every pthread_create of the process, the module's libcurl included, comes here. */
__attribute__((visibility("default"))) int
pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
    typedef int (*real_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    static real_fn real;
    if (real == NULL)
        real = (real_fn)dlsym(RTLD_NEXT, "pthread_create");
    atomic_fetch_add(&threads_created, 1);
    return real(thread, attr, start, arg);
}

static rssp_emu emu;
static CK_FUNCTION_LIST_3_0 *f;

/* The demo configuration with the service named "localhost" instead of 127.0.0.1. */
static int write_config(void)
{
    char url[300];
    const char *ip = strstr(emu.url, "://127.0.0.1:");
    if (ip == NULL)
        return -1;
    snprintf(url, sizeof url, "url = %.*s://localhost:%s", (int)(ip - emu.url), emu.url, ip + 13);
    const char *const edits[][2] = {{"url", url}, {"cache_ttl", "cache_ttl = 0"}, {NULL, NULL}};
    return p11t_demo_config(&emu, "by-name.conf", edits);
}

static int setup(void **state)
{
    (void)state;
    if (rssp_emu_start(NULL, &emu) != 0 || write_config() != 0)
        return -1;
    return (f = p11t_load()) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    p11t_unload();
    rssp_emu_stop(&emu);
    return 0;
}

/* Threads created by a session: C_Initialize(args) .. sign .. C_Finalize. */
static int threads_for_session(CK_C_INITIALIZE_ARGS *args)
{
    atomic_store(&threads_created, 0);
    assert_int_equal(f->C_Initialize(args), CKR_OK);
    CK_SLOT_ID slots[8];
    CK_ULONG n = 8;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    assert_true(n >= 1);
    CK_SESSION_HANDLE s;
    assert_int_equal(f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
    assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
    assert_int_equal(p11t_sign_once(f, s), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    return atomic_load(&threads_created);
}

static void test_session_without_threads(void **state)
{
    (void)state;
    CK_C_INITIALIZE_ARGS args = {.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK};
    assert_int_equal(threads_for_session(&args), 0);
    assert_true(threads_for_session(NULL) >= 0); /* and the same session without the flag */
}

/* This machine's host name, if it resolves to IPv4 loopback only (no DNS involved then). */
static int loopback_host_name(char *name, size_t len)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (gethostname(name, len) != 0 || strcmp(name, "localhost") == 0 ||
        getaddrinfo(name, NULL, &hints, &res) != 0)
        return -1;
    int ok = 1;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        const struct sockaddr_in *in = (const void *)ai->ai_addr;
        ok &= ai->ai_family == AF_INET && (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    freeaddrinfo(res);
    return ok ? 0 : -1;
}

/* Threads created by C_Initialize(args) and a C_GetSlotList that cannot connect. */
static int threads_for_unreachable_name(CK_C_INITIALIZE_ARGS *args)
{
    atomic_store(&threads_created, 0);
    assert_int_equal(f->C_Initialize(args), CKR_OK);
    CK_ULONG n = 99;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    return atomic_load(&threads_created);
}

static void test_resolver_thread_only_when_allowed(void **state)
{
    (void)state;
    char host[256], conf[PATH_MAX], body[1024];
    if (loopback_host_name(host, sizeof host) != 0)
        skip(); /* no name for loopback other than "localhost" on this machine */
    rssp_emu_path(&emu, "closed-port.conf", conf, sizeof conf);
    snprintf(body, sizeof body,
             "[service]\nurl = https://%s:1/rssp/v1/\n"
             "[relying_party]\nname = DEMO-RP\nauth = appsign\napi_key = k\napi_secret = s\n"
             "[account]\nusername = alice\npassword = p\n[module]\ncache_ttl = 0\n",
             host);
    int fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);
    setenv("RSSP_PKCS11_CONF", conf, 1);

    CK_C_INITIALIZE_ARGS args = {.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK};
    assert_int_equal(threads_for_unreachable_name(&args), 0);
    assert_true(threads_for_unreachable_name(NULL) > 0); /* libcurl's resolver thread */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_without_threads),
        cmocka_unit_test(test_resolver_thread_only_when_allowed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
