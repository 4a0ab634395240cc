/*
 * DigestInfo (RFC 8017 §9.2) for the five hashes. The encodings are fixed
 * byte strings, so encoding is prefix || hash and strict parsing is an exact
 * comparison against the two DER forms (NULL parameters, or none).
 */
#include <string.h>

#include "crypto/crypto.h"

#define PREFIX_MAX 19

typedef struct {
    rssp_hash_alg alg;
    size_t prefix_len;
    unsigned char prefix[PREFIX_MAX]; /* with NULL parameters, rssp-protocol.md §1.7 */
} digestinfo_prefix;

static const digestinfo_prefix prefixes[] = {
    {RSSP_HASH_SHA1,
     15,
     {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}},
    {RSSP_HASH_SHA224,
     19,
     {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04,
      0x05, 0x00, 0x04, 0x1c}},
    {RSSP_HASH_SHA256,
     19,
     {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
      0x05, 0x00, 0x04, 0x20}},
    {RSSP_HASH_SHA384,
     19,
     {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
      0x05, 0x00, 0x04, 0x30}},
    {RSSP_HASH_SHA512,
     19,
     {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
      0x05, 0x00, 0x04, 0x40}},
};

#define PREFIX_COUNT (sizeof(prefixes) / sizeof(prefixes[0]))

static const digestinfo_prefix *find_prefix(rssp_hash_alg alg)
{
    for (size_t i = 0; i < PREFIX_COUNT; i++) {
        if (prefixes[i].alg == alg)
            return &prefixes[i];
    }
    return NULL;
}

/*
 * The same prefix without the NULL parameters: both SEQUENCE lengths shrink
 * by two and the trailing "05 00" before the OCTET STRING header goes away.
 */
static size_t absent_params_prefix(const digestinfo_prefix *p, unsigned char *out)
{
    size_t oid_end = p->prefix_len - 4; /* index of the 05 00 pair */
    memcpy(out, p->prefix, oid_end);
    out[1] = (unsigned char)(out[1] - 2);
    out[3] = (unsigned char)(out[3] - 2);
    out[oid_end] = p->prefix[p->prefix_len - 2];
    out[oid_end + 1] = p->prefix[p->prefix_len - 1];
    return p->prefix_len - 2;
}

rssp_crv rssp_digestinfo_encode(rssp_hash_alg alg, const unsigned char *hash, size_t hash_len,
                                rssp_buf *out)
{
    const digestinfo_prefix *p = find_prefix(alg);
    if (p == NULL || hash == NULL || out == NULL || hash_len != rssp_hash_len(alg))
        return RSSP_CRYPTO_INVALID;

    unsigned char der[PREFIX_MAX + 64];
    memcpy(der, p->prefix, p->prefix_len);
    memcpy(der + p->prefix_len, hash, hash_len);
    return rssp_buf_set(out, der, p->prefix_len + hash_len);
}

rssp_crv rssp_digestinfo_parse(const unsigned char *in, size_t in_len, rssp_hash_alg *alg,
                               const unsigned char **hash, size_t *hash_len)
{
    if (in == NULL || alg == NULL || hash == NULL || hash_len == NULL)
        return RSSP_CRYPTO_INVALID;

    for (size_t i = 0; i < PREFIX_COUNT; i++) {
        const digestinfo_prefix *p = &prefixes[i];
        size_t len = rssp_hash_len(p->alg);
        unsigned char bare[PREFIX_MAX];
        size_t bare_len = absent_params_prefix(p, bare);

        size_t matched = 0;
        if (in_len == p->prefix_len + len && memcmp(in, p->prefix, p->prefix_len) == 0)
            matched = p->prefix_len;
        else if (in_len == bare_len + len && memcmp(in, bare, bare_len) == 0)
            matched = bare_len;
        if (matched > 0) {
            *alg = p->alg;
            *hash = in + matched;
            *hash_len = len;
            return RSSP_CRYPTO_OK;
        }
    }
    return RSSP_CRYPTO_INVALID;
}
