#!/bin/bash
# rssp-fault-proxy from a shell test (tests/support/fault_proxy.sh): every
# command answers, and drop / no_answer / refuse / stall reach the client.
set -euo pipefail
# shellcheck source=../../support/emulator.sh
source "$RSSP_EMULATOR_SH"
# shellcheck source=../../support/fault_proxy.sh
source "$RSSP_FAULT_PROXY_SH"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

emu_start
proxy_start

info() {
    curl -sS --max-time 5 --connect-timeout 1 --cacert "$EMU_CA" -X POST \
        -H 'Content-Type: application/json' -d '{}' "${PROXY_URL}info"
}
served() {
    emu_admin GET stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"].get("info", 0))'
}
# stat NAME: a counter of the proxy's stats, in STAT.
stat() {
    proxy_cmd stats
    STAT=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$PROXY_ANSWER" "$1")
}

[[ "$(info)" == *'"responseCode":0'* ]] || fail "info through the proxy"
[[ "$(served)" == 1 ]] || fail "the emulator saw $(served) info requests, not 1"

proxy_cmd rule drop 1 match=info
info 2>/dev/null && fail "a dropped request was answered"
[[ "$(served)" == 1 ]] || fail "a dropped request reached the emulator"

proxy_cmd rule no_answer 1 match=info
info 2>/dev/null && fail "a no_answer request was answered"
[[ "$(served)" == 2 ]] || fail "a no_answer request did not reach the emulator"

proxy_cmd refuse 2000
info 2>/dev/null && fail "a refused connection was answered"
proxy_cmd refuse 0

proxy_cmd stall
sleep 0.1
info 2>/dev/null && fail "a stalled connection was answered"
proxy_cmd pass

proxy_cmd bogus && fail "an unknown command was accepted"
stat faults
[[ "$STAT" == 2 ]] || fail "the proxy counted $STAT faults, not 2"
proxy_cmd stats
echo "ok: $PROXY_ANSWER"
