/* The dialect names and URL prefixes of `serve --protocol`. */
#include <string.h>

#include "emulator/context.h"

int emu_protocol_parse(const char *name)
{
    if (strcmp(name, "rssp") == 0)
        return EMU_PROTO_RSSP;
    if (strcmp(name, "csc-v1") == 0)
        return EMU_PROTO_CSC_V1;
    if (strcmp(name, "csc-v2") == 0)
        return EMU_PROTO_CSC_V2;
    return -1;
}

const char *emu_protocol_name(emu_protocol p)
{
    return p == EMU_PROTO_CSC_V1 ? "csc-v1" : p == EMU_PROTO_CSC_V2 ? "csc-v2" : "rssp";
}

const char *emu_protocol_prefix(emu_protocol p)
{
    return p == EMU_PROTO_CSC_V1 ? "/csc/v1/" : p == EMU_PROTO_CSC_V2 ? "/csc/v2/" : "/rssp/v1/";
}
