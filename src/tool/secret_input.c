#include "tool/secret_input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/secmem.h"
#include "config/config_file.h"
#include "tool/terminal.h"
#include "tool/tool.h"

#define MAX_CODE 1024

int tool_read_line(int fd, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0 || ch == '\n')
            break;
        if (n + 1 >= cap)
            return -2;
        buf[n++] = ch;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    *len = n;
    return 0;
}

int tool_read_secret(const tool_secret_source *src, const char *what, const char *prompt,
                     char **out)
{
    char buf[MAX_CODE];
    size_t len = 0;
    int rc = TOOL_EXIT_OK;
    int r;

    *out = NULL;
    if (src->file != NULL) {
        char why[1024];
        char label[64];
        snprintf(label, sizeof label, "%s file", what);
        if (rssp_cfg_read_secret(label, src->file, false, out, why, sizeof why) != 0) {
            fprintf(stderr, "rssp-tool: %s\n", why);
            return TOOL_EXIT_USAGE;
        }
        return TOOL_EXIT_OK;
    }
    if (src->from_stdin) {
        r = tool_read_line(STDIN_FILENO, buf, sizeof buf, &len);
    } else if (tool_stdin_is_terminal()) {
        r = tool_terminal_read_hidden(prompt, buf, sizeof buf, &len);
    } else {
        fprintf(stderr,
                "rssp-tool: a %s is needed: give it with --%s-file FILE or --%s-stdin, or run "
                "on a terminal to type it\n",
                what, src->option, src->option);
        return TOOL_EXIT_USAGE;
    }
    if (r == -2) {
        fprintf(stderr, "rssp-tool: the %s is longer than %d characters\n", what, MAX_CODE - 1);
        rc = TOOL_EXIT_USAGE;
    } else if (r != 0) {
        fprintf(stderr, "rssp-tool: cannot read the %s: %s\n", what, strerror(errno));
        rc = TOOL_EXIT_USAGE;
    } else if (len == 0) {
        fprintf(stderr, "rssp-tool: no %s given\n", what);
        rc = TOOL_EXIT_USAGE;
    } else {
        *out = rssp_secret_dup(buf, len);
        if (*out == NULL) {
            fprintf(stderr, "rssp-tool: out of memory\n");
            rc = TOOL_EXIT_INTERNAL;
        }
    }
    OPENSSL_cleanse(buf, sizeof buf);
    return rc;
}
