/*
 * Files `init` writes for the users of the emulator: ready module/rssp-tool
 * configurations (docs/configuration.md layout) and DIR/fixture.json for
 * tests; `serve` fills the service URL into the configurations.
 */
#ifndef EMU_CONFWRITE_H
#define EMU_CONFWRITE_H

#include <stddef.h>

/* Secrets made by init, in plain text, for the configuration and fixture files. */
typedef struct {
    char *password;
    char *signature;
    char *key_password;
    char *api_secret; /* NULL when the RP has no api_key */
} emu_rp_secrets;

typedef struct {
    const char *dir;           /* absolute */
    const emu_rp_secrets *rps; /* one per emu_catalog_rps entry */
    const char *hsm_module;
    const char *hsm_user_pin;
    const char *hsm_token_label;
} emu_conf_input;

/* The demo configuration, relative to DIR. */
#define EMU_DEMO_CONFIG "rssp-pkcs11.conf"
#define EMU_APPSIGN_CONFIG "appsign.conf"
/* In DIR/csc-v1/ and DIR/csc-v2/: alice by OAuth 2.0 client credentials. */
#define EMU_OAUTH2_CONFIG "oauth2.conf"
/* The service URL a configuration holds until serve fills in the real one. */
#define EMU_URL_PLACEHOLDER "https://127.0.0.1:0/rssp/v1/"

int emu_conf_write_all(const emu_conf_input *in, char *err, size_t err_len);
int emu_fixture_write(const emu_conf_input *in, char *err, size_t err_len);

/*
 * Set the url line of every configuration in DIR/sub and DIR/sub/owners
 * (sub NULL: DIR itself, the RSSP ones; "csc-v2": that dialect's), atomically,
 * mode kept 0600.
 */
int emu_conf_set_url(const char *dir, const char *sub, const char *url, char *err, size_t err_len);

/* After copying a template folder: replace old_dir by dir in fixture.json. */
int emu_fixture_rebase(const char *dir, const char *old_dir, char *err, size_t err_len);

#endif
