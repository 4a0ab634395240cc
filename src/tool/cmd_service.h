/* Subcommands that query the service: info, login, list, cert, revoke. */
#ifndef RSSP_TOOL_CMD_SERVICE_H
#define RSSP_TOOL_CMD_SERVICE_H

#include "tool/tool.h"

int cmd_info(tool_ctx *ctx, int argc, char **argv);
int cmd_login(tool_ctx *ctx, int argc, char **argv);
int cmd_list(tool_ctx *ctx, int argc, char **argv);
int cmd_cert(tool_ctx *ctx, int argc, char **argv);
int cmd_revoke(tool_ctx *ctx, int argc, char **argv);

#endif
