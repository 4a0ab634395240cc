/*
 * The module's boundary, without a service: function lists and interfaces,
 * C_Initialize's arguments, calls before initialisation, no configuration,
 * an unreachable service, application mutex callbacks, and fork().
 * The module is loaded with dlopen, as applications load it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkcs11/p11.h"

static void *lib;
static CK_FUNCTION_LIST_PTR f;
static char tmpdir[] = "/tmp/rssp-p11-entry-XXXXXX";

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    /* No configuration anywhere unless a test writes one. */
    setenv("HOME", tmpdir, 1);
    setenv("XDG_CONFIG_HOME", tmpdir, 1);
    setenv("XDG_CACHE_HOME", tmpdir, 1);
    unsetenv("RSSP_PKCS11_CONF");
    lib = dlopen(RSSP_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return -1;
    }
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
    return get != NULL && get(&f) == CKR_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        return -1;
    return dlclose(lib);
}

static void write_config(const char *name, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);
    setenv("RSSP_PKCS11_CONF", path, 1);
}

static void test_function_list_complete(void **state)
{
    (void)state;
    assert_int_equal(f->version.major, 2);
    assert_int_equal(f->version.minor, 40);
    /* Every entry after the version is a function pointer; none may be NULL. */
    void (**fn)(void) = (void (**)(void))(void *)&f->C_Initialize;
    size_t n = (sizeof *f - offsetof(CK_FUNCTION_LIST, C_Initialize)) / sizeof *fn;
    assert_int_equal(n, 68);
    for (size_t i = 0; i < n; i++)
        assert_non_null(fn[i]);
}

