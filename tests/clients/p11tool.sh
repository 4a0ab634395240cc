#!/usr/bin/env bash
# GnuTLS p11tool: list every token's certificates (--list-all-certs) and all
# objects after login (--list-all --login), export the certificate and compare
# it with the issued one, and let p11tool sign and verify (--test-sign).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin p11tool openssl
token_start

P11=(p11tool --provider "$MODULE")
# p11tool reads the PIN from GNUTLS_PIN when --login is given.
export GNUTLS_PIN=$PIN

run "${P11[@]}" --list-tokens
for k in "${KEYS[@]}"; do
    expect_out "^[[:space:]]+Label: $(re_quote "${K_TOKEN[$k]}")\$" "token '${K_TOKEN[$k]}' listed"
done

for k in "${KEYS[@]}"; do
    # With several tokens in one module p11tool wants a token URL.
    tok="pkcs11:token=$(pct "${K_TOKEN[$k]}")"
    idre=$(printf '%s' "${K_ID[$k]}" | sed 's/../%&/g')
    idre=$(re_quote "${idre^^}")

    run "${P11[@]}" --list-all-certs "$tok"
    expect_out "id=$idre;object=$(re_quote "$(pct_soft "${K_LABEL[$k]}")");type=cert" \
        "$k: the certificate is listed with its ID and label"
    n=$(grep -c '^Object [0-9]*:' "$LAST_OUT" || true)
    want=$(($(grep -c 'BEGIN CERTIFICATE' "$CHAIN_PEM") + 1))
    [ "$n" -ge "$want" ] || fail "$k: $n certificates listed, expected the end-entity and its $((want - 1)) intermediate CA certificates"
    ok "$k: $n certificates listed (end-entity and chain)"
    expect_no_out 'type=private' "$k: no private key listed without login"

    run "${P11[@]}" --login --list-all "$tok"
    for t in cert public private; do
        expect_out "id=$idre;object=[^;]*;type=$t\$" "$k: $t object with ID ${K_ID[$k]} after login"
    done

    run "${P11[@]}" --export "$(uri "$k" cert)" --outfile "$WORK/$k.tok.pem"
    openssl x509 -in "$WORK/$k.tok.pem" -outform DER -out "$WORK/$k.tok.der"
    openssl x509 -in "${K_CERT[$k]}" -outform DER -out "$WORK/$k.der"
    expect_same_file "$WORK/$k.tok.der" "$WORK/$k.der" "$k: exported certificate is the issued one"

    run "${P11[@]}" --login --test-sign "$(uri "$k" private)"
    expect_out 'Verifying against public key in the token\.\.\. ok' "$k: p11tool --test-sign signed and verified"
done
