#include "emulator/digests.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

int emu_digests_find(emu_req *r, emu_digests *d)
{
    const cJSON *dd = NULL;
    const char *alg = NULL;
    memset(d, 0, sizeof(*d));
    int rc = emu_get_object(r, r->body, "documentDigests", &dd);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        if (emu_get_array(r, dd, "hashes", &d->hashes) < 0 ||
            emu_get_string(r, dd, "hashAlgorithmOID", &alg) < 0)
            return -1;
    } else {
        /* seed: hash[] + hashAlgorithm (name or OID); CSC: hash[] + hashAlgo */
        if (emu_get_array(r, r->body, "hash", &d->hashes) < 0 ||
            emu_get_string(r, r->body, "hashAlgorithm|hashAlgo", &alg) < 0)
            return -1;
    }
    if (alg != NULL) {
        d->alg = rssp_hash_from_string(alg);
        if (d->alg == RSSP_HASH_NONE)
            return emu_fail(r, 3019, "hash algorithm '%.64s' is not supported", alg);
    }
    if (d->hashes != NULL) {
        int n = cJSON_GetArraySize(d->hashes);
        if (n == 0)
            return emu_fail(r, 3100, "documentDigests.hashes is empty");
        if (n > EMU_MAX_HASHES)
            return emu_fail(r, 3100, "more than %d hashes", EMU_MAX_HASHES);
    }
    return 0;
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

static int hex_value(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* One hash of length L: 2L hex digits, else Base64 (padding optional). */
static int decode_one(const char *text, size_t hash_len, rssp_buf *out)
{
    size_t n = strlen(text);
    if (n == 2 * hash_len && is_hex(text, n)) {
        out->data = malloc(hash_len);
        if (out->data == NULL)
            return -1;
        for (size_t i = 0; i < hash_len; i++)
            out->data[i] =
                (unsigned char)(hex_value(text[2 * i]) << 4 | hex_value(text[2 * i + 1]));
        out->len = hash_len;
        return 0;
    }
    size_t padded_len = (n + 3) / 4 * 4;
    if (n == 0 || n > 128 || padded_len - n > 2)
        return -1;
    char padded[132];
    memcpy(padded, text, n);
    memset(padded + n, '=', padded_len - n);
    padded[padded_len] = '\0';
    if (rssp_base64_decode(padded, padded_len, out) != RSSP_CRYPTO_OK)
        return -1;
    if (out->len != hash_len) {
        rssp_buf_clear(out);
        return -1;
    }
    return 0;
}

int emu_digests_decode(emu_req *r, const emu_digests *d, rssp_hash_alg alg, rssp_buf **out,
                       size_t *n)
{
    size_t count = (size_t)cJSON_GetArraySize(d->hashes), i = 0;
    size_t hash_len = rssp_hash_len(alg);
    rssp_buf *h = calloc(count, sizeof(rssp_buf));
    if (h == NULL)
        return emu_fail(r, 9000, "out of memory");
    const cJSON *it;
    cJSON_ArrayForEach(it, d->hashes)
    {
        if (!cJSON_IsString(it) || decode_one(it->valuestring, hash_len, &h[i]) != 0) {
            emu_hashes_free(h, i);
            return emu_fail(r, 3100, "hash #%zu is not a %zu-byte %s value in Base64 or hex", i + 1,
                            hash_len, rssp_hash_name(alg));
        }
        i++;
    }
    *out = h;
    *n = count;
    return 0;
}

void emu_hashes_free(rssp_buf *h, size_t n)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        rssp_buf_clear(&h[i]);
    free(h);
}
