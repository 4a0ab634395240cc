#!/usr/bin/env bash
# Firefox ESR, as a person uses it: the module registered the way
# docs/clients/firefox.md says (Firefox closed, `rssp-tool register firefox`:
# NSS's friendly flag), the
# configuration in ~/.config/rssp-pkcs11/, the demo account's four tokens in
# the profile. Firefox (headless, driven by Marionette) opens pages of a local
# nginx that requires a client certificate over TLS 1.3; chrome-privileged
# script answers the certificate chooser and the PIN prompt like a person,
# and counts them.
#
# Proven, each from outside the module:
#  - RSA and EC: the page loads, nginx verified the token's certificate (its
#    access log), the service made the handshake signature (emulator stats);
#  - one PIN prompt, for the token chosen, with four tokens in the profile;
#    none on a second connection in the same session;
#  - a wrong PIN re-prompts, and the right one then succeeds.
set -euo pipefail
# shellcheck source=tests/desktop/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/desktop/firefox-lib.sh
. "$DESKTOP_DIR/firefox-lib.sh"

step "start the emulator"
token_start
user_config
WRONG_PIN=000000
[ "$PIN" != "$WRONG_PIN" ] || WRONG_PIN=999999

step "start the TLS server"
tls_server_start
BASE=https://127.0.0.1:$TLS_PORT
BASE2=https://localhost:$TLS_PORT # a second site: its own certificate decision

step "make a Firefox profile and register the module (docs/clients/firefox.md)"
need_bin "${RSSP_TOOL:?RSSP_TOOL (the built rssp-tool) is not set}"
FF_DIR=$HOME/.mozilla/firefox
firefox_profile "$FF_DIR/t3st.default-esr"
cat >"$FF_DIR/profiles.ini" <<EOF
[Profile0]
Name=default-esr
IsRelative=1
Path=t3st.default-esr
Default=1

[General]
StartWithLastProfile=1
Version=2
EOF
# The documented command, Firefox closed. --module: the built module instead
# of the installed one.
run "$RSSP_TOOL" register firefox --module "$MODULE"
expect_out "registered \"RSSP remote signing\"" "rssp-tool registered the module in the profile"
run modutil -dbdir "sql:$PROFILE" -list "RSSP remote signing"
ntok=0
for k in "${KEYS[@]}"; do
    expect_out "Token Name: $(re_quote "${K_TOKEN[$k]}")" "the profile sees token '${K_TOKEN[$k]}'"
    ntok=$((ntok + 1))
done
[ "$ntok" -eq 4 ] || fail "the demo account should have 4 tokens, the fixture names $ntok"
n=$(grep -c 'Slot Mechanism Flags: FRIENDLY' "$LAST_OUT" || true)
[ "$n" -eq "$ntok" ] || fail "$n of the $ntok slots are FRIENDLY"
ok "every slot is FRIENDLY (public certificates)"

step "session 1: RSA on $BASE, then EC on $BASE2"
firefox_start
log0=$(tls_log_lines)
sig0=$(remote_signatures)
firefox_drive "$WORK/session1.json" \
    visit "$BASE/rsa-first" --choose "$(sha256_fp "${K_CERT[$RSA]}")" --pin "$PIN" \
    visit "$BASE/rsa-again" \
    visit "$BASE2/ec-first" --choose "$(sha256_fp "${K_CERT[$EC]}")" --pin "$PIN" \
    visit "$BASE2/ec-again"

step "session 1, RSA: first connection"
visit_check "$WORK/session1.json" 1
expect_page_loaded
# Registered plainly, Firefox logs in to every token before the chooser:
# $ntok prompts here.
expect_prompts 1 "one PIN prompt with $ntok tokens in the profile"
expect_prompts_for "${K_TOKEN[$RSA]}"
[ "$V_CHOOSERS" -eq 1 ] || fail "expected one certificate chooser, Firefox showed $V_CHOOSERS"
[ "$V_CHOSEN_TOKEN" = "${K_TOKEN[$RSA]}" ] || fail "the chooser did not offer $RSA's certificate (offered: $(tr '\n' ',' <<<"$V_OFFERED"))"
for k in "${KEYS[@]}"; do
    grep -Fxq -- "${K_TOKEN[$k]}" <<<"$V_OFFERED" || fail "the chooser did not offer the certificate of token '${K_TOKEN[$k]}'"
done
ok "the chooser offered the certificates of all $ntok tokens, without a PIN"
expect_server_saw "$log0" /rsa-first "$RSA"

step "session 1, RSA: second connection"
visit_check "$WORK/session1.json" 2
expect_page_loaded
[ "$V_CHOOSERS" -eq 0 ] || fail "Firefox asked for a certificate again on the second connection"
expect_prompts 0 "no PIN prompt on the second connection"
expect_server_saw "$log0" /rsa-again "$RSA"

step "session 1, EC: first connection (another site)"
visit_check "$WORK/session1.json" 3
expect_page_loaded
[ "$V_CHOSEN_TOKEN" = "${K_TOKEN[$EC]}" ] || fail "the chooser did not offer $EC's certificate"
expect_prompts 1 "one PIN prompt for the EC token"
expect_prompts_for "${K_TOKEN[$EC]}"
expect_server_saw "$log0" /ec-first "$EC"

step "session 1, EC: second connection"
visit_check "$WORK/session1.json" 4
expect_page_loaded
expect_prompts 0 "no PIN prompt on the second EC connection"
expect_server_saw "$log0" /ec-again "$EC"

step "session 1: the service signed each handshake"
# Four full handshakes (no resumption, no keep-alive), one signature each.
n=$(($(tls_log_lines) - log0))
[ "$n" -eq 4 ] || fail "the server logged $n requests, expected 4"
expect_remote_signatures "$sig0" 4 4 "one remote signature per TLS handshake (4)"
firefox_stop
ok "Firefox quit and left no process"

step "session 2: a wrong PIN re-prompts, the right one succeeds"
firefox_start
log0=$(tls_log_lines)
sig0=$(remote_signatures)
firefox_drive "$WORK/session2.json" \
    visit "$BASE/wrong-pin" --choose "$(sha256_fp "${K_CERT[$RSA]}")" --pin "$WRONG_PIN" --pin "$PIN"
visit_check "$WORK/session2.json" 1
expect_page_loaded
expect_prompts 2 "a wrong PIN, then a second prompt"
expect_prompts_for "${K_TOKEN[$RSA]}"
[ "$V_PIN_GIVEN" = "$WRONG_PIN"$'\n'"$PIN" ] ||
    fail "the prompts were answered in another order than wrong PIN, right PIN"
expect_server_saw "$log0" /wrong-pin "$RSA"
expect_remote_signatures "$sig0" 1 1 "one remote signature"
firefox_stop
ok "Firefox quit and left no process"
