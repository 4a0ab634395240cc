/* signatures/signHash (§2.9): signs through the HSM with reserve-then-commit counters. */
#ifndef EMU_SIGN_H
#define EMU_SIGN_H

#include "emulator/request.h"

void emu_handle_sign_hash(emu_req *r);

#endif
