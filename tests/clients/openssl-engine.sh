#!/usr/bin/env bash
# OpenSSL 3 with the libp11 pkcs11 engine: `openssl dgst -sign`, `openssl req`
# (CSR and self-signed certificate) and `openssl cms -sign` with a pkcs11: URI,
# for an RSA and an EC key; every result verified with plain openssl.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin openssl
ENGINES=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"/\1/p')
need_file "$ENGINES/pkcs11.so"
token_start

# The engine loads PKCS11_MODULE_PATH (unset, it would use p11-kit-proxy).
export PKCS11_MODULE_PATH=$MODULE
ENG=(-engine pkcs11 -keyform engine)
printf 'Contract %s\nAmount: 100.00 EUR\n' "$(date -u +%FT%TZ)" >"$WORK/doc.txt"

# pubkey_of FILE KIND: the public key of a CSR or certificate, as DER.
pubkey_der() {
    if [ "$2" = req ]; then
        openssl req -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER
    else
        openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER
    fi
}

for k in "$RSA" "$EC"; do
    key="$(uri "$k" private)?pin-value=$PIN"
    h=${K_HASH[$k]}
    openssl pkey -pubin -in "${K_PUB[$k]}" -outform DER -out "$WORK/$k.pub.der"

    # ---- dgst -sign
    run openssl dgst -"$h" "${ENG[@]}" -sign "$key" -out "$WORK/$k.sig" "$WORK/doc.txt"
    run openssl dgst -"$h" -verify "${K_PUB[$k]}" -signature "$WORK/$k.sig" "$WORK/doc.txt"
    expect_out '^Verified OK$' "$k: openssl dgst -sign through the engine, verified with the certificate's key"

    # ---- req -new: a CSR signed on the token
    run openssl req -new "${ENG[@]}" -key "$key" -"$h" -subj "/CN=RSSP client test $k" -out "$WORK/$k.csr"
    run openssl req -in "$WORK/$k.csr" -noout -verify
    expect_out 'verify OK' "$k: CSR self-signature verified"
    pubkey_der "$WORK/$k.csr" req >"$WORK/$k.csr.pub.der"
    expect_same_file "$WORK/$k.csr.pub.der" "$WORK/$k.pub.der" "$k: CSR carries the token key"

    # ---- req -new -x509: a self-signed certificate signed on the token
    run openssl req -new -x509 "${ENG[@]}" -key "$key" -"$h" -days 1 -subj "/CN=RSSP self-signed $k" \
        -out "$WORK/$k.self.pem"
    run openssl verify -check_ss_sig -CAfile "$WORK/$k.self.pem" "$WORK/$k.self.pem"
    expect_out ': OK$' "$k: self-signed certificate verified"
    pubkey_der "$WORK/$k.self.pem" x509 >"$WORK/$k.self.pub.der"
    expect_same_file "$WORK/$k.self.pub.der" "$WORK/$k.pub.der" "$k: self-signed certificate carries the token key"

    # ---- cms -sign: an attached CMS signature of a document, verified
    # against the emulator's root with the chain from the signature itself
    run openssl cms -sign "${ENG[@]}" -inkey "$key" -signer "${K_CERT[$k]}" -certfile "$CHAIN_PEM" -md "$h" \
        -binary -nodetach -outform DER -in "$WORK/doc.txt" -out "$WORK/$k.p7s"
    run openssl cms -verify -CAfile "$ROOT_PEM" -purpose any -binary -inform DER -in "$WORK/$k.p7s" \
        -out "$WORK/$k.content"
    expect_out 'Verification successful' "$k: CMS signature verified to the root CA"
    expect_same_file "$WORK/$k.content" "$WORK/doc.txt" "$k: CMS content is the document"
done
