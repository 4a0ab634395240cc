#include "emulator/passhash.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static int digest(const unsigned char salt[16], const char *secret, size_t len,
                  unsigned char out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(ctx, salt, 16) && EVP_DigestUpdate(ctx, secret, len) &&
             EVP_DigestFinal_ex(ctx, out, &n) && n == 32;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

int emu_passhash_make(const char *secret, emu_passhash *out)
{
    if (RAND_bytes(out->salt, sizeof(out->salt)) != 1)
        return -1;
    return digest(out->salt, secret, strlen(secret), out->hash);
}

bool emu_passhash_check(const emu_passhash *ph, const char *secret, size_t secret_len)
{
    unsigned char h[32];
    if (digest(ph->salt, secret, secret_len, h) != 0)
        return false;
    bool ok = CRYPTO_memcmp(h, ph->hash, sizeof(h)) == 0;
    OPENSSL_cleanse(h, sizeof(h));
    return ok;
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
}

void emu_passhash_format(const emu_passhash *ph, char out[98])
{
    hex(ph->salt, 16, out);
    out[32] = ':';
    hex(ph->hash, 32, out + 33);
    out[97] = '\0';
}

static int unhex(const char *in, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = in[2 * i + (size_t)k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                return -1;
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

int emu_passhash_parse(const char *text, emu_passhash *out)
{
    if (text == NULL || strlen(text) != 97 || text[32] != ':')
        return -1;
    if (unhex(text, 16, out->salt) != 0 || unhex(text + 33, 32, out->hash) != 0)
        return -1;
    return 0;
}
