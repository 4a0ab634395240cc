#include "common/secmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/platform.h"

/*
 * A secret is stored behind a header that records the allocation size, so it
 * can be wiped and unlocked without the caller tracking lengths. Locking keeps
 * it out of swap; failure to lock (RLIMIT_MEMLOCK) is not an error.
 */
typedef struct {
    size_t size; /* bytes allocated, header included */
    int locked;
} secret_header;

char *rssp_secret_dup(const void *data, size_t len)
{
    if (len > SIZE_MAX - sizeof(secret_header) - 1)
        return NULL;
    size_t size = sizeof(secret_header) + len + 1;
    secret_header *h = malloc(size);
    if (h == NULL)
        return NULL;
    h->size = size;
    h->locked = rssp_mem_lock(h, size);
    char *s = (char *)(h + 1);
    if (len > 0)
        memcpy(s, data, len);
    s[len] = '\0';
    return s;
}

char *rssp_secret_strdup(const char *s)
{
    return s == NULL ? NULL : rssp_secret_dup(s, strlen(s));
}

void rssp_secret_free(char *secret)
{
    if (secret == NULL)
        return;
    secret_header *h = (secret_header *)(void *)secret - 1;
    size_t size = h->size;
    int locked = h->locked;
    OPENSSL_cleanse(h, size);
    if (locked)
        rssp_mem_unlock(h, size);
    free(h);
}

void rssp_str_free_secret(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}
