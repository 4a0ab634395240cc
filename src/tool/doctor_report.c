#include "tool/doctor_report.h"

#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

void doctor_report_init(doctor_report *r, FILE *out, bool utf8)
{
    memset(r, 0, sizeof *r);
    r->out = out;
    r->utf8 = utf8;
}

bool doctor_locale_is_utf8(void)
{
    if (setlocale(LC_CTYPE, "") == NULL)
        return false;
    const char *codeset = nl_langinfo(CODESET);
    bool utf8 =
        codeset != NULL && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0);
    setlocale(LC_CTYPE, "C"); /* the rest of the tool keeps the C locale */
    return utf8;
}

static const char *mark(const doctor_report *r, doctor_verdict v)
{
    static const char *const utf8[] = {"\xe2\x9c\x93", "\xe2\x9c\x97", "-", "\xc2\xb7"};
    static const char *const ascii[] = {"[ok]  ", "[FAIL]", "[skip]", "[info]"};
    return r->utf8 ? utf8[v] : ascii[v];
}

/* Print s with control characters as '?'. */
static void put_clean(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

void doctor_line(doctor_report *r, doctor_verdict v, int fail_code, const char *what,
                 const char *fix, const char *fmt, ...)
{
    char detail[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (v == DOCTOR_FAIL) {
        r->failures++;
        if (r->exit_code == 0)
            r->exit_code = fail_code;
    } else if (v == DOCTOR_SKIP) {
        r->skipped++;
    }
    fprintf(r->out, "%s %s: ", mark(r, v), what);
    put_clean(r->out, detail);
    fputc('\n', r->out);
    if (fix != NULL) {
        fprintf(r->out, "    %s ", r->utf8 ? "\xe2\x86\x92" : "->");
        put_clean(r->out, fix);
        fputc('\n', r->out);
    }
    fflush(r->out);
}

void doctor_skip(doctor_report *r, const char *what, const char *needs)
{
    doctor_line(r, DOCTOR_SKIP, 0, what, NULL, "skipped (needs %s)", needs);
}
