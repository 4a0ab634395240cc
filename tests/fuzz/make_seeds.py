#!/usr/bin/env python3
"""Make the fuzz seed corpora (tests/fuzz/corpus/<target>/seed-*) and the
fixed certificates and key of the harnesses (tests/fuzz/fixed_material.c).

Certificates, keys and signatures come from the openssl command line, the
JSON bodies from the examples of rssp-protocol.md, the configurations from
docs/configuration.md. Keys are made in a temp folder and thrown away; the
seeds that need a signature (SSL2, AppSign) are signed here, at the fixed
times the harnesses use.

Run from anywhere: python3 tests/fuzz/make_seeds.py
Only seed-* files are rewritten: reproducers of findings (crash-*, leak-*,
timeout-*) stay. Commit the result.
"""
import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# Fixed times of the harnesses (fuzz_appsign.c NOW, fuzz_emu_auth.c NOW_MS).
NOW = 1700000000
CACHE_KEY = "https://127.0.0.1:8443/rssp/v1/|alice"  # fuzz_cache.c CACHE_KEY
API_KEY, API_SECRET = "demo-app", "demo-app-secret"  # fuzz_appsign.c


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, check=True,
                          capture_output=True).stdout


def b64(data):
    return base64.b64encode(data).decode()


def der_len(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


NULL = b"\x05\x00"
HASH_OIDS = {
    "sha1": ("1.3.14.3.2.26", 20),
    "sha224": ("2.16.840.1.101.3.4.2.4", 28),
    "sha256": ("2.16.840.1.101.3.4.2.1", 32),
    "sha384": ("2.16.840.1.101.3.4.2.2", 48),
    "sha512": ("2.16.840.1.101.3.4.2.3", 64),
}


class Seeds:
    def __init__(self):
        self.written = {}

    def put(self, target, name, data):
        folder = os.path.join(CORPUS, target)
        os.makedirs(folder, exist_ok=True)
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(folder, "seed-" + name), "wb") as f:
            f.write(data)
        self.written[target] = self.written.get(target, 0) + len(data)

    def clear_old(self):
        if not os.path.isdir(CORPUS):
            return
        for target in os.listdir(CORPUS):
            for name in os.listdir(os.path.join(CORPUS, target)):
                if name.startswith("seed-"):
                    os.unlink(os.path.join(CORPUS, target, name))


