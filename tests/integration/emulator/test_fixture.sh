#!/usr/bin/env bash
# The shell fixture (tests/support/emulator.sh): start, call, stop, nothing left.
set -euo pipefail
source "$RSSP_EMULATOR_SH"
emu_start
root=$EMU_ROOT
[[ "$EMU_URL" == https://127.0.0.1:*/rssp/v1/ ]]
out=$(curl -sS --cacert "$EMU_CA" -X POST -H 'Content-Type: application/json' -d '{}' "${EMU_URL}info")
grep -q '"responseCode":0' <<<"$out"
emu_admin GET stats | grep -q '"requests"'
emu_restart
curl -sS --cacert "$EMU_CA" -X POST -H 'Content-Type: application/json' -d '{}' "${EMU_URL}info" | grep -q '"name":"rssp-emulator"'
emu_stop
[[ ! -e "$root" ]]
echo ok
