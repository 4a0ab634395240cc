/*
 * rssp-tool register | unregister: add the module to (or remove it from) the
 * NSS databases of Firefox, Thunderbird, Chromium or one folder, as a module
 * whose certificates are public (docs/tool.md).
 */
#ifndef RSSP_TOOL_CMD_REGISTER_H
#define RSSP_TOOL_CMD_REGISTER_H

#include "tool/tool.h"

int cmd_register(tool_ctx *ctx, int argc, char **argv);
int cmd_unregister(tool_ctx *ctx, int argc, char **argv);

#endif
