/* Strict parsing of configuration values: integers in a range and booleans. */
#ifndef RSSP_CONFIG_VALUES_H
#define RSSP_CONFIG_VALUES_H

#include <stdbool.h>

/*
 * Decimal integer with an optional leading '-', nothing else (no spaces, no
 * '+', no hex), within [min, max]. Returns 0, or -1 if s is not such a number.
 */
int rssp_cfg_parse_long(const char *s, long min, long max, long *out);

/* true/false, yes/no, 1/0 (case-insensitive). Returns 0, or -1 otherwise. */
int rssp_cfg_parse_bool(const char *s, bool *out);

#endif
