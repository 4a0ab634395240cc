/*
 * Allocation hooks for the code under test (see alloc_shim_redirect.h):
 * cmocka's checked allocator, so every test fails on a leak, and the test
 * can make any one allocation fail.
 */
#ifndef RSSP_TEST_ALLOC_SHIM_H
#define RSSP_TEST_ALLOC_SHIM_H

#include <stdlib.h>

void *alloc_shim_malloc(size_t size, const char *file, int line);
void *alloc_shim_calloc(size_t n, size_t size, const char *file, int line);
void *alloc_shim_realloc(void *ptr, size_t size, const char *file, int line);
void alloc_shim_free(void *ptr, const char *file, int line);

/* Fail the allocation with this 0-based number from now on; -1: fail none. */
void alloc_shim_fail_at(long n);
/* Allocations attempted since the last alloc_shim_fail_at. */
long alloc_shim_count(void);

#endif
