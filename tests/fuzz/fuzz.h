/*
 * What every fuzz harness shares: the libFuzzer entry point (one per
 * harness; called by libFuzzer under RSSP_FUZZ, else by driver.c) and small
 * helpers to hand the input to a parser as a string or as a private file.
 */
#ifndef RSSP_FUZZ_H
#define RSSP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input through the harness's parser. Always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A malloc'ed copy of data[0..size) with a NUL after it (inner NUL bytes
 * stay). Aborts on allocation failure: a harness cannot go on without it.
 */
char *fuzz_strndup(const uint8_t *data, size_t size);

/*
 * The path of file name inside a private (0700) temp folder made once per
 * process and removed at exit. name must be a plain file name.
 */
const char *fuzz_temp_path(const char *name);

/* Replace path's content with data[0..size), mode 0600. Aborts on failure. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);

#endif
