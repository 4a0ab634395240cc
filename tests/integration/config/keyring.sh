#!/usr/bin/env bash
# The account password from a real Secret Service: gnome-keyring-daemon on a
# private D-Bus session with a private HOME; the secret is stored with
# rssp-keyring store, the plaintext file removed, and the module logs in to a
# private emulator with password_keyring and signs. Then the failures: no
# such item, a locked keyring, no Secret Service at all. Skips (77) only when
# the keyring cannot start here.
source "$(dirname "$0")/lib.sh"
in_private_session "$0" "$@"
command -v pkcs11-tool >/dev/null || skip "pkcs11-tool is not installed (package opensc)"

emu_start
trap cleanup EXIT
private_home "$EMU_ROOT"
keyring_start

# The module never loads GLib: the Secret Service is only reached by the helper.
if ldd "$RSSP_MODULE" | grep -Eq 'libglib|libgio|libsecret'; then
    fail "the module links GLib/libsecret"
fi

"$RSSP_PKCS11_KEYRING_HELPER" store "rssp-pkcs11 password for alice" -- \
    service rssp-pkcs11 account alice <"$EMU_DIR/secrets/owner-alice-password" ||
    fail "rssp-keyring store failed"
mv "$EMU_DIR/secrets/owner-alice-password" "$EMU_ROOT/moved-away"
conf=$EMU_DIR/keyring.conf
sed 's|^password_file = secrets/owner-alice-password$|password_keyring = service=rssp-pkcs11 account=alice|' \
    "$EMU_CONF" >"$conf"
chmod 600 "$conf"
grep -q '^password_keyring = ' "$conf" || fail "no account password_file line in $EMU_CONF"

echo "== the module logs in with the password from the keyring"
slots=$(RSSP_PKCS11_CONF=$conf pkcs11-tool --module "$RSSP_MODULE" --list-token-slots 2>&1)
n=$(grep -c '^Slot ' <<<"$slots" || true)
[[ "$n" -ge 4 ]] || { echo "$slots"; fail "$n tokens with the keyring password"; }
sign_and_verify "$conf"

echo "== how long a look-up takes (helper process + D-Bus)"
start=$(date +%s%N)
for _ in 1 2 3 4 5 6 7 8 9 10; do
    "$RSSP_PKCS11_KEYRING_HELPER" lookup -- service rssp-pkcs11 account alice >/dev/null
done
echo "keyring look-up: $(( ($(date +%s%N) - start) / 10000000 )) ms each (mean of 10)"

# expect_config_error CONF TEXT: the module refuses the configuration with TEXT.
expect_config_error() {
    local out
    out=$(RSSP_PKCS11_CONF=$1 pkcs11-tool --module "$RSSP_MODULE" --list-token-slots 2>&1 || true)
    grep -qF "$2" <<<"$out" || { echo "$out"; fail "expected '$2'"; }
    if grep -q '^Slot ' <<<"$out"; then
        echo "$out"
        fail "tokens without a password"
    fi
    echo "refused as expected: $2"
}

echo "== no such item"
sed 's|account=alice|account=bob|' "$conf" >"$EMU_DIR/bob.conf"
chmod 600 "$EMU_DIR/bob.conf"
expect_config_error "$EMU_DIR/bob.conf" \
    "no secret in the keyring matches 'service=rssp-pkcs11 account=bob'"

echo "== a locked keyring is never unlocked by the module (no prompt in a host program)"
lock_keyring
expect_config_error "$conf" "is locked"

echo "== no Secret Service at all"
DBUS_SESSION_BUS_ADDRESS=unix:path=$EMU_ROOT/no-bus expect_config_error "$conf" \
    "no Secret Service (desktop keyring) to ask"
echo "PASS"
