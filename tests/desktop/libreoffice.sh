#!/usr/bin/env bash
# LibreOffice (Debian's libreoffice-writer-nogui + python3-uno), headless,
# driven through UNO (lo_sign.py), with the module registered the way
# docs/clients/libreoffice.md tells users: an NSS database named by
# MOZILLA_CERTIFICATE_FOLDER, `modutil -add` with the configuration as module
# parameter, the service's root CA trusted there.
#
#   0. LibreOffice lists the token certificates as personal certificates
#      without asking for any PIN (the key login model, docs/module.md).
#   a. PDF export with SignPDF / SignatureCertificate / SignaturePassword (the
#      PIN): the service signed, and pdfsig — with only the root CA, in an NSS
#      database of its own — reports the signature valid and trusted.
#   b. ODF signature (XDocumentDigitalSignatures.signDocumentWithCertificate)
#      in the same LibreOffice: no further PIN, the service signed; verified by
#      a fresh LibreOffice process (verifyDocumentContentSignatures) and by
#      xmlsec1 --verify on META-INF/documentsignatures.xml with the zip's
#      members mapped in and the root CA as the only trust anchor.
#   c. A wrong SignaturePassword: the export fails, and the service saw one
#      PIN attempt, not one per NSS retry.
set -euo pipefail
# shellcheck source=tests/desktop/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SOFFICE=${RSSP_SOFFICE:-/usr/lib/libreoffice/program/soffice.bin}
PY=/usr/bin/python3 # Debian's, where python3-uno lives

need_file "$SOFFICE" "$PY"
need_bin modutil certutil pdfsig xmlsec1
"$PY" -c 'import uno' 2>/dev/null || skip "python3-uno is not installed"

token_start
cert=${K_CERT[$RSA]}
# How many requests of one method the emulator has served.
emu_requests() {
    python3 - "$EMU_CA" "${EMU_ADMIN_URL}stats" "$1" <<'PY' || fail "cannot read the emulator's statistics"
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
print(json.load(urllib.request.urlopen(sys.argv[2], context=ctx))["requests"].get(sys.argv[3], 0))
PY
}
STEP_T0=$SECONDS
timing() {
    say "time: $1 took $((SECONDS - STEP_T0)) s"
    STEP_T0=$SECONDS
}

# ---- the NSS database LibreOffice reads, set up as the docs say
db=$WORK/nssdb
mkdir -p "$db"
run certutil -N -d "sql:$db" --empty-password
unset RSSP_PKCS11_CONF # the configuration reaches the module as its NSS parameter only
run modutil -dbdir "sql:$db" -add "RSSP remote signing" -libfile "$MODULE" \
    -string "$MODULE_CONF" -force
run certutil -A -d "sql:$db" -n "RSSP root" -t "C,C,C" -i "$ROOT_PEM"
# pdfsig checks against a database holding nothing but the trust anchor.
trustdb=$WORK/trustdb
mkdir -p "$trustdb"
run certutil -N -d "sql:$trustdb" --empty-password
run certutil -A -d "sql:$trustdb" -n "RSSP root" -t "C,C,C" -i "$ROOT_PEM"

# ---- LibreOffice: its own profile, its own process group, stopped at exit
lo_profile() {
    # soffice.bin asks to be restarted (status 81) after it made a new profile;
    # oosplash would do that, here it is done once, up front.
    local rc
    for _ in 1 2 3; do
        rc=0
        timeout 120 "$SOFFICE" --headless --invisible --nologo --norestore --nodefault \
            --terminate_after_init "-env:UserInstallation=file://$WORK/lo-profile" \
            </dev/null >>"$WORK/soffice-init.log" 2>&1 || rc=$?
        [ "$rc" -eq 81 ] || break
    done
    [ "$rc" -eq 0 ] || fail "soffice.bin --terminate_after_init exited with status $rc ($(tail -3 "$WORK/soffice-init.log"))"
}
lo_start() {
    [ -d "$WORK/lo-profile" ] || lo_profile
    PIPE="rssp-lo-$$-$RANDOM"
    say "starting $SOFFICE (pipe $PIPE, profile $WORK/lo-profile)"
    start_bg soffice env MOZILLA_CERTIFICATE_FOLDER="sql:$db" "$SOFFICE" --headless --invisible \
        --nologo --norestore --nodefault --nolockcheck "--accept=pipe,name=$PIPE;urp;" \
        "-env:UserInstallation=file://$WORK/lo-profile"
}
lo_stop() {
    stop_bg soffice || fail "LibreOffice left processes running"
}
lo() {
    run "$PY" "$DESKTOP_DIR/lo_sign.py" "$PIPE" "$@"
    bg_alive soffice || fail "LibreOffice (soffice.bin) died during lo_sign.py $1"
}

