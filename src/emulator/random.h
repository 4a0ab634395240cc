/* Random secrets of the emulator: tokens, passwords, OTPs (OpenSSL CSPRNG). */
#ifndef EMU_RANDOM_H
#define EMU_RANDOM_H

#include <stddef.h>

/* prefix + Base64url (no padding) of nbytes random bytes; malloc'ed, NULL on failure. */
char *emu_random_text(const char *prefix, size_t nbytes);
/* n random decimal digits into out (n + 1 bytes); 0 or -1. */
int emu_random_digits(char *out, size_t n);
/* A random 32-bit value; 0 or -1. */
int emu_random_u32(unsigned *out);

#endif
