# Shared helpers for the real-client tests (tests/clients/<client>.sh).
# Source it after `set -euo pipefail`:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   need_bin pkcs11-tool          # exit 77 (ctest SKIP) if the client is absent
#   token_start                   # a fresh token; see "The token" below
#   run pkcs11-tool --module "$MODULE" -L
#
# Every command goes through `run`, which prints it, prints what it wrote, and
# on failure stops the test with the client's own output. Checks on results go
# through `expect_*`, which say what was expected and what was seen.
#
# The token (set by token_start):
#   MODULE        the PKCS#11 module to load
#   MODULE_CONF   its configuration file; exported as RSSP_PKCS11_CONF
#   PIN           the user PIN of every token
#   ROOT_PEM      the root CA certificate (the trust anchor)
#   CHAIN_PEM     the intermediate CA certificates (may be an empty file)
#   CA_PEM        ROOT_PEM + CHAIN_PEM
#   KEYS          key names, e.g. (rsa2048 rsa3072 p256 p384); for each name k:
#     K_TYPE[k]   rsa | ec
#     K_TOKEN[k]  the token label of the slot holding the key
#     K_LABEL[k]  CKA_LABEL of the certificate and the private key
#     K_ID[k]     CKA_ID, hex
#     K_CERT[k]   the end-entity certificate (PEM), known from outside the token
#     K_PUB[k]    its public key (PEM), extracted with openssl
#     K_HASH[k]   the hash that suits the key size (sha256, sha384)
#   RSA, EC       the first RSA and the first EC key name
#
# Backends: RSSP_CLIENT_BACKEND=emulator (default: our module, $RSSP_MODULE,
# against a fresh emulator, $RSSP_EMULATOR) or softhsm (SoftHSM2, the
# reference token, for comparing a behaviour in doubt).

# shellcheck disable=SC2034 # REPO_DIR and the token variables serve the
# scripts and backends that source this file.
CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$CLIENTS_DIR/../.." && pwd)
TEST_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
SKIP=77
LAST_OUT=""

declare -a KEYS=()
declare -a CLEANUPS=()
declare -A K_TYPE=() K_TOKEN=() K_LABEL=() K_ID=() K_CERT=() K_PUB=() K_HASH=()

say() {
    printf '%s\n' "$*"
}

# Stop the test: the reason, then whatever the last client printed.
fail() {
    printf '\nFAIL [%s]: %s\n' "$TEST_NAME" "$*" >&2
    exit 1
}

skip() {
    printf 'SKIP [%s]: %s\n' "$TEST_NAME" "$*"
    exit "$SKIP"
}

ok() {
    printf 'ok: %s\n' "$*"
}

# Skip only when a client program is genuinely not installed.
need_bin() {
    local b
    for b in "$@"; do
        command -v "$b" >/dev/null 2>&1 || skip "$b is not installed"
    done
}

need_file() {
    local f
    for f in "$@"; do
        [ -e "$f" ] || skip "$f is not installed"
    done
}

# The command line as a user would type it.
show_cmd() {
    local out="" a
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then
            out+=" $a"
        else
            out+=" '${a//\'/\'\\\'\'}'"
        fi
    done
    printf '\n$%s\n' "$out"
}

# run CMD...: print it, run it with stdin closed, keep its output (stdout and
# stderr) in $LAST_OUT and print it; a non-zero exit fails the test.
run() {
    local n=$((${RUN_N:-0} + 1))
    RUN_N=$n
    LAST_OUT="$WORK/out.$n"
    show_cmd "$@"
    local rc=0
    "$@" </dev/null >"$LAST_OUT" 2>&1 || rc=$?
    sed 's/^/  | /' "$LAST_OUT"
    [ "$rc" -eq 0 ] || fail "$1 exited with status $rc (its output is above)"
}

