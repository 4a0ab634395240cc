#!/usr/bin/env bash
# NSS, the stack under Firefox, Thunderbird and LibreOffice: `modutil -add`
# into a fresh NSS database, `certutil -L -h all` lists the token certificates
# as user certificates (u,u,u: NSS paired them with their keys by CKA_ID),
# `certutil -K` logs in and lists the keys, `pdfsig -add-signature` (poppler)
# signs a PDF with the token's RSA key and `pdfsig` reports the signature
# valid and the certificate trusted (the emulator's root trusted in the
# database, the chain from the token).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin modutil certutil pdfsig
token_start

db=$WORK/nssdb
mkdir -p "$db"
printf '%s\n' "$PIN" >"$WORK/pin"
chmod 600 "$WORK/pin"

run certutil -N -d "sql:$db" --empty-password
# The configuration path goes in as the NSS module parameter (-string), which
# NSS hands to C_Initialize as pReserved; the environment is not used.
MODARGS=()
if [ -n "$MODULE_CONF" ]; then
    MODARGS=(-string "$MODULE_CONF")
    unset RSSP_PKCS11_CONF
fi
run modutil -dbdir "sql:$db" -add rssp -libfile "$MODULE" "${MODARGS[@]}" -force
expect_out 'Module "rssp" added to database' "modutil -add registered the module"

run modutil -dbdir "sql:$db" -list rssp
# Slot description and token label of every slot, one per line.
awk '/^  Slot: /{sub(/^  Slot: /, ""); s = $0}
     /^  Token Name: /{sub(/^  Token Name: /, ""); sub(/ +$/, ""); print s "\t" $0}' "$LAST_OUT" >"$WORK/slots"
for k in "${KEYS[@]}"; do
    cut -f2 "$WORK/slots" | grep -Fxq -- "${K_TOKEN[$k]}" || fail "modutil -list does not show token '${K_TOKEN[$k]}'"
    ok "modutil lists token '${K_TOKEN[$k]}'"
done
dups=$(cut -f1 "$WORK/slots" | sort | uniq -d)
[ -z "$dups" ] || fail "slot descriptions are not unique: $dups"
ok "every slot has its own description"
dups=$(cut -f2 "$WORK/slots" | sed '/^$/d' | sort | uniq -d)
[ -z "$dups" ] || fail "token labels are not unique (NSS nicknames would clash): $dups"
ok "every token has its own label"

run certutil -d "sql:$db" -L -h all -f "$WORK/pin"
for k in "${KEYS[@]}"; do
    nick="${K_TOKEN[$k]}:${K_LABEL[$k]}"
    expect_out "^$(re_quote "$nick") +u,u,u\$" "$k: '$nick' listed as a user certificate (u,u,u)"
done
n_ca=$(grep -c 'BEGIN CERTIFICATE' "$CHAIN_PEM")
for k in "${KEYS[@]}"; do
    n=$(grep -cE "^$(re_quote "${K_TOKEN[$k]}"):" "$LAST_OUT" || true)
    [ "$n" -ge $((n_ca + 1)) ] || fail "$k: token '${K_TOKEN[$k]}' shows $n certificates, expected its own and $n_ca intermediate CA certificates"
    ok "$k: NSS sees the certificate and the $n_ca intermediate CA certificates on the token"
done

# The token's certificate as NSS reads it is the issued one.
nick="${K_TOKEN[$RSA]}:${K_LABEL[$RSA]}"
run certutil -d "sql:$db" -L -h "${K_TOKEN[$RSA]}" -n "$nick" -a -f "$WORK/pin"
openssl x509 -in "$LAST_OUT" -outform DER -out "$WORK/tok.der"
openssl x509 -in "${K_CERT[$RSA]}" -outform DER -out "$WORK/rsa.der"
expect_same_file "$WORK/tok.der" "$WORK/rsa.der" "certificate '$nick' read through NSS is the issued one"

for k in "$RSA" "$EC"; do
    run certutil -d "sql:$db" -K -h "${K_TOKEN[$k]}" -f "$WORK/pin"
    # < n> type CKA_ID nickname
    expect_out "^< *[0-9]+> ${K_TYPE[$k]} +${K_ID[$k]} +$(re_quote "${K_LABEL[$k]}")\$" \
        "$k: NSS logged in and found the private key with ID ${K_ID[$k]}"
done

# ---- pdfsig: sign a PDF with the RSA key (pdfsig 22.12 sizes the signature
# hole from a trial signature; ECDSA's varying DER length breaks it about half
# the time, so PDFs are signed with RSA).
run certutil -A -d "sql:$db" -n "RSSP test root (trusted)" -t "C,C,C" -i "$ROOT_PEM"
# pdfsig 22.12 gives -nss-pwd to the first password prompt only; every other
# slot is disabled so the only login is the signing token's.
while IFS=$'\t' read -r slot tok; do
    [ "$tok" = "${K_TOKEN[$RSA]}" ] && continue
    run modutil -dbdir "sql:$db" -disable rssp -slot "$slot" -force
done <"$WORK/slots"

python3 "$CLIENTS_DIR/files/make-pdf.py" "$WORK/invoice.pdf"
before=$(remote_signatures)
run pdfsig -nssdir "$db" -nss-pwd "$PIN" -add-signature -nick "$nick" -digest SHA256 \
    -reason "RSSP client test" "$WORK/invoice.pdf" "$WORK/invoice-signed.pdf"
[ -s "$WORK/invoice-signed.pdf" ] || fail "pdfsig wrote no signed PDF"
# pdfsig signs twice: a trial signature sizes the hole, then the real one.
expect_remote_signatures "$before" 1 2 "pdfsig: at most two signatures per PDF"
run pdfsig -nssdir "$db" "$WORK/invoice-signed.pdf"
expect_out "Signer Certificate Common Name: $(re_quote "$(openssl x509 -in "${K_CERT[$RSA]}" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')")\$" \
    "the PDF is signed by the token's certificate"
expect_out 'Signature Validation: Signature is Valid\.' "pdfsig: signature valid"
expect_out 'Certificate Validation: Certificate is Trusted\.' "pdfsig: certificate trusted"
expect_out 'Total document signed' "pdfsig: the whole document is signed"
