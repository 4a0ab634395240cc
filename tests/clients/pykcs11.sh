#!/usr/bin/env bash
# Python PyKCS11 (python3-pykcs11): list the slots, log in, sign with the
# RSA key (CKM_SHA256_RSA_PKCS) and the EC key (CKM_ECDSA on a hash); each
# signature verified with openssl.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Debian's python3-pykcs11 belongs to the system interpreter.
PYTHON=${RSSP_PYTHON:-/usr/bin/python3}
need_bin "$PYTHON" openssl
"$PYTHON" -c 'import PyKCS11' 2>/dev/null || skip "python3-pykcs11 is not installed for $PYTHON"
token_start

head -c 4096 /dev/urandom >"$WORK/data"

# An ECDSA signature from PKCS#11 is r||s; openssl verifies DER.
rs_to_der() {
    "$PYTHON" - "$1" "$2" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
half = len(raw) // 2
def integer(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b
body = integer(raw[:half]) + integer(raw[half:])
length = bytes([len(body)]) if len(body) < 128 else b"\x81" + bytes([len(body)])
open(sys.argv[2], "wb").write(b"\x30" + length + body)
PY
}

for k in "$RSA" "$EC"; do
    before=$(remote_signatures)
    run "$PYTHON" "$CLIENTS_DIR/files/pykcs11-sign.py" "$MODULE" "$PIN" "${K_TOKEN[$k]}" "${K_ID[$k]}" \
        "$WORK/data" "$WORK/$k.sig" "${K_HASH[$k]}"
    for t in "${KEYS[@]}"; do
        expect_out "^slot [0-9]+: token '$(re_quote "${K_TOKEN[$t]}")'\$" "PyKCS11 lists the slot of $t"
    done
    expect_out '^logged in to ' "$k: PyKCS11 logged in"
    # PyKCS11 asks the length first (NULL buffer): that must not cost a signature.
    expect_remote_signatures "$before" 1 1 "$k: one C_Sign length query and one C_Sign, one remote signature"
    if [ "${K_TYPE[$k]}" = rsa ]; then
        run openssl dgst -sha256 -verify "${K_PUB[$k]}" -signature "$WORK/$k.sig" "$WORK/data"
        expect_out '^Verified OK$' "$k: CKM_SHA256_RSA_PKCS signature verified by openssl"
    else
        rs_to_der "$WORK/$k.sig" "$WORK/$k.der"
        run openssl dgst -"${K_HASH[$k]}" -verify "${K_PUB[$k]}" -signature "$WORK/$k.der" "$WORK/data"
        expect_out '^Verified OK$' "$k: CKM_ECDSA signature verified by openssl"
    fi
done
