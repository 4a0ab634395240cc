/* `rssp-emulator serve DIR`: run the service of an initialised folder until SIGTERM/SIGINT. */
#ifndef EMU_SERVE_H
#define EMU_SERVE_H

#include <stddef.h>

#include "emulator/context.h"

typedef struct {
    const char *dir;
    emu_protocol protocol; /* the dialect served (--protocol) */
    const char *listen;
    unsigned port;
    unsigned max_connections;
    const char *hsm_module;
    const char *log_level;
    const char *log_file;
    emu_rules rules;
    const char **faults; /* --fault METHOD:SPEC, n_faults of them */
    size_t n_faults;
} emu_serve_options;

/* Returns the process exit code: 0 after a clean stop, 1 if it could not start. */
int emu_serve(const emu_serve_options *o);

#endif
