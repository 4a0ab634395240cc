/*
 * `*_keyring` keys on Windows: not available yet. The desktop keyring of
 * config_keyring.c is the freedesktop Secret Service; its Windows
 * counterpart would be the Credential Manager (CredReadW), which this build
 * does not use. A configuration that names one is refused when it is read,
 * with the way out, rather than failing later at login (docs/windows.md).
 */
#include "config/config_keyring.h"

#include <stdio.h>

#define NOT_ON_WINDOWS                                                                             \
    "keyring secrets (*_keyring keys) are not available on Windows: keep the secret in a "         \
    "private file and name it with the matching *_file key"

int rssp_cfg_keyring_check_spec(const char *spec, char *why, size_t why_len)
{
    (void)spec;
    snprintf(why, why_len, NOT_ON_WINDOWS);
    return -1;
}

const char *rssp_cfg_keyring_helper(void)
{
    return "";
}

int rssp_cfg_keyring_lookup(const char *spec, char **out, char *why, size_t why_len)
{
    (void)spec;
    *out = NULL;
    snprintf(why, why_len, NOT_ON_WINDOWS);
    return -1;
}

int rssp_cfg_keyring_store(const char *spec, const char *label, const char *secret, char *why,
                           size_t why_len)
{
    (void)spec;
    (void)label;
    (void)secret;
    snprintf(why, why_len, NOT_ON_WINDOWS);
    return -1;
}