# run_status CMD...: like run, but returns the exit status instead of failing.
run_status() {
    local n=$((${RUN_N:-0} + 1))
    RUN_N=$n
    LAST_OUT="$WORK/out.$n"
    show_cmd "$@"
    local rc=0
    "$@" </dev/null >"$LAST_OUT" 2>&1 || rc=$?
    sed 's/^/  | /' "$LAST_OUT"
    [ "$rc" -eq 0 ] || say "  (exit status $rc)"
    return "$rc"
}

# expect_out REGEX WHAT: the last command's output matches the (extended) regex.
expect_out() {
    grep -Eq -- "$1" "$LAST_OUT" || fail "expected $2: no line of the output above matches /$1/"
    ok "$2"
}

# expect_no_out REGEX WHAT: the last command's output does not match.
expect_no_out() {
    if grep -Eq -- "$1" "$LAST_OUT"; then
        fail "expected $2: the output above matches /$1/"
    fi
    ok "$2"
}

expect_same_file() {
    cmp -s "$1" "$2" || fail "expected $3: $1 and $2 differ"
    ok "$3"
}

# Regex-quote a literal string.
re_quote() {
    # shellcheck disable=SC2016
    printf '%s' "$1" | sed -e 's/[][\.*^$(){}?+|/]/\\&/g'
}

# Percent-encode every byte, as RFC 7512 allows, so any label fits a URI.
pct() {
    printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/../%&/g'
}

# Percent-encode as GnuTLS and p11-kit print URIs (only bytes outside
# RFC 3986 unreserved characters and a few separators).
pct_soft() {
    local LC_ALL=C s=$1 i c out=""
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9._~-]) out+=$c ;;
        *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

# pkcs11 URI of key k: uri k private|cert|public [extra attributes]
uri() {
    local k=$1 type=$2 extra=${3:-}
    printf 'pkcs11:token=%s;id=%s;type=%s%s' "$(pct "${K_TOKEN[$k]}")" \
        "$(printf '%s' "${K_ID[$k]}" | sed 's/../%&/g')" "$type" "$extra"
}

# Register a cleanup command (run in reverse order at exit).
at_exit() {
    CLEANUPS+=("$*")
}

_cleanup() {
    local rc=$? i
    set +e
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${CLEANUPS[$i]}" >/dev/null 2>&1
    done
    if [ -n "${RSSP_CLIENT_KEEP:-}" ]; then
        say "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    local secs=$((SECONDS - ${_T0:-0}))
    if [ "$rc" -eq 0 ]; then
        say "PASS [$TEST_NAME] in ${secs}s"
    elif [ "$rc" -ne "$SKIP" ]; then
        say "FAILED [$TEST_NAME] after ${secs}s" >&2
    fi
    exit "$rc"
}

# A private work directory, removed at exit; HOME and the XDG directories point
# into it so no client reads or writes the user's own settings or caches.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rssp-$TEST_NAME.XXXXXX")
_T0=$SECONDS
trap _cleanup EXIT
trap 'exit 130' INT TERM
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
export LC_ALL=C.UTF-8

# Public key and hash of each key, from its certificate (not from the token).
_key_derive() {
    local k
    for k in "${KEYS[@]}"; do
        K_PUB[$k]="$WORK/$k.pub.pem"
        openssl x509 -in "${K_CERT[$k]}" -noout -pubkey >"${K_PUB[$k]}" ||
            fail "cannot read the certificate ${K_CERT[$k]}"
        local bits
        bits=$(openssl pkey -pubin -in "${K_PUB[$k]}" -noout -text | sed -n 's/.*(\([0-9]*\) bit).*/\1/p' | head -1)
        if [ "${K_TYPE[$k]}" = ec ] && [ "${bits:-0}" -gt 256 ]; then
            K_HASH[$k]=sha384
        else
            K_HASH[$k]=sha256
        fi
    done
    RSA="" EC=""
    for k in "${KEYS[@]}"; do
        if [ "${K_TYPE[$k]}" = rsa ] && [ -z "$RSA" ]; then
            RSA=$k
        elif [ "${K_TYPE[$k]}" = ec ] && [ -z "$EC" ]; then
            EC=$k
        fi
    done
    if [ -z "$RSA" ] || [ -z "$EC" ]; then
        fail "the token needs an RSA and an EC key"
    fi
    cat "$ROOT_PEM" "$CHAIN_PEM" >"$WORK/ca-bundle.pem"
    CA_PEM="$WORK/ca-bundle.pem"
}

