/*
 * The credential list cache reader: the input is the whole cache file,
 * written 0600 into a private temp folder (the reader refuses files that
 * are not private) and read back with rssp_credential_cache_read. The
 * credentials then become tokens as at the module's start-up from the cache,
 * and what was read must be written back (rssp_cache_encode) to a cache that
 * reads the same.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cache_codec.h"
#include "client/json.h"
#include "fuzz.h"
#include "fuzz_tokens.h"
#include "rssp/client.h"

/* The key the seeds carry (a service URL and an account, as the module forms it). */
#define CACHE_KEY "https://127.0.0.1:8443/rssp/v1/|alice"
/* Any write time from 1970 to now is fresh enough. */
#define MAX_AGE_S (1L << 40)

static bool same_string(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_round_trip(const rssp_credential_list *l)
{
    char *text = NULL;
    size_t len = 0;
    rssp_status st;
    long long now = (long long)time(NULL);
    if (rssp_cache_encode(CACHE_KEY, now, l, &text, &len, &st) != RSSP_OK)
        abort();
    rssp_credential_list again;
    if (rssp_cache_decode(text, len, CACHE_KEY, MAX_AGE_S, now, &again, &st) != RSSP_OK ||
        again.count != l->count)
        abort();
    for (size_t i = 0; i < l->count; i++) {
        const rssp_credential *a = &l->items[i], *b = &again.items[i];
        if (!same_string(a->credential_id, b->credential_id) ||
            !same_string(a->auth_mode, b->auth_mode) || a->scal != b->scal ||
            a->num_signatures != b->num_signatures || a->has_auth_info != b->has_auth_info ||
            a->n_certificates != b->n_certificates ||
            a->n_auth_modes_supported != b->n_auth_modes_supported)
            abort();
        for (size_t k = 0; k < a->n_certificates; k++) {
            if (a->certificates[k].len != b->certificates[k].len ||
                (a->certificates[k].len > 0 &&
                 memcmp(a->certificates[k].data, b->certificates[k].data, a->certificates[k].len) !=
                     0))
                abort();
        }
    }
    rssp_credential_list_clear(&again);
    rssp_json_text_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_temp_path("credentials.json");
    fuzz_write_file(path, data, size);
    rssp_credential_list l;
    rssp_status st;
    if (rssp_credential_cache_read(path, CACHE_KEY, MAX_AGE_S, &l, &st) == RSSP_OK) {
        check_round_trip(&l);
        for (size_t i = 0; i < l.count; i++)
            fuzz_make_token(&l.items[i]);
    }
    rssp_credential_list_clear(&l);
    return 0;
}
