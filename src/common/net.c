#include "common/net.h"

#include "common/sockets.h"

#include <string.h>
#include <strings.h>

bool rssp_host_is_loopback(const char *host)
{
    if (host == NULL)
        return false;
    if (strcasecmp(host, "localhost") == 0)
        return true;

    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;

    char inner[INET6_ADDRSTRLEN + 1];
    size_t len = strlen(host);
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        if (len - 2 >= sizeof inner)
            return false;
        memcpy(inner, host + 1, len - 2);
        inner[len - 2] = '\0';
        host = inner;
    }
    struct in6_addr v6;
    return inet_pton(AF_INET6, host, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}
