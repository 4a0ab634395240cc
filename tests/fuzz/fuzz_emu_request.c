/*
 * The emulator's request body handling that runs before any state is
 * touched (src/emulator/server.c run_method, request.c, digests.c): parse
 * the body as the server does, check the common fields, find and decode
 * documentDigests (when given, as the handlers do), read a test-control
 * fault from it, and build the response text. The input is the body; it
 * is also read as a --fault command-line spec.
 */
#include <stdlib.h>

#include "emulator/digests.h"
#include "emulator/faults.h"
#include "emulator/request.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static emu_ctx ctx; /* only the bill counter is used */
    emu_req r = {0};
    r.ctx = &ctx;
    r.method = EMU_M_SIGN_HASH;
    r.resp = cJSON_CreateObject();
    if (r.resp == NULL)
        abort();
    r.body = cJSON_ParseWithLength((const char *)data, size);
    if (cJSON_IsObject(r.body) && emu_check_common_fields(&r) == 0) {
        (void)emu_client_identity(&r);
        emu_digests d;
        if (emu_digests_find(&r, &d) == 0 && d.hashes != NULL) {
            rssp_buf *hashes = NULL;
            size_t n = 0;
            rssp_hash_alg alg = d.alg != RSSP_HASH_NONE ? d.alg : RSSP_HASH_SHA256;
            if (emu_digests_decode(&r, &d, alg, &hashes, &n) == 0)
                emu_hashes_free(hashes, n);
        }
        /* The test-control endpoint takes the same kind of body for a fault. */
        const char *method = NULL;
        emu_fault fault;
        char err[256];
        (void)emu_faults_parse_json(r.body, &method, &fault, err, sizeof err);
    }
    cJSON_Delete(r.body);

    char *spec = fuzz_strndup(data, size);
    char *spec_method = NULL;
    emu_fault spec_fault;
    char spec_err[256];
    if (emu_faults_parse_spec(spec, &spec_method, &spec_fault, spec_err, sizeof spec_err) == 0)
        free(spec_method);
    free(spec);

    char *text = emu_response_text(&r);
    free(text);
    cJSON_Delete(r.resp);
    return 0;
}
