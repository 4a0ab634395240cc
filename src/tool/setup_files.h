/*
 * rssp-tool setup's files: the provider file an organisation hands out (the
 * system file's format), and writing the user's configuration folder with
 * the right modes (docs/tool.md#setup).
 */
#ifndef RSSP_TOOL_SETUP_FILES_H
#define RSSP_TOOL_SETUP_FILES_H

#include <stdio.h>

/* One key = value of a provider file, as written. */
typedef struct {
    char section[32];
    char key[64];
    char value[1024];
} setup_entry;

typedef struct {
    setup_entry *entries;
    size_t count;
    char *dir; /* the provider file's folder, for its relative paths */
} setup_provider;

/*
 * Read a provider file: [service], [relying_party], [module] keys and
 * [account] defaults other than the account itself (username, passwords),
 * which setup writes. Returns 0, or -1 with why.
 */
int setup_provider_read(const char *path, setup_provider *out, char *why, size_t why_len);
void setup_provider_clear(setup_provider *p);

/*
 * Copy the files the provider names by a relative path into dir (same
 * relative path): secrets and keys 0600, other files 0644; folders 0700.
 * Returns 0, or -1 with why.
 */
int setup_provider_copy_files(const setup_provider *p, const char *dir, char *why, size_t why_len);

/* Write the provider's entries (all but skip_section, NULL for none) as INI text. */
void setup_provider_write(const setup_provider *p, const char *skip_section, FILE *out);

/* mkdir -p path with mode for the folders it creates. Returns 0, or -1 (errno). */
int setup_mkdirs(const char *path, unsigned mode);

/*
 * Replace path with len bytes of data atomically (temporary file in the same
 * folder, fsync, rename), with mode. Returns 0, or -1 with why.
 */
int setup_write_file(const char *path, const void *data, size_t len, unsigned mode, char *why,
                     size_t why_len);

#endif
