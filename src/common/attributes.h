/* Compiler attributes used across the tree. */
#ifndef RSSP_ATTRIBUTES_H
#define RSSP_ATTRIBUTES_H

/*
 * A printf-like function: arguments checked against the format. mingw-w64
 * builds use its C99 printf (__USE_MINGW_ANSI_STDIO), whose checking
 * archetype is gnu_printf; plain "printf" there means msvcrt's, without %zu.
 */
#ifdef __MINGW32__
#define RSSP_PRINTF_LIKE(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define RSSP_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

#endif
