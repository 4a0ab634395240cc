/*
 * rssp-tool doctor: where the module is registered — the NSS databases of
 * Firefox, Thunderbird and Chromium, and p11-kit module files (docs/tool.md).
 */
#ifndef RSSP_TOOL_DOCTOR_PLACES_H
#define RSSP_TOOL_DOCTOR_PLACES_H

#include "tool/doctor_report.h"

/* Report the module file and every place; module is the expected path, name the NSS entry's. */
void doctor_check_places(doctor_report *r, const char *module, const char *name);

#endif
