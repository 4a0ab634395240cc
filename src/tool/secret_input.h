/*
 * Reading a PIN or one-time code: from a private file, from standard input,
 * or typed on the terminal without echo. Never from the command line, where
 * every user can read it (ps, /proc/PID/cmdline).
 */
#ifndef RSSP_TOOL_SECRET_INPUT_H
#define RSSP_TOOL_SECRET_INPUT_H

#include <stdbool.h>

typedef struct {
    const char *option; /* "pin" or "otp": names --pin-file / --pin-stdin in messages */
    const char *file;   /* --pin-file / --otp-file: private (0600) file */
    bool from_stdin;    /* --pin-stdin / --otp-stdin: first line of standard input */
} tool_secret_source;

/*
 * Read the code into rssp_secret memory (*out, free with rssp_secret_free).
 * Without a file or --*-stdin, prompt on the terminal when standard input is
 * one. what names the code in messages ("PIN"). Returns a tool exit code.
 */
int tool_read_secret(const tool_secret_source *src, const char *what, const char *prompt,
                     char **out);

#endif
