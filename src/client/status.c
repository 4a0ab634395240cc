#include "client/status_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rssp_status_reset(rssp_status *st)
{
    if (st == NULL)
        return;
    memset(st, 0, sizeof *st);
    st->err = RSSP_OK;
    st->remaining_counter = -1;
    st->temporary_lock_time = -1;
    st->remaining_signing_counter = -2;
}

const char *rssp_err_name(rssp_err err)
{
    switch (err) {
    case RSSP_OK:
        return "ok";
    case RSSP_ERR_ARGS:
        return "invalid arguments";
    case RSSP_ERR_NOMEM:
        return "out of memory";
    case RSSP_ERR_CONFIG:
        return "configuration error";
    case RSSP_ERR_TRANSPORT:
        return "transport error";
    case RSSP_ERR_PROTOCOL:
        return "protocol error";
    case RSSP_ERR_SERVICE:
        return "service error";
    case RSSP_ERR_CANCELLED:
        return "cancelled";
    }
    return "unknown error";
}

void rssp_status_copy(char *dst, size_t dst_size, const char *text)
{
    if (dst_size == 0)
        return;
    if (text == NULL)
        text = "";
    size_t n = strlen(text);
    if (n >= dst_size)
        n = dst_size - 1;
    memcpy(dst, text, n);
    dst[n] = '\0';
}

rssp_err rssp_fail(rssp_status *st, rssp_err err, const char *fmt, ...)
{
    st->err = err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof st->message, fmt, ap);
    va_end(ap);
    return err;
}
