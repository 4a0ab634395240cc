/*
 * The emulator's Authorization header handling (src/emulator/httpauth.c):
 * the input is the header value. It is split into schemes, then SSL2 is
 * checked against one fixed relying party, Basic decoded and AppSign
 * verified, as auth/login does.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "common/secmem.h"
#include "emulator/httpauth.h"
#include "emulator/passhash.h"
#include "fixed_material.h"
#include "fuzz.h"

/* The seeds' SSL2 timestamp is this time (make_seeds.py). */
#define NOW_MS 1700000000000LL

static emu_rp rp;
static emu_state state;
static emu_ctx ctx;

static void prepare(void)
{
    if (state.rps != NULL)
        return;
    rp.name = "DEMO-RP";
    rp.username = "rpuser";
    rp.signature = "c2ln";
    rp.api_key = "demo-app";
    rp.api_secret = "demo-app-secret";
    BIO *bio = BIO_new_mem_buf(fuzz_ssl2_public_pem, -1);
    rp.ssl2_key = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (rp.ssl2_key == NULL || emu_passhash_make("rppass", &rp.password) != 0)
        abort();
    state.rps = &rp;
    state.n_rps = 1;
    ctx.st = &state;
    if (rssp_appsign_verifier_new(emu_appsign_lookup, &state, NULL, &ctx.appsign) !=
        RSSP_APPSIGN_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prepare();
    char *header = fuzz_strndup(data, size);
    emu_auth_header h;
    char why[256];
    if (emu_auth_parse(header, &h, why, sizeof why) == 0) {
        emu_rp *found = NULL;
        if (h.ssl2 != NULL)
            (void)emu_ssl2_check(&state, h.ssl2, NOW_MS, &found, why, sizeof why);
        if (h.basic != NULL) {
            char *user_type = NULL, *username = NULL, *password = NULL;
            if (emu_basic_decode(h.basic, &user_type, &username, &password) == 0) {
                free(user_type);
                free(username);
                rssp_secret_free(password);
            }
        }
        if (h.appsign != NULL)
            (void)emu_appsign_check(&ctx, h.appsign, &found, why, sizeof why);
    }
    emu_auth_header_clear(&h);
    free(header);
    return 0;
}
