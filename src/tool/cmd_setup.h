/* rssp-tool setup: the first run (docs/tool.md#setup). */
#ifndef RSSP_TOOL_CMD_SETUP_H
#define RSSP_TOOL_CMD_SETUP_H

#include "tool/tool.h"

int cmd_setup(tool_ctx *ctx, int argc, char **argv);

#endif
