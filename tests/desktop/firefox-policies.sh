#!/usr/bin/env bash
# Firefox ESR, the policies.json route of docs/clients/firefox.md: the
# documented `SecurityDevices` entry loads the module into a fresh profile
# that nobody registered it in, and TLS client authentication then works.
# The entry registers the module plainly (no friendly flag), so Firefox logs
# in to every token before its chooser: the test counts those prompts and
# prints the figure the docs quote.
#
# Firefox reads policies.json from /etc/firefox/policies/ (system-wide) or
# from the `distribution` folder beside its binary (the installation, also
# system-wide). To touch neither, the test makes a private installation
# folder: symbolic links to every file of /usr/lib/firefox-esr, a copy of the
# small `firefox-esr` launcher (Firefox takes its installation folder from
# the launcher's own path) and its own distribution/policies.json.
set -euo pipefail
# shellcheck source=tests/desktop/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/desktop/firefox-lib.sh
. "$DESKTOP_DIR/firefox-lib.sh"

FF_INSTALL=${RSSP_FIREFOX_DIR:-/usr/lib/firefox-esr}
need_file "$FF_INSTALL/firefox-esr" "$FF_INSTALL/omni.ja"
for sys in /etc/firefox/policies/policies.json /etc/firefox-esr/policies/policies.json; do
    [ ! -e "$sys" ] || skip "$sys exists: a system-wide policy overrides the installation's policies.json this test writes"
done

step "start the emulator"
token_start
user_config

step "start the TLS server"
tls_server_start

step "a private Firefox installation folder with distribution/policies.json"
inst=$WORK/firefox-install
mkdir -p "$inst/distribution"
for f in "$FF_INSTALL"/*; do
    case ${f##*/} in
    distribution | firefox-esr | firefox-bin) ;;
    *) ln -s "$f" "$inst/${f##*/}" ;;
    esac
done
cp "$FF_INSTALL/firefox-esr" "$inst/firefox-esr"
# The entry of docs/clients/firefox.md, with this build's module.
cat >"$inst/distribution/policies.json" <<EOF
{
  "policies": {
    "SecurityDevices": {
      "Add": {
        "RSSP remote signing": "$MODULE"
      }
    }
  }
}
EOF
python3 -m json.tool "$inst/distribution/policies.json" >/dev/null || fail "policies.json is not valid JSON"
say "$inst/distribution/policies.json:"
sed 's/^/  /' "$inst/distribution/policies.json"
FIREFOX=$inst/firefox-esr

step "a fresh profile, the module not registered"
firefox_profile "$WORK/profile"
run modutil -dbdir "sql:$PROFILE" -list
expect_no_out "RSSP remote signing" "the profile has no rssp module before Firefox starts"

step "Firefox reads the policy and loads the module"
firefox_start
firefox_drive "$WORK/modules.json" policies modules
python3 - "$WORK/modules.json" "$MODULE" <<'PY' || fail "the policy did not load the module (see above)"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
pol, mods = json.loads(lines[0]), json.loads(lines[1])
print("policies: status %s, active %s" % (pol["status"], ", ".join(pol["active"])))
if pol["status"] != 1 or "SecurityDevices" not in pol["active"]:
    sys.exit("the SecurityDevices policy is not active")
ours = [m for m in mods if m["name"] == "RSSP remote signing"]
if not ours:
    sys.exit("Firefox lists no module 'RSSP remote signing': %s" % [m["name"] for m in mods])
if ours[0]["library"] != sys.argv[2]:
    sys.exit("the module's library is %s, not %s" % (ours[0]["library"], sys.argv[2]))
for s in ours[0]["slots"]:
    print("  slot %s: token %s" % (s["slot"], s["token"]))
PY
ok "SecurityDevices is active and Firefox loaded 'RSSP remote signing' ($MODULE)"
for k in "${KEYS[@]}"; do
    grep -Fq "\"token\": \"${K_TOKEN[$k]}\"" "$WORK/modules.json" || fail "Firefox does not show token '${K_TOKEN[$k]}'"
done
ok "Firefox shows the ${#KEYS[@]} tokens"
# The policy's entry in the profile's module list: no slot flags.
grep -A2 -F "library=$MODULE" "$PROFILE/pkcs11.txt" | sed 's/^/  pkcs11.txt: /'
if grep -A2 -F "library=$MODULE" "$PROFILE/pkcs11.txt" | grep -qi 'publicCerts'; then
    fail "the policy registered the module with public certificates: the docs say it does not"
fi
ok "the policy registered the module plainly (no friendly flag)"

step "TLS client authentication through the policy's module"
log0=$(tls_log_lines)
sig0=$(remote_signatures)
pins=()
for _ in "${KEYS[@]}"; do pins+=(--pin "$PIN"); done
firefox_drive "$WORK/visit.json" \
    visit "https://127.0.0.1:$TLS_PORT/policy" --choose "$(sha256_fp "${K_CERT[$RSA]}")" "${pins[@]}"
visit_check "$WORK/visit.json" 1
expect_page_loaded
expect_server_saw "$log0" /policy "$RSA"
expect_remote_signatures "$sig0" 1 1 "one remote signature for the handshake"
if [ "$V_PINS" -lt 1 ] || [ "$V_PINS" -gt "${#KEYS[@]}" ]; then
    fail "Firefox asked for a PIN $V_PINS times with ${#KEYS[@]} tokens"
fi
say "MEASURED: registered by policies.json (plainly), $V_PINS PIN prompt(s) for one TLS login with ${#KEYS[@]} tokens (rssp-tool register: 1)"
firefox_stop
ok "Firefox quit and left no process"

# Firefox adds a policy's module only when no module with that library is
# loaded yet (Policies.sys.mjs, SecurityDevices), and rssp-tool register
# replaces an entry with the same library. So a site that deploys the policy
# can still give its users one prompt.
step "policy and rssp-tool register together"
need_bin "${RSSP_TOOL:?RSSP_TOOL (the built rssp-tool) is not set}"
run "$RSSP_TOOL" register nss-db "$PROFILE" --module "$MODULE"
firefox_start
firefox_drive "$WORK/visit2.json" \
    visit "https://127.0.0.1:$TLS_PORT/policy-and-register" --choose "$(sha256_fp "${K_CERT[$EC]}")" "${pins[@]}"
n=$(grep -cF "library=$MODULE" "$PROFILE/pkcs11.txt" || true)
[ "$n" -eq 1 ] || fail "the profile lists the module $n times after the policy ran again"
grep -A2 -F "library=$MODULE" "$PROFILE/pkcs11.txt" | grep -qi 'publicCerts' ||
    fail "the policy replaced rssp-tool's friendly entry"
ok "the policy left rssp-tool's entry (one entry, public certificates)"
visit_check "$WORK/visit2.json" 1
expect_page_loaded
expect_server_saw "$log0" /policy-and-register "$EC"
expect_prompts 1 "one PIN prompt with the policy and rssp-tool register"
expect_prompts_for "${K_TOKEN[$EC]}"
firefox_stop
ok "Firefox quit and left no process"
