# shellcheck shell=bash
# Shared helpers for the desktop tests (tests/desktop/<program>.sh): the
# real-client library (tests/clients/lib.sh: a private emulator, the token
# description, run/expect/fail, a private HOME removed at exit) plus what a
# browser test needs. Source it after `set -euo pipefail`:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   step "start the TLS server"     # named in every failure message
#   tls_server_start                # nginx on a free loopback port, client auth required
#   user_config                     # the module's configuration where the docs put it
#   start_bg NAME CMD...            # a program in its own process group, stopped at exit
#
# Every program started here gets its own process group and is stopped by
# that group's id (TERM, then KILL after a few seconds) when the test ends,
# pass or fail; the test fails if anything of it is still alive afterwards.

# shellcheck source=tests/clients/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../clients/lib.sh"
TEST_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
# shellcheck disable=SC2034 # used by the sourcing scripts
DESKTOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STEP="set-up"

# Every failure names the step it happened in.
fail() {
    printf '\nFAIL [%s] step "%s": %s\n' "$TEST_NAME" "$STEP" "$*" >&2
    exit 1
}

step() {
    STEP=$1
    printf '\n== %s (%ss)\n' "$STEP" "$((SECONDS - _T0))"
}

# start_bg NAME CMD...: run CMD in the background in a new process group
# (setsid), output to $WORK/NAME.log; sets BG_PID[NAME]. Stopped at exit.
declare -A BG_PID=()
start_bg() {
    local name=$1
    shift
    setsid "$@" </dev/null >"$WORK/$name.log" 2>&1 &
    BG_PID[$name]=$!
    at_exit "stop_bg $name"
}

# bg_alive NAME: true while the process runs (an unreaped zombie is dead; kill -0
# alone would call it alive).
bg_alive() {
    local pid=${BG_PID[$1]:-} state
    [ -n "$pid" ] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# stop_bg NAME: TERM the process group, KILL it after 10 s; report leftovers.
stop_bg() {
    local name=$1 pid=${BG_PID[$1]:-} i
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 -- "-$pid" 2>/dev/null; then
        say "$name (process group $pid) ignored SIGTERM for 10 s; killing it" >&2
        kill -KILL -- "-$pid" 2>/dev/null || true
        sleep 0.5
    fi
    wait "$pid" 2>/dev/null || true
    unset "BG_PID[$name]"
    if kill -0 -- "-$pid" 2>/dev/null; then
        say "LEFT RUNNING: $name (process group $pid)" >&2
        return 1
    fi
}

# A free loopback TCP port (the kernel's choice; the caller binds it at once).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# user_config: the module's configuration at the place the docs tell users
# to put it (~/.config/rssp-pkcs11/rssp-pkcs11.conf, mode 0600), every
# relative path of the emulator's demo configuration made absolute. The
# programs then need no environment variable.
user_config() {
    local dir=$XDG_CONFIG_HOME/rssp-pkcs11 base
    base=$(dirname "$MODULE_CONF")
    mkdir -p "$dir"
    awk -v base="$base" '
        /^[a-z_]*(file|dir) *=/ {
            n = index($0, "="); key = substr($0, 1, n - 1); val = substr($0, n + 1)
            sub(/^ +/, "", val); sub(/ +$/, "", key)
            if (substr(val, 1, 1) != "/") { print key " = " base "/" val; next }
        }
        { print }' "$MODULE_CONF" >"$dir/rssp-pkcs11.conf"
    chmod 600 "$dir/rssp-pkcs11.conf"
    unset RSSP_PKCS11_CONF
    USER_CONF=$dir/rssp-pkcs11.conf
    say "module configuration: $USER_CONF"
}

# tls_server_start: nginx on 127.0.0.1:<free port> with the emulator's
# server certificate (127.0.0.1, localhost), requiring a client certificate
# issued by the emulator's CA. No keep-alive, no session cache or tickets: every
# request is a new connection with a full handshake, so each one costs one
# client signature. The access log records, per request, what the server
# verified: TLS_LOG lines "URI verify=… serial=… fp=… proto=… dn=…".
# Sets TLS_PORT, TLS_LOG.
tls_server_start() {
    need_bin nginx
    local dir=$WORK/nginx _
    mkdir -p "$dir/tmp"
    TLS_LOG=$dir/access.log
    for _ in 1 2 3; do
        TLS_PORT=$(free_port)
        cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/tmp;
    proxy_temp_path $dir/tmp;
    fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp;
    scgi_temp_path $dir/tmp;
    log_format clientauth '\$request_uri verify=\$ssl_client_verify serial=\$ssl_client_serial fp=\$ssl_client_fingerprint proto=\$ssl_protocol reused=\$ssl_session_reused dn=\$ssl_client_s_dn';
    server {
        listen 127.0.0.1:$TLS_PORT ssl;
        ssl_protocols TLSv1.3;
        ssl_certificate $EMU_DIR/tls/server-cert.pem;
        ssl_certificate_key $EMU_DIR/tls/server-key.pem;
        ssl_client_certificate $CA_PEM;
        ssl_verify_client on;
        ssl_verify_depth 3;
        ssl_session_cache off;
        ssl_session_tickets off;
        keepalive_timeout 0;
        access_log $TLS_LOG clientauth;
        location / {
            default_type text/plain;
            add_header Cache-Control no-store;
            return 200 "client certificate: \$ssl_client_s_dn\n";
        }
    }
}
EOF
        start_bg nginx nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"
        local i
        for ((i = 0; i < 100; i++)); do
            if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$TLS_PORT" 2>/dev/null; then
                say "TLS server: https://127.0.0.1:$TLS_PORT/ (nginx, client certificate required)"
                return 0
            fi
            kill -0 "${BG_PID[nginx]}" 2>/dev/null || break
            sleep 0.05
        done
        stop_bg nginx || true
        sed 's/^/  nginx: /' "$dir/error.log" "$WORK/nginx.log" 2>/dev/null || true
    done
    fail "nginx did not start on a free loopback port (three tries; its log is above)"
}

# tls_log_lines: how many requests the server has logged so far.
tls_log_lines() {
    if [ -f "$TLS_LOG" ]; then wc -l <"$TLS_LOG"; else echo 0; fi
}

# expect_server_saw FROM URI KEY: the server's access log (after line FROM)
# has URI, verified (SUCCESS) with key KEY's certificate (serial and SHA-1
# fingerprint computed from the issued certificate, not from the token).
expect_server_saw() {
    local from=$1 path=$2 k=$3 serial fp line
    serial=$(openssl x509 -in "${K_CERT[$k]}" -noout -serial | cut -d= -f2)
    fp=$(openssl x509 -in "${K_CERT[$k]}" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d : | tr 'A-F' 'a-f')
    line=$(tail -n "+$((from + 1))" "$TLS_LOG" | grep -E "^$(re_quote "$path") " | tail -1 || true)
    [ -n "$line" ] || fail "the TLS server logged no request for $path (its log: $(tail -n 3 "$TLS_LOG" 2>/dev/null))"
    say "  server: $line"
    case $line in
    *" verify=SUCCESS "*) ;;
    *) fail "the TLS server did not verify a client certificate for $path: $line" ;;
    esac
    case $line in
    *" serial=$serial fp=$fp "*) ;;
    *) fail "the TLS server saw another certificate for $path than $k's (serial $serial, SHA-1 $fp): $line" ;;
    esac
    case $line in
    *" reused=. "*) ;;
    *) fail "the TLS connection for $path resumed a session: no new client signature was needed" ;;
    esac
    ok "the server verified $k's certificate for $path (${line##* proto=})"
}
