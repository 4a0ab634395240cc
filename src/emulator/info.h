/* info (§2.1): the service description, no authentication. */
#ifndef EMU_INFO_H
#define EMU_INFO_H

#include "emulator/request.h"

void emu_handle_info(emu_req *r);

#endif
