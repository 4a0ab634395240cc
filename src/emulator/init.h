/* `rssp-emulator init DIR`: create a complete service folder (see docs/emulator.md). */
#ifndef EMU_INIT_H
#define EMU_INIT_H

#include <stdbool.h>

typedef struct {
    const char *dir;
    bool force;               /* replace an existing DIR */
    const char *template_dir; /* copy this initialised folder (made first if absent) */
    const char *hsm_module;   /* NULL = default libsofthsm2.so */
    bool quiet;
} emu_init_options;

/* Returns 0 on success; prints what went wrong to stderr otherwise. */
int emu_init(const emu_init_options *o);

#endif
