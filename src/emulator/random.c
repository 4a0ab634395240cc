#include "emulator/random.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

char *emu_random_text(const char *prefix, size_t nbytes)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[64];
    size_t plen = strlen(prefix);
    if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1)
        return NULL;
    size_t out_len = plen + (nbytes * 8 + 5) / 6;
    char *s = malloc(out_len + 1);
    if (s == NULL) {
        OPENSSL_cleanse(raw, sizeof(raw));
        return NULL;
    }
    memcpy(s, prefix, plen);
    size_t o = plen;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < nbytes; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            s[o++] = alphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        s[o++] = alphabet[(acc << (6 - bits)) & 63];
    s[o] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    acc = 0;
    return s;
}

int emu_random_digits(char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b;
        do {
            if (RAND_bytes(&b, 1) != 1)
                return -1;
        } while (b >= 250); /* uniform over 0..9 */
        out[i] = (char)('0' + b % 10);
    }
    out[n] = '\0';
    return 0;
}

int emu_random_u32(unsigned *out)
{
    unsigned char b[4];
    if (RAND_bytes(b, 4) != 1)
        return -1;
    *out = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
    return 0;
}
