/*
 * Secrets from the desktop keyring, for `*_keyring = name=value ...` keys
 * (docs/configuration.md): the Secret Service on Linux (config_keyring.c,
 * below), the Windows Credential Manager on Windows (config_keyring_win32.c,
 * docs/windows.md). The spec syntax is checked the same everywhere
 * (config_keyring_spec.c).
 *
 * The module runs inside other programs (Firefox may forbid it to create
 * threads, and it must leave none after C_Finalize), while libsecret starts
 * a GDBus worker thread that lives as long as the process. So libsecret is
 * used only by a small helper program (src/keyring), started here for each
 * look-up with posix_spawn and answered over a pipe within a bounded wait;
 * the calling process never loads GLib.
 */
#ifndef RSSP_CONFIG_KEYRING_H
#define RSSP_CONFIG_KEYRING_H

#include <stddef.h>

/* Attribute pairs a spec may hold, and the helper's answers (its exit status). */
#define RSSP_KEYRING_MAX_ATTRS 8
enum {
    RSSP_KEYRING_FOUND = 0,
    RSSP_KEYRING_USAGE = 1,
    RSSP_KEYRING_NOT_FOUND = 2,
    RSSP_KEYRING_LOCKED = 3,
    RSSP_KEYRING_NO_SERVICE = 4,
};
/* How long a look-up may take before the helper is killed. */
#define RSSP_KEYRING_LOOKUP_TIMEOUT_MS 5000
/* A store may wait for the user to unlock the keyring. */
#define RSSP_KEYRING_STORE_TIMEOUT_MS 120000

/*
 * Check an attribute spec: one to RSSP_KEYRING_MAX_ATTRS "name=value" pairs
 * separated by white space; names of letters, digits, '_', '-', '.' or ':';
 * values non-empty without white space; no name twice.
 */
int rssp_cfg_keyring_check_spec(const char *spec, char *why, size_t why_len);
/*
 * Split a writable copy of a spec in place: NULs end the pieces, argv gets
 * name, value, name, value ... (room for 2 * RSSP_KEYRING_MAX_ATTRS).
 * Returns the number of pairs, or -1 with why.
 */
int rssp_cfg_keyring_split(char *copy, const char **argv, char *why, size_t why_len);

/* The helper program: $RSSP_PKCS11_KEYRING_HELPER, else the installed one. */
const char *rssp_cfg_keyring_helper(void);

/*
 * Look up the secret of the item matching spec, without unlocking anything
 * (no prompt in the middle of someone's program). *out is freed with
 * rssp_secret_free. Returns 0, or -1 with why (never holding the secret).
 */
int rssp_cfg_keyring_lookup(const char *spec, char **out, char *why, size_t why_len);

/*
 * Store secret under spec in the default collection, labelled label
 * (replacing an item with the same attributes). The Secret Service may ask
 * the user to unlock it. Returns 0, or -1 with why.
 */
int rssp_cfg_keyring_store(const char *spec, const char *label, const char *secret, char *why,
                           size_t why_len);

#endif
