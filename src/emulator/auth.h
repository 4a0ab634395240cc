/* auth/login (§2.2) and auth/revoke (§2.3). */
#ifndef EMU_AUTH_H
#define EMU_AUTH_H

#include "emulator/request.h"

void emu_handle_login(emu_req *r);
void emu_handle_revoke(emu_req *r);

#endif
