/* File helpers of the emulator: atomic writes, private files, folders. */
#ifndef EMU_FSUTIL_H
#define EMU_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Write data to path atomically: a temporary file in the same folder, fsync,
 * rename over path, fsync of the folder. mode applies to the new file.
 * Returns 0, or -1 with errno set.
 */
int emu_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Read a whole file (at most max bytes) into a NUL-terminated malloc'ed buffer. */
int emu_read_file(const char *path, size_t max, char **out, size_t *out_len);

/* Create path and its missing parents with mode (like mkdir -p). */
int emu_mkdirs(const char *path, mode_t mode);

/* Remove a folder tree (like rm -rf); symbolic links are removed, never followed. */
int emu_remove_tree(const char *path);

/* Copy a folder tree (files, folders, modes); dst must not exist. */
int emu_copy_tree(const char *src, const char *dst);

/* malloc'ed "a/b"; NULL on allocation failure. */
char *emu_path_join(const char *a, const char *b);

/* True if path exists (any type). */
int emu_path_exists(const char *path);

#endif
