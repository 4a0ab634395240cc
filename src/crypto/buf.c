/* rssp_buf helpers: copy in, free, and free with wiping. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"

void rssp_buf_clear(rssp_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

void rssp_buf_clear_secret(rssp_buf *b)
{
    if (b == NULL)
        return;
    if (b->data != NULL)
        OPENSSL_cleanse(b->data, b->len);
    rssp_buf_clear(b);
}

rssp_crv rssp_buf_set(rssp_buf *b, const void *data, size_t len)
{
    if (b == NULL || (data == NULL && len > 0))
        return RSSP_CRYPTO_INVALID;
    rssp_buf_clear(b);
    /* Always allocate, so a successful result never has data == NULL. */
    b->data = malloc(len > 0 ? len : 1);
    if (b->data == NULL)
        return RSSP_CRYPTO_NOMEM;
    if (len > 0)
        memcpy(b->data, data, len);
    b->len = len;
    return RSSP_CRYPTO_OK;
}
