#!/usr/bin/env bash
# ctest windows-wine (label windows): the Windows DLL signs inside a Windows
# process. The Linux emulator serves on loopback; under Wine, win_sign.exe
# (tests/windows/win_sign.c) LoadLibrary's rssp-pkcs11.dll, lists the tokens,
# logs in and signs with the RSA-2048 and the P-256 token; OpenSSL on Linux
# verifies both signatures against the certificates the tokens returned, which
# must be the service's; the emulator must have served exactly two
# signatures/signHash calls; the same again signing as Acrobat does (the hash
# made by the program: CKM_RSA_PKCS over a DigestInfo, CKM_ECDSA). A
# configuration whose password files other accounts may read (mode 0644, which
# Wine shows as such an access list) must give no token and no signature. Then
# rssp-tool.exe list and sign under Wine, and its refusal of that configuration.
#
# Environment (set by tests/windows/CMakeLists.txt):
#   RSSP_WINDOWS_BUILD_DIR  the mingw build folder (scripts/windows-build.sh)
#   RSSP_EMULATOR           the Linux rssp-emulator
# Skips (77) when Wine is not installed or cannot start a prefix, or when the
# Windows build folder has no rssp-pkcs11.dll / win_sign.exe.
set -euo pipefail
# shellcheck source=../clients/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../clients/lib.sh"

need_bin wine wineboot wineserver winepath openssl python3
WINBUILD=${RSSP_WINDOWS_BUILD_DIR:-}
[ -n "$WINBUILD" ] || fail "RSSP_WINDOWS_BUILD_DIR (the mingw build folder) is not set"
[ -d "$WINBUILD" ] || skip "no Windows build in $WINBUILD: build it with scripts/windows-build.sh"
find_built() {
    find "$WINBUILD" -name "$1" -type f -not -path '*/CMakeFiles/*' 2>/dev/null | head -1
}
DLL=$(find_built rssp-pkcs11.dll)
WIN_SIGN=$(find_built win_sign.exe)
TOOL_EXE=$(find_built rssp-tool.exe)
[ -n "$DLL" ] || skip "no rssp-pkcs11.dll in $WINBUILD: build it with scripts/windows-build.sh"
[ -n "$WIN_SIGN" ] || skip "no win_sign.exe in $WINBUILD: build it with scripts/windows-build.sh"
say "Windows build: $DLL"

# The DLL must need Windows' own DLLs only: a mingw runtime DLL
# (libwinpthread-1.dll, libgcc_s_seh-1.dll) or a dependency's DLL would be
# missing on a user's machine.
if command -v x86_64-w64-mingw32-objdump >/dev/null 2>&1; then
    for f in "$DLL" "$WIN_SIGN" ${TOOL_EXE:+"$TOOL_EXE"}; do
        imports=$(x86_64-w64-mingw32-objdump -p "$f" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr '\n' ' ')
        say "$(basename "$f") imports: $imports"
        for dll in $imports; do
            case ${dll,,} in
            kernel32.dll | advapi32.dll | bcrypt.dll | crypt32.dll | user32.dll | ws2_32.dll | \
                msvcrt.dll | ucrtbase.dll | api-ms-win-*.dll | ntdll.dll | gdi32.dll | shell32.dll | \
                ole32.dll | secur32.dll | iphlpapi.dll | normaliz.dll | wldap32.dll) ;;
            *) fail "$(basename "$f") needs $dll, which is not part of Windows" ;;
            esac
        done
    done
    ok "the DLL and the programs need Windows' own DLLs only"
else
    say "SKIPPED PART: x86_64-w64-mingw32-objdump is not installed: the DLL's imports are not checked"
fi

# A private Wine prefix: no X display, no Mono/Gecko installers, stopped at exit.
export WINEPREFIX=$WORK/wine WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
at_exit 'wineserver -k; wineserver -w'
t=$SECONDS
if ! timeout 300 wineboot --init </dev/null >"$WORK/wineboot.log" 2>&1; then
    sed 's/^/  | /' "$WORK/wineboot.log"
    skip "Wine cannot create a prefix here: 'wineboot --init' failed (output above)"