def make_pki(tmp):
    """An EC P-256 CA, RSA-2048 and EC P-256 end entities under it, more keys."""
    def path(name):
        return os.path.join(tmp, name)

    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", path("ca.key"))
    openssl("req", "-x509", "-new", "-key", path("ca.key"), "-subj",
            "/CN=Fuzz CA/O=rssp-pkcs11/C=VN", "-days", "3650", "-sha256",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", path("ca.pem"))
    ext = path("ee.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    ee = {}
    for name, alg, opt, subj, serial in [
            ("rsa", "RSA", "rsa_keygen_bits:2048", "/CN=Alice Nguyen/C=VN", "0x5AAC41CD8FA22B953640"),
            ("ec", "EC", "ec_paramgen_curve:P-256", "/CN=Alice EC/O=rssp-pkcs11/C=VN", "0x0102")]:
        openssl("genpkey", "-algorithm", alg, "-pkeyopt", opt, "-out", path(name + ".key"))
        openssl("req", "-new", "-key", path(name + ".key"), "-subj", subj, "-out",
                path(name + ".csr"))
        openssl("x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.pem"), "-CAkey",
                path("ca.key"), "-set_serial", serial, "-days", "3650", "-sha256",
                "-extfile", ext, "-out", path(name + ".pem"))
        ee[name] = openssl("x509", "-in", path(name + ".pem"), "-outform", "DER")
    ca = openssl("x509", "-in", path("ca.pem"), "-outform", "DER")
    # Self-signed certificates of other key kinds, for the certificate parser.
    others = {}
    for name, alg, opt in [("p384", "EC", "ec_paramgen_curve:P-384"),
                           ("p521", "EC", "ec_paramgen_curve:P-521"),
                           ("ed25519", "ED25519", None),
                           ("rsa1024", "RSA", "rsa_keygen_bits:1024")]:
        args = ["genpkey", "-algorithm", alg, "-out", path(name + ".key")]
        if opt:
            args[3:3] = ["-pkeyopt", opt]
        openssl(*args)
        openssl("req", "-x509", "-new", "-key", path(name + ".key"), "-subj", "/CN=" + name,
                "-days", "365", "-out", path(name + ".pem"))
        others[name] = openssl("x509", "-in", path(name + ".pem"), "-outform", "DER")
    return ca, ee, others


def sign(tmp, key, data, digest="-sha256"):
    msg = os.path.join(tmp, "msg")
    with open(msg, "wb") as f:
        f.write(data)
    return openssl("dgst", digest, "-sign", os.path.join(tmp, key), msg)


def c_array(name, data):
    lines = []
    for i in range(0, len(data), 12):
        lines.append("    " + ", ".join("0x%02x" % b for b in data[i:i + 12]) + ",")
    return ("const unsigned char %s[] = {\n%s\n};\nconst size_t %s_len = sizeof(%s);\n"
            % (name, "\n".join(lines), name, name))


def write_fixed_material(ca, ee, ssl2_public_pem):
    pem = "".join('    "%s\\n"\n' % line for line in ssl2_public_pem.decode().strip().split("\n"))
    with open(os.path.join(HERE, "fixed_material.c"), "w") as f:
        f.write("/* Generated by make_seeds.py: fixed certificates and the SSL2 public key. */\n"
                '#include "fixed_material.h"\n\n')
        f.write(c_array("fuzz_ca_cert_der", ca) + "\n")
        f.write(c_array("fuzz_rsa_cert_der", ee["rsa"]) + "\n")
        f.write(c_array("fuzz_ec_cert_der", ee["ec"]) + "\n")
        f.write("const char fuzz_ssl2_public_pem[] =\n%s;\n" % pem.rstrip("\n"))
    if shutil.which("clang-format"):
        subprocess.run(["clang-format", "-i", os.path.join(HERE, "fixed_material.c")], check=True)


def envelope(code=0, message="Successfully", bill="DEMO-RP-231114221320-1-000001", **fields):
    body = {"responseCode": code, "responseMessage": message, "billCode": bill}
    body.update(fields)
    return json.dumps(body, separators=(",", ":"))


def client_bodies(ca, ee, rsa_sig):
    """(method digit, status digit, body) from the examples of rssp-protocol.md §2."""
    chain = [b64(ee["rsa"]), b64(ca)]
    info = dict(version="1.0.0", name="rssp-emulator", description="Local RSSP for tests",
                languages=["EN", "VN"], authTypes=["SSL2", "Basic"],
                methods=["auth/login", "auth/revoke", "credentials/list", "credentials/info",
                         "credentials/sendOTP", "credentials/authorize",
                         "credentials/extendTransaction", "signatures/signHash", "owner/list",
                         "owner/assign"])
    cert_info = dict(issuerDN="CN=Fuzz CA,O=rssp-pkcs11,C=VN", serialNumber="5AAC41CD8FA22B953640",
                     subjectDN="CN=Alice Nguyen,C=VN", validFrom="20240101000000Z",
                     validTo="20270101000000Z",
                     certificateProfile={"name": "PERS-RSA2048", "description": "Personal"},
                     purpose="SIGNATURE")
    list_item = dict(credentialID="84902", certificateID=84902, thumbprint="3f1c" * 16,
                     status="valid", numSignatures=10, remainingSigningCounter=-1, version=1,
                     certificates=chain, **cert_info)
    credinfo = dict(certificate=dict(status="valid", certificates=chain, thumbprint="3f1c" * 16,
                                     **cert_info),
                    sharedMode="PRIVATE_MODE", createdRP="DEMO-RP", numSignatures=10,
                    authModeSupported=["EXPLICIT/PIN"], authMode="EXPLICIT/PIN", SCAL=1,
                    remainingSigningCounter=-1, authorizationPhone="0912***678",
                    authorizationEmail="a***@example.vn", passphraseDefault=False,
                    key={"algo": ["1.2.840.113549.1.1.1"], "len": 2048})
    credinfo_ec = dict(certificate=dict(status="valid", certificates=[b64(ee["ec"]), b64(ca)]),
                       numSignatures=1, authModeSupported=["EXPLICIT/OTP-SMS"],
                       authMode="EXPLICIT/OTP-SMS", SCAL=2,
                       key={"algo": ["1.2.840.10045.2.1"], "len": 256,
                            "curve": "1.2.840.10045.3.1.7"})
    owner = dict(ownerUUID="6f0c2a4e-1b7d-4a7e-9d55-2f6f3f7a9c10", username="alice",
                 userType="USERNAME", fullName="Alice Nguyen", personalID="079123456789",
                 phone="0912***678", email="a***@example.vn")
    return [
        ("info", "1", "0", envelope(**info)),
        ("info-bare", "1", "0", json.dumps(info)),
        ("login", "2", "0", envelope(accessToken="at-4Qz0", refreshToken="rt-9Kd2",
                                     expiresIn=3600, username="alice",
                                     ownerInfo={"fullName": "Alice Nguyen"})),
        ("login-wrong-password", "2", "0",
         envelope(3000, "Invalid owner credentials", remainingCounter=4)),
        ("login-locked", "2", "0", envelope(3002, "Account locked", temporaryLockTime=300)),
        ("revoke", "0", "0", envelope()),
        ("send-otp", "0", "0", envelope(1007, "Request accepted")),
        ("list", "3", "0", envelope(certificates=[list_item])),
        ("list-certs-alias", "3", "0", envelope(certs=[{"certificateID": 7, "version": 2}])),
        ("list-empty", "3", "0", envelope(certificates=[])),
        ("credinfo", "4", "0", envelope(**credinfo)),
        ("credinfo-ec-otp", "4", "0", envelope(**credinfo_ec)),
        ("authorize", "5", "0", envelope(SAD="SAD-7hQ", expiresIn=300, remainingCounter=5)),
        ("authorize-wrong-pin", "5", "0",
         envelope(3011, "Invalid authorize code", remainingCounter=2)),
        ("sign-hash", "6", "0", envelope(signatures=[b64(rsa_sig)], remainingSigningCounter=-1)),
        # 'p' is status 200 with two signatures expected (fuzz_client_response.c).
        ("sign-hash-two", "6", "p", envelope(signatures=[b64(rsa_sig), b64(rsa_sig[:64])])),
        ("owner-list", "7", "0", envelope(owners=[owner], currentPage=1, recordCount=1,
                                          recordTotal=1)),
        ("owner-flat", "7", "0", envelope(**owner)),
        ("v2-error", "3", "1", json.dumps({"error": 3006, "errorDescription": "Invalid token"})),
        ("csc-error", "5", "2", json.dumps({"error": "invalid_token",
                                            "error_description": "expired"})),
        ("http-500", "0", "5", "<html>Internal Server Error</html>"),
    ]


def cache_file(ca, ee, others):
    def cred(cid, certs, mode, scal, **extra):
        c = dict(credentialID=cid, thumbprint="aa" * 32, status="valid",
                 subjectDN="CN=Alice Nguyen,C=VN", issuerDN="CN=Fuzz CA,O=rssp-pkcs11,C=VN",
                 serialNumber="5AAC41CD8FA22B953640", validFrom="20240101000000Z",
                 validTo="20270101000000Z", purpose="SIGNATURE", authMode=mode,
                 authorizationPhone="0912***678", authorizationEmail="a***@example.vn",
                 keyAlgo="1.2.840.113549.1.1.1", keyCurve=None, version=1,
                 remainingSigningCounter=-1, numSignatures=10, SCAL=scal, keyLen=2048,
                 certificates=[b64(c) for c in certs], hasAuthInfo=True,
                 authModeSupported=[mode])
        c.update(extra)
        return {k: v for k, v in c.items() if v is not None}

    def doc(creds):
        return json.dumps(dict(version=1, key=CACHE_KEY, written=NOW, credentials=creds),
                          separators=(",", ":"))
    return [
        ("two-tokens", doc([cred("84902", [ee["rsa"], ca], "EXPLICIT/PIN", 1),
                            cred("84911", [ee["ec"], ca], "EXPLICIT/OTP-SMS", 2,
                                 keyAlgo="1.2.840.10045.2.1", keyCurve="1.2.840.10045.3.1.7",
                                 keyLen=256)])),
        ("implicit-p384", doc([cred("9", [others["p384"]], "IMPLICIT/CYBER-ID", 1)])),
        ("ed25519-unusable", doc([cred("10", [others["ed25519"]], "EXPLICIT/PIN", 1)])),
        ("empty", doc([])),
    ]


def pss_params(hash_name, mgf_name, salt, trailer=False):
    items = []
    if hash_name:
        items.append(tlv(0xA0, seq(oid(HASH_OIDS[hash_name][0]), NULL)))
    if mgf_name:
        items.append(tlv(0xA1, seq(oid("1.2.840.113549.1.1.8"),
                                   seq(oid(HASH_OIDS[mgf_name][0]), NULL))))
    if salt is not None:
        items.append(tlv(0xA2, tlv(0x02, salt.to_bytes(1 if salt < 128 else 2, "big"))))
    if trailer:
        items.append(tlv(0xA3, tlv(0x02, b"\x01")))
    return seq(*items)


def config_files():
    full = """[service]
url = https://127.0.0.1:8443/rssp/v1/
ca_file = ca.pem
connect_timeout_ms = 5000
timeout_ms = 30000
authorize_timeout_ms = 330000

[relying_party]
name = DEMO-RP
auth = ssl2
username = rpuser
password_file = rp-password
signature = c2lnbmF0dXJl
key_file = rp-key.pem
key_password_file = rp-key-password
ssl2_hash = sha1

[account]
user_type = USERNAME
username = alice
password_file = alice-password
client_mac = 00:11:22:33:44:55
remember_me = true

[module]
cache_dir = cache
cache_ttl = 3600
log_level = off
sad_signatures = 0
"""
    appsign = """[service]
url = http://localhost:8080/rssp/v1/

[relying_party]
name = DEMO-RP
auth = appsign
api_key = demo-app
api_secret_file = app-secret
appsign_ttl = 60

[account]
username = alice
password = inline-secret ; allowed: the file is 0600
remember_me = yes
"""
    rp_only = """; RP-only login (SSL2 only), agreement named
[service]
url = https://[::1]:8443/rssp/v1/
[relying_party]
name = DEMO-RP
username = rpuser
password = rppass
signature = c2ln
key_file = rp-key.pem
ssl2_hash = sha256
[account]
agreement_uuid = FEC#201910281308
[module]
log_level = debug
log_file = module.log
cache_ttl = 0
read_write_sessions = true
"""
    bad = """[service]
url = http://example.com/rssp/v1/
timeout_ms = -5
[nowhere]
what = 1
"""
    return [("full-ssl2", full), ("appsign", appsign), ("rp-only", rp_only), ("bad", bad)]


def main():
    seeds = Seeds()
    seeds.clear_old()
    with tempfile.TemporaryDirectory() as tmp:
        ca, ee, others = make_pki(tmp)
        # SSL2 key of the emulator harness: the public half is fixed, the private one only signs.
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                os.path.join(tmp, "ssl2.key"))
        ssl2_pub = openssl("pkey", "-in", os.path.join(tmp, "ssl2.key"), "-pubout")
        write_fixed_material(ca, ee, ssl2_pub)
        rsa_sig = sign(tmp, "rsa.key", b"document")
        ec_sigs = {32: sign(tmp, "ec.key", b"document"),
                   48: sign(tmp, "p384.key", b"document", "-sha384"),
                   66: sign(tmp, "p521.key", b"document", "-sha512")}
        ssl2_t = str(NOW * 1000)
        ssl2_x = b64(sign(tmp, "ssl2.key", ("rpuser" + "rppass" + "c2ln" + ssl2_t).encode(),
                          "-sha1"))

    # client: responses (method digit, status digit, body) and the bare bodies for json
    for name, method, status, body in client_bodies(ca, ee, rsa_sig):
        seeds.put("client_response", name, method + status + body)
        seeds.put("client_json", name, body)
    seeds.put("client_json", "nested", '{"a":[1,-0,1e308,2.5e-7,true,false,null,'
              '{"b":{"c":[[["\\u00e9\\ud83d\\ude00"]]]}}],"responseCode":"0"}')
    for name, text in cache_file(ca, ee, others):
        seeds.put("cache", name, text)

    # crypto
    for name, (dotted, n) in HASH_OIDS.items():
        h = hashlib.new(name, b"document").digest()
        seeds.put("crypto_digestinfo", name, seq(seq(oid(dotted), NULL), tlv(0x04, h)))
    h = hashlib.sha256(b"document").digest()
    seeds.put("crypto_digestinfo", "sha256-no-params",
              seq(seq(oid(HASH_OIDS["sha256"][0])), tlv(0x04, h)))
    for field, sig in ec_sigs.items():
        seeds.put("crypto_ecdsa", "p%d" % {32: 256, 48: 384, 66: 521}[field], bytes([field]) + sig)
    seeds.put("crypto_ecdsa", "small-values", bytes([32]) + seq(tlv(2, b"\x01"), tlv(2, b"\x00")))
    seeds.put("crypto_pss", "sha256", base64.b64decode(
        "MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg"))
    seeds.put("crypto_pss", "defaults", seq())
    seeds.put("crypto_pss", "sha384-trailer", pss_params("sha384", "sha384", 48, True))
    seeds.put("crypto_pss", "sha512-mgf1-sha1", pss_params("sha512", "sha1", 200))
    seeds.put("crypto_pss", "bare-oid", oid("1.2.840.113549.1.1.10"))
    seeds.put("crypto_cert", "ca-p256", ca)
    seeds.put("crypto_cert", "ee-rsa2048", ee["rsa"])
    seeds.put("crypto_cert", "ee-p256", ee["ec"])
    for name, der in others.items():
        seeds.put("crypto_cert", name, der)
    for name, text in [("empty", ""), ("one", "QQ=="), ("two", "QUI="), ("three", "QUJD"),
                       ("signature", b64(rsa_sig)), ("pss-oid", "BgkqhkiG9w0BAQo=")]:
        seeds.put("crypto_base64", name, text)

    # appsign: signs and raw field texts (the harness reads its input both ways)
    def raw(expire, current, rnd):
        return "a=%s&b=%d&c=%d&d=%s" % (API_KEY, expire, current, rnd)

    def appsign_sign(text):
        mac = hmac.new(API_SECRET.encode(), text.encode(), hashlib.sha1).digest()
        return b64(mac + text.encode())
    for name, text in [("multi-use", raw(NOW + 60, NOW, "0123456789")),
                       ("single-use", raw(0, NOW, "42")),
                       ("expired", raw(NOW - 10, NOW - 100, "7")),
                       ("future", raw(0, NOW + 3600, "1"))]:
        seeds.put("appsign", "sign-" + name, appsign_sign(text))
        seeds.put("appsign", "raw-" + name, text)
    seeds.put("appsign", "unknown-key", b64(b"\x00" * 20 + b"a=other&b=0&c=1700000000&d=1"))

    for name, text in config_files():
        seeds.put("config", name, text)

    # emulator: Authorization headers and request bodies
    ssl2 = b64(("rpuser:rppass:c2ln:%s:%s" % (ssl2_t, ssl2_x)).encode())
    basic = b64(b"USERNAME:alice:sec:ret")
    seeds.put("emu_auth", "ssl2-basic", "SSL2 %s, Basic %s" % (ssl2, basic))
    seeds.put("emu_auth", "ssl2-swapped",
              "ssl2 " + b64(("rpuser:rp:pass:c2ln:%s:%s" % (ssl2_x, ssl2_t)).encode()))
    seeds.put("emu_auth", "ssl2-14-digit",
              "SSL2 " + b64(("rpuser:rppass:c2ln:20231114221320:%s" % ssl2_x).encode()))
    seeds.put("emu_auth", "bearer", "Bearer at-4Qz0")
    seeds.put("emu_auth", "appsign", "AppSign " + appsign_sign(raw(NOW + 60, NOW, "5")))
    seeds.put("emu_request", "sign-hash", json.dumps(
        {"credentialID": "84902", "SAD": "SAD-7hQ",
         "documentDigests": {"hashes": ["ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="],
                             "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1"},
         "signAlgo": "1.2.840.113549.1.1.1", "language": "EN",
         "clientInfo": {"macAddr": "00:11:22:33:44:55"}}))
    seeds.put("emu_request", "seed-hash-hex", json.dumps(
        {"credentialID": "84902", "hash": ["ba" * 20], "hashAlgorithm": "SHA1",
         "lang": "VN", "relyingPartyBillCode": "RP-1"}))
    seeds.put("emu_request", "fault", json.dumps(
        {"method": "signatures/signHash", "responseCode": 3014, "count": 2,
         "latencyMs": 10, "truncated": True}))
    seeds.put("emu_request", "fault-spec", "signatures/signHash:httpStatus=503,count=2,drop")
    seeds.put("emu_request", "list", json.dumps(
        {"agreementUUID": "FEC#201910281308", "searchConditions": {"certificateStatus": "GOOD"},
         "certificateInfo": True, "certificates": "chain", "language": "EN"}))

    # p11_object: token (byte 0), object (byte 1), entries flags|type|len|value
    def entry(flags, ck_type, length, value=b""):
        return bytes([flags]) + ck_type.to_bytes(4, "little") + length.to_bytes(2, "little") + value
    CKA_CLASS, CKA_LABEL, CKA_VALUE, CKA_ID, CKA_MODULUS, CKA_EC_POINT, CKA_SIGN = (
        0x0, 0x3, 0x11, 0x102, 0x120, 0x181, 0x108)
    CKA_ALLOWED_MECHANISMS, CKA_PRIVATE_EXPONENT = 0x40000600, 0x123
    seeds.put("p11_object", "rsa-cert", b"\x00\x00" + entry(0, CKA_CLASS, 8, b"\x01" + b"\x00" * 7)
              + entry(1, CKA_VALUE, 0) + entry(0, CKA_LABEL, 9, b"Alice RSA"))
    seeds.put("p11_object", "rsa-private", b"\x00\x01" + entry(0, CKA_SIGN, 1, b"\x01")
              + entry(0, CKA_PRIVATE_EXPONENT, 256) + entry(0, CKA_MODULUS, 256)
              + entry(0, CKA_ALLOWED_MECHANISMS, 32))
    seeds.put("p11_object", "ec-public", b"\x01\x02" + entry(0, CKA_EC_POINT, 67)
              + entry(0, CKA_ID, 20) + entry(2, CKA_ID, 4, b"abcd"))
    seeds.put("p11_object", "ca-cert", b"\x03\x03" + entry(0, CKA_VALUE, 4)
              + entry(1, CKA_LABEL, 5))

    total = sum(seeds.written.values())
    for target in sorted(seeds.written):
        print("%-20s %7d bytes" % (target, seeds.written[target]))
    print("%-20s %7d bytes" % ("total", total))
    if total > 150 * 1024:
        sys.exit("corpus too large")


if __name__ == "__main__":
    main()
