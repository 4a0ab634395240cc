/*
 * credentials/authorize (§2.7) and credentials/extendTransaction (§2.8),
 * plus the SAD checks signatures/signHash shares with them.
 */
#ifndef EMU_AUTHORIZE_H
#define EMU_AUTHORIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "emulator/request.h"
#include "emulator/sessions.h"

void emu_handle_authorize(emu_req *r);
void emu_handle_extend(emu_req *r);

/*
 * SAD named by value for credential index and principal p: 3014 unknown or
 * foreign, 3015 expired, 3016 exhausted (only with check_exhausted: the order
 * of §2.8; signHash checks the count later, §2.9 rule 4), 3023 entity header,
 * 3020 client identity. Lock held.
 */
int emu_check_sad(emu_req *r, emu_principal p, size_t index, const char *value,
                  bool check_exhausted, emu_sad **out);

/*
 * SCAL 2: for each wanted hash the index of an equal, unsigned authorized hash
 * of sad (each used at most once) into picked; -1 if one has none.
 */
int emu_match_hashes(const emu_sad *sad, const rssp_buf *wanted, size_t n, size_t *picked);

#endif
