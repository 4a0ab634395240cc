#!/usr/bin/env bash
# rssp-tool info, login, list, cert, revoke against a private emulator, and
# the exit codes of configuration, transport and service errors.
source "$RSSP_TOOL_TEST_LIB"
source "$RSSP_EMULATOR_SH"
emu_start
WORK=$EMU_ROOT/work
mkdir -m 700 "$WORK"
C=$EMU_CONF

# The PEM blocks of a text, as a list of Base64 bodies.
pem_blocks() {
    python3 -c 'import re, sys
text = open(sys.argv[1]).read()
for body in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S):
    print("".join(body.split()))' "$1"
}

# info: no login
run_tool 0 -c "$C" -v info
expect_in "$OUT" "name:        rssp-emulator"
expect_in "$OUT" "signatures/signHash"
expect_in "$ERR" "method=info ms="
expect_not_in "$ERR" "auth/login"

# login, as the owner and as the relying party by App-Authentication
run_tool 0 -c "$C" -v login
expect_in "$OUT" "logged in as alice via relying party DEMO-RP"
grep -Eq '^method=auth/login ms=[0-9]+ code=0 bill=[^ ]+$' <<<"$ERR" || fail "no -v line: $ERR"
grep -Eq '^method=auth/revoke ms=[0-9]+ code=0 bill=[^ ]+$' <<<"$ERR" ||
    fail "login did not log out: $ERR"
run_tool 0 -c "$(fixture 'f["configs"]["appsign"]')" login
expect_in "$OUT" "logged in as alice"
# RSSP_PKCS11_CONF is honoured without --config
RSSP_PKCS11_CONF=$C run_tool 0 login

# list: one line per credential, every field as the fixture says
run_tool 0 -c "$C" list
printf '%s\n' "$OUT" >"$WORK/list"
python3 - "$EMU_FIXTURE" "$WORK/list" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
want = {c["id"]: c for c in f["credentials"] if c["owner"] == "alice"}
lines = [l for l in open(sys.argv[2]).read().splitlines() if l]
assert len(lines) == len(want), (lines, sorted(want))
for line in lines:
    cid, status, key, scal, mode, subject = line.split("\t")
    c = want.pop(cid)
    assert status == c["status"], line
    assert key == f'{c["keyType"]}-{c["keyBits"]}', line
    assert scal == f'SCAL{c["scal"]}', line
    assert mode == c["authMode"], line
    assert "CN=Alice Nguyen" in subject, line
assert not want, want
PY
run_tool 0 -c "$(fixture '[o["config"] for o in f["owners"] if o["username"] == "dave"][0]')" list
expect_in "$OUT" $'40001\trevoked\tRSA-2048\tSCAL1\tEXPLICIT/PIN'
expect_in "$OUT" $'40002\texpired\tEC-256'

# cert: the chain as PEM, end entity first, as the fixture holds it
for id in $(fixture '[c["id"] for c in f["credentials"] if c["owner"] == "alice"]'); do
    run_tool 0 -c "$C" cert "$id"
    printf '%s\n' "$OUT" >"$WORK/$id.pem"
    openssl x509 -in "$WORK/$id.pem" -noout >/dev/null || fail "cert $id: not PEM"
    [[ "$(pem_blocks "$WORK/$id.pem")" == \
        "$(pem_blocks "$(fixture "[c['chain'] for c in f['credentials'] if c['id'] == '$id'][0]")")" ]] ||
        fail "cert $id: not the fixture's chain"
    [[ "$(pem_blocks "$WORK/$id.pem" | head -n1)" == \
        "$(pem_blocks "$(fixture "[c['certificate'] for c in f['credentials'] if c['id'] == '$id'][0]")")" ]] ||
        fail "cert $id: the end entity is not first"
    [[ $(pem_blocks "$WORK/$id.pem" | wc -l) -ge 2 ]] || fail "cert $id: no CA in the chain"
done

# revoke: log in, then revoke the refresh and access tokens
run_tool 0 -c "$C" -v revoke
expect_in "$OUT" "revoked the access token and the refresh token"
[[ $(grep -c '^method=auth/revoke ' <<<"$ERR") -ge 1 ]] || fail "no auth/revoke: $ERR"

# service refusals: exit 4, code and message quoted
run_tool 4 -c "$C" cert 99999
expect_in "$ERR" "credentials/info: the service refused: code 3008, \""
sed -e 's#^password_file = secrets/owner-alice-password#password_file = wrong-password#' "$C" \
    >"$EMU_DIR/wrong-password.conf"
chmod 600 "$EMU_DIR/wrong-password.conf"
printf 'not-alice-pass\n' >"$EMU_DIR/wrong-password"
chmod 600 "$EMU_DIR/wrong-password"
run_tool 4 -c "$EMU_DIR/wrong-password.conf" login
expect_in "$ERR" "auth/login: the service refused: code 3000, \""
expect_in "$ERR" "attempt(s) left"
expect_not_in "$ERR" "not-alice-pass"

# configuration errors: exit 2, file and line named
printf '[service]\nurl = https://127.0.0.1:1/\nbogus = 1\n' >"$WORK/bad.conf"
chmod 600 "$WORK/bad.conf"
run_tool 2 -c "$WORK/bad.conf" info
expect_in "$ERR" "bad.conf:3: unknown key 'bogus' in [service]"
run_tool 2 -c "$WORK/missing.conf" list
RSSP_PKCS11_CONF=$WORK/missing.conf run_tool 2 list
expect_in "$ERR" "RSSP_PKCS11_CONF names"
chmod 666 "$WORK/bad.conf"
run_tool 2 -c "$WORK/bad.conf" info
expect_in "$ERR" "writable by group or others"

# usage errors: exit 1
run_tool 1 frobnicate
run_tool 1 -c "$C" cert
run_tool 1 -c "$C" list extra
run_tool 1 -c "$C" sign 10001
run_tool 1 -c "$C" list --no-such-option
for cmd in info login list cert authorize sign revoke appsign; do
    run_tool 0 "$cmd" --help
    expect_in "$OUT" "Usage: rssp-tool $cmd"
done
run_tool 0 --help
expect_in "$OUT" "Exit codes"

# transport errors: exit 3 once the service is gone
emu_stop_server
run_tool 3 -c "$C" info
expect_in "$ERR" "rssp-tool: info: transport error"
run_tool 3 -c "$C" list

emu_stop
echo ok
