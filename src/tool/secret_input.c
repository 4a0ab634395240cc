#include "tool/secret_input.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/secmem.h"
#include "config/config_file.h"
#include "tool/tool.h"

#define MAX_CODE 1024

/* Terminal state to restore if a signal arrives while echo is off. */
static struct termios saved_termios;
static volatile sig_atomic_t echo_off;

static void restore_and_reraise(int sig)
{
    if (echo_off)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Read one line from fd (without its "\n" or "\r\n"); -1 on error, -2 if too long. */
static int read_line(int fd, char *buf, size_t cap, size_t *len)
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

static int read_from_terminal(const char *prompt, char *buf, size_t cap, size_t *len)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
    struct sigaction sa, old[sizeof sigs / sizeof sigs[0]];
    struct termios quiet;

    if (tcgetattr(STDIN_FILENO, &saved_termios) != 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, &old[i]);

    quiet = saved_termios;
    quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    echo_off = 1;
    /*
     * Echo off (TCSAFLUSH drops what was typed before) and only then the
     * prompt: what is typed after the prompt is never lost or echoed.
     */
    int rc = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    fputs(prompt, stderr);
    fflush(stderr);
    if (rc == 0)
        rc = read_line(STDIN_FILENO, buf, cap, len);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    echo_off = 0;
    fputc('\n', stderr);

    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &old[i], NULL);
    return rc;
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
        r = read_line(STDIN_FILENO, buf, sizeof buf, &len);
    } else if (isatty(STDIN_FILENO)) {
        r = read_from_terminal(prompt, buf, sizeof buf, &len);
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
