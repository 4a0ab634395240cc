# Bash library: a private rssp-emulator for one shell test. Source it:
#
#   export RSSP_EMULATOR=/path/to/rssp-emulator   # CMake: $<TARGET_FILE:rssp-emulator>
#   source tests/support/emulator.sh
#   emu_start [extra serve args...]   # sets EMU_ROOT EMU_DIR EMU_URL EMU_ADMIN_URL
#                                     #      EMU_CONF EMU_FIXTURE EMU_CA EMU_PID EMU_LOG
#   emu_admin GET outbox              # curl on /_emulator/<what> [JSON body]
#   emu_approve 30001                 # approve the pending IMPLICIT request (waits for it)
#   emu_last_otp 20001                # print the newest OTP of a credential
#   emu_stop                          # also run by the EXIT trap
#
# RSSP_EMULATOR_TEMPLATE: an init template folder (copied, made on first use);
# "none" = a full init each time. EMU_SERVE_ARGS_DEFAULT: arguments always added
# (default "--admin"). Everything lives in one mktemp folder removed by emu_stop.
# RSSP_TEST_PROTOCOL: rssp (default), csc-v1 or csc-v2: the dialect served
# (`serve --protocol`); EMU_CONF is then DIR/<protocol>/rssp-pkcs11.conf.

EMU_PID=""
EMU_ROOT=""

_emu_log() {
    [[ -n "$EMU_LOG" && -f "$EMU_LOG" ]] && sed 's/^/  serve: /' "$EMU_LOG" >&2
}

emu_stop() {
    local rc=0
    if [[ -n "$EMU_PID" ]]; then
        kill -TERM "$EMU_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 1000; i++)); do
            kill -0 "$EMU_PID" 2>/dev/null || break
            sleep 0.01
        done
        if kill -0 "$EMU_PID" 2>/dev/null; then
            echo "emulator.sh: server $EMU_PID ignored SIGTERM; killing it" >&2
            kill -KILL "$EMU_PID" 2>/dev/null || true
            rc=1
        fi
        wait "$EMU_PID" 2>/dev/null || rc=$?
        EMU_PID=""
    fi
    if [[ -n "$EMU_ROOT" && -d "$EMU_ROOT" ]]; then
        rm -rf -- "$EMU_ROOT"
    fi
    EMU_ROOT=""
    return "$rc"
}

# Stop only the server, keep the folder (restarts).
emu_stop_server() {
    local root="$EMU_ROOT"
    EMU_ROOT=""
    emu_stop
    local rc=$?
    EMU_ROOT="$root"
    return "$rc"
}

# Start (or restart, on the existing folder) the server.
_emu_serve() {
    rm -f "$EMU_DIR/url"
    # shellcheck disable=SC2086
    "$RSSP_EMULATOR" serve "$EMU_DIR" --port 0 --protocol "$EMU_PROTOCOL" \
        ${EMU_SERVE_ARGS_DEFAULT---admin} "$@" </dev/null >>"$EMU_LOG" 2>&1 &
    EMU_PID=$!
    local i
    for ((i = 0; i < 3000; i++)); do
        if [[ -s "$EMU_DIR/url" ]]; then
            EMU_URL=$(head -n1 "$EMU_DIR/url")
            # https://host:port/<api prefix>/ -> https://host:port/_emulator/
            EMU_ADMIN_URL="$(sed -E 's#^(https://[^/]+)/.*#\1#' <<<"$EMU_URL")/_emulator/"
            return 0
        fi
        if ! kill -0 "$EMU_PID" 2>/dev/null; then
            echo "emulator.sh: the server exited during start-up" >&2
            _emu_log
            EMU_PID=""
            return 1
        fi
        sleep 0.01
    done
    echo "emulator.sh: no $EMU_DIR/url after 30 s" >&2
    _emu_log
    return 1
}

emu_restart() {
    emu_stop_server || true
    _emu_serve "$@"
}

_emu_template() {
    if [[ -n "${RSSP_EMULATOR_TEMPLATE:-}" ]]; then
        echo "$RSSP_EMULATOR_TEMPLATE"
    elif [[ -n "${RSSP_EMULATOR_TEMPLATE_BASE:-}" ]]; then
        echo "$RSSP_EMULATOR_TEMPLATE_BASE-$(stat -c '%Y-%s' "$RSSP_EMULATOR")"
    else
        echo none
    fi
}

emu_start() {
    if [[ -z "${RSSP_EMULATOR:-}" || ! -x "$RSSP_EMULATOR" ]]; then
        echo "emulator.sh: set RSSP_EMULATOR to the rssp-emulator binary" >&2
        return 1
    fi
    EMU_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/rssp-emu-XXXXXX") || return 1
    trap emu_stop EXIT
    EMU_DIR="$EMU_ROOT/emu"
    EMU_LOG="$EMU_ROOT/serve.log"
    EMU_PROTOCOL=${RSSP_TEST_PROTOCOL:-rssp}
    case $EMU_PROTOCOL in
    rssp) EMU_CONF="$EMU_DIR/rssp-pkcs11.conf" ;;
    csc-v1 | csc-v2) EMU_CONF="$EMU_DIR/$EMU_PROTOCOL/rssp-pkcs11.conf" ;;
    *)
        echo "emulator.sh: RSSP_TEST_PROTOCOL=$EMU_PROTOCOL is not rssp, csc-v1 or csc-v2" >&2
        return 1
        ;;
    esac
    EMU_FIXTURE="$EMU_DIR/fixture.json"
    EMU_CA="$EMU_DIR/ca.pem"
    local tpl
    tpl=$(_emu_template)
    local init=("$RSSP_EMULATOR" init "$EMU_DIR" --quiet)
    [[ "$tpl" != none ]] && init+=(--template "$tpl")
    if ! "${init[@]}" >>"$EMU_LOG" 2>&1; then
        echo "emulator.sh: ${init[*]} failed" >&2
        _emu_log
        emu_stop
        return 1
    fi
    _emu_serve "$@" || { emu_stop; return 1; }
}

emu_admin() {
    local method=$1 what=$2 body=${3:-}
    local args=(-sS --cacert "$EMU_CA" -X "$method" -H 'Content-Type: application/json')
    [[ -n "$body" ]] && args+=(--data "$body")
    curl "${args[@]}" "$EMU_ADMIN_URL$what"
}

emu_approve() {
    local id=$1 verb=${2:-approve} i code
    for ((i = 0; i < 3000; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$EMU_CA" -X POST \
            -H 'Content-Type: application/json' --data "{\"credentialID\":\"$id\"}" \
            "$EMU_ADMIN_URL$verb")
        [[ "$code" == 200 ]] && return 0
        [[ "$code" == 404 ]] || return 1
        sleep 0.01
    done
    return 1
}

emu_last_otp() {
    emu_admin GET outbox | python3 -c '
import json, sys
msgs = [m for m in json.load(sys.stdin) if m.get("credentialID") == sys.argv[1]]
if not msgs:
    sys.exit(1)
print(msgs[-1]["otp"])' "$1"
}
