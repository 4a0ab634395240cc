#!/usr/bin/env bash
# osslsigncode: Authenticode-sign a small PE32+ executable (written by the
# test) through the OpenSSL pkcs11 engine with the token's RSA and EC keys;
# `osslsigncode verify` accepts each signature against the emulator's root.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin osslsigncode openssl
ENGINES=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"/\1/p')
need_file "$ENGINES/pkcs11.so"
token_start

python3 "$CLIENTS_DIR/files/make-pe.py" "$WORK/app.exe"

for k in "$RSA" "$EC"; do
    cat "${K_CERT[$k]}" "$CHAIN_PEM" >"$WORK/$k.certs.pem"
    # No -pkcs11engine: Debian 12's osslsigncode 2.5 fails with it ("bad
    # engine id"); without it, 2.5 and 2.9 load the pkcs11 engine by name.
    run osslsigncode sign -pkcs11module "$MODULE" -key "$(uri "$k" private)" -pass "$PIN" \
        -certs "$WORK/$k.certs.pem" -h sha256 -n "RSSP client test" -in "$WORK/app.exe" -out "$WORK/$k.exe"
    expect_out '^Succeeded$' "$k: osslsigncode signed the executable"

    run osslsigncode verify -CAfile "$ROOT_PEM" -in "$WORK/$k.exe"
    expect_out '^Signature verification: ok$' "$k: signature verified"
    expect_out "$(re_quote "$(openssl x509 -in "${K_CERT[$k]}" -noout -subject -nameopt compat | sed 's/^subject=//')")" \
        "$k: signed by the token's certificate"
    expect_out '^Succeeded$' "$k: osslsigncode verify succeeded"
done
