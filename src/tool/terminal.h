/* What the tool needs of a terminal: terminal_posix.c, terminal_win32.c. */
#ifndef RSSP_TOOL_TERMINAL_H
#define RSSP_TOOL_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

bool tool_stdin_is_terminal(void);
bool tool_stderr_is_terminal(void);
/*
 * Print prompt on stderr and read one line from the terminal without echo;
 * the terminal is put back as it was, also when the user interrupts.
 * 0, -1 on error, -2 if longer than cap - 1.
 */
int tool_terminal_read_hidden(const char *prompt, char *buf, size_t cap, size_t *len);
/* Read one line from fd (without its "\n" or "\r\n"): 0, -1 on error, -2 if too long. */
int tool_read_line(int fd, char *buf, size_t cap, size_t *len);

#endif
