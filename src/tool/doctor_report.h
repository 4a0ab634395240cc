/*
 * rssp-tool doctor's output: one line per check, a mark (✓ ✗, or [ok]
 * [FAIL] when the terminal's character set is not UTF-8), what was checked,
 * and for a failure what to do on the next line (docs/tool.md, doctor).
 */
#ifndef RSSP_TOOL_DOCTOR_REPORT_H
#define RSSP_TOOL_DOCTOR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "common/attributes.h"

typedef enum {
    DOCTOR_PASS,
    DOCTOR_FAIL,
    DOCTOR_SKIP, /* not run: a check it depends on failed */
    DOCTOR_INFO, /* neither pass nor fail: something worth knowing */
} doctor_verdict;

typedef struct {
    FILE *out;
    bool utf8;
    int exit_code; /* of the first failure; 0 while all pass */
    unsigned failures, skipped;
} doctor_report;

/* utf8: marks as ✓ ✗, else ASCII. */
void doctor_report_init(doctor_report *r, FILE *out, bool utf8);

/* Does the locale (LC_CTYPE from the environment) use UTF-8? */
bool doctor_locale_is_utf8(void);

/*
 * One check's line: "<mark> <what>: <detail>" and, when fix is not NULL, an
 * indented "-> <fix>" line. Control characters (text from the service) are
 * shown as '?'. A failure records fail_code as the exit code if it is the
 * first.
 */
void doctor_line(doctor_report *r, doctor_verdict v, int fail_code, const char *what,
                 const char *fix, const char *fmt, ...) RSSP_PRINTF_LIKE(6, 7);

/* "<mark> <what>: skipped (needs <needs>)". */
void doctor_skip(doctor_report *r, const char *what, const char *needs);

#endif
