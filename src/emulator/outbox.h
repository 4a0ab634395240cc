/*
 * Where the emulator "sends" OTP messages: one JSON line per message
 * appended to DIR/outbox, and kept in memory for GET /_emulator/outbox.
 * Own lock.
 */
#ifndef EMU_OUTBOX_H
#define EMU_OUTBOX_H

#include <cjson/cJSON.h>

#include "emulator/context.h"

emu_outbox *emu_outbox_new(const char *path);
void emu_outbox_free(emu_outbox *o);

/* channel: "SMS" or "EMAIL"; subject may be NULL. */
int emu_outbox_add(emu_outbox *o, const char *credential_id, const char *channel, const char *to,
                   const char *subject, const char *text, const char *otp);

/* JSON array of every message since start, oldest first. */
cJSON *emu_outbox_list(emu_outbox *o);

#endif
