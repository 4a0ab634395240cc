#!/usr/bin/env bash
# Chromium (Debian's `chromium`), TLS client authentication with the module in
# the user's NSS database, as docs/clients/chromium.md says:
# `rssp-tool register chromium` into ~/.pki/nssdb of an isolated HOME, the
# certificate picked by the AutoSelectCertificateForUrls policy, the PIN typed
# into Chromium's own "Unlock Security Device" dialog.
#
# Chromium asks for a token PIN only through that dialog (its NSS password
# callback shows it and waits). `chromium --headless` creates the dialog
# without a window, and neither the command line, a policy nor the DevTools
# protocol can answer it: headless, a token that needs a login cannot be
# used (the handshake waits for ever). So Chromium runs under Xvfb, and the
# test types the PIN into the dialog with xdotool (X's XTEST), as a person
# would, counting the dialogs. See docs/clients/chromium.md.
#
# The policy: Chromium reads /etc/chromium/policies/managed/*.json only, which
# is system-wide. When the test may make a private mount namespace
# (`unshare --mount`, root), it mounts a private copy of /etc/chromium with
# the policy file over /etc/chromium for Chromium alone; otherwise it writes
# the same rule as the profile's own content setting (the per-user form of
# the policy), and says which it used.
#
# Proven from outside the module: the page loads (the window title is the
# page), nginx verified the chosen token's certificate, the service made the
# handshake signature (emulator stats), one PIN dialog with four tokens, none
# on a second connection in the same Chromium.
set -euo pipefail
# shellcheck source=tests/desktop/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin chromium Xvfb xdotool certutil modutil
need_bin "${RSSP_TOOL:?RSSP_TOOL (the built rssp-tool) is not set}"

step "start the emulator"
token_start
user_config
K=$RSA

step "start the TLS server"
tls_server_start
BASE=https://127.0.0.1:$TLS_PORT

step "register the module in ~/.pki/nssdb (rssp-tool register chromium)"
run "$RSSP_TOOL" register chromium --module "$MODULE"
expect_out "registered \"RSSP remote signing\"" "rssp-tool registered the module in ~/.pki/nssdb"
# The web server's certificate comes from the emulator's CA; Chromium takes
# roots a user trusted in ~/.pki/nssdb.
run certutil -A -d "sql:$HOME/.pki/nssdb" -n "RSSP emulator root (test)" -t "C,," -i "$ROOT_PEM"
run certutil -L -d "sql:$HOME/.pki/nssdb" -h all
for k in "${KEYS[@]}"; do
    expect_out "^$(re_quote "${K_TOKEN[$k]}:${K_LABEL[$k]}") +u,u,u" "the database lists '${K_TOKEN[$k]}' without a PIN (public certificates)"
done

step "the AutoSelectCertificateForUrls rule for $BASE"
# Select the certificate whose subject OU names the RSA credential; all four
# come from the same issuer, so the issuer would not pick one.
ou=$(openssl x509 -in "${K_CERT[$K]}" -noout -subject -nameopt multiline | sed -n 's/^ *organizationalUnitName *= //p')
[ -n "$ou" ] || fail "the certificate ${K_CERT[$K]} has no OU to select it by"
rule=$(python3 -c 'import json, sys; print(json.dumps({"pattern": sys.argv[1], "filter": {"SUBJECT": {"OU": sys.argv[2]}}}))' "$BASE" "$ou")
say "rule: $rule"
UDD=$WORK/chromium-profile
mkdir -p "$UDD/Default"
CHROMIUM=(chromium)
# RSSP_CHROMIUM_RULE=profile forces the per-profile form (to test it).
if [ "${RSSP_CHROMIUM_RULE:-policy}" = policy ] && [ "$(id -u)" -eq 0 ] &&
    unshare --mount --propagation private true 2>/dev/null; then
    etc=$WORK/etc-chromium
    mkdir -p "$etc/policies/managed"
    cp -a /etc/chromium/. "$etc/" 2>/dev/null || true
    python3 -c 'import json, sys; json.dump({"AutoSelectCertificateForUrls": [sys.argv[1]]}, open(sys.argv[2], "w"), indent=2)' \
        "$rule" "$etc/policies/managed/rssp-test.json"
    sed 's/^/  /' "$etc/policies/managed/rssp-test.json"
    # /etc/chromium for Chromium alone: a private mount namespace.
    # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
    CHROMIUM=(unshare --mount --propagation private sh -c 'mount --bind "$0" /etc/chromium && exec "$@"' "$etc" chromium)
    SELECT_HOW="policy AutoSelectCertificateForUrls (/etc/chromium/policies/managed/, a private mount)"
else
    python3 - "$UDD/Default/Preferences" "$BASE" "$ou" <<'PY'
import json, sys
setting = {"filters": [{"SUBJECT": {"OU": sys.argv[3]}}]}
prefs = {"profile": {"content_settings": {"exceptions": {"auto_select_certificate": {
    sys.argv[2] + ",*": {"setting": setting}}}}}}
json.dump(prefs, open(sys.argv[1], "w"))
PY
    SELECT_HOW="the profile's auto_select_certificate content setting (RSSP_CHROMIUM_RULE=profile, or no private mount namespace here)"
fi
say "certificate selection: $SELECT_HOW"

