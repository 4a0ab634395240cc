/*
 * IMPLICIT authorization (rssp-protocol.md §2.7 rule 5): the approval request
 * "sent to the owner's phone" waits here until a test answers it through
 * POST /_emulator/approve or /deny, --auto-approve-ms elapses, the window
 * ends, a newer request for the same credential supersedes it, or the client
 * closes its connection. Own lock; never called with the state lock held.
 */
#ifndef EMU_APPROVALS_H
#define EMU_APPROVALS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "emulator/context.h"

typedef enum {
    EMU_APPROVAL_APPROVED,
    EMU_APPROVAL_DENIED,
    EMU_APPROVAL_TIMEOUT,
    EMU_APPROVAL_SUPERSEDED,
    EMU_APPROVAL_CLIENT_GONE,
    EMU_APPROVAL_SHUTDOWN,
    EMU_APPROVAL_ERROR,
} emu_approval_result;

/* auto_approve_ms < 0: only an answer approves. */
emu_approvals *emu_approvals_new(long auto_approve_ms);
void emu_approvals_free(emu_approvals *a);

/*
 * Hold the calling thread until the request for credential_id is answered.
 * info (what the phone shows) is taken over. client_fd < 0: no cancellation.
 */
emu_approval_result emu_approvals_wait(emu_approvals *a, const char *credential_id, cJSON *info,
                                       long window_ms, int client_fd);

/* Answer the pending request of credential_id; -1 if none is pending. */
int emu_approvals_answer(emu_approvals *a, const char *credential_id, bool approve);

/* JSON array of the pending requests (for GET /_emulator/pending). */
cJSON *emu_approvals_list(emu_approvals *a);

/* Wake every waiter with EMU_APPROVAL_SHUTDOWN and refuse new ones. */
void emu_approvals_shutdown(emu_approvals *a);

#endif
