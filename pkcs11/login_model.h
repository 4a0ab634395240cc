/*
 * Which login model the module runs in (docs/module.md, "Login models"):
 * "token" (CKF_LOGIN_REQUIRED, private keys after C_Login) or "key" (keys
 * visible without login, the PIN asked through CKA_ALWAYS_AUTHENTICATE when a
 * key first signs). Chosen once per C_Initialize from the configuration and,
 * for login_model = auto, from the name of the host program.
 */
#ifndef RSSP_P11_LOGIN_MODEL_H
#define RSSP_P11_LOGIN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* The programs that get the key model under login_model = auto, unless configured. */
#define P11_KEY_LOGIN_PROGRAMS "soffice.bin"

/*
 * Whether program (a file name without folders; may be NULL) runs in the key
 * model under cfg. programs in cfg->key_login_programs (or the default list)
 * are separated by spaces or commas and compared exactly.
 */
bool p11_login_model_is_key(const rssp_config *cfg, const char *program);

/*
 * The host program's file name: the last component of /proc/self/exe, else
 * of argv[0] as glibc keeps it. Writes "" when neither is known.
 */
void p11_program_name(char *out, size_t out_len);

#endif
