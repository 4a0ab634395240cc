/* auth/login (§2.2) and auth/revoke (§2.3). */
#ifndef EMU_AUTH_H
#define EMU_AUTH_H

#include <stdbool.h>

#include "emulator/request.h"

void emu_handle_login(emu_req *r);
void emu_handle_revoke(emu_req *r);

/*
 * The logins the dialect front ends share with auth/login: a refresh token
 * (3004 when unknown or expired; rp_name NULL = not checked), and an owner by
 * username and password without a relying-party factor (CSC Basic and the
 * OAuth 2.0 token endpoint; the same counters and locks as RSSP Basic).
 */
void emu_login_refresh(emu_req *r, const char *token, const char *rp_name, bool remember);
void emu_login_password(emu_req *r, const char *username, const char *password, bool remember);

#endif
