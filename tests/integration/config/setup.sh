#!/usr/bin/env bash
# rssp-tool setup as people run it, against a private emulator and a real
# Secret Service (gnome-keyring on a private D-Bus session, private HOME):
#   1. flags, the organisation's system file in place: the password goes to
#      the keyring, the user file holds only the account;
#   2. flags, a provider file and no keyring: its files are copied with the
#      right modes, the password into a 0600 file;
#   3. interactive on a pseudo-terminal (prompts answered as they appear, the
#      password never echoed).
# Each checks the files written and their modes, then signs through the
# module with no hand-edited file and no RSSP_PKCS11_CONF.
source "$(dirname "$0")/lib.sh"
in_private_session "$0" "$@"
command -v pkcs11-tool >/dev/null || skip "pkcs11-tool is not installed (package opensc)"
command -v python3 >/dev/null || skip "python3 is not installed"

emu_start
trap cleanup EXIT
password=$(cat "$EMU_DIR/secrets/owner-alice-password")

# The organisation's part of the emulator's configuration (no [account], no [module]).
awk '/^\[account\]/ { exit } { print }' "$EMU_CONF" >"$EMU_DIR/provider.conf"
grep -q '^\[relying_party\]' "$EMU_DIR/provider.conf" || fail "no relying party in $EMU_CONF"
chmod 644 "$EMU_DIR/provider.conf"

# mode_of FILE: its permission bits in octal.
mode_of() { stat -c '%a' "$1"; }

# expect_mode FILE MODE
expect_mode() {
    [[ -e "$1" ]] || fail "$1 was not written"
    [[ "$(mode_of "$1")" == "$2" ]] || fail "$1 has mode $(mode_of "$1"), expected $2"
}

# no_plaintext_password: the password is in no file of the home folder.
no_plaintext_password() {
    if grep -rlF -- "$password" "$HOME/.config" 2>/dev/null; then
        fail "the password is in plain text in the files above"
    fi
}

# new_user NAME: a fresh private HOME and keyring for the next case.
new_user() {
    keyring_stop
    private_home "$EMU_ROOT/$1"
    keyring_start
}

conf_dir() { echo "$XDG_CONFIG_HOME/rssp-pkcs11"; }

echo "== 1. system file + flags: the password into the keyring"
new_user flags-keyring
export RSSP_PKCS11_SYSTEM_CONF=$EMU_DIR/provider.conf
printf '%s\n' "$password" |
    "$RSSP_TOOL" setup --account alice --password-stdin >"$HOME/out" 2>"$HOME/err" ||
    { cat "$HOME/out" "$HOME/err"; fail "rssp-tool setup failed"; }
cat "$HOME/out" "$HOME/err"
grep -q '^Logged in. [0-9]* certificates:' "$HOME/out" || fail "setup did not list the certificates"
expect_mode "$(conf_dir)" 700
expect_mode "$(conf_dir)/rssp-pkcs11.conf" 600
grep -qx 'password_keyring = service=rssp-pkcs11 account=alice' "$(conf_dir)/rssp-pkcs11.conf" ||
    fail "the user file does not take the password from the keyring"
grep -q '^\[service\]\|^\[relying_party\]' "$(conf_dir)/rssp-pkcs11.conf" &&
    fail "the user file repeats the organisation's keys"
[[ "$("$RSSP_PKCS11_KEYRING_HELPER" lookup -- service rssp-pkcs11 account alice)" == "$password" ]] ||
    fail "the keyring does not hold the password"
no_plaintext_password
sign_and_verify ""
echo "== setup refuses to overwrite without --force"
if printf '%s\n' "$password" | "$RSSP_TOOL" setup --account alice --password-stdin \
    >/dev/null 2>"$HOME/err"; then
    fail "setup replaced an existing configuration without --force"
fi
grep -q 'exists; run with --force' "$HOME/err" || { cat "$HOME/err"; fail "no --force hint"; }

echo "== 2. provider file + flags, no keyring: files copied, password in a 0600 file"
new_user flags-file
export RSSP_PKCS11_SYSTEM_CONF=$EMU_ROOT/no-system-file.conf
printf '%s\n' "$password" |
    "$RSSP_TOOL" setup --provider "$EMU_DIR/provider.conf" --account alice --password-stdin \
        --no-keyring >"$HOME/out" 2>"$HOME/err" ||
    { cat "$HOME/out" "$HOME/err"; fail "rssp-tool setup --provider failed"; }
cat "$HOME/out" "$HOME/err"
grep -q '^Logged in.' "$HOME/out" || fail "setup did not log in"
d=$(conf_dir)
expect_mode "$d/rssp-pkcs11.conf" 600
expect_mode "$d/password" 600
expect_mode "$d/ca.pem" 644
expect_mode "$d/secrets/rp-password" 600
expect_mode "$d/secrets/rp-key.p12" 600
expect_mode "$d/secrets" 700
grep -qx 'password_file = password' "$d/rssp-pkcs11.conf" || fail "no password_file line"
grep -qx "url = $EMU_URL" "$d/rssp-pkcs11.conf" || fail "the provider's url is not in the user file"
sign_and_verify ""

echo "== 3. interactive, on a terminal"
new_user interactive
export RSSP_PKCS11_SYSTEM_CONF=$EMU_ROOT/no-system-file.conf
python3 "$(dirname "$0")/pty_setup.py" "$RSSP_TOOL" "$EMU_DIR/provider.conf" alice "$password" \
    "$HOME/terminal.log" || { cat "$HOME/terminal.log"; fail "interactive setup failed"; }
tr -d '\r' <"$HOME/terminal.log"
grep -q 'Logged in. [0-9]* certificates:' "$HOME/terminal.log" || fail "no certificates listed"
grep -q 'The password is in your desktop keyring' "$HOME/terminal.log" ||
    fail "the password did not go to the keyring"
expect_mode "$(conf_dir)/rssp-pkcs11.conf" 600
no_plaintext_password
sign_and_verify ""
echo "PASS"