# Start a fresh token with the selected backend and describe it (see above).
token_start() {
    local backend=${RSSP_CLIENT_BACKEND:-emulator}
    # shellcheck source=/dev/null
    . "$CLIENTS_DIR/backend-$backend.sh" || fail "unknown backend $backend"
    backend_start
    _key_derive
    say "token: backend $backend, module $MODULE"
    local k
    for k in "${KEYS[@]}"; do
        say "  $k: ${K_TYPE[$k]} token '${K_TOKEN[$k]}' label '${K_LABEL[$k]}' id ${K_ID[$k]}"
    done
}

# Some programs open read-write sessions by habit even to sign (OpenSSH,
# pkcs11-tool --test); the module accepts them by default while every object
# stays read-only (docs/module.md). `read_write_sessions = false` refuses
# them, as a strict reading of PKCS#11 would for a write-protected token.
# This writes that configuration beside MODULE_CONF, so its relative paths
# still hold, and prints its path; MODULE_CONF itself is left alone.
strict_sessions_conf() {
    local conf=${MODULE_CONF%/*}/strict-sessions.conf
    awk '{ print } /^\[module\]/ { print "read_write_sessions = false" }' "$MODULE_CONF" >"$conf"
    chmod 600 "$conf"
    grep -q '^read_write_sessions = false$' "$conf" || fail "no [module] section in $MODULE_CONF"
    printf '%s\n' "$conf"
}

# conf_copy DIR: DIR/rssp-pkcs11.conf, a copy of MODULE_CONF whose files (CA,
# secrets, keys) are copied into DIR with their modes and named by absolute
# paths, with the cache and the log in DIR: a configuration that another user
# can be given whole (chown -R), wherever it is read from.
conf_copy() {
    local dir=$1 src_dir line value n=0
    src_dir=$(dirname "$MODULE_CONF")
    mkdir -p "$dir"
    (umask 077 && : >"$dir/rssp-pkcs11.conf")
    while IFS= read -r line || [ -n "$line" ]; do
        if [[ $line =~ ^(ca_file|password_file|key_file|key_password_file|api_secret_file)[[:space:]]*=[[:space:]]*([^[:space:]].*[^[:space:]]|[^[:space:]])[[:space:]]*$ ]]; then
            value=${BASH_REMATCH[2]}
            [[ $value == /* ]] || value=$src_dir/$value
            n=$((n + 1))
            cp -p "$value" "$dir/$n.${BASH_REMATCH[1]}" || fail "cannot copy $value"
            line="${BASH_REMATCH[1]} = $dir/$n.${BASH_REMATCH[1]}"
        elif [[ $line =~ ^cache_dir[[:space:]]*= ]]; then
            line="cache_dir = $dir/cache"
        elif [[ $line =~ ^log_file[[:space:]]*= ]]; then
            line="log_file = $dir/rssp.log"
        fi
        printf '%s\n' "$line" >>"$dir/rssp-pkcs11.conf"
    done <"$MODULE_CONF"
}

# The service's signature count (signatures/signHash calls), or empty when
# the backend has no service.
remote_signatures() {
    backend_remote_signatures || fail "cannot read the emulator's statistics"
}

# expect_remote_signatures BEFORE MIN MAX WHAT: the service signed between MIN
# and MAX times since BEFORE was read (nothing to check without a service).
expect_remote_signatures() {
    local before=$1 min=$2 max=$3 what=$4 now
    [ -n "$before" ] || return 0
    now=$(remote_signatures)
    local n=$((now - before))
    if [ "$n" -lt "$min" ] || [ "$n" -gt "$max" ]; then
        fail "expected $what: the service signed $n times"
    fi
    ok "$what ($n remote signature(s))"
}
