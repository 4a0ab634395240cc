#define _GNU_SOURCE /* pipe2 */
#include "pkcs11/reserved.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/*
 * Copy n bytes at src through a pipe: the kernel answers EFAULT for memory
 * that is not readable, where a plain read would crash the host program.
 */
static bool probe_copy(int fds[2], const char *src, char *dst, size_t n)
{
    ssize_t w;
    do {
        w = write(fds[1], src, n);
    } while (w < 0 && errno == EINTR);
    if (w < 0 || (size_t)w != n)
        return false;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fds[0], dst + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

bool p11_reserved_path(const void *p, char *out, size_t out_len)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t page_size = page > 0 ? (size_t)page : 4096;
    uintptr_t at = (uintptr_t)p;
    if (out_len == 0 || at < page_size)
        return false;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return false;
    bool ok = false;
    size_t len = 0;
    /* Page by page: a string may end just before an unmapped page. */
    while (len < out_len) {
        size_t chunk = page_size - (at + len) % page_size;
        if (chunk > out_len - len)
            chunk = out_len - len;
        if (!probe_copy(fds, (const char *)p + len, out + len, chunk))
            break;
        const char *nul = memchr(out + len, '\0', chunk);
        if (nul != NULL) {
            len = (size_t)(nul - out);
            ok = len > 0;
            break;
        }
        len += chunk;
    }
    close(fds[0]);
    close(fds[1]);
    for (size_t i = 0; ok && i < len; i++) {
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            ok = false;
    }
    if (!ok)
        memset(out, 0, out_len);
    return ok;
}
