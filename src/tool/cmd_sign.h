/* Subcommands that authorize a credential and sign with it: authorize, sign. */
#ifndef RSSP_TOOL_CMD_SIGN_H
#define RSSP_TOOL_CMD_SIGN_H

#include "tool/tool.h"

int cmd_authorize(tool_ctx *ctx, int argc, char **argv);
int cmd_sign(tool_ctx *ctx, int argc, char **argv);

#endif
