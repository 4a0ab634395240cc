/*
 * rssp_config_load on a configuration file holding the input, written 0600
 * in a private temp folder (so inline secrets are allowed, as for a user's
 * own file). The secret, key and CA files the seeds name exist beside it,
 * 0600, so that a valid configuration loads to the end.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fuzz.h"

static const char *const side_files[][2] = {
    {"rp-password", "rppass\n"},
    {"alice-password", "secret\n"},
    {"app-secret", "demo-app-secret"},
    {"rp-key-password", "keypass\r\n"},
    {"rp-key.pem", "not read by the configuration\n"},
    {"ca.pem", "not read either\n"},
};

static void prepare(void)
{
    static int done;
    if (done)
        return;
    /* The environment overrides would hide what the file says. */
    static const char *const env[] = {"RSSP_PKCS11_URL", "RSSP_PKCS11_LOG", "RSSP_PKCS11_LOG_FILE",
                                      "RSSP_PKCS11_CACHE_DIR", "RSSP_PKCS11_CONF"};
    for (size_t i = 0; i < sizeof env / sizeof env[0]; i++)
        unsetenv(env[i]);
    for (size_t i = 0; i < sizeof side_files / sizeof side_files[0]; i++)
        fuzz_write_file(fuzz_temp_path(side_files[i][0]), (const uint8_t *)side_files[i][1],
                        strlen(side_files[i][1]));
    done = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prepare();
    const char *path = fuzz_temp_path("rssp-pkcs11.conf");
    fuzz_write_file(path, data, size);
    rssp_config cfg;
    char err[512];
    if (rssp_config_load(path, &cfg, err, sizeof err) == 0) {
        rssp_client_config cc;
        rssp_config_client(&cfg, &cc);
        rssp_config_clear(&cfg);
    }
    return 0;
}
