/*
 * CK_C_INITIALIZE_ARGS.pReserved as the configuration path (a deliberate
 * deviation: PKCS#11 says it must be NULL; p11-kit's x-init-reserved and NSS
 * module parameters hand a string there). The pointer comes from a program we
 * do not control, so it is read without trusting it.
 */
#ifndef RSSP_P11_RESERVED_H
#define RSSP_P11_RESERVED_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copy the C string at p into out (out_len bytes) without ever faulting:
 * false when p lies in the first page, points into unmapped memory, holds no
 * NUL within out_len bytes, is empty, or contains control characters.
 */
bool p11_reserved_path(const void *p, char *out, size_t out_len);

#endif
