/* rssp-tool doctor: the module's credential list cache (docs/tool.md). */
#ifndef RSSP_TOOL_DOCTOR_CACHE_H
#define RSSP_TOOL_DOCTOR_CACHE_H

#include "config/config.h"
#include "rssp/client.h"
#include "tool/doctor_report.h"

/*
 * The cache of cfg: private, readable, fresh or stale, and — when live is
 * not NULL (the service's list) — whether it lists the same credentials.
 */
void doctor_check_cache(doctor_report *r, const rssp_config *cfg, const rssp_credential_list *live);

#endif