fi
say "wineboot --init took $((SECONDS - t)) s"
winpath() { winepath -w "$1" 2>/dev/null; }
# wine_run PROGRAM ARGS...: run (lib.sh) under Wine; the console's CR LF
# line ends become LF so that expect_out's patterns can end in $.
wine_run() {
    run wine "$@"
    sed -i 's/\r$//' "$LAST_OUT"
}

# The emulator and its tokens (K_* from tests/clients/backend-emulator.sh).
RSSP_MODULE=$DLL
export RSSP_MODULE
token_start
rsa=rsa2048 ec=p256
for k in $rsa $ec; do
    [ -n "${K_TOKEN[$k]:-}" ] || fail "the emulator has no $k token for the demo owner"
done

# The module's configuration with Windows paths: the DLL resolves them with
# Windows rules, so every file is named as Z:\... (Wine's view of /).
WINCONF=$WORK/windows.conf
conf_dir=$(dirname "$MODULE_CONF")
(umask 077 && : >"$WINCONF")
say "module configuration for Windows, from $MODULE_CONF with these paths:"
while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^(ca_file|password_file|key_file|key_password_file|api_secret_file|cache_dir|log_file)[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]]; then
        value=${BASH_REMATCH[2]}
        [[ $value == /* ]] || value=$conf_dir/$value
        line="${BASH_REMATCH[1]} = $(winpath "$value")"
        say "  | $line"
    fi
    printf '%s\n' "$line" >>"$WINCONF"
done <"$MODULE_CONF"
RSSP_PKCS11_CONF=$(winpath "$WINCONF")
export RSSP_PKCS11_CONF
say "module configuration for Windows: $RSSP_PKCS11_CONF (paths above)"

# r||s (PKCS#11) -> DER ECDSA-Sig-Value (what openssl dgst -verify reads).
ecdsa_der() {
    python3 - "$1" "$2" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
if len(raw) % 2 or not raw:
    sys.exit("odd-length ECDSA signature: %d bytes" % len(raw))
def integer(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return bytes([2, len(b)]) + b
body = integer(raw[:len(raw) // 2]) + integer(raw[len(raw) // 2:])
open(sys.argv[2], "wb").write(bytes([0x30, len(body)]) + body)
PY
}

# verify N KEY: token<N>.sig is KEY's signature of message.bin, by the
# certificate the token returned, which is the service's certificate.
verify() {
    local n=$1 k=$2 sig=$OUT/token$1.sig
    openssl x509 -in "${K_CERT[$k]}" -outform DER -out "$WORK/$k.cert.der"
    expect_same_file "$OUT/token$n.der" "$WORK/$k.cert.der" "the $k token's certificate is the service's"
    openssl x509 -inform DER -in "$OUT/token$n.der" -noout -pubkey >"$WORK/$k.token.pub.pem"
    if [ "${K_TYPE[$k]}" = ec ]; then
        ecdsa_der "$sig" "$WORK/token$n.der.sig"
        sig=$WORK/token$n.der.sig
    fi
    run openssl dgst -sha256 -verify "$WORK/$k.token.pub.pem" -signature "$sig" "$OUT/message.bin"
    expect_out '^Verified OK$' "OpenSSL verifies the $k signature made under Windows"
    printf 'x' | cat "$OUT/message.bin" - >"$WORK/changed.bin"
    if openssl dgst -sha256 -verify "$WORK/$k.token.pub.pem" -signature "$sig" "$WORK/changed.bin" >/dev/null 2>&1; then
        fail "the $k signature also verifies a changed message"
    fi
    ok "the $k signature does not verify a changed message"
}

# sign_round [--prehashed]: win_sign.exe loads the DLL, lists the tokens and
# signs with the RSA and the EC token (--prehashed: as Acrobat does, the hash
# computed by the program, CKM_RSA_PKCS over a DigestInfo and CKM_ECDSA); the
# service signs exactly twice and OpenSSL verifies both signatures.
sign_round() {
    OUT=$WORK/out${1:+-prehashed}
    mkdir -p "$OUT"
    local before t=$SECONDS
    before=$(remote_signatures)
    export WIN_SIGN_PIN=$PIN # through the environment, never the command line
    wine_run "$WIN_SIGN" "$@" "$(winpath "$DLL")" "$(winpath "$OUT")" "${K_TOKEN[$rsa]}" "${K_TOKEN[$ec]}"
    unset WIN_SIGN_PIN
    say "win_sign.exe${1:+ $1} under Wine took $((SECONDS - t)) s"
    expect_out "^C_GetFunctionList: Cryptoki [23]\." "C_GetFunctionList through GetProcAddress"
    expect_out "^  slot [0-9]+: token '$(re_quote "${K_TOKEN[$rsa]}")'" "the RSA token is listed"
    expect_out "^  slot [0-9]+: token '$(re_quote "${K_TOKEN[$ec]}")'" "the EC token is listed"
    if [ "${1:-}" = --prehashed ]; then
        expect_out "^signed 1 rsa CKM_RSA_PKCS \(DigestInfo.*\) $(re_quote "${K_TOKEN[$rsa]}")$" "RSA signature, CKM_RSA_PKCS"
        expect_out "^signed 2 ec CKM_ECDSA \(SHA-256 by CNG\) $(re_quote "${K_TOKEN[$ec]}")$" "EC signature, CKM_ECDSA"
    else
        expect_out "^signed 1 rsa CKM_SHA256_RSA_PKCS $(re_quote "${K_TOKEN[$rsa]}")$" "RSA signature, CKM_SHA256_RSA_PKCS"
        expect_out "^signed 2 ec CKM_ECDSA_SHA256 $(re_quote "${K_TOKEN[$ec]}")$" "EC signature, CKM_ECDSA_SHA256"
    fi
    expect_remote_signatures "$before" 2 2 "one signatures/signHash per signature"
    verify 1 $rsa
    verify 2 $ec
}

# 1. win_sign.exe: LoadLibrary, list, login, sign with RSA and EC, twice.
sign_round
sign_round --prehashed

# 2. The private-file rule, Windows' way: Wine shows a file of mode 0644 with
# an access list that lets other accounts read it, so a configuration whose
# password files are such copies must sign nothing.
LEAKY_CONF=$WORK/leaky.conf
(umask 077 && : >"$LEAKY_CONF")
n=0
while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^password_file[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]]; then
        n=$((n + 1))
        cp "$(winepath -u "${BASH_REMATCH[1]}" 2>/dev/null)" "$WORK/leaky-$n.password"
        chmod 644 "$WORK/leaky-$n.password"
        line="password_file = $(winpath "$WORK/leaky-$n.password")"
    fi
    printf '%s\n' "$line" >>"$LEAKY_CONF"
done <"$WINCONF"
[ "$n" -gt 0 ] || fail "no password_file in $WINCONF to make readable by others"
before=$(remote_signatures)
export WIN_SIGN_PIN=$PIN
if RSSP_PKCS11_CONF=$(winpath "$LEAKY_CONF") run_status wine "$WIN_SIGN" "$(winpath "$DLL")" \
    "$(winpath "$WORK")" "${K_TOKEN[$rsa]}"; then
    fail "win_sign.exe signed with password files that other accounts may read (mode 0644)"
fi
unset WIN_SIGN_PIN
expect_out "^rssp-pkcs11: no tokens: .* is not private: other accounts may read" \
    "the module says why it shows no token (docs/module.md)"
expect_remote_signatures "$before" 0 0 "password files readable by others: nothing signed"

# 3. rssp-tool.exe list and sign under Wine.
if [ -z "$TOOL_EXE" ]; then
    say "SKIPPED PART: no rssp-tool.exe in $WINBUILD (the Windows build did not make the tool); list and sign under Wine not run"
    exit 0
fi
cred_of() { # the credential ID whose certificate is $1
    python3 - "$EMU_FIXTURE" "$1" <<'PY'
import json, sys
fx = json.load(open(sys.argv[1]))
print([c["id"] for c in fx["credentials"] if c["certificate"] == sys.argv[2]][0])
PY
}
wine_run "$TOOL_EXE" -c "$RSSP_PKCS11_CONF" list
for k in $rsa $ec; do
    expect_out "^$(cred_of "${K_CERT[$k]}")[[:space:]]+valid[[:space:]]" "rssp-tool.exe list shows the $k credential"
done
(umask 077 && printf '%s\n' "$PIN" >"$WORK/pin")
doc=$WORK/document.txt
printf 'Invoice 2026-12-05 No. 000777, signed by rssp-tool.exe under Wine\n' >"$doc"
for k in $rsa $ec; do
    before=$(remote_signatures)
    wine_run "$TOOL_EXE" -c "$RSSP_PKCS11_CONF" sign "$(cred_of "${K_CERT[$k]}")" "$(winpath "$doc")" \
        --pin-file "$(winpath "$WORK/pin")" --out "$(winpath "$WORK/tool-$k.sig")"
    expect_remote_signatures "$before" 1 1 "rssp-tool.exe sign: one signatures/signHash"
    run openssl dgst -sha256 -verify "${K_PUB[$k]}" -signature "$WORK/tool-$k.sig" "$doc"
    expect_out '^Verified OK$' "OpenSSL verifies rssp-tool.exe's $k signature"
done
run_status wine "$TOOL_EXE" -c "$(winpath "$LEAKY_CONF")" list && fail "rssp-tool.exe used password files other accounts may read"
expect_out "is not private: other accounts may read or change it" "rssp-tool.exe refuses a password file others may read"
expect_out "icacls" "and says how to make it private"

# 4. Secrets in the Windows Credential Manager (docs/windows.md): the owner's
# password as a *_keyring spec instead of a file, stored by keyring_store.exe
# (the module's own rssp_cfg_keyring_store; cmdkey in real Windows).
STORE_EXE=$(find_built keyring_store.exe)
if [ -z "$STORE_EXE" ]; then
    say "SKIPPED PART: no keyring_store.exe in $WINBUILD; the Credential Manager is not tested"
    exit 0
fi
spec="service=rssp-pkcs11 account=wine-test-$$"
owner_pw_file=$(sed -n '/^\[account\]/,/^\[/s/^password_file[[:space:]]*=[[:space:]]*//p' "$MODULE_CONF")
[[ $owner_pw_file == /* ]] || owner_pw_file=$conf_dir/$owner_pw_file
[ -s "$owner_pw_file" ] || fail "no owner password file in $MODULE_CONF"
KEYRING_CONF=$WORK/keyring.conf
(umask 077 && sed "/^\[account\]/,/^\[/s/^password_file[[:space:]]*=.*/password_keyring = $spec/" \
    "$WINCONF" >"$KEYRING_CONF")
grep -q "^password_keyring = $spec\$" "$KEYRING_CONF" || fail "could not write $KEYRING_CONF"
run_status wine "$TOOL_EXE" -c "$(winpath "$KEYRING_CONF")" list && fail "rssp-tool.exe listed with a credential that is not stored"
expect_out "no credential '$spec' in the Windows Credential Manager" "a missing credential is named"
expect_out "cmdkey /generic:\"$spec\"" "with the cmdkey line that stores it"
t=$SECONDS
wine "$STORE_EXE" "$spec" <"$owner_pw_file" >"$WORK/store.out" 2>&1 || {
    sed 's/^/  | /' "$WORK/store.out"
    fail "keyring_store.exe could not store the password"
}
say "keyring_store.exe took $((SECONDS - t)) s"
wine_run "$TOOL_EXE" -c "$(winpath "$KEYRING_CONF")" list
for k in $rsa $ec; do
    expect_out "^$(cred_of "${K_CERT[$k]}")[[:space:]]+valid[[:space:]]" "rssp-tool.exe logs in with the password from the Credential Manager ($k listed)"
done
