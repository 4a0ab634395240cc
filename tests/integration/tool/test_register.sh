#!/usr/bin/env bash
# rssp-tool register / unregister in an isolated HOME: Firefox and Thunderbird
# profile trees and a Chromium database made with certutil, the module loaded
# by NSS's own tools against a private emulator, locked profiles (a live lock
# symlink, a held .parentlock, a running Chromium) refused, and the installed
# layout's default module path. A running Firefox: test_register_firefox.sh.
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
HELPER_PIDS=()
cleanup() {
    local pid
    for pid in "${HELPER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    emu_stop
}
trap cleanup EXIT

export HOME=$WORK/home RSSP_PKCS11_CONF=$EMU_CONF
unset XDG_CONFIG_HOME XDG_CACHE_HOME
mkdir -m 700 "$HOME"
NAME="RSSP remote signing"
FF=$HOME/.mozilla/firefox
TB=$HOME/.thunderbird
CH=$HOME/.pki/nssdb

new_db() {
    mkdir -p "$1"
    certutil -N -d "sql:$1" --empty-password
}
# Firefox: one relative profile, one absolute (IsRelative=0) elsewhere.
new_db "$FF/abcd1234.default-esr"
new_db "$WORK/elsewhere/work-profile"
cat >"$FF/profiles.ini" <<EOF
[Install3B6073811A6ABF12]
Default=abcd1234.default-esr
Locked=1

[Profile1]
Name=work
IsRelative=0
Path=$WORK/elsewhere/work-profile

[Profile0]
Name=default-esr
IsRelative=1
Path=abcd1234.default-esr
Default=1

[General]
StartWithLastProfile=1
Version=2
EOF
new_db "$TB/wxyz.default-release"
printf '[Profile0]\nName=default-release\nIsRelative=1\nPath=wxyz.default-release\n' \
    >"$TB/profiles.ini"
FF_PROFILES=("$FF/abcd1234.default-esr" "$WORK/elsewhere/work-profile")

# The tokens the module shows for the demo account, by their NSS nicknames.
TOKENS=$(RSSP_PKCS11_CONF=$EMU_CONF "$RSSP_TOOL" -c "$EMU_CONF" list | cut -f1)
[[ -n "$TOKENS" ]] || fail "the demo account lists no credential"
N_TOKENS=$(wc -l <<<"$TOKENS")

# rssp_entries DIR: how many module entries of pkcs11.txt load rssp-pkcs11.so.
rssp_entries() {
    grep -c '^library=.*rssp-pkcs11\.so$' "$1/pkcs11.txt" || true
}

# check_registered DIR: one friendly entry; NSS lists every token's
# certificate without asking for a PIN (no prompt at all).
check_registered() {
    local dir=$1 list certs prompts
    [[ "$(rssp_entries "$dir")" == 1 ]] || fail "$dir: not exactly one entry: $(cat "$dir/pkcs11.txt")"
    list=$(modutil -list "$NAME" -dbdir "sql:$dir" </dev/null 2>&1) || fail "modutil -list: $list"
    expect_in "$list" "Library file: $RSSP_MODULE"
    local slots friendly
    slots=$(grep -c '^ *Slot: ' <<<"$list" || true)
    friendly=$(grep -c '^ *Slot Mechanism Flags: FRIENDLY' <<<"$list" || true)
    [[ "$slots" == "$N_TOKENS" && "$friendly" == "$N_TOKENS" ]] ||
        fail "$dir: $slots slots, $friendly friendly, want $N_TOKENS: $list"
    certs=$(certutil -L -h all -d "sql:$dir" </dev/null 2>&1) || fail "certutil -L: $certs"
    prompts=$(grep -c 'Error opening input terminal' <<<"$certs" || true)
    [[ "$prompts" == 0 ]] || fail "$dir: NSS asked for $prompts PIN(s) to list certificates: $certs"
    local id
    for id in $TOKENS; do
        grep -Eq "^Alice Nguyen \($id\):Alice Nguyen \($id\) +u,u,u" <<<"$certs" ||
            fail "$dir: token $id's certificate not listed: $certs"
    done
}

# --- register firefox: both profiles
run_tool 0 register --module "$RSSP_MODULE" firefox
expect_in "$OUT" "registered \"$NAME\" ($RSSP_MODULE) in Firefox profile 'default-esr' ($FF/abcd1234.default-esr)"
expect_in "$OUT" "in Firefox profile 'work' ($WORK/elsewhere/work-profile)"
for p in "${FF_PROFILES[@]}"; do check_registered "$p"; done

