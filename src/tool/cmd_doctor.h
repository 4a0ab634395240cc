/*
 * rssp-tool doctor: check the configuration, the way to the service, the
 * logins, the certificates, the cache and where the module is registered,
 * one line per check (docs/tool.md).
 */
#ifndef RSSP_TOOL_CMD_DOCTOR_H
#define RSSP_TOOL_CMD_DOCTOR_H

#include "tool/tool.h"

int cmd_doctor(tool_ctx *ctx, int argc, char **argv);

#endif
