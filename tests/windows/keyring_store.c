/*
 * keyring_store.exe SPEC: store the line read from standard input as the
 * secret of a `*_keyring` SPEC through the module's own code
 * (rssp_cfg_keyring_store: the Windows Credential Manager), as `cmdkey
 * /generic:SPEC /pass` would; Wine has no cmdkey. Used by wine_sign.sh.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/config_keyring.h"

int main(int argc, char **argv)
{
    char secret[1024];
    char why[512];
    if (argc != 2) {
        fprintf(stderr, "usage: keyring_store SPEC < SECRET\n");
        return 2;
    }
    if (fgets(secret, sizeof secret, stdin) == NULL) {
        fprintf(stderr, "keyring_store: no secret on standard input\n");
        return 2;
    }
    secret[strcspn(secret, "\r\n")] = '\0';
    int rc = rssp_cfg_keyring_store(argv[1], "rssp-pkcs11 test", secret, why, sizeof why);
    OPENSSL_cleanse(secret, sizeof secret);
    if (rc != 0) {
        fprintf(stderr, "keyring_store: %s\n", why);
        return 1;
    }
    printf("stored: %s\n", argv[1]);
    return 0;
}
