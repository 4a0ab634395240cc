# shellcheck shell=bash disable=SC2034 # the variables serve the sourcing script
# The real backend: our module ($RSSP_MODULE) against a fresh emulator
# ($RSSP_EMULATOR) started by tests/support/emulator.sh. The demo owner's
# valid credentials become the keys; what the tokens must look like is taken
# from the fixture and from docs/module.md, never from the module itself:
#   token label  "<subject CN> (<credential id>)", cut to 32 bytes (UTF-8)
#   CKA_LABEL    the token label (certificate, public and private key)
#   CKA_ID       SHA-1 of the certificate's subjectPublicKey bits
# Sourced by lib.sh.

backend_start() {
    [ -n "${RSSP_MODULE:-}" ] || fail "RSSP_MODULE (the built rssp-pkcs11.so) is not set"
    [ -n "${RSSP_EMULATOR:-}" ] || fail "RSSP_EMULATOR (the built rssp-emulator) is not set"
    [ -f "$RSSP_MODULE" ] || fail "RSSP_MODULE=$RSSP_MODULE does not exist"
    [ -x "$RSSP_EMULATOR" ] || fail "RSSP_EMULATOR=$RSSP_EMULATOR is not executable"
    # shellcheck source=/dev/null
    . "$REPO_DIR/tests/support/emulator.sh"
    emu_start || fail "the emulator did not start (its log is above)"
    # emu_start installs its own EXIT trap; ours runs emu_stop among the rest.
    trap _cleanup EXIT
    at_exit emu_stop
    say "emulator: $EMU_URL ($EMU_PROTOCOL) in $EMU_DIR"
    local dir=$EMU_DIR

    MODULE=$RSSP_MODULE
    python3 - "$dir/fixture.json" "$WORK/fixture.sh" "$EMU_CONF" <<'PY' || fail "cannot read $dir/fixture.json"
import hashlib, json, shlex, subprocess, sys

fx = json.load(open(sys.argv[1]))
demo = sys.argv[3]  # the demo configuration of the protocol under test
out = []
def emit(name, value):
    out.append("%s=%s" % (name, shlex.quote(str(value))))

def der_len(b, i):
    n = b[i]
    if n < 0x80:
        return n, i + 1
    k = n & 0x7F
    return int.from_bytes(b[i + 1:i + 1 + k], "big"), i + 1 + k

def key_id(cert):
    """SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 4.2.1.2 (1))."""
    spki = subprocess.run(
        "openssl x509 -in %s -noout -pubkey | openssl pkey -pubin -outform DER" % shlex.quote(cert),
        shell=True, check=True, capture_output=True).stdout
    _, i = der_len(spki, 1)           # SEQUENCE SubjectPublicKeyInfo
    n, j = der_len(spki, i + 1)       # AlgorithmIdentifier
    i = j + n
    assert spki[i] == 0x03            # BIT STRING
    n, j = der_len(spki, i + 1)
    return hashlib.sha1(spki[j + 1:j + n]).hexdigest()

def common_name(cert):
    subj = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-subject", "-nameopt", "multiline,utf8,-esc_msb"],
                          check=True, capture_output=True).stdout.decode()
    for line in subj.splitlines():
        line = line.strip()
        if line.startswith("commonName"):
            return line.split("=", 1)[1].strip()
    return ""

def token_label(cn, cred_id):
    label = ("%s (%s)" % (cn, cred_id)).encode()
    if len(label) > 32:
        label = label[:32]
        while label and (label[-1] & 0xC0) == 0x80:
            label = label[:-1]
        if label and label[-1] >= 0xC0:
            label = label[:-1]
    return label.decode()

emit("MODULE_CONF", demo)
emit("PIN", fx["pin"])
names = {("RSA", 2048): "rsa2048", ("RSA", 3072): "rsa3072", ("EC", 256): "p256", ("EC", 384): "p384"}
# The account of the demo configuration is the owner whose tokens we see.
demo_owner = None
section = None
for line in open(demo):
    line = line.strip()
    if line.startswith("["):
        section = line
    elif section == "[account]" and line.split("=")[0].strip() == "username":
        demo_owner = line.split("=", 1)[1].strip()
if demo_owner is None:
    sys.exit("no [account] username in " + demo)
for c in fx["credentials"]:
    if c["owner"] != demo_owner or c["status"] != "valid" or c["authMode"] != "EXPLICIT/PIN":
        continue
    k = names[(c["keyType"], int(c["keyBits"]))]
    out.append("KEYS+=(%s)" % k)
    emit("K_TYPE[%s]" % k, c["keyType"].lower())
    emit("K_CERT[%s]" % k, c["certificate"])
    label = token_label(common_name(c["certificate"]), c["id"])
    emit("K_TOKEN[%s]" % k, label)
    emit("K_LABEL[%s]" % k, label)
    emit("K_ID[%s]" % k, key_id(c["certificate"]))
emit("ROOT_PEM", fx["dir"] + "/ca/root.pem")
emit("CHAIN_PEM", fx["dir"] + "/ca/intermediate.pem")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
    # shellcheck source=/dev/null
    . "$WORK/fixture.sh"
    [ "${#KEYS[@]}" -gt 0 ] || fail "the fixture has no usable credential of the demo owner"
    export RSSP_PKCS11_CONF=$MODULE_CONF
}

# How many signatures/signHash calls the emulator has served.
backend_remote_signatures() {
    python3 - "$EMU_CA" "${EMU_ADMIN_URL}stats" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
print(json.load(urllib.request.urlopen(sys.argv[2], context=ctx))["requests"]["signatures/signHash"])
PY
}
