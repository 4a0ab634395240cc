#!/usr/bin/env bash
# S/MIME signing through NSS, the path Thunderbird takes (docs/clients/thunderbird.md
# says why Thunderbird itself is not driven): the module registered in an NSS
# database as the Thunderbird recipe says, `cmsutil -S` (libnss3-tools) signs
# the body of a message with the token's key through the module, the signed
# message is assembled as multipart/signed (RFC 8551), and OpenSSL — not NSS,
# not the module — verifies it against the root CA: `openssl cms -verify`.
#
# Run in both login models (docs/module.md): the token model (cmsutil logs
# in with -p before it looks for the key) and the key model (the key is found
# without a login and NSS asks cmsutil's password callback at signing time,
# C_Login(CKU_CONTEXT_SPECIFIC)). Each signature costs exactly one remote
# signature.
set -euo pipefail
# shellcheck source=tests/desktop/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin modutil certutil cmsutil openssl
token_start
STEP_T0=$SECONDS

db=$WORK/nssdb
mkdir -p "$db"
run certutil -N -d "sql:$db" --empty-password
unset RSSP_PKCS11_CONF # the configuration reaches the module as its NSS parameter only
run modutil -dbdir "sql:$db" -add "RSSP remote signing" -libfile "$MODULE" \
    -string "$MODULE_CONF" -force
run certutil -A -d "sql:$db" -n "RSSP root" -t "C,C,C" -i "$ROOT_PEM"

# The body to sign: a MIME entity with CRLF line ends, as it goes on the wire.
printf 'Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nInvoice 2026-42 is attached in spirit.\r\nAlice\r\n' \
    >"$WORK/body.mime"

# smime_sign MODEL KEY: sign body.mime in login model MODEL with key KEY and verify it.
smime_sign() {
    local model=$1 k=$2 conf
    conf=${MODULE_CONF%/*}/login-$model.conf
    awk -v m="$model" '{ print } /^\[module\]/ { print "login_model = " m }' "$MODULE_CONF" >"$conf"
    chmod 600 "$conf"
    run modutil -dbdir "sql:$db" -delete "RSSP remote signing" -force
    run modutil -dbdir "sql:$db" -add "RSSP remote signing" -libfile "$MODULE" -string "$conf" -force

    step "S/MIME signature, $model login model, key $k"
    local nick="${K_TOKEN[$k]}:${K_LABEL[$k]}" out=$WORK/$model-$k
    local before
    before=$(remote_signatures)
    run cmsutil -S -T -G -P -Y NONE -H SHA256 -d "sql:$db" -N "$nick" -p "$PIN" \
        -i "$WORK/body.mime" -o "$out.p7s"
    [ -s "$out.p7s" ] || fail "cmsutil wrote no signature"
    expect_remote_signatures "$before" 1 1 "$model model, $k: cmsutil's signature was made by the service"

    # multipart/signed, RFC 8551 3.5.3
    local boundary="----rssp-$RANDOM$RANDOM"
    {
        printf 'MIME-Version: 1.0\r\n'
        printf 'From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\n'
        printf 'Subject: signed with rssp-pkcs11 (%s model)\r\n' "$model"
        printf 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="%s"\r\n\r\n' "$boundary"
        printf 'This is a cryptographically signed message in MIME format.\r\n\r\n'
        printf -- '--%s\r\n' "$boundary"
        cat "$WORK/body.mime"
        printf '\r\n--%s\r\n' "$boundary"
        printf 'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
        printf 'Content-Transfer-Encoding: base64\r\n'
        printf 'Content-Disposition: attachment; filename="smime.p7s"\r\n\r\n'
        base64 -w 76 "$out.p7s" | sed 's/$/\r/'
        printf '\r\n--%s--\r\n' "$boundary"
    } >"$out.eml"
    # The token's certificate and chain travel in the signature; only the
    # root is trusted. purpose any: the emulator's certificates carry no
    # e-mail protection usage, which is the CA's business, not the module's.
    run openssl cms -verify -in "$out.eml" -CAfile "$ROOT_PEM" -purpose any \
        -signer "$out.signer.pem" -out "$out.verified"
    expect_out 'Verification successful' "$model model, $k: openssl cms -verify accepts the S/MIME signature"
    expect_same_file "$out.signer.pem" <(openssl x509 -in "${K_CERT[$k]}") \
        "$model model, $k: the signer is the token's certificate"
    cmp -s <(tr -d '\r' <"$out.verified") <(tr -d '\r' <"$WORK/body.mime") ||
        fail "the verified content is not the signed body"
    ok "$model model, $k: the verified content is the body that was signed"
    say "time: $model model, $k took $((SECONDS - STEP_T0)) s"
    STEP_T0=$SECONDS
}

for model in token key; do
    smime_sign "$model" "$RSA"
    smime_sign "$model" "$EC"
done
