/* Memory for secrets: locked (mlock, best effort) and wiped on release. */
#ifndef RSSP_SECMEM_H
#define RSSP_SECMEM_H

#include <stddef.h>

/* Copy len bytes into locked memory and add a NUL; NULL on allocation failure. */
char *rssp_secret_dup(const void *data, size_t len);
/* Same, for a NUL-terminated string (NULL in, NULL out). */
char *rssp_secret_strdup(const char *s);
/* Wipe, unlock and free a secret from rssp_secret_dup. NULL is allowed. */
void rssp_secret_free(char *secret);
/* Wipe and free an ordinary malloc'ed string. NULL is allowed. */
void rssp_str_free_secret(char *s);

#endif