step "LibreOffice lists the personal certificates"
lo_start
before=$(remote_signatures)
lo certs "$cert"
expect_out "^personal certificates: ${#KEYS[@]}\$" \
    "LibreOffice lists the ${#KEYS[@]} token certificates as personal certificates, no PIN asked"
expect_remote_signatures "$before" 0 0 "listing certificates signs nothing"
timing "LibreOffice start and certificate list"

# ---- (a) signed PDF export
step "PDF export signed with SignPDF / SignaturePassword"
before=$(remote_signatures)
lo pdf "$cert" "$PIN" "$WORK/signed.pdf"
[ -s "$WORK/signed.pdf" ] || fail "LibreOffice wrote no PDF"
expect_remote_signatures "$before" 1 2 "PDF export: the service made the signature"
run pdfsig -nssdir "sql:$trustdb" "$WORK/signed.pdf"
cn=$(openssl x509 -in "$cert" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
expect_out "Signer Certificate Common Name: $(re_quote "$cn")\$" "pdfsig: signed by the token's certificate"
expect_out 'Signature Validation: Signature is Valid\.' "pdfsig: signature valid"
expect_out 'Certificate Validation: Certificate is Trusted\.' "pdfsig: certificate trusted (root CA only)"
timing "signed PDF export"

# ---- (b) ODF signature, same LibreOffice (the token is logged in now)
step "ODF signature through XDocumentDigitalSignatures"
before=$(remote_signatures)
lo odf "$cert" "$WORK/signed.odt"
expect_remote_signatures "$before" 1 1 "ODF signature: the service made the signature, no PIN asked again"
lo_stop
timing "ODF signature"

step "verification by a fresh LibreOffice"
lo_start
lo verify "$WORK/signed.odt"
expect_out '^signatures: 1$' "a fresh LibreOffice finds one signature"
expect_out "^signer: .*CN=$(re_quote "$cn")" "the signer is the token's certificate"
expect_out '^signature valid: True$' "LibreOffice: the signature is valid"
expect_out '^certificate status: 0$' "LibreOffice: the certificate is valid and trusted (CertificateValidity.VALID)"
lo_stop
timing "verification by a fresh LibreOffice"

step "independent verification by xmlsec1"
# Independently: xmlsec1 (OpenSSL), the zip members mapped to their extracted files.
mkdir -p "$WORK/odt"
"$PY" - "$WORK/signed.odt" "$WORK/odt" >"$WORK/url-map" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
z.extractall(sys.argv[2])
for n in z.namelist():
    if not n.endswith("/") and n != "META-INF/documentsignatures.xml":
        print("--url-map:%s\t%s/%s" % (n, sys.argv[2], n))
PY
[ -s "$WORK/odt/META-INF/documentsignatures.xml" ] || fail "the ODF has no META-INF/documentsignatures.xml"
mapfile -t maps < <(tr '\t' '\n' <"$WORK/url-map")
run xmlsec1 --verify --crypto openssl --trusted-pem "$ROOT_PEM" --untrusted-pem "$CHAIN_PEM" \
    --enabled-key-data x509 "${maps[@]}" --id-attr:Id SignedProperties \
    "$WORK/odt/META-INF/documentsignatures.xml"
expect_out '^OK$' "xmlsec1 verifies documentsignatures.xml against the root CA"
timing "xmlsec1 verification"

# ---- (c) a wrong PIN costs one attempt, and the export fails cleanly
step "a wrong SignaturePassword"
lo_start
before_auth=$(emu_requests credentials/authorize)
if run_status "$PY" "$DESKTOP_DIR/lo_sign.py" "$PIPE" pdf "$cert" "wrong-$PIN" "$WORK/wrong.pdf"; then
    fail "the PDF export succeeded with a wrong PIN"
fi
n=$(($(emu_requests credentials/authorize) - before_auth))
[ "$n" -eq 1 ] || fail "the service saw $n PIN attempts, expected 1 (NSS retries with the same stored password)"
ok "a wrong SignaturePassword fails the export after one PIN attempt"
bg_alive soffice || fail "LibreOffice died"
ok "LibreOffice survives the failed export"
lo_stop
timing "wrong PIN"