# Idempotent: nothing written the second time.
sum=$(cat "${FF_PROFILES[@]/%//pkcs11.txt}" | sha256sum)
run_tool 0 register --module "$RSSP_MODULE" firefox
expect_in "$OUT" "already registered \"$NAME\""
[[ "$(cat "${FF_PROFILES[@]/%//pkcs11.txt}" | sha256sum)" == "$sum" ]] || fail "second register wrote"

# The control: registered plainly (the way Firefox's Load button does), NSS
# asks for one PIN per token. register replaces that entry by a friendly one
# and keeps other modules.
P=${FF_PROFILES[0]}
run_tool 0 unregister firefox --module "$RSSP_MODULE"
modutil -dbdir "sql:$P" -add rssp-by-hand -libfile "$RSSP_MODULE" -force >/dev/null 2>&1
modutil -dbdir "sql:$P" -add other -libfile /usr/lib/softhsm/libsofthsm2.so -force >/dev/null 2>&1 ||
    fail "cannot add SoftHSM2 to $P"
plain=$(certutil -L -h all -d "sql:$P" </dev/null 2>&1 || true)
prompts=$(grep -c 'Error opening input terminal' <<<"$plain" || true)
[[ "$prompts" == "$N_TOKENS" ]] || fail "plain registration: $prompts PIN prompts, want $N_TOKENS: $plain"
echo "plainly registered: $prompts PIN prompts to list certificates; registered friendly: 0"
run_tool 0 register --module "$RSSP_MODULE" firefox
check_registered "$P"
expect_not_in "$(cat "$P/pkcs11.txt")" "rssp-by-hand"
expect_in "$(cat "$P/pkcs11.txt")" "library=/usr/lib/softhsm/libsofthsm2.so"

# A foreign module whose name begins like ours would be removed by NSS as
# well: refused, nothing written.
OPENSC=$(find /usr/lib -name opensc-pkcs11.so -path '*pkcs11*' | head -n1)
[[ -n "$OPENSC" ]] || fail "opensc-pkcs11.so is missing (Debian package opensc)"
modutil -dbdir "sql:$P" -add "$NAME (OpenSC)" -libfile "$OPENSC" -force >/dev/null 2>&1 ||
    fail "cannot add OpenSC to $P"
sum=$(sha256sum <"$P/pkcs11.txt")
run_tool 7 unregister firefox
expect_in "$ERR" "\"$NAME (OpenSC)\""
expect_in "$ERR" "NSS would remove it too"
[[ "$(sha256sum <"$P/pkcs11.txt")" == "$sum" ]] || fail "a refused unregister wrote"
modutil -dbdir "sql:$P" -delete "$NAME (OpenSC)" -force >/dev/null 2>&1

# --- locked profiles are not touched
run_tool 0 unregister firefox
for p in "${FF_PROFILES[@]}"; do [[ "$(rssp_entries "$p")" == 0 ]] || fail "$p still registered"; done
grep -q 'library=/usr/lib/softhsm/libsofthsm2.so' "$P/pkcs11.txt" || fail "unregister removed SoftHSM2"

# 1. a lock symlink naming a live process
sleep 300 &
HELPER_PIDS+=($!)
ln -s "127.0.0.1:+$!" "$P/lock"
run_tool 7 register --module "$RSSP_MODULE" firefox
expect_in "$ERR" "Firefox profile 'default-esr' ($P) is in use"
expect_in "$ERR" "names the running process $!"
expect_in "$ERR" "close Firefox and run the command again"
[[ "$(rssp_entries "$P")" == 0 ]] || fail "a profile in use was changed"
check_registered "${FF_PROFILES[1]}" # the other profile was done
# ... a stale one (a dead process) does not count
rm "$P/lock"
bash -c 'exit 0' &
dead=$!
wait "$dead"
ln -s "127.0.0.1:+$dead" "$P/lock"
run_tool 0 register --module "$RSSP_MODULE" firefox
check_registered "$P"
rm "$P/lock"

# 2. .parentlock held with fcntl, as Firefox and Thunderbird hold it
T=$TB/wxyz.default-release
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "w")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(300)' "$T/.parentlock" >"$WORK/locker.out" &
HELPER_PIDS+=($!)
for ((i = 0; i < 500; i++)); do [[ -s "$WORK/locker.out" ]] && break; sleep 0.01; done
run_tool 7 register --module "$RSSP_MODULE" thunderbird
expect_in "$ERR" "Thunderbird profile 'default-release' ($T) is in use ($T/.parentlock is locked by process $!)"
expect_in "$ERR" "close Thunderbird"
kill "$!"
wait "$!" 2>/dev/null || true
run_tool 0 register --module "$RSSP_MODULE" thunderbird
check_registered "$T"

# --- Chromium: ~/.pki/nssdb, made when missing; a running Chromium refuses
[[ ! -e "$CH" ]] || fail "$CH exists before the test"
run_tool 0 register --module "$RSSP_MODULE" chromium
expect_in "$OUT" "in Chromium database ($CH)"
[[ "$(stat -c %a "$CH")" == 700 ]] || fail "$CH is not 0700"
certutil -N -d "sql:$CH" --empty-password 2>/dev/null || true
check_registered "$CH"
sleep 300 &
HELPER_PIDS+=($!)
mkdir -p "$HOME/.config/chromium"
ln -s "$(hostname)-$!" "$HOME/.config/chromium/SingletonLock"
run_tool 7 unregister chromium
expect_in "$ERR" "Chromium database ($CH) is in use"
expect_in "$ERR" "close Chromium"
rm "$HOME/.config/chromium/SingletonLock"
run_tool 0 unregister chromium
[[ "$(rssp_entries "$CH")" == 0 ]] || fail "unregister chromium left an entry"

# --- nss-db DIR, relative to the working folder
new_db "$WORK/plain-db"
(cd "$WORK" && "$RSSP_TOOL" register --module "$RSSP_MODULE" nss-db plain-db >/dev/null) ||
    fail "register nss-db plain-db"
check_registered "$WORK/plain-db"
run_tool 0 unregister nss-db "$WORK/plain-db"
expect_in "$OUT" "removed 1 module entry from NSS database ($WORK/plain-db)"
run_tool 0 unregister nss-db "$WORK/plain-db"
expect_in "$OUT" "not registered in NSS database"
run_tool 7 register --module "$RSSP_MODULE" nss-db "$WORK/no-such-folder"
expect_in "$ERR" "no such folder"

# --- usage and module errors
run_tool 1 register --module "$WORK/no-such.so" firefox
expect_in "$ERR" "no module at $WORK/no-such.so"
run_tool 1 register --module /etc/hostname firefox
expect_in "$ERR" "does not load"
run_tool 1 register --module "$RSSP_MODULE" opera
expect_in "$ERR" "unknown program 'opera'"
run_tool 1 register --module "$RSSP_MODULE" nss-db
expect_in "$ERR" "nss-db needs the database folder"
mv "$FF/profiles.ini" "$FF/profiles.ini.away"
run_tool 7 register --module "$RSSP_MODULE" firefox
expect_in "$ERR" "no Firefox profiles"
run_tool 0 unregister firefox
expect_in "$OUT" "nothing to do"
mv "$FF/profiles.ini.away" "$FF/profiles.ini"

# --- the installed layout: without --module, the module next to the tool
# (found through /proc/self/exe, which a chroot may lack)
if [[ ! -e /proc/self/exe ]]; then
    echo "note: no /proc here: the installed layout's default module path is not checked"
elif [[ -n "${RSSP_BUILD_DIR:-}" ]]; then
    cmake --install "$RSSP_BUILD_DIR" --prefix "$WORK/inst" >"$WORK/install.log" 2>&1 ||
        fail "cmake --install: $(cat "$WORK/install.log")"
    INSTALLED=$(find "$WORK/inst" -path '*/pkcs11/rssp-pkcs11.so' | head -n1)
    [[ -n "$INSTALLED" ]] || fail "no module under $WORK/inst"
    run_tool 0 unregister firefox
    "$WORK/inst/bin/rssp-tool" register firefox >"$WORK/stdout" 2>"$WORK/stderr" ||
        fail "installed rssp-tool register: $(cat "$WORK/stderr")"
    expect_in "$(cat "$WORK/stdout")" "registered \"$NAME\" ($INSTALLED) in Firefox profile"
    grep -qx "library=$INSTALLED" "$P/pkcs11.txt" || fail "not the installed module: $(cat "$P/pkcs11.txt")"
fi
echo "register tests passed"
