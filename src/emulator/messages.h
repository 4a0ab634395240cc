/* responseMessage texts per result code, in English and Vietnamese (§1.2 language). */
#ifndef EMU_MESSAGES_H
#define EMU_MESSAGES_H

#include <stdbool.h>

const char *emu_message(int code, bool vn);

#endif
