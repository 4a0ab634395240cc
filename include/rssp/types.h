/* Types shared by the client library, the crypto helpers and their users. */
#ifndef RSSP_TYPES_H
#define RSSP_TYPES_H

#include <stddef.h>

/* A byte string owned by whoever holds the struct. */
typedef struct {
    unsigned char *data;
    size_t len;
} rssp_buf;

/* The hash algorithms of rssp-protocol.md §1.7. */
typedef enum {
    RSSP_HASH_NONE = 0,
    RSSP_HASH_SHA1,
    RSSP_HASH_SHA224,
    RSSP_HASH_SHA256,
    RSSP_HASH_SHA384,
    RSSP_HASH_SHA512,
} rssp_hash_alg;

/* Key algorithms a credential can hold. */
typedef enum {
    RSSP_KEY_UNKNOWN = 0,
    RSSP_KEY_RSA,
    RSSP_KEY_EC,
} rssp_key_type;

#endif
