/* Keyring attribute specs (config_keyring.h), the same on every platform. */
#include "config/config_keyring.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool name_char(int c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':';
}

int rssp_cfg_keyring_split(char *copy, const char **argv, char *why, size_t why_len)
{
    size_t pairs = 0;
    char *p = copy;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        char *name = p;
        while (name_char((unsigned char)*p))
            p++;
        if (p == name || *p != '=') {
            snprintf(why, why_len,
                     "expected name=value pairs separated by spaces (names of letters, digits, "
                     "'_', '-', '.', ':'), e.g. service=rssp-pkcs11 account=alice");
            return -1;
        }
        *p++ = '\0';
        char *value = p;
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        if (p == value) {
            snprintf(why, why_len, "attribute '%.64s' has no value", name);
            return -1;
        }
        if (pairs == RSSP_KEYRING_MAX_ATTRS) {
            snprintf(why, why_len, "more than %d attributes", RSSP_KEYRING_MAX_ATTRS);
            return -1;
        }
        for (size_t i = 0; i < pairs; i++) {
            if (strcmp(argv[2 * i], name) == 0) {
                snprintf(why, why_len, "attribute '%.64s' given twice", name);
                return -1;
            }
        }
        if (*p != '\0')
            *p++ = '\0';
        argv[2 * pairs] = name;
        argv[2 * pairs + 1] = value;
        pairs++;
    }
    if (pairs == 0) {
        snprintf(why, why_len, "no attributes (e.g. service=rssp-pkcs11 account=alice)");
        return -1;
    }
    return (int)pairs;
}

int rssp_cfg_keyring_check_spec(const char *spec, char *why, size_t why_len)
{
    const char *argv[2 * RSSP_KEYRING_MAX_ATTRS];
    char *copy = strdup(spec);
    if (copy == NULL) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    int rc = rssp_cfg_keyring_split(copy, argv, why, why_len) < 0 ? -1 : 0;
    free(copy);
    return rc;
}
