/* The five hash algorithms of rssp-protocol.md §1.7: lengths, OIDs, names. */
#include <string.h>
#include <strings.h>

#include <openssl/obj_mac.h>

#include "crypto/crypto.h"
#include "crypto/hash_md.h"

typedef struct {
    rssp_hash_alg alg;
    size_t len;
    const char *oid;
    const char *name;
    const char *alias; /* the name without the dash */
    int nid;
} hash_entry;

static const hash_entry hash_table[] = {
    {RSSP_HASH_SHA1, 20, "1.3.14.3.2.26", "SHA-1", "SHA1", NID_sha1},
    {RSSP_HASH_SHA224, 28, "2.16.840.1.101.3.4.2.4", "SHA-224", "SHA224", NID_sha224},
    {RSSP_HASH_SHA256, 32, "2.16.840.1.101.3.4.2.1", "SHA-256", "SHA256", NID_sha256},
    {RSSP_HASH_SHA384, 48, "2.16.840.1.101.3.4.2.2", "SHA-384", "SHA384", NID_sha384},
    {RSSP_HASH_SHA512, 64, "2.16.840.1.101.3.4.2.3", "SHA-512", "SHA512", NID_sha512},
};

#define HASH_COUNT (sizeof(hash_table) / sizeof(hash_table[0]))

static const hash_entry *find_alg(rssp_hash_alg alg)
{
    for (size_t i = 0; i < HASH_COUNT; i++) {
        if (hash_table[i].alg == alg)
            return &hash_table[i];
    }
    return NULL;
}

size_t rssp_hash_len(rssp_hash_alg alg)
{
    const hash_entry *e = find_alg(alg);
    return e != NULL ? e->len : 0;
}

const char *rssp_hash_oid(rssp_hash_alg alg)
{
    const hash_entry *e = find_alg(alg);
    return e != NULL ? e->oid : NULL;
}

const char *rssp_hash_name(rssp_hash_alg alg)
{
    const hash_entry *e = find_alg(alg);
    return e != NULL ? e->name : NULL;
}

rssp_hash_alg rssp_hash_from_string(const char *s)
{
    if (s == NULL)
        return RSSP_HASH_NONE;
    for (size_t i = 0; i < HASH_COUNT; i++) {
        const hash_entry *e = &hash_table[i];
        if (strcmp(s, e->oid) == 0 || strcasecmp(s, e->name) == 0 || strcasecmp(s, e->alias) == 0)
            return e->alg;
    }
    return RSSP_HASH_NONE;
}

const EVP_MD *rssp_hash_md(rssp_hash_alg alg)
{
    switch (alg) {
    case RSSP_HASH_SHA1:
        return EVP_sha1();
    case RSSP_HASH_SHA224:
        return EVP_sha224();
    case RSSP_HASH_SHA256:
        return EVP_sha256();
    case RSSP_HASH_SHA384:
        return EVP_sha384();
    case RSSP_HASH_SHA512:
        return EVP_sha512();
    case RSSP_HASH_NONE:
        break;
    }
    return NULL;
}

int rssp_hash_nid(rssp_hash_alg alg)
{
    const hash_entry *e = find_alg(alg);
    return e != NULL ? e->nid : NID_undef;
}

rssp_hash_alg rssp_hash_from_nid(int nid)
{
    for (size_t i = 0; i < HASH_COUNT; i++) {
        if (hash_table[i].nid == nid)
            return hash_table[i].alg;
    }
    return RSSP_HASH_NONE;
}