step "start Xvfb"
exec {dfd}>"$WORK/display"
start_bg xvfb Xvfb -displayfd "$dfd" -screen 0 1280x1024x24 -nolisten tcp
exec {dfd}>&-
for ((i = 0; i < 100; i++)); do
    [ -s "$WORK/display" ] && break
    kill -0 "${BG_PID[xvfb]}" 2>/dev/null || fail "Xvfb exited: $(cat "$WORK/xvfb.log")"
    sleep 0.1
done
[ -s "$WORK/display" ] || fail "Xvfb named no display in 10 s"
DISPLAY=":$(head -n1 "$WORK/display")"
export DISPLAY
say "Xvfb on $DISPLAY"

# The title of each Chromium window, one per line (for the logs).
windows() {
    local w
    for w in $(xdotool search --name . 2>/dev/null); do
        printf '%s %s\n' "$w" "$(xdotool getwindowname "$w" 2>/dev/null)"
    done
}

# visit PATH: open BASE/PATH in the running Chromium (or start it), type the
# PIN into every "Unlock Security Device" dialog that appears, wait until a
# window's title is the page. Sets PROMPTS.
PROMPTS=0
declare -A SEEN=()
visit() {
    local path=$1 t0=$SECONDS w title loaded=""
    local flags=(--no-sandbox --disable-gpu --no-first-run --disable-background-networking
        --disable-component-update --disable-sync --no-default-browser-check
        --password-store=basic --user-data-dir="$UDD")
    PROMPTS=0
    if [ -z "${BG_PID[chromium]:-}" ]; then
        start_bg chromium "${CHROMIUM[@]}" "${flags[@]}" "$BASE$path"
    else
        # As a person opens a link: the running Chromium takes the URL.
        run chromium "${flags[@]}" "$BASE$path"
    fi
    while [ $((SECONDS - t0)) -lt 90 ]; do
        for w in $(xdotool search --onlyvisible --name '^Unlock Security Device$' 2>/dev/null); do
            if [ -z "${SEEN[$w]:-}" ]; then
                SEEN[$w]=$SECONDS
                PROMPTS=$((PROMPTS + 1))
                say "  PIN dialog $w: typing the PIN"
                sleep 0.5 # the dialog takes keys once it has drawn itself
            elif [ $((SECONDS - SEEN[$w])) -lt 5 ]; then
                continue
            else
                # Still open 5 s after the PIN was typed: the keys were lost
                # (the same dialog, not a re-prompt, which is a new window).
                SEEN[$w]=$SECONDS
                say "  PIN dialog $w still open: typing the PIN again"
            fi
            # Keystrokes go to the focused window, as from a keyboard; the
            # field is cleared first.
            xdotool windowfocus --sync "$w" key ctrl+a BackSpace type --delay 10 "$PIN" ||
                fail "could not type the PIN into the dialog"
            xdotool key Return || fail "could not press Return in the PIN dialog"
        done
        title=$(xdotool search --name "^127\\.0\\.0\\.1:$TLS_PORT$(re_quote "$path")( |$)" 2>/dev/null | head -n1 || true)
        if [ -n "$title" ]; then
            loaded=$(xdotool getwindowname "$title")
            break
        fi
        kill -0 "${BG_PID[chromium]}" 2>/dev/null || fail "Chromium exited: $(tail -n 20 "$WORK/chromium.log")"
        sleep 0.2
    done
    if [ -z "$loaded" ]; then
        say "windows:"
        windows | sed 's/^/  /'
        fail "no Chromium window shows $BASE$path after 90 s ($PROMPTS PIN dialog(s) answered)"
    fi
    say "visit $BASE$path: $((SECONDS - t0))s, $PROMPTS PIN dialog(s), window '$loaded'"
}

# expect_signatures_per_request LOG0 SIG0: one remote signature per request
# the server logged since LOG0 (no keep-alive, no resumption: each request,
# the page's and the favicon's, is a full handshake).
expect_signatures_per_request() {
    sleep 1 # let a favicon request finish
    local n=$(($(tls_log_lines) - $1))
    expect_remote_signatures "$2" "$n" "$n" "one remote signature per TLS handshake ($n)"
}

step "first connection: the certificate chosen by the rule, one PIN dialog"
log0=$(tls_log_lines)
sig0=$(remote_signatures)
visit /first
expect_server_saw "$log0" /first "$K"
[ "$PROMPTS" -eq 1 ] || fail "expected one PIN dialog with ${#KEYS[@]} tokens, Chromium showed $PROMPTS"
ok "one PIN dialog with ${#KEYS[@]} tokens registered"
expect_signatures_per_request "$log0" "$sig0"

step "second connection in the same Chromium"
log1=$(tls_log_lines)
sig1=$(remote_signatures)
visit /second
expect_server_saw "$log1" /second "$K"
[ "$PROMPTS" -eq 0 ] || fail "Chromium asked for the PIN again ($PROMPTS dialog(s))"
ok "no PIN dialog on the second connection"
expect_signatures_per_request "$log1" "$sig1"

step "stop Chromium and Xvfb"
stop_bg chromium || fail "Chromium's processes were still running after SIGKILL"
if pgrep -f -- "--user-data-dir=$UDD" >/dev/null; then
    fail "a Chromium process of this test is still running: $(pgrep -a -f -- "--user-data-dir=$UDD")"
fi
ok "Chromium stopped and left no process"
say "certificate selection: $SELECT_HOW"
