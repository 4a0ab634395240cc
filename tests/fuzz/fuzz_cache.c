/*
 * The credential list cache reader: the input is the whole cache file,
 * written 0600 into a private temp folder (the reader refuses files that
 * are not private) and read back with rssp_credential_cache_read. The
 * credentials then become tokens as at the module's start-up from the cache.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_tokens.h"
#include "rssp/client.h"

/* The key the seeds carry (a service URL and an account, as the module forms it). */
#define CACHE_KEY "https://127.0.0.1:8443/rssp/v1/|alice"
/* Any write time from 1970 to now is fresh enough. */
#define MAX_AGE_S (1L << 40)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_temp_path("credentials.json");
    fuzz_write_file(path, data, size);
    rssp_credential_list l;
    rssp_status st;
    if (rssp_credential_cache_read(path, CACHE_KEY, MAX_AGE_S, &l, &st) == RSSP_OK) {
        for (size_t i = 0; i < l.count; i++)
            fuzz_make_token(&l.items[i]);
    }
    rssp_credential_list_clear(&l);
    return 0;
}
