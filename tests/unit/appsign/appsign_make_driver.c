/*
 * Test-only driver: prints the sign rssp_appsign_make gives for
 *   appsign_make_driver API_KEY SECRET NOW TTL RANDOM
 * RANDOM "-" lets the library draw one. Exit 0 with the sign on stdout;
 * 2 with the reason code on stderr if the library refuses; 1 on usage errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rssp/appsign.h"

static int parse_int64(const char *s, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = (int64_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    int64_t now = 0;
    int64_t ttl = 0;
    if (argc != 6 || parse_int64(argv[3], &now) != 0 || parse_int64(argv[4], &ttl) != 0) {
        fprintf(stderr, "usage: %s API_KEY SECRET NOW TTL RANDOM|-\n", argv[0]);
        return 1;
    }
    const char *random = strcmp(argv[5], "-") == 0 ? NULL : argv[5];
    char *sign = NULL;
    rssp_appsign_result r = rssp_appsign_make(argv[1], (const unsigned char *)argv[2],
                                              strlen(argv[2]), now, ttl, random, &sign);
    if (r != RSSP_APPSIGN_OK) {
        fprintf(stderr, "%s\n", rssp_appsign_reason(r));
        return 2;
    }
    printf("%s\n", sign);
    free(sign);
    return 0;
}
