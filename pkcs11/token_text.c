#include "pkcs11/token_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"

/* id can stand in a text field as it is: 1 to max printable ASCII characters. */
static bool id_shows(const char *id, size_t max)
{
    size_t len = strlen(id);
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (id[i] < 0x21 || id[i] > 0x7e)
            return false;
    }
    return true;
}

/* The first n/2 bytes of SHA-256(id) as n uppercase hex digits (n even, at most 64). */
static void id_digest(const char *id, char *out, size_t n)
{
    unsigned char md[32];
    if (rssp_digest(RSSP_HASH_SHA256, id, strlen(id), md) != RSSP_CRYPTO_OK)
        memset(md, 0, sizeof md);
    for (size_t i = 0; i < n / 2; i++)
        snprintf(out + 2 * i, 3, "%02X", md[i]);
}

/* How to show an id in at most max (< out_len) characters: itself, or "#" + 8 hex digits. */
static void id_tag(const char *id, size_t max, char *out, size_t out_len)
{
    if (id_shows(id, max) && max < out_len) {
        memcpy(out, id, strlen(id) + 1);
    } else {
        out[0] = '#';
        id_digest(id, out + 1, 8);
    }
}

/* Length of the longest prefix of s, at most max bytes, that is valid UTF-8. */
static size_t utf8_prefix(const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p[i] != '\0') {
        size_t n = p[i] < 0x80             ? 1
                   : (p[i] & 0xE0) == 0xC0 ? 2
                   : (p[i] & 0xF0) == 0xE0 ? 3
                   : (p[i] & 0xF8) == 0xF0 ? 4
                                           : 0;
        if (n == 0 || i + n > max)
            break;
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
        }
        i += n;
    }
    return i;
}

/* Blank-pad the first len bytes of src into dst[n], control characters shown as '?'. */
static void pad(char *dst, size_t n, const char *src, size_t len)
{
    memset(dst, ' ', n);
    for (size_t i = 0; i < len && i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = src[i];
        if (c < 0x20 || c == 0x7f)
            dst[i] = '?';
    }
}

void p11_token_label(const char *cn, const char *credential_id, char out[32])
{
    char tag[17], label[32]; /* label: a field of known length, not a C string */
    id_tag(credential_id, 16, tag, sizeof tag);
    size_t tag_len = strlen(tag); /* at most 16: the suffix " (tag)" fits in 19 bytes */
    const char *name = cn != NULL && cn[0] != '\0' ? cn : "RSSP credential";
    size_t name_len = utf8_prefix(name, sizeof label - tag_len - 3);
    memcpy(label, name, name_len);              /* NOLINT(bugprone-not-null-terminated-result) */
    memcpy(label + name_len, " (", 2);          /* NOLINT(bugprone-not-null-terminated-result) */
    memcpy(label + name_len + 2, tag, tag_len); /* NOLINT(bugprone-not-null-terminated-result) */
    label[name_len + 2 + tag_len] = ')';
    pad(out, 32, label, name_len + tag_len + 3);
}

void p11_token_serial(const char *credential_id, char out[16])
{
    char serial[17];
    if (id_shows(credential_id, 16))
        snprintf(serial, sizeof serial, "%s", credential_id);
    else
        id_digest(credential_id, serial, 16);
    pad(out, 16, serial, strlen(serial));
}

void p11_slot_description(const char *credential_id, char out[64])
{
    char tag[49], desc[65];
    id_tag(credential_id, 48, tag, sizeof tag);
    snprintf(desc, sizeof desc, "RSSP credential %s", tag);
    pad(out, 64, desc, strlen(desc));
}
