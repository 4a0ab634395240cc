/* credentials/list (§2.4) and credentials/info (§2.5). */
#ifndef EMU_CREDENTIALS_H
#define EMU_CREDENTIALS_H

#include "emulator/request.h"

void emu_handle_list(emu_req *r);
void emu_handle_credential_info(emu_req *r);

#endif
