# shellcheck shell=bash
# Bash library: the fault proxy (fault_proxy.h) for shell tests. Source it
# after emulator.sh and emu_start:
#
#   export RSSP_FAULT_PROXY=/path/to/rssp-fault-proxy  # CMake: ${RSSP_FAULT_PROXY_BIN}
#   source tests/support/fault_proxy.sh
#   proxy_start                  # sets PROXY_PORT and PROXY_URL (EMU_URL through the proxy)
#   proxy_cmd rule no_answer 1 match=signHash reused reset=1   # answer in PROXY_ANSWER
#   proxy_cmd stats              # PROXY_ANSWER={"connections":..,"maxInFlight":..}
#
# proxy_cmd must run in the test's own shell, not in $(...): bash does not
# hand a coprocess's pipes to subshells.
#   proxy_stop                   # also run by emu_stop's EXIT trap chain below
#
# Commands: see fault_proxy_main.c (pass, stall, refuse MS, reset N, rule ...,
# slow BYTES MS, close, stats, zero). A command answered "error: ..." fails.

PROXY_PID="" # set by coproc PROXY

proxy_start() {
    if [[ -z "${RSSP_FAULT_PROXY:-}" || ! -x "$RSSP_FAULT_PROXY" ]]; then
        echo "fault_proxy.sh: set RSSP_FAULT_PROXY to the rssp-fault-proxy binary" >&2
        return 1
    fi
    local port=${EMU_URL#https://*:}
    port=${port%%/*}
    coproc PROXY { "$RSSP_FAULT_PROXY" "$EMU_DIR" "$port"; }
    if ! read -r -t 10 PROXY_PORT <&"${PROXY[0]}"; then
        echo "fault_proxy.sh: the proxy did not start" >&2
        return 1
    fi
    # shellcheck disable=SC2034 # for the test that sources this file
    PROXY_URL="https://127.0.0.1:$PROXY_PORT/${EMU_URL#https://*/}"
    trap 'proxy_stop; emu_stop' EXIT
}

proxy_cmd() {
    PROXY_ANSWER=""
    echo "$*" >&"${PROXY[1]}"
    read -r -t 10 PROXY_ANSWER <&"${PROXY[0]}" || return 1
    [[ "$PROXY_ANSWER" != error:* ]]
}

proxy_stop() {
    if [[ -n "$PROXY_PID" ]]; then
        { echo quit >&"${PROXY[1]}"; } 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
        PROXY_PID=""
    fi
}
