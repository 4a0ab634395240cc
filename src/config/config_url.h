/* Validation of the service base URL. */
#ifndef RSSP_CONFIG_URL_H
#define RSSP_CONFIG_URL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Accept https:// to any host and http:// only to a loopback host; refuse a
 * user name or password in the URL. On success *out is a malloc'ed copy that
 * ends in '/' (method names are appended to it). On failure returns -1 and
 * writes the reason to why; the URL is quoted there only when it holds no
 * user information.
 */
int rssp_cfg_check_url(const char *url, char **out, char *why, size_t why_len);

#endif
