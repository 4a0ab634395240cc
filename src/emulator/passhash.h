/*
 * Salted hashes of owner passwords, PINs and relying-party passwords, as a
 * service stores them: SHA-256(salt || secret), compared in constant time.
 * Text form: "<salt hex>:<hash hex>".
 */
#ifndef EMU_PASSHASH_H
#define EMU_PASSHASH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    unsigned char salt[16];
    unsigned char hash[32];
} emu_passhash;

int emu_passhash_make(const char *secret, emu_passhash *out);
bool emu_passhash_check(const emu_passhash *ph, const char *secret, size_t secret_len);
/* out must hold 32 + 1 + 64 + 1 bytes. */
void emu_passhash_format(const emu_passhash *ph, char out[98]);
int emu_passhash_parse(const char *text, emu_passhash *out);

#endif
