/* Internal: the signed text "a=<api_key>&b=<expire_time>&c=<current_time>&d=<random>". */
#ifndef RSSP_APPSIGN_RAW_H
#define RSSP_APPSIGN_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rssp/appsign.h"

#define APPSIGN_KEY_MAX 128
#define APPSIGN_TIME_DIGITS_MAX 19 /* INT64_MAX has 19 digits */
#define APPSIGN_RANDOM_DIGITS_MAX 10
/* "a=k&b=0&c=0&d=0" */
#define APPSIGN_RAW_MIN 15
/* a= key &b= time &c= time &d= random */
#define APPSIGN_RAW_MAX                                                                            \
    (2 + APPSIGN_KEY_MAX + 3 + APPSIGN_TIME_DIGITS_MAX + 3 + APPSIGN_TIME_DIGITS_MAX + 3 +         \
     APPSIGN_RANDOM_DIGITS_MAX)

/* 1..128 bytes, no '&', '=' or control characters (bytes below 0x20 and 0x7f). */
bool appsign_key_valid(const char *key, size_t len);
/* 1..10 ASCII decimal digits. */
bool appsign_random_valid(const char *digits);

/*
 * Write the raw text (no NUL) into out; returns its length, or 0 if the
 * inputs are invalid or out is too small. random is used verbatim.
 */
size_t appsign_raw_format(char *out, size_t cap, const char *api_key, int64_t expire_time,
                          int64_t current_time, const char *random);

/* Strict parse of the raw text; false if anything is off. */
bool appsign_raw_parse(const unsigned char *raw, size_t len, rssp_appsign_fields *fields);

#endif
