/*
 * Who may do what: the Bearer access token of a request (→ principal), the
 * agreementUUID rule of §1.5, the credential identifier of §1.7 and the
 * visibility of a credential to a principal.
 */
#ifndef EMU_ACCESS_H
#define EMU_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "emulator/request.h"
#include "emulator/sessions.h"

/*
 * Authenticate the request's Bearer token (takes and releases the state lock).
 * allow_refresh: a refresh token is accepted too (auth/revoke, seed Note 01).
 * 3006 when missing/unknown, 3005 when expired.
 */
int emu_require_access(emu_req *r, emu_principal *p, bool allow_refresh);

/*
 * The agreement a credential method works in (lock held): under an RP
 * principal agreementUUID is required and must be the RP's (3007); under an
 * owner principal it is optional and must be the owner's (3007). *out is
 * NULL when an owner gave none.
 */
int emu_resolve_agreement(emu_req *r, emu_principal p, emu_agreement **out);

/*
 * The credential named by credentialID / certificateID / thumbprint (§1.7),
 * visible to p within agreementUUID (lock held): 3100 for missing or
 * conflicting identifiers, 3007 for the agreement, 3008 if unknown or invisible.
 */
int emu_resolve_credential(emu_req *r, emu_principal p, emu_credential **out, size_t *index);

/* Is c visible to p (within agreement a when not NULL)? Lock held. */
bool emu_credential_visible(emu_state *st, emu_principal p, const emu_agreement *a,
                            const emu_credential *c);

#endif
