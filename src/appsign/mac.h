/* Internal: the HMAC-SHA1 that prefixes the raw text in a sign. */
#ifndef RSSP_APPSIGN_MAC_H
#define RSSP_APPSIGN_MAC_H

#include <stdbool.h>
#include <stddef.h>

#define APPSIGN_MAC_LEN 20

/* out = HMAC-SHA1(secret, raw); false on failure (secret too long, library error). */
bool appsign_mac(const unsigned char *secret, size_t secret_len, const void *raw, size_t raw_len,
                 unsigned char out[APPSIGN_MAC_LEN]);

#endif
