#define _GNU_SOURCE /* pipe2 */
#include "pkcs11/reserved.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/*
 * Read the byte at src through a pipe: the kernel answers EFAULT for memory
 * that is not readable, where a plain read would crash the host program.
 * One byte at a time, so nothing past the string's end is ever read.
 */
static bool probe_byte(int fds[2], const char *src, char *out)
{
    ssize_t n;
    do {
        n = write(fds[1], src, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1)
        return false;
    do {
        n = read(fds[0], out, 1);
    } while (n < 0 && errno == EINTR);
    return n == 1;
}

bool p11_reserved_path(const void *p, char *out, size_t out_len)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t page_size = page > 0 ? (size_t)page : 4096;
    if (out_len == 0 || (uintptr_t)p < page_size)
        return false;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return false;
    bool ok = false;
    size_t len = 0;
    while (len < out_len && probe_byte(fds, (const char *)p + len, &out[len])) {
        if (out[len] == '\0') {
            ok = len > 0;
            break;
        }
        if ((unsigned char)out[len] < 0x20 || out[len] == 0x7f)
            break;
        len++;
    }
    close(fds[0]);
    close(fds[1]);
    if (!ok)
        memset(out, 0, out_len);
    return ok;
}