static void test_interfaces(void **state)
{
    (void)state;
    CK_C_GetInterfaceList list = (CK_C_GetInterfaceList)dlsym(lib, "C_GetInterfaceList");
    CK_C_GetInterface get = (CK_C_GetInterface)dlsym(lib, "C_GetInterface");
    assert_non_null(list);
    assert_non_null(get);

    CK_ULONG n = 0;
    assert_int_equal(list(NULL, &n), CKR_OK);
    assert_int_equal(n, 2);
    CK_INTERFACE ifs[2];
    CK_ULONG small = 1;
    assert_int_equal(list(ifs, &small), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(small, 2);
    assert_int_equal(list(ifs, &n), CKR_OK);
    assert_string_equal((char *)ifs[0].pInterfaceName, "PKCS 11");

    CK_INTERFACE_PTR i30;
    assert_int_equal(get(NULL, NULL, &i30, 0), CKR_OK);
    CK_FUNCTION_LIST_3_0 *l30 = i30->pFunctionList;
    assert_int_equal(l30->version.major, 3);
    assert_int_equal(l30->version.minor, 0);
    void (**fn)(void) = (void (**)(void))(void *)&l30->C_Initialize;
    size_t count = (sizeof *l30 - offsetof(CK_FUNCTION_LIST_3_0, C_Initialize)) / sizeof *fn;
    assert_int_equal(count, 92);
    for (size_t i = 0; i < count; i++)
        assert_non_null(fn[i]);

    CK_VERSION v240 = {2, 40}, v99 = {9, 9};
    CK_INTERFACE_PTR i240;
    assert_int_equal(get((CK_UTF8CHAR_PTR) "PKCS 11", &v240, &i240, 0), CKR_OK);
    assert_ptr_equal(i240->pFunctionList, f);
    assert_int_equal(get((CK_UTF8CHAR_PTR) "PKCS 11", &v99, &i240, 0), CKR_ARGUMENTS_BAD);
    assert_int_equal(get((CK_UTF8CHAR_PTR) "Vendor", NULL, &i240, 0), CKR_ARGUMENTS_BAD);
    assert_int_equal(get(NULL, NULL, &i240, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
    assert_int_equal(get(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
    /* The 3.0 message functions exist and refuse. */
    assert_int_equal(l30->C_MessageSignInit(1, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
}

static void test_not_initialized(void **state)
{
    (void)state;
    CK_ULONG n;
    CK_INFO info;
    CK_SESSION_HANDLE h;
    assert_int_equal(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h),
                     CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_int_equal(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static void test_initialize_args(void **state)
{
    (void)state;
    CK_C_INITIALIZE_ARGS args = {0};
    args.CreateMutex = (CK_CREATEMUTEX)(void *)1; /* only one of four: inconsistent */
    assert_int_equal(f->C_Initialize(&args), CKR_ARGUMENTS_BAD);

    /* NSS and GnuTLS always say so; the module then creates no thread (test_threads.c). */
    memset(&args, 0, sizeof args);
    args.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS;
    assert_int_equal(f->C_Initialize(&args), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);

    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    assert_int_equal(f->C_Initialize(&args), CKR_OK);
    assert_int_equal(f->C_Initialize(&args), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    CK_INFO info;
    assert_int_equal(f->C_GetInfo(&info), CKR_OK);
    assert_int_equal(info.cryptokiVersion.major, 2);
    assert_memory_equal(info.manufacturerID, "rssp-pkcs11", 11);
    assert_int_equal(f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
    int dummy;
    assert_int_equal(f->C_Finalize(&dummy), CKR_ARGUMENTS_BAD);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    /* Again, as applications do. */
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void test_no_configuration_no_slots(void **state)
{
    (void)state;
    unsetenv("RSSP_PKCS11_CONF");
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_ULONG n = 99;
    assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
    assert_int_equal(n, 0);
    CK_SLOT_INFO si;
    assert_int_equal(f->C_GetSlotInfo(0, &si), CKR_SLOT_ID_INVALID);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void test_bad_configuration_no_slots(void **state)
{
    (void)state;
    write_config("bad.conf", "[service]\nurl = https://127.0.0.1:1/rssp/v1/\nno_such_key = 1\n");
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_ULONG n = 99;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static const char *unreachable_conf = "[service]\n"
                                      "url = https://127.0.0.1:1/rssp/v1/\n"
                                      "connect_timeout_ms = 2000\n"
                                      "[relying_party]\n"
                                      "name = DEMO-RP\n"
                                      "auth = appsign\n"
                                      "api_key = demo-app\n"
                                      "api_secret = not-a-real-secret\n"
                                      "[account]\n"
                                      "username = alice\n"
                                      "password = not-a-real-password\n"
                                      "[module]\n"
                                      "cache_ttl = 0\n";

static void test_unreachable_service_no_slots(void **state)
{
    (void)state;
    write_config("unreachable.conf", unreachable_conf);
    /* C_Initialize makes no network call, so it cannot fail because of the service. */
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_ULONG n = 99;
    assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
    assert_int_equal(n, 0);
    /* A second call inside the retry back-off does not try again and still answers. */
    assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

/* Run fn with standard output and error going to files; their contents returned (malloc'ed). */
static void capture(void (*fn)(void), char **out_text, char **err_text)
{
    char paths[2][300];
    int saved[2], fds[2];
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/captured-%d", tmpdir, i + 1);
        fds[i] = open(paths[i], O_RDWR | O_CREAT | O_TRUNC, 0600);
        assert_true(fds[i] >= 0);
        saved[i] = dup(i + 1);
        assert_int_equal(dup2(fds[i], i + 1), i + 1);
    }
    fn();
    fflush(stdout);
    fflush(stderr);
    char **texts[2] = {out_text, err_text};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(dup2(saved[i], i + 1), i + 1);
        close(saved[i]);
        off_t size = lseek(fds[i], 0, SEEK_END);
        *texts[i] = calloc(1, (size_t)size + 1);
        assert_non_null(*texts[i]);
        assert_int_equal(pread(fds[i], *texts[i], (size_t)size, 0), size);
        close(fds[i]);
        unlink(paths[i]);
    }
}

static size_t count_lines(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *l = text; l != NULL && *l != '\0';) {
        const char *end = strchr(l, '\n');
        size_t len = end != NULL ? (size_t)(end - l) : strlen(l);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)len, l);
        if (strstr(line, needle) != NULL)
            n++;
        l = end != NULL ? end + 1 : NULL;
    }
    return n;
}

static void initialize_twice(void)
{
    for (int i = 0; i < 2; i++) {
        assert_int_equal(f->C_Initialize(NULL), CKR_OK);
        CK_ULONG n = 99;
        assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
        assert_int_equal(n, 0);
        assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    }
}

/*
 * Issue 10, defect 7: RSSP_PKCS11_CONF naming a missing file tells why there
 * are no tokens: one line on standard error (once, never on standard output)
 * and in the log.
 */
static void test_missing_named_configuration_is_told(void **state)
{
    (void)state;
    char path[300], log_path[300];
    snprintf(path, sizeof path, "%s/missing.conf", tmpdir);
    setenv("RSSP_PKCS11_CONF", path, 1);
    char *out, *err;
    capture(initialize_twice, &out, &err);
    assert_string_equal(out, "");
    if (count_lines(err, "missing.conf") != 1 || count_lines(err, "rssp-pkcs11: no tokens") != 1)
        fail_msg("standard error: \"%s\"", err);
    free(out);
    free(err);

    snprintf(log_path, sizeof log_path, "%s/module.log", tmpdir);
    setenv("RSSP_PKCS11_LOG", "error", 1);
    setenv("RSSP_PKCS11_LOG_FILE", log_path, 1);
    capture(initialize_twice, &out, &err);
    unsetenv("RSSP_PKCS11_LOG");
    unsetenv("RSSP_PKCS11_LOG_FILE");
    unsetenv("RSSP_PKCS11_CONF");
    assert_string_equal(out, "");
    assert_int_equal(count_lines(err, "missing.conf"), 0); /* told once per process */
    free(out);
    free(err);
    FILE *lf = fopen(log_path, "r");
    assert_non_null(lf);
    char text[4096] = "";
    text[fread(text, 1, sizeof text - 1, lf)] = '\0';
    fclose(lf);
    assert_int_equal(count_lines(text, "missing.conf"), 2); /* each C_Initialize */
}

/*
 * pReserved is taken as a configuration path (a documented deviation), but
 * a value that is not a C string of a plausible path is ignored, never read
 * blindly: the first page, unmapped memory, no NUL, control characters.
 */
static void test_reserved_not_a_path(void **state)
{
    (void)state;
    unsetenv("RSSP_PKCS11_CONF");
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *mem =
        mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(mem != MAP_FAILED);
    memset(mem, 'a', (size_t)page); /* no NUL before the next page ... */
    assert_int_equal(mprotect(mem + page, (size_t)page, PROT_NONE), 0); /* ... which faults */
    char binary[] = {'/', 't', 'm', 'p', '/', 0x01, 0x02, 0};
    void *values[] = {
        (void *)1, (void *)(uintptr_t)(page - 1), mem + page, mem, mem + page - 7, binary,
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        CK_C_INITIALIZE_ARGS args = {0};
        args.flags = CKF_OS_LOCKING_OK;
        args.pReserved = values[i];
        assert_int_equal(f->C_Initialize(&args), CKR_OK);
        CK_ULONG n = 99;
        assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
        assert_int_equal(n, 0);
        assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    }
    munmap(mem, (size_t)page * 2);

    /* A real path still works: a configuration that names no service gives no slots, no crash. */
    char path[300];
    snprintf(path, sizeof path, "%s/reserved.conf", tmpdir);
    CK_C_INITIALIZE_ARGS args = {0};
    args.pReserved = path;
    assert_int_equal(f->C_Initialize(&args), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static int mutexes_created;
static CK_RV app_create(CK_VOID_PTR_PTR m)
{
    mutexes_created++;
    *m = calloc(1, sizeof(int));
    return *m != NULL ? CKR_OK : CKR_HOST_MEMORY;
}
static CK_RV app_destroy(CK_VOID_PTR m)
{
    free(m);
    return CKR_OK;
}
static CK_RV app_lock(CK_VOID_PTR m)
{
    int *held = m;
    assert_int_equal(*held, 0); /* single-threaded test: never locked twice */
    *held = 1;
    return CKR_OK;
}
static CK_RV app_unlock(CK_VOID_PTR m)
{
    int *held = m;
    assert_int_equal(*held, 1);
    *held = 0;
    return CKR_OK;
}

static void test_application_mutexes(void **state)
{
    (void)state;
    unsetenv("RSSP_PKCS11_CONF");
    CK_C_INITIALIZE_ARGS args = {app_create, app_destroy, app_lock, app_unlock, 0, NULL};
    mutexes_created = 0;
    assert_int_equal(f->C_Initialize(&args), CKR_OK);
    assert_true(mutexes_created >= 2);
    CK_ULONG n;
    assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static void test_fork_child_must_initialize(void **state)
{
    (void)state;
    unsetenv("RSSP_PKCS11_CONF");
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        CK_ULONG n;
        int bad = 0;
        bad |= f->C_GetSlotList(CK_FALSE, NULL, &n) != CKR_CRYPTOKI_NOT_INITIALIZED;
        bad |= f->C_Initialize(NULL) != CKR_OK;
        bad |= f->C_GetSlotList(CK_FALSE, NULL, &n) != CKR_OK;
        bad |= f->C_Finalize(NULL) != CKR_OK;
        _exit(bad);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* The parent is untouched. */
    CK_ULONG n;
    assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_function_list_complete),
        cmocka_unit_test(test_interfaces),
        cmocka_unit_test(test_not_initialized),
        cmocka_unit_test(test_initialize_args),
        cmocka_unit_test(test_no_configuration_no_slots),
        cmocka_unit_test(test_bad_configuration_no_slots),
        cmocka_unit_test(test_unreachable_service_no_slots),
        cmocka_unit_test(test_missing_named_configuration_is_told),
        cmocka_unit_test(test_reserved_not_a_path),
        cmocka_unit_test(test_application_mutexes),
        cmocka_unit_test(test_fork_child_must_initialize),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
