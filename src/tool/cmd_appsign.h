/* rssp-tool appsign make | verify: App-Authentication signs (include/rssp/appsign.h). */
#ifndef RSSP_TOOL_CMD_APPSIGN_H
#define RSSP_TOOL_CMD_APPSIGN_H

#include "tool/tool.h"

int cmd_appsign(tool_ctx *ctx, int argc, char **argv);

#endif
