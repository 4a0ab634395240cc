/*
 * Forced into the code under test (-include): malloc, calloc, realloc and
 * free become the hooks of alloc_shim.h. stdlib.h comes first so its own
 * declarations are not rewritten.
 */
#ifndef RSSP_TEST_ALLOC_SHIM_REDIRECT_H
#define RSSP_TEST_ALLOC_SHIM_REDIRECT_H

#include <stdlib.h>

#include "alloc_shim.h"

#define malloc(size) alloc_shim_malloc((size), __FILE__, __LINE__)
#define calloc(n, size) alloc_shim_calloc((n), (size), __FILE__, __LINE__)
#define realloc(ptr, size) alloc_shim_realloc((ptr), (size), __FILE__, __LINE__)
#define free(ptr) alloc_shim_free((ptr), __FILE__, __LINE__)

#endif
