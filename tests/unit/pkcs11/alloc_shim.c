#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_shim.h"

static long fail_at = -1;
static long attempts;

void alloc_shim_fail_at(long n)
{
    fail_at = n;
    attempts = 0;
}

long alloc_shim_count(void)
{
    return attempts;
}

static int should_fail(void)
{
    return attempts++ == fail_at;
}

void *alloc_shim_malloc(size_t size, const char *file, int line)
{
    return should_fail() ? NULL : _test_malloc(size, file, line);
}

void *alloc_shim_calloc(size_t n, size_t size, const char *file, int line)
{
    return should_fail() ? NULL : _test_calloc(n, size, file, line);
}

void *alloc_shim_realloc(void *ptr, size_t size, const char *file, int line)
{
    return should_fail() ? NULL : _test_realloc(ptr, size, file, line);
}

void alloc_shim_free(void *ptr, const char *file, int line)
{
    if (ptr != NULL) {
        _test_free(ptr, file, line);
    }
}
