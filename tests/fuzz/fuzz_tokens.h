/*
 * What the module does with credentials it was given (pkcs11/discovery.c
 * publish()): keep the usable ones and build a token, with its objects, from
 * each. Harnesses that decode credentials hand them on to this.
 */
#ifndef RSSP_FUZZ_TOKENS_H
#define RSSP_FUZZ_TOKENS_H

#include "rssp/client.h"

/* Build (and free) a token from cred as publish() would; a failure is no finding. */
void fuzz_make_token(const rssp_credential *cred);

#endif
