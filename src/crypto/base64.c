/* Strict Base64 (RFC 4648 §4): standard alphabet, padded, no line breaks. */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"

char *rssp_base64_encode(const void *data, size_t len)
{
    if (data == NULL && len > 0)
        return NULL;
    if (len > (size_t)INT_MAX / 4 * 3 - 3)
        return NULL;
    size_t text_len = 4 * ((len + 2) / 3);
    char *text = malloc(text_len + 1);
    if (text == NULL)
        return NULL;
    if (len == 0) {
        text[0] = '\0';
        return text;
    }
    /* EVP_EncodeBlock writes padded Base64 without line breaks and a NUL. */
    if (EVP_EncodeBlock((unsigned char *)text, data, (int)len) != (int)text_len) {
        free(text);
        return NULL;
    }
    return text;
}

/* The 6-bit value of a standard-alphabet character, or -1. */
static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * Checks what EVP_DecodeBlock lets through: characters outside the alphabet,
 * padding anywhere but at the end, and non-zero bits under the padding (so
 * that every byte string has exactly one accepted encoding). Returns the
 * number of '=' or -1.
 */
static int check_strict(const char *text, size_t len)
{
    if (len % 4 != 0)
        return -1;
    size_t pad = 0;
    if (len > 0 && text[len - 1] == '=')
        pad = (len > 1 && text[len - 2] == '=') ? 2 : 1;
    for (size_t i = 0; i < len - pad; i++) {
        if (sextet(text[i]) < 0)
            return -1;
    }
    if (pad > 0) {
        int last = sextet(text[len - pad - 1]);
        int unused_mask = pad == 2 ? 0x0f : 0x03;
        if ((last & unused_mask) != 0)
            return -1;
    }
    return (int)pad;
}

rssp_crv rssp_base64_decode(const char *text, size_t text_len, rssp_buf *out)
{
    if (text == NULL || out == NULL || text_len > INT_MAX)
        return RSSP_CRYPTO_INVALID;
    int pad = check_strict(text, text_len);
    if (pad < 0)
        return RSSP_CRYPTO_INVALID;
    if (text_len == 0)
        return rssp_buf_set(out, NULL, 0);

    size_t max_len = text_len / 4 * 3;
    unsigned char *bytes = malloc(max_len);
    if (bytes == NULL)
        return RSSP_CRYPTO_NOMEM;
    /* Reports the length with the padding counted as zero bytes. */
    int n = EVP_DecodeBlock(bytes, (const unsigned char *)text, (int)text_len);
    rssp_crv rv = RSSP_CRYPTO_INVALID;
    if (n >= 0 && (size_t)n == max_len)
        rv = rssp_buf_set(out, bytes, max_len - (size_t)pad);
    /* Decoded data may be a secret (a key, a token): wipe the scratch copy. */
    OPENSSL_cleanse(bytes, max_len);
    free(bytes);
    return rv;
}
