/*
 * Fault injection for the module's reliability tests (docs/emulator.md):
 * per method, added latency, a given responseCode, an HTTP error status, a
 * dropped connection, a malformed, truncated or oversized response body;
 * for the next N calls or until cleared. Own lock.
 */
#ifndef EMU_FAULTS_H
#define EMU_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "emulator/context.h"

typedef struct {
    long latency_ms;   /* added before the call is handled */
    int response_code; /* answer this responseCode without handling the call; 0 = off */
    int http_status;   /* answer this HTTP status without an envelope; 0 = off */
    long count;        /* applies to the next count calls, 0 = until cleared */
    bool drop;         /* close the connection without an answer, call not handled */
    bool malformed;    /* call handled, body replaced by broken JSON */
    bool truncated;    /* call handled, body cut in the middle, connection closed */
    bool oversized;    /* call handled, body padded beyond 4 MiB */
} emu_fault;

emu_faults *emu_faults_new(void);
void emu_faults_free(emu_faults *f);

/* method: canonical method name or "*" (every method). Replaces that method's fault. */
int emu_faults_set(emu_faults *f, const char *method, const emu_fault *fault);
void emu_faults_clear(emu_faults *f);

/* The fault for this call of method, counting it; false if none. */
bool emu_faults_take(emu_faults *f, const char *method, emu_fault *out);

/* Parse "METHOD:key=value,..." (the --fault flag); *method is malloc'ed. */
int emu_faults_parse_spec(const char *spec, char **method, emu_fault *out, char *err,
                          size_t err_len);
/* Parse the body of POST /_emulator/faults; *method points into obj. */
int emu_faults_parse_json(const cJSON *obj, const char **method, emu_fault *out, char *err,
                          size_t err_len);

cJSON *emu_faults_list(emu_faults *f);

#endif
