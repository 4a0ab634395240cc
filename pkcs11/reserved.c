#include "pkcs11/reserved.h"

#include <stdint.h>
#include <string.h>

#include "common/platform.h"

/*
 * Each byte is read through the platform's probe, which answers false for
 * memory that is not readable where a plain read would crash the host
 * program. One byte at a time, so nothing past the string's end is read.
 */
bool p11_reserved_path(const void *p, char *out, size_t out_len)
{
    if (out_len == 0 || (uintptr_t)p < rssp_page_size())
        return false;
    rssp_memprobe *probe = rssp_memprobe_new();
    if (probe == NULL)
        return false;
    bool ok = false;
    size_t len = 0;
    while (len < out_len && rssp_memprobe_byte(probe, (const char *)p + len, &out[len])) {
        if (out[len] == '\0') {
            ok = len > 0;
            break;
        }
        if ((unsigned char)out[len] < 0x20 || out[len] == 0x7f)
            break;
        len++;
    }
    rssp_memprobe_free(probe);
    if (!ok)
        memset(out, 0, out_len);
    return ok;
}
