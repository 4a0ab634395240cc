#!/usr/bin/env bash
# rssp-tool doctor against a private emulator, in an isolated HOME: all
# checks passing, then each failure path — unregistered, registered plainly,
# wrong CA, wrong password, expired certificate, bad file modes, no
# configuration, service down — with its exit code, its fix line and the
# later checks shown as skipped.
source "$RSSP_TOOL_TEST_LIB"
source "$RSSP_EMULATOR_SH"
: "${RSSP_MODULE:?set RSSP_MODULE to rssp-pkcs11.so}"
# The NSS tools come from deps/debian.txt (CI has them); a package build
# (dh_auto_test) without them skips the test, saying why.
for prog in certutil modutil; do
    command -v "$prog" >/dev/null || skip "$prog is not installed (Debian package libnss3-tools)"
done
emu_start
WORK=$EMU_ROOT/work
mkdir -m 700 "$WORK"
export HOME=$WORK/home
unset XDG_CONFIG_HOME XDG_CACHE_HOME RSSP_PKCS11_CONF
mkdir -m 700 "$HOME"
C=$EMU_CONF
P=$HOME/.mozilla/firefox/x1.default-esr
mkdir -p "$P"
certutil -N -d "sql:$P" --empty-password
printf '[Profile0]\nName=default-esr\nIsRelative=1\nPath=x1.default-esr\n' \
    >"$HOME/.mozilla/firefox/profiles.ini"
"$RSSP_TOOL" register --module "$RSSP_MODULE" firefox >/dev/null

# doctor RC [ARGS...]: run doctor (UTF-8 marks) with the module.
doctor() {
    local want=$1
    shift
    LC_ALL=C.UTF-8 run_tool "$want" "$@" doctor --module "$RSSP_MODULE"
}
# line CHECK: the output line of one check.
line() {
    grep -E "^[^ ]+ $1: " <<<"$OUT" || fail "no line for '$1' in: $OUT"
}
expect_pass() {
    local l
    l=$(line "$1")
    [[ "$l" == "✓ "* ]] || fail "'$1' did not pass: $l"
}
expect_fail() {
    local l
    l=$(line "$1")
    [[ "$l" == "✗ "* ]] || fail "'$1' did not fail: $l"
    [[ -z "${2:-}" ]] || expect_in "$l" "$2"
}
expect_skipped() {
    local l
    l=$(line "$1")
    [[ "$l" == "- $1: skipped (needs $2)" ]] || fail "'$1' not skipped for '$2': $l"
}
# A configuration next to the demo one (its relative paths still resolve), with sed edits.
variant() {
    local name=$1
    shift
    sed "$@" "$C" >"$EMU_DIR/$name.conf"
    chmod 600 "$EMU_DIR/$name.conf"
    echo "$EMU_DIR/$name.conf"
}

# --- everything passes
doctor 0 -c "$C" -v
for check in configuration DNS TCP TLS service "relying-party login" "account login" credentials \
    cache "module file"; do
    expect_pass "$check"
done
for id in $(fixture '[c["id"] for c in f["credentials"] if c["owner"] == "alice"]'); do
    expect_pass "certificate $id" "chain of 2 verified"
done
expect_pass "Firefox profile 'default-esr'"
expect_in "$(line "Firefox profile 'default-esr'")" "certificates public"
expect_in "$OUT" "all checks passed"
expect_in "$ERR" "method=auth/login"
expect_not_in "$OUT$ERR" "$(cat "$EMU_DIR/secrets/owner-alice-password")"

# Plain ASCII marks outside a UTF-8 locale.
LC_ALL=C run_tool 0 -c "$C" doctor --module "$RSSP_MODULE"
grep -q '^\[ok\]   TLS: ' <<<"$OUT" || fail "no ASCII mark: $OUT"
LC_ALL=C grep -q -P '[^\x00-\x7f]' <<<"$OUT" && fail "non-ASCII output in the C locale: $OUT"

# --- the cache, once the module has written it (pkcs11-tool lists the tokens)
RSSP_PKCS11_CONF=$C pkcs11-tool --module "$RSSP_MODULE" -L >/dev/null
doctor 0 -c "$C"
expect_pass cache "the same as the service's"
chmod 755 "$EMU_DIR/cache/alice"
doctor 2 -c "$C"
expect_fail cache "is open to others (mode 0755)"
expect_in "$OUT" "chmod 700 $EMU_DIR/cache/alice"
chmod 700 "$EMU_DIR/cache/alice"

