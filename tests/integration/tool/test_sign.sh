#!/usr/bin/env bash
# rssp-tool sign and authorize against a private emulator: RSA and EC, SCAL 1
# and 2, PKCS#1 v1.5, PSS and ECDSA (DER and raw), PIN, OTP and phone
# approval. Every signature is verified with plain openssl against the
# certificate printed by `rssp-tool cert`.
source "$RSSP_TOOL_TEST_LIB"
source "$RSSP_EMULATOR_SH"
emu_start
WORK=$EMU_ROOT/work
mkdir -m 700 "$WORK"
C=$EMU_CONF
pin=$(fixture 'f["pin"]')
printf '%s\n' "$pin" >"$WORK/pin"
chmod 600 "$WORK/pin"
doc=$WORK/document.txt
printf 'Invoice 2026-11-24 No. 000123, total 1 250 000 VND\n' >"$doc"

owner_conf() { fixture "[o['config'] for o in f['owners'] if o['username'] == '$1'][0]"; }

# pubkey CONF ID: the credential's public key (PEM) from `rssp-tool cert`.
pubkey() {
    run_tool 0 -c "$1" cert "$2"
    printf '%s\n' "$OUT" | openssl x509 -pubkey -noout >"$WORK/$2-pub.pem"
    echo "$WORK/$2-pub.pem"
}

# verify CONF ID HASH SIG [openssl options...]
verify() {
    local conf=$1 id=$2 hash=$3 sig=$4
    shift 4
    local pub
    pub=$(pubkey "$conf" "$id")
    openssl dgst "-$hash" "$@" -verify "$pub" -signature "$sig" "$doc" | grep -qx 'Verified OK' ||
        fail "signature $sig of credential $id does not verify"
    # and a changed document does not
    printf 'x' | cat "$doc" - >"$WORK/changed"
    if openssl dgst "-$hash" "$@" -verify "$pub" -signature "$sig" "$WORK/changed" >/dev/null 2>&1; then
        fail "signature $sig of credential $id verifies a changed document"
    fi
}

# 1. every kind of PIN credential of alice, default algorithm and hash
for id in $(fixture '[c["id"] for c in f["credentials"] if c["owner"] == "alice"]'); do
    type=$(fixture "[c['keyType'] for c in f['credentials'] if c['id'] == '$id'][0]")
    run_tool 0 -c "$C" sign "$id" "$doc" --pin-file "$WORK/pin" --out "$WORK/$id.sig"
    expect_in "$OUT" "wrote $WORK/$id.sig"
    if [[ "$type" == EC ]]; then
        expect_in "$OUT" "ECDSA signature with SHA-256"
        expect_in "$OUT" "(DER)"
    else
        expect_in "$OUT" "RSA PKCS#1 v1.5 signature with SHA-256"
    fi
    verify "$C" "$id" sha256 "$WORK/$id.sig"
done

# 2. default output name FILE.sig, PIN from standard input, other hashes
run_tool 0 -c "$C" sign 10001 "$doc" --hash sha512 --pin-stdin <"$WORK/pin"
[[ -s "$doc.sig" ]] || fail "no $doc.sig"
verify "$C" 10001 sha512 "$doc.sig"
run_tool 0 -c "$C" sign 10003 "$doc" --hash sha1 --pin-stdin <"$WORK/pin"
verify "$C" 10003 sha1 "$doc.sig"
run_tool 0 -c "$C" sign 10004 "$doc" --hash sha384 --pin-file "$WORK/pin" # P-384, SCAL 2
verify "$C" 10004 sha384 "$doc.sig"

# 3. RSA-PSS (salt = hash length), SCAL 1 and SCAL 2
run_tool 0 -c "$C" sign 10001 "$doc" --algo pss --hash sha384 --pin-file "$WORK/pin"
expect_in "$OUT" "RSA-PSS signature with SHA-384, 256 bytes"
verify "$C" 10001 sha384 "$doc.sig" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48
run_tool 0 -c "$C" sign 10002 "$doc" --algo pss --pin-file "$WORK/pin"
expect_in "$OUT" "384 bytes"
verify "$C" 10002 sha256 "$doc.sig" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32

