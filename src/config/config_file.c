/* The parts of config_file.h every platform shares. */
#include "config/config_file.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

void rssp_cfg_shell_quote(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    if (cap < 3) {
        if (cap > 0)
            out[0] = '\0';
        return;
    }
    out[n++] = '\'';
    for (; *s != '\0'; s++) {
        const char *piece = *s == '\'' ? "'\\''" : NULL;
        size_t piece_len = piece != NULL ? 4 : 1;
        if (n + piece_len + 2 > cap)
            break;
        if (piece != NULL) {
            memcpy(out + n, piece, piece_len);
        } else {
            out[n] = *s;
        }
        n += piece_len;
    }
    out[n++] = '\'';
    out[n] = '\0';
}

void rssp_cfg_text_clear(rssp_cfg_text *t)
{
    if (t->data != NULL) {
        OPENSSL_cleanse(t->data, t->len);
        free(t->data);
    }
    memset(t, 0, sizeof *t);
}
