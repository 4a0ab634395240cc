/* The terminal on POSIX: echo off through termios, restored on a signal. */
#include "tool/terminal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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

bool tool_stdin_is_terminal(void)
{
    return isatty(STDIN_FILENO) == 1;
}

bool tool_stderr_is_terminal(void)
{
    return isatty(STDERR_FILENO) == 1;
}

int tool_terminal_read_hidden(const char *prompt, char *buf, size_t cap, size_t *len)
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
        rc = tool_read_line(STDIN_FILENO, buf, cap, len);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    echo_off = 0;
    fputc('\n', stderr);

    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &old[i], NULL);
    return rc;
}
