/* owner/list (§2.10) and owner/assign (§2.11): relying-party principals only. */
#ifndef EMU_OWNER_H
#define EMU_OWNER_H

#include "emulator/request.h"

void emu_handle_owner_list(emu_req *r);
void emu_handle_owner_assign(emu_req *r);

#endif
