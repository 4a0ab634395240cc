/*
 * The module list of one NSS database folder (its pkcs11.txt), read and
 * changed through NSS's own module-database functions (libnssutil3), without
 * initialising NSS and without loading any module (docs/tool.md, register).
 */
#ifndef RSSP_TOOL_NSS_MODDB_H
#define RSSP_TOOL_NSS_MODDB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Slots 0 … NSS_MODDB_FRIENDLY_SLOTS-1 are written as publicCerts. The module
 * numbers its slots from 0; NSS keeps slot flags per slot id, and the whole
 * NSS= value must stay on one pkcs11.txt line (NSS reads lines of at most
 * 2047 bytes).
 */
#define NSS_MODDB_FRIENDLY_SLOTS 32

/* What a database holds of rssp-pkcs11 (entries by the name or the library). */
typedef struct {
    size_t entries;     /* module entries that are rssp-pkcs11 */
    bool exact;         /* exactly one, with our name and library, all slots friendly */
    bool friendly;      /* the first entry has every slot 0 … N-1 friendly */
    char library[4096]; /* the first entry's library */
    char name[256];     /* the first entry's name */
} nss_moddb_state;

/*
 * Is this entry rssp-pkcs11? Its name is name, its library is library, or
 * the library's file is called rssp-pkcs11.so.
 */
bool nss_moddb_is_ours(const char *entry_library, const char *entry_name, const char *library,
                       const char *name);

/* Read the entries of dir (a folder with cert9.db/pkcs11.txt). 0, or -1 and err. */
int nss_moddb_inspect(const char *dir, const char *library, const char *name, nss_moddb_state *out,
                      char *err, size_t err_len);

/*
 * Leave exactly one entry for rssp-pkcs11 in dir: library, name, every slot
 * publicCerts. *changed tells whether the file was written. 0, or -1 and err.
 */
int nss_moddb_register(const char *dir, const char *library, const char *name, bool *changed,
                       char *err, size_t err_len);

/* Remove every rssp-pkcs11 entry; *removed counts them. 0, or -1 and err. */
int nss_moddb_unregister(const char *dir, const char *library, const char *name, size_t *removed,
                         char *err, size_t err_len);

#endif
