#!/usr/bin/env bash
# xmlsec: sign a UBL invoice (an e-invoice shaped document, enveloped
# XML-DSig) with the token's RSA and EC keys, and verify it with the xmlsec1
# command line against the emulator's root CA.
#
# Debian 12's xmlsec1 1.2.37 command line cannot sign with a token key: its
# OpenSSL engine path sees no private RSA key ("key is not found") and fails
# inside ECDSA, and `--crypto nss` is refused (built without dynamic crypto
# loading). Signing therefore goes through libxmlsec1-nss with a small
# driver (xmlsec/xmlsec-nss-sign.c, $RSSP_XMLSEC_SIGN) and the NSS nickname
# TOKEN:LABEL; this test also checks that the command line still fails, so
# docs/clients/xmlsec.md stays true.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin xmlsec1 modutil certutil
SIGNER=${RSSP_XMLSEC_SIGN:-}
if [ -z "$SIGNER" ] || [ ! -x "$SIGNER" ]; then
    skip "the xmlsec-nss-sign driver is not built (libxmlsec1-dev, libnss3-dev)"
fi
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

for k in "$RSA" "$EC"; do
    if [ "${K_TYPE[$k]}" = rsa ]; then
        method=http://www.w3.org/2001/04/xmldsig-more#rsa-sha256
    else
        method=http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256
    fi
    sed "s|SIGNATURE_METHOD|$method|" "$CLIENTS_DIR/xmlsec/invoice-template.xml" >"$WORK/$k.tmpl.xml"

    run "$SIGNER" "$db" "$WORK/pin" "${K_TOKEN[$k]}:${K_LABEL[$k]}" "$WORK/$k.tmpl.xml" "$WORK/$k.signed.xml"
    expect_out '^signed ' "$k: invoice signed through libxmlsec1-nss ($method)"

    # The certificate in KeyInfo is the token's.
    python3 - "$WORK/$k.signed.xml" "$WORK/$k.keyinfo.der" <<'PY'
import base64, sys, xml.etree.ElementTree as ET
ns = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
certs = ET.parse(sys.argv[1]).getroot().findall(".//ds:KeyInfo/ds:X509Data/ds:X509Certificate", ns)
open(sys.argv[2], "wb").write(base64.b64decode(certs[0].text) if certs else b"")
PY
    openssl x509 -in "${K_CERT[$k]}" -outform DER -out "$WORK/$k.der"
    expect_same_file "$WORK/$k.keyinfo.der" "$WORK/$k.der" "$k: KeyInfo carries the token's certificate"

    run xmlsec1 --verify --trusted-pem "$ROOT_PEM" --enabled-key-data x509 "$WORK/$k.signed.xml"
    expect_out '^OK$' "$k: xmlsec1 --verify accepts the signature (chain to the root)"

    sed 's|<cbc:PayableAmount currencyID="EUR">100.00<|<cbc:PayableAmount currencyID="EUR">900.00<|' \
        "$WORK/$k.signed.xml" >"$WORK/$k.tampered.xml"
    if run_status xmlsec1 --verify --trusted-pem "$ROOT_PEM" --enabled-key-data x509 "$WORK/$k.tampered.xml"; then
        fail "$k: xmlsec1 accepted a tampered invoice"
    fi
    ok "$k: xmlsec1 --verify rejects the tampered invoice"
done

# The command line's OpenSSL engine path, for the record (see the header).
if openssl version -e >/dev/null 2>&1; then
    export PKCS11_MODULE_PATH=$MODULE
    if run_status xmlsec1 --sign --privkey-openssl-engine \
        "pkcs11;$(uri "$RSA" private)?pin-value=$PIN,${K_CERT[$RSA]}" \
        --output "$WORK/cli.xml" "$WORK/$RSA.tmpl.xml"; then
        say "NOTE: xmlsec1's command line now signs with a token key; update docs/clients/xmlsec.md"
    else
        ok "xmlsec1 command line still cannot sign with a token key (as docs/clients/xmlsec.md says)"
    fi
fi
