#!/usr/bin/env bash
# The demo: start a fresh local RSSP (rssp-emulator), list its tokens through
# the module with pkcs11-tool, sign a document on every token, verify every
# signature with plain openssl, stop the emulator. Safe to run twice.
#   scripts/demo.sh [--protocol rssp|csc-v1|csc-v2]   (default rssp)
set -euo pipefail
protocol=rssp
while [ $# -gt 0 ]; do
    case $1 in
    --protocol) protocol=${2:-}; shift 2 || { echo "--protocol needs a value" >&2; exit 2; } ;;
    --protocol=*) protocol=${1#--protocol=}; shift ;;
    -h | --help) echo "usage: $0 [--protocol rssp|csc-v1|csc-v2]"; exit 0 ;;
    *) echo "usage: $0 [--protocol rssp|csc-v1|csc-v2]" >&2; exit 2 ;;
    esac
done
case $protocol in
rssp) conf_dir= ;;
csc-v1 | csc-v2) conf_dir=/$protocol ;;
*) echo "--protocol must be rssp, csc-v1 or csc-v2" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RSSP_BUILD_DIR:-$here/build}

bash "$here/scripts/deps.sh"
cmake -S "$here" -B "$build" >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target rssp-pkcs11 rssp-emulator

emulator=$build/src/emulator/rssp-emulator
module=$build/pkcs11/rssp-pkcs11.so
work=$(mktemp -d /tmp/rssp-demo-XXXXXX)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Creating a local RSSP in $work/service (CA, relying party, owners, keys in SoftHSM2)"
"$emulator" init "$work/service" >/dev/null
"$emulator" serve "$work/service" --port 0 --protocol "$protocol" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do [ -s "$work/service/url" ] && break; sleep 0.1; done
[ -s "$work/service/url" ] || { cat "$work/serve.log"; echo "emulator did not start" >&2; exit 1; }
echo "service ($protocol) at $(cat "$work/service/url")"

export RSSP_PKCS11_CONF=$work/service$conf_dir/rssp-pkcs11.conf
export XDG_CACHE_HOME=$work/cache
pin=123456
printf 'Invoice 2026-11-24 No. 000123, total 1 250 000 VND\n' >"$work/document.txt"

step "The remote certificates, as PKCS#11 tokens"
run pkcs11-tool --module "$module" --list-token-slots

nslots=$(pkcs11-tool --module "$module" --list-token-slots | grep -c '^Slot ')
for i in $(seq 0 $((nslots - 1))); do
    objects=$(pkcs11-tool --module "$module" --slot-index "$i" --list-objects)
    id=$(awk '/Certificate Object/ {c = 1} c && /ID:/ {print $2; exit}' <<<"$objects")
    if grep -q 'Public Key Object; EC' <<<"$objects"; then
        mech=ECDSA-SHA256
        format=(--signature-format openssl)
    else
        mech=SHA256-RSA-PKCS
        format=()
    fi
    step "Token $i: sign with $mech, verify with openssl"
    run pkcs11-tool --module "$module" --slot-index "$i" --login --pin "$pin" \
        --sign --mechanism "$mech" "${format[@]}" \
        --input-file "$work/document.txt" --output-file "$work/sig-$i"
    pkcs11-tool --module "$module" --slot-index "$i" --read-object --type cert --id "$id" \
        --output-file "$work/cert-$i.der" >/dev/null
    openssl x509 -inform DER -in "$work/cert-$i.der" -noout -subject
    openssl x509 -inform DER -in "$work/cert-$i.der" -noout -pubkey >"$work/pub-$i.pem"
    run openssl dgst -sha256 -verify "$work/pub-$i.pem" -signature "$work/sig-$i" \
        "$work/document.txt"
done

step "Done: $nslots remote keys signed through the module; every signature verified by openssl"
