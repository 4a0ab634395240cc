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

/* The 6-bit value of each standard-alphabet character plus one; 0 for every other byte. */
static const unsigned char sextet_plus1[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/*
 * Decoded by table rather than with EVP_DecodeBlock: this runs on every
 * signature, and EVP_DecodeBlock needed a scratch copy and a separate pass
 * to refuse what it lets through (characters outside the alphabet, padding
 * anywhere but at the end, non-zero bits under the padding). Only the one
 * canonical encoding of a byte string is accepted.
 */
rssp_crv rssp_base64_decode(const char *text, size_t text_len, rssp_buf *out)
{
    if (text == NULL || out == NULL || text_len > INT_MAX || text_len % 4 != 0)
        return RSSP_CRYPTO_INVALID;
    if (text_len == 0)
        return rssp_buf_set(out, NULL, 0);
    const unsigned char *in = (const unsigned char *)text;
    size_t pad = in[text_len - 1] != '=' ? 0 : in[text_len - 2] == '=' ? 2 : 1;
    size_t len = text_len / 4 * 3 - pad;
    unsigned char *bytes = malloc(len > 0 ? len : 1);
    if (bytes == NULL)
        return RSSP_CRYPTO_NOMEM;
    size_t o = 0;
    bool ok = true;
    for (size_t i = 0; i < text_len; i += 4) {
        bool last = i + 4 == text_len;
        unsigned a = sextet_plus1[in[i]], b = sextet_plus1[in[i + 1]];
        unsigned c = last && pad == 2 ? 1 : sextet_plus1[in[i + 2]];
        unsigned d = last && pad >= 1 ? 1 : sextet_plus1[in[i + 3]];
        if (a == 0 || b == 0 || c == 0 || d == 0) {
            ok = false;
            break;
        }
        unsigned long v = (unsigned long)(a - 1) << 18 | (unsigned long)(b - 1) << 12 |
                          (unsigned long)(c - 1) << 6 | (d - 1);
        bytes[o++] = (unsigned char)(v >> 16);
        if (last && pad == 2) {
            ok = (v & 0xffff) == 0; /* the bits under "==" must be zero */
            break;
        }
        bytes[o++] = (unsigned char)(v >> 8);
        if (last && pad == 1) {
            ok = (v & 0xff) == 0;
            break;
        }
        bytes[o++] = (unsigned char)v;
    }
    if (!ok) {
        /* Decoded data may be a secret (a key, a token): wipe what was written. */
        OPENSSL_cleanse(bytes, o);
        free(bytes);
        return RSSP_CRYPTO_INVALID;
    }
    rssp_buf_clear(out);
    out->data = bytes;
    out->len = len;
    return RSSP_CRYPTO_OK;
}
