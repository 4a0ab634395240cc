#!/usr/bin/env bash
# Java SunPKCS11 (OpenJDK 17): `keytool -list` through a provider
# configuration shows each key as a PrivateKeyEntry with its chain up to the
# root; `jarsigner` signs a jar with the token key (RSA and EC) and
# `jarsigner -verify -strict` accepts it against a truststore holding the
# emulator's CA certificates.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin keytool jarsigner jar
token_start

# slotListIndex counts the slots that hold a token, as C_GetSlotList(TRUE)
# returns them; pkcs11-tool --list-token-slots lists the same.
run pkcs11-tool --module "$MODULE" --list-token-slots
mapfile -t slot_tokens < <(sed -n 's/^  token label *: //p' "$LAST_OUT")

provider_cfg() { # key -> config file
    local k=$1 i
    for i in "${!slot_tokens[@]}"; do
        if [ "${slot_tokens[$i]}" = "${K_TOKEN[$k]}" ]; then
            printf 'name = rssp-%s\nlibrary = %s\nslotListIndex = %d\n' "$k" "$MODULE" "$i" >"$WORK/$k.cfg"
            say "provider configuration $WORK/$k.cfg:"
            sed 's/^/  | /' "$WORK/$k.cfg"
            return 0
        fi
    done
    fail "token '${K_TOKEN[$k]}' is not in pkcs11-tool's slot list"
}

n_ca=$(grep -c 'BEGIN CERTIFICATE' "$CHAIN_PEM")
# The verifier's truststore holds the service's CA certificates (root and
# intermediates), as they would be in the verifier's cacerts. With
# -keystore, jarsigner -strict also wants one certificate of the signer's
# chain in that keystore; the root is not in a jar whose token (like most
# services) gives the chain without its root.
i=0
while openssl x509 -out "$WORK/ca$i.pem" 2>/dev/null; do
    run keytool -importcert -noprompt -alias "rssp-ca$i" -file "$WORK/ca$i.pem" -keystore "$WORK/trust.p12" \
        -storetype PKCS12 -storepass changeit
    i=$((i + 1))
done <"$CA_PEM"

mkdir -p "$WORK/jar/demo"
printf 'class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$WORK/jar/demo/Hello.java"
printf 'Invoice 2024-001: 100.00 EUR\n' >"$WORK/jar/demo/invoice.txt"
run jar --create --file "$WORK/app.jar" -C "$WORK/jar" .

for k in "$RSA" "$EC"; do
    provider_cfg "$k"
    P=(-keystore NONE -storetype PKCS11 -addprovider SunPKCS11 -providerArg "$WORK/$k.cfg" -storepass "$PIN")
    alias=${K_LABEL[$k]}

    run keytool -list -v "${P[@]}"
    # The entry of our alias: from its "Alias name:" line to the next one.
    awk -v a="Alias name: $alias" '$0 == a {on = 1; print; next} /^Alias name: / {on = 0} on' "$LAST_OUT" >"$WORK/entry"
    [ -s "$WORK/entry" ] || fail "$k: keytool lists no entry with alias '$alias' (the certificate's CKA_LABEL)"
    grep -q '^Entry type: PrivateKeyEntry$' "$WORK/entry" ||
        fail "$k: '$alias' is not a PrivateKeyEntry (no private key shares the certificate's CKA_ID?)"
    ok "$k: keytool shows '$alias' as a PrivateKeyEntry"
    len=$(sed -n 's/^Certificate chain length: //p' "$WORK/entry")
    [ "${len:-0}" -ge $((n_ca + 1)) ] ||
        fail "$k: certificate chain length ${len:-?}, expected at least $((n_ca + 1)) (the intermediate CA certificates must be on the token)"
    ok "$k: chain of $len certificates built from the token"

    if [ "${K_TYPE[$k]}" = rsa ]; then sigalg=SHA256withRSA; else sigalg=SHA256withECDSA; fi
    run jarsigner "${P[@]}" -sigalg "$sigalg" -signedjar "$WORK/$k.jar" "$WORK/app.jar" "$alias"
    expect_out '^jar signed\.' "$k: jarsigner signed the jar ($sigalg)"

    run jarsigner -verify -strict -verbose -certs -keystore "$WORK/trust.p12" -storetype PKCS12 \
        -storepass changeit "$WORK/$k.jar"
    expect_out '^jar verified\.' "$k: jarsigner -verify -strict accepts the jar"
    expect_out "$(re_quote "$sigalg")" "$k: signed with $sigalg"
done