# 4. ECDSA raw r||s: 2 x 32 bytes for P-256, verified after conversion to DER
run_tool 0 -c "$C" sign 10003 "$doc" --raw --out "$WORK/raw.sig" --pin-file "$WORK/pin"
expect_in "$OUT" "64 bytes (raw r||s)"
[[ $(stat -c %s "$WORK/raw.sig") == 64 ]] || fail "raw P-256 signature is not 64 bytes"
python3 - "$WORK/raw.sig" "$WORK/raw.der" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
def integer(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b
half = len(raw) // 2
body = integer(raw[:half]) + integer(raw[half:])
open(sys.argv[2], "wb").write(b"\x30" + bytes([len(body)]) + body)
PY
verify "$C" 10003 sha256 "$WORK/raw.der"

# 5. a wrong PIN: exit 4 quoting code 3011; the PIN never shows
printf '000000\n' >"$WORK/bad-pin"
chmod 600 "$WORK/bad-pin"
run_tool 4 -c "$C" -v sign 10001 "$doc" --pin-file "$WORK/bad-pin" --out "$WORK/never.sig"
expect_in "$ERR" 'credentials/authorize: the service refused: code 3011, "'
expect_in "$ERR" "attempt(s) left"
grep -Eq '^method=credentials/authorize ms=[0-9]+ code=3011 bill=[^ ]+$' <<<"$ERR" ||
    fail "no -v line for the refused authorize: $ERR"
[[ ! -e "$WORK/never.sig" ]] || fail "a signature file was written after a refusal"
run_tool 4 -c "$C" authorize 10003 --pin-stdin <"$WORK/bad-pin"
expect_in "$ERR" "code 3011"
# the right PIN works again (and resets the counter)
run_tool 0 -c "$C" authorize 10001 --num 3 --pin-file "$WORK/pin"
expect_in "$OUT" "authorized credential 10001 for 3 signature(s)"
expect_in "$OUT" "revoked the SAD"

# 6. -v: one line per call, never a secret
run_tool 0 -c "$C" -v sign 10003 "$doc" --pin-file "$WORK/pin"
for m in auth/login credentials/info credentials/authorize signatures/signHash auth/revoke; do
    grep -Eq "^method=$m ms=[0-9]+ code=0 bill=[^ ]+\$" <<<"$ERR" || fail "no -v line for $m: $ERR"
done
scrubbed=$(sed -e 's/bill=[^ ]*//' <<<"$ERR$OUT")
for secret in "$pin" "$(fixture '[o["password"] for o in f["owners"] if o["username"] == "alice"][0]')" \
    "$(fixture 'f["relyingParties"][0]["password"]')" \
    "$(fixture 'f["relyingParties"][0]["keyPassword"]')"; do
    expect_not_in "$scrubbed" "$secret"
done

# 7. refusals before any network: the algorithm must fit the key, the PIN file must be private
run_tool 1 -c "$C" sign 10001 "$doc" --algo ecdsa --pin-file "$WORK/pin"
expect_in "$ERR" "does not fit the RSA key"
run_tool 1 -c "$C" sign 10003 "$doc" --algo pkcs1 --pin-file "$WORK/pin"
run_tool 1 -c "$C" sign 10001 "$doc" --raw --pin-file "$WORK/pin"
run_tool 1 -c "$C" sign 10001 "$doc" --hash md5 --pin-file "$WORK/pin"
run_tool 1 -c "$C" sign 10001 "$WORK/no-such-file" --pin-file "$WORK/pin"
run_tool 1 -c "$C" authorize 10002 --pin-file "$WORK/pin"
expect_in "$ERR" "SCAL 2"
run_tool 1 -c "$C" sign 10001 "$doc" </dev/null
expect_in "$ERR" "a PIN is needed"
chmod 644 "$WORK/pin"
run_tool 1 -c "$C" sign 10001 "$doc" --pin-file "$WORK/pin"
expect_in "$ERR" "is not private"
expect_not_in "$ERR" "$pin"
chmod 600 "$WORK/pin"
run_tool 4 -c "$(owner_conf dave)" sign 40001 "$doc" --pin-file "$WORK/pin"
expect_in "$ERR" "code 3009"

# 8. one-time code: sendOTP, then the code arrives on standard input
bob=$(owner_conf bob)
for id in 20001 20002; do # OTP-SMS RSA SCAL 1, OTP-EMAIL EC SCAL 2
    rm -f "$WORK/otp"
    mkfifo "$WORK/otp"
    "$RSSP_TOOL" -c "$bob" sign "$id" "$doc" --otp-stdin --out "$WORK/$id.sig" \
        <"$WORK/otp" >"$WORK/otp.out" 2>"$WORK/otp.err" &
    tool_pid=$!
    exec 3>"$WORK/otp"
    code=""
    for _ in $(seq 1 300); do
        code=$(emu_last_otp "$id" 2>/dev/null) && break
        sleep 0.05
    done
    [[ -n "$code" ]] || fail "no OTP for $id in the outbox"
    printf '%s\n' "$code" >&3
    exec 3>&-
    rc=0
    wait "$tool_pid" || rc=$?
    [[ $rc == 0 ]] || fail "OTP sign of $id exited $rc: $(cat "$WORK/otp.err")"
    expect_in "$(cat "$WORK/otp.err")" "a one-time code was sent by"
    verify "$bob" "$id" sha256 "$WORK/$id.sig"
done
run_tool 4 -c "$bob" authorize 20003 # OTP-MOBILE: not something the tool can do
expect_in "$ERR" "cannot satisfy"

# 9. approval on the phone (IMPLICIT): approved signs, denied exits 4 with 3022
carol=$(owner_conf carol)
"$RSSP_TOOL" -c "$carol" sign 30001 "$doc" --out "$WORK/30001.sig" \
    >"$WORK/imp.out" 2>"$WORK/imp.err" </dev/null &
tool_pid=$!
emu_approve 30001 || fail "no pending approval for 30001"
wait "$tool_pid" || fail "approved sign failed: $(cat "$WORK/imp.err")"
expect_in "$(cat "$WORK/imp.err")" "approve the request on your phone"
verify "$carol" 30001 sha256 "$WORK/30001.sig"
"$RSSP_TOOL" -c "$carol" sign 30002 "$doc" --out "$WORK/30002.sig" \
    >"$WORK/imp.out" 2>"$WORK/imp.err" </dev/null &
tool_pid=$!
emu_approve 30002 deny || fail "no pending approval for 30002"
rc=0
wait "$tool_pid" || rc=$?
[[ $rc == 4 ]] || fail "denied sign exited $rc"
expect_in "$(cat "$WORK/imp.err")" "code 3022"

emu_stop
echo ok
