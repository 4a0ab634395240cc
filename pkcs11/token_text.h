/*
 * The text fields that name a token: label, serial number and slot
 * description, blank padded as PKCS#11 wants them. Whatever the service
 * sends, the results are valid UTF-8 (serial: printable ASCII) and tokens of
 * different credentials get different labels.
 */
#ifndef RSSP_P11_TOKEN_TEXT_H
#define RSSP_P11_TOKEN_TEXT_H

/*
 * "<CN> (<credential id>)" cut to 32 bytes; the CN is shortened first. An id
 * that is not short printable ASCII is shown as "#" and 8 hex digits of its
 * SHA-256. cn may be NULL.
 */
void p11_token_label(const char *cn, const char *credential_id, char out[32]);

/* The credential id when it is at most 16 printable ASCII characters, else 16 hex digits of its
 * SHA-256. */
void p11_token_serial(const char *credential_id, char out[16]);

/* "RSSP credential <id>" (the id as for the label, up to 48 characters). */
void p11_slot_description(const char *credential_id, char out[64]);

#endif