# --- not registered, then registered plainly (a PIN prompt per token)
run_tool 0 unregister firefox --module "$RSSP_MODULE"
doctor 7 -c "$C"
expect_fail "Firefox profile 'default-esr'" "not registered"
expect_fail registered "nowhere"
expect_in "$OUT" "rssp-tool register firefox"
modutil -dbdir "sql:$P" -add rssp-plain -libfile "$RSSP_MODULE" -force >/dev/null 2>&1 </dev/null
doctor 7 -c "$C"
expect_fail "Firefox profile 'default-esr'" "without public certificates"
run_tool 0 register --module "$RSSP_MODULE" firefox
# p11-kit module file in the user's configuration
mkdir -p "$HOME/.config/pkcs11/modules"
printf 'module: %s\n' "$RSSP_MODULE" >"$HOME/.config/pkcs11/modules/rssp-pkcs11.module"
doctor 0 -c "$C"
expect_pass p11-kit "$HOME/.config/pkcs11/modules/rssp-pkcs11.module"

# --- wrong CA: TLS fails, what needs it is skipped, the local checks still run
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=Some Other CA" -keyout "$WORK/other-ca.key" -out "$EMU_DIR/other-ca.pem" 2>/dev/null
doctor 3 -c "$(variant wrong-ca 's/^ca_file = .*/ca_file = other-ca.pem/')"
expect_pass TCP
expect_fail TLS "the service's certificate is not trusted"
expect_in "$OUT" "ca_file must hold the CA that issued the service's certificate"
for check in service "relying-party login" "account login" credentials certificates; do
    expect_skipped "$check" TLS
done
expect_pass cache
expect_pass "Firefox profile 'default-esr'"

# --- wrong account password: the relying party passes, the account fails
printf 'not-the-password\n' >"$EMU_DIR/secrets/wrong-password"
chmod 600 "$EMU_DIR/secrets/wrong-password"
doctor 4 -c "$(variant wrong-password 's|^password_file = secrets/owner-alice-password|password_file = secrets/wrong-password|')"
expect_pass "relying-party login"
expect_fail "account login" "code 3000"
expect_in "$(line "account login")" "attempt(s) left"
expect_in "$OUT" "the account password is wrong"
expect_skipped credentials "the account login"
expect_skipped certificates "the account login"
# ... and a wrong relying-party signature fails one step earlier
doctor 4 -c "$(variant wrong-rp 's/^signature = .*/signature = bm90LXRoZS1zaWduYXR1cmU=/')"
expect_fail "relying-party login" "code 3001"
expect_skipped "account login" "the relying-party login"

# --- expired (and revoked) certificates: dave
DAVE=$(fixture '[o["config"] for o in f["owners"] if o["username"] == "dave"][0]')
doctor 5 -c "$DAVE"
expect_fail "certificate 40002" "expired on"
expect_in "$OUT" "ask your provider for a new certificate"
expect_fail "certificate 40001" "revoked"
expect_pass "certificate 40003"

# --- bad file modes
chmod 644 "$EMU_DIR/secrets/owner-alice-password"
doctor 2 -c "$C"
expect_fail configuration "is not private"
expect_in "$OUT" "chmod 600"
for check in DNS TCP TLS service "relying-party login" "account login" credentials certificates cache; do
    expect_skipped "$check" "the configuration"
done
expect_pass "Firefox profile 'default-esr'"
chmod 600 "$EMU_DIR/secrets/owner-alice-password"
G=$(variant group-writable -e 's/^x//')
chmod 620 "$G"
doctor 2 -c "$G"
expect_fail configuration "can be changed by other users (mode 0620)"

# --- layered: the organisation's system file and the user's file, both reported
sed '/^\[account\]/,/^$/d' "$C" >"$EMU_DIR/system.conf"
chmod 600 "$EMU_DIR/system.conf"
mkdir -p "$HOME/.config/rssp-pkcs11"
U=$HOME/.config/rssp-pkcs11/rssp-pkcs11.conf
printf '[account]\nuser_type = USERNAME\nusername = alice\npassword_file = %s\n' \
    "$EMU_DIR/secrets/owner-alice-password" >"$U"
chmod 600 "$U"
RSSP_PKCS11_SYSTEM_CONF=$EMU_DIR/system.conf doctor 0
expect_pass configuration "system file $EMU_DIR/system.conf + user file $U"
expect_pass "account login" "logged in as alice"
chmod 660 "$U"
RSSP_PKCS11_SYSTEM_CONF=$EMU_DIR/system.conf doctor 2
expect_fail configuration "$U can be changed by other users (mode 0660)"
rm -r "$HOME/.config/rssp-pkcs11"

# --- no configuration: the one named by RSSP_PKCS11_CONF is missing
RSSP_PKCS11_CONF=$WORK/missing.conf doctor 2
expect_fail configuration "$WORK/missing.conf"
expect_skipped DNS "the configuration"

# --- service down
emu_stop_server
doctor 3 -c "$C"
expect_pass DNS
expect_fail TCP "cannot connect to 127.0.0.1"
expect_in "$OUT" "is the service up"
expect_skipped TLS TCP
expect_skipped certificates TCP
expect_pass cache
echo "$OUT"
echo "doctor tests passed"
