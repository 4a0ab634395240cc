/* The terminal on Windows: the console's echo switched off, restored on Ctrl+C. */
#include "tool/terminal.h"

#include <windows.h>

#include <io.h>
#include <stdio.h>

static HANDLE console_in;
static DWORD saved_mode;
static volatile LONG echo_off;

static BOOL WINAPI restore_on_break(DWORD event)
{
    (void)event;
    if (InterlockedCompareExchange(&echo_off, 0, 1) == 1)
        SetConsoleMode(console_in, saved_mode);
    return FALSE; /* then the default handler ends the program */
}

static bool is_console(DWORD std)
{
    DWORD mode;
    return GetConsoleMode(GetStdHandle(std), &mode) != 0;
}

bool tool_stdin_is_terminal(void)
{
    return is_console(STD_INPUT_HANDLE);
}

bool tool_stderr_is_terminal(void)
{
    return is_console(STD_ERROR_HANDLE);
}

int tool_terminal_read_hidden(const char *prompt, char *buf, size_t cap, size_t *len)
{
    console_in = GetStdHandle(STD_INPUT_HANDLE);
    if (!GetConsoleMode(console_in, &saved_mode))
        return -1;
    SetConsoleCtrlHandler(restore_on_break, TRUE);
    /* Echo off and only then the prompt, as on POSIX. */
    DWORD quiet = (saved_mode & ~(DWORD)ENABLE_ECHO_INPUT) | ENABLE_LINE_INPUT;
    InterlockedExchange(&echo_off, 1);
    int rc = SetConsoleMode(console_in, quiet) ? 0 : -1;
    fputs(prompt, stderr);
    fflush(stderr);
    if (rc == 0)
        rc = tool_read_line(_fileno(stdin), buf, cap, len);
    if (InterlockedCompareExchange(&echo_off, 0, 1) == 1)
        SetConsoleMode(console_in, saved_mode);
    SetConsoleCtrlHandler(restore_on_break, FALSE);
    fputc('\n', stderr);
    return rc;
}
