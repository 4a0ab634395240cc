#!/usr/bin/env bash
# rssp-emulator from the command line: init (fresh, refusal, --force, files and
# modes, certificates, keys inside SoftHSM2), serve, and the "done when":
# rssp-tool signs with the generated configuration and plain openssl verifies,
# for RSA and EC. Everything happens in one temporary folder.
set -euo pipefail
: "${RSSP_EMULATOR:?}" "${RSSP_TOOL:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/rssp-emu-cli-XXXXXX")
pid=""
cleanup() {
    if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf -- "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

dir="$work/x"
"$RSSP_EMULATOR" init "$dir" >"$work/init.out"
grep -q "initialised $dir" "$work/init.out" || fail "no summary"
# an existing folder is refused unless --force
if "$RSSP_EMULATOR" init "$dir" 2>"$work/err"; then fail "init over an existing folder"; fi
grep -q -- "--force" "$work/err" || fail "refusal does not mention --force"
"$RSSP_EMULATOR" init "$dir" --force --quiet

# modes: the folder, secrets and state are private
[[ $(stat -c %a "$dir") == 700 ]] || fail "DIR mode"
for f in state.json fixture.json rssp-pkcs11.conf secrets/rp-key.p12 secrets/rp-password \
         secrets/hsm-user-pin tls/server-key.pem; do
    [[ $(stat -c %a "$dir/$f") == 600 ]] || fail "$f is not 0600"
done
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["credentials"]) == 18' \
    "$dir/fixture.json" || fail "fixture.json"
grep -q '^url = https://127.0.0.1:0/rssp/v1/$' "$dir/rssp-pkcs11.conf" || fail "url placeholder"

# certificates: chain to the root, keyUsage, the expired one in the past
for id in 10001 10004 40002; do
    openssl verify -CAfile "$dir/ca/root.pem" -untrusted "$dir/ca/intermediate.pem" \
        -attime "$(date -d '2 years ago + 1 day' +%s)" "$dir/certs/$id.pem" >/dev/null 2>&1 ||
    openssl verify -CAfile "$dir/ca/root.pem" -untrusted "$dir/ca/intermediate.pem" \
        "$dir/certs/$id.pem" >/dev/null || fail "chain of $id"
done
openssl x509 -in "$dir/certs/10001.pem" -noout -ext keyUsage | grep -q "Non Repudiation" ||
    fail "keyUsage"
if openssl x509 -in "$dir/certs/40002.pem" -noout -checkend 0 >/dev/null; then
    fail "40002 should be expired"
fi

# keys are inside the token, private, sensitive, never extractable
export SOFTHSM2_CONF="$dir/softhsm2.conf"
module=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hsm"]["module"])' "$dir/fixture.json")
pin=$(cat "$dir/secrets/hsm-user-pin")
pkcs11-tool --module "$module" --token-label rssp-emulator --login --pin "$pin" \
    --list-objects --type privkey >"$work/objects"
[[ $(grep -c "Private Key Object" "$work/objects") == 18 ]] || fail "18 private keys expected"
[[ $(grep -c "Access: *sensitive, always sensitive, never extractable" "$work/objects") == 18 ]] ||
    fail "a private key is not sensitive and never extractable"
[[ $(grep -c "Usage: *sign$" "$work/objects") == 18 ]] || fail "a private key does more than sign"
unset SOFTHSM2_CONF

# serve: URL on stdout, in DIR/url and in the configurations
"$RSSP_EMULATOR" serve "$dir" >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 300); do [[ -s "$dir/url" ]] && break; sleep 0.05; done
url=$(cat "$dir/url")
[[ "$url" == https://127.0.0.1:*/rssp/v1/ ]] || fail "url '$url'"
grep -qx "$url" "$work/serve.out" || fail "url not printed"
grep -q "^url = $url\$" "$dir/rssp-pkcs11.conf" || fail "url not filled in"
grep -q "^url = $url\$" "$dir/owners/bob.conf" || fail "url not filled in owners/"

# done when: rssp-tool signs, plain openssl verifies (RSA and EC, SCAL 1 and 2)
printf 'the document\n' >"$work/doc"
printf '123456\n' >"$work/pin"
chmod 600 "$work/pin"
for id in 10001 10002 10003 10004; do
    "$RSSP_TOOL" --config "$dir/rssp-pkcs11.conf" sign --pin-file "$work/pin" \
        -o "$work/doc.$id.sig" "$id" "$work/doc" >/dev/null
    openssl x509 -in "$dir/certs/$id.pem" -pubkey -noout >"$work/pub.pem"
    openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/doc.$id.sig" "$work/doc" |
        grep -q "Verified OK" || fail "signature of $id"
done

# a served folder is no template; SIGTERM stops cleanly and removes DIR/url
if "$RSSP_EMULATOR" init "$work/y" --template "$dir" 2>/dev/null; then fail "served template"; fi
kill -TERM "$pid"
wait "$pid" || fail "serve did not exit 0"
pid=""
[[ ! -e "$dir/url" ]] || fail "DIR/url left behind"
# unusable arguments
if "$RSSP_EMULATOR" serve "$dir" --port 70000 2>/dev/null; then fail "--port 70000"; fi
if "$RSSP_EMULATOR" serve "$work/none" 2>"$work/err"; then fail "serve without init"; fi
grep -q "init" "$work/err" || fail "no hint to init"
echo ok
