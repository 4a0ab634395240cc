/* credentials/sendOTP (§2.6): make an OTP and deliver it to the outbox. */
#ifndef EMU_OTP_H
#define EMU_OTP_H

#include "emulator/request.h"

void emu_handle_send_otp(emu_req *r);

#endif
