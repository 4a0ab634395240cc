# shellcheck shell=bash
# Helpers for the configuration tests: a private emulator, private HOME and
# XDG folders, and a real Secret Service (gnome-keyring-daemon) on a private
# D-Bus session bus. Source it from a script that re-runs itself under
# dbus-run-session with in_private_session "$0" "$@".
set -euo pipefail
: "${RSSP_MODULE:?path of rssp-pkcs11.so}" "${RSSP_EMULATOR:?path of rssp-emulator}"
: "${RSSP_TOOL:?path of rssp-tool}" "${RSSP_PKCS11_KEYRING_HELPER:?path of rssp-keyring}"
export RSSP_PKCS11_KEYRING_HELPER
# shellcheck source=../../support/emulator.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../support/emulator.sh"

KEYRING_PID=""
KEYRING_LOG=""

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

skip() {
    echo "SKIP: $*"
    exit 77
}

# Re-run the calling script on a private session bus (once).
in_private_session() {
    [[ -n "${RSSP_TEST_PRIVATE_BUS:-}" ]] && return 0
    command -v dbus-run-session >/dev/null || skip "dbus-run-session is not installed (package dbus)"
    RSSP_TEST_PRIVATE_BUS=1 exec dbus-run-session -- bash "$@"
}

# keyring_stop: end the daemon started by keyring_start (by its pid).
keyring_stop() {
    if [[ -n "$KEYRING_PID" ]]; then
        kill "$KEYRING_PID" 2>/dev/null || true
        wait "$KEYRING_PID" 2>/dev/null || true
        KEYRING_PID=""
    fi
}

cleanup() {
    keyring_stop
    emu_stop
}

# private_home DIR: HOME and the XDG folders inside DIR, nothing of the caller's.
private_home() {
    local dir=$1
    export HOME=$dir/home XDG_RUNTIME_DIR=$dir/run XDG_CONFIG_HOME=$dir/home/.config
    export XDG_DATA_HOME=$dir/home/.local/share XDG_CACHE_HOME=$dir/home/.cache
    mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
    chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
    unset RSSP_PKCS11_CONF RSSP_PKCS11_URL
}

# Whether the session bus has an owner for org.freedesktop.secrets (never activates one).
secret_service_up() {
    gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null |
        grep -q true
}

# keyring_start: an unlocked login keyring for the private HOME (skips if
# gnome-keyring cannot start here).
keyring_start() {
    command -v gnome-keyring-daemon >/dev/null ||
        skip "gnome-keyring-daemon is not installed (package gnome-keyring)"
    command -v gdbus >/dev/null || skip "gdbus is not installed (package libglib2.0-bin)"
    KEYRING_LOG=$HOME/gnome-keyring.log
    local started=$SECONDS
    printf '%s' "login-keyring-password" |
        gnome-keyring-daemon --foreground --unlock --components=secrets >"$KEYRING_LOG" 2>&1 &
    KEYRING_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        secret_service_up && break
        kill -0 "$KEYRING_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! secret_service_up; then
        cat "$KEYRING_LOG" >&2
        keyring_stop
        skip "gnome-keyring-daemon did not provide a Secret Service on the private bus"
    fi
    echo "keyring: gnome-keyring-daemon $KEYRING_PID up in $((SECONDS - started)) s"
}

# lock_keyring: lock the default collection (as after a screen lock).
lock_keyring() {
    gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
        --method org.freedesktop.Secret.Service.Lock \
        "['/org/freedesktop/secrets/aliases/default']" >/dev/null
}

# sign_and_verify CONF: log in to the first token through the module with the
# configuration CONF (or the default search when CONF is empty), sign a
# document and verify the signature with openssl against the token's
# certificate.
sign_and_verify() {
    local conf=$1 work
    work=$(mktemp -d "$HOME/sign-XXXXXX")
    local env=()
    [[ -n "$conf" ]] && env=(RSSP_PKCS11_CONF="$conf")
    local p11=(env "${env[@]}" pkcs11-tool --module "$RSSP_MODULE" --slot-index 0)
    printf 'Invoice 2024-001: 100.00 EUR\n' >"$work/doc"
    local id
    id=$("${p11[@]}" --list-objects --type cert 2>/dev/null | awk '/ID:/ { print $2; exit }')
    [[ -n "$id" ]] || fail "no certificate on token 0"
    p11+=(--id "$id")
    "${p11[@]}" --read-object --type cert -o "$work/cert.der" >"$work/log" 2>&1 ||
        { cat "$work/log"; fail "cannot read the certificate of token 0"; }
    openssl x509 -inform DER -in "$work/cert.der" -pubkey -noout >"$work/pub.pem"
    local mech=SHA256-RSA-PKCS fmt=()
    if ! openssl pkey -pubin -in "$work/pub.pem" -text -noout | grep -q Modulus; then
        mech=ECDSA-SHA256
        fmt=(--signature-format openssl)
    fi
    "${p11[@]}" --login --pin 123456 --sign --mechanism "$mech" "${fmt[@]}" \
        -i "$work/doc" -o "$work/sig" >"$work/log" 2>&1 ||
        { cat "$work/log"; fail "pkcs11-tool could not sign"; }
    openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/sig" "$work/doc" >/dev/null ||
        fail "the signature does not verify"
    echo "signed with $mech through the module and verified with openssl"
}
