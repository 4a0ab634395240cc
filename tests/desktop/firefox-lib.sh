# shellcheck shell=bash
# Firefox helpers for the desktop tests; source after tests/desktop/lib.sh.
#
#   firefox_profile DIR      # a fresh profile: NSS db, the emulator's root trusted
#                            # for the TLS server, prefs for a quiet test browser
#   firefox_start            # firefox-esr --headless --marionette on $PROFILE
#   firefox_drive WORDS...   # tests/desktop/firefox_drive.py on the running Firefox
#   visit_check FILE N ...   # read visit N of a firefox_drive output (see below)
#   firefox_stop             # Marionette quit, then stop the process group

need_bin firefox-esr certutil modutil

FIREFOX=${RSSP_FIREFOX:-firefox-esr}

firefox_profile() {
    PROFILE=$1
    mkdir -p "$PROFILE"
    run certutil -N -d "sql:$PROFILE" --empty-password
    # The TLS server's certificate comes from the emulator's CA: trust its
    # root for web sites in this profile only.
    run certutil -A -d "sql:$PROFILE" -n "RSSP emulator root (test)" -t "C,," -i "$ROOT_PEM"
    # marionette.port 0: Firefox picks a free port and writes it to
    # MarionetteActivePort in the profile. The rest keeps a test browser
    # quiet and off the network (every test is loopback only).
    cat >"$PROFILE/user.js" <<'EOF'
user_pref("marionette.port", 0);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.startup.page", 0);
user_pref("startup.homepage_welcome_url", "about:blank");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.chrome.site_icons", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.tabs.warnOnClose", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.disabledForTesting", true);
user_pref("app.normandy.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("network.proxy.type", 0);
user_pref("services.settings.server", "data:,");
user_pref("security.OCSP.enabled", 0);
user_pref("security.remote_settings.crlite_filters.enabled", false);
user_pref("security.default_personal_cert", "Ask Every Time");
EOF
}

firefox_start() {
    rm -f "$PROFILE/MarionetteActivePort"
    local t0=$SECONDS
    # -remote-allow-system-access: Marionette may run chrome-privileged
    # script (to answer the PIN prompt and the certificate chooser).
    start_bg firefox "$FIREFOX" --headless --marionette -remote-allow-system-access \
        --no-remote --profile "$PROFILE" about:blank
    local i
    for ((i = 0; i < 900; i++)); do
        [ -s "$PROFILE/MarionetteActivePort" ] && break
        kill -0 "${BG_PID[firefox]}" 2>/dev/null || {
            sed 's/^/  firefox: /' "$WORK/firefox.log"
            fail "Firefox exited during start-up (its output is above)"
        }
        sleep 0.1
    done
    [ -s "$PROFILE/MarionetteActivePort" ] || {
        sed 's/^/  firefox: /' "$WORK/firefox.log"
        fail "Firefox wrote no MarionetteActivePort in 90 s (its output is above)"
    }
    say "Firefox $("$FIREFOX" --version 2>/dev/null | sed 's/^Mozilla Firefox //') (pid ${BG_PID[firefox]}) up in $((SECONDS - t0))s, Marionette on port $(cat "$PROFILE/MarionetteActivePort")"
}

# firefox_drive OUT WORDS...: run the driver, its JSON output in OUT.
firefox_drive() {
    local out=$1
    shift
    local rc=0
    python3 "$DESKTOP_DIR/firefox_drive.py" --port-file "$PROFILE/MarionetteActivePort" "$@" \
        >"$out" 2>"$out.err" || rc=$?
    sed 's/^/  driver: /' "$out.err"
    if [ "$rc" -ne 0 ]; then
        sed 's/^/  firefox: /' "$WORK/firefox.log" | tail -n 30
        fail "the Marionette driver failed (status $rc; its error and Firefox's last output are above)"
    fi
}

firefox_stop() {
    [ -n "${BG_PID[firefox]:-}" ] || return 0
    local pid=${BG_PID[firefox]} i
    # Marionette's quit: Firefox ends as when a person closes it (C_Finalize).
    python3 "$DESKTOP_DIR/firefox_drive.py" --port-file "$PROFILE/MarionetteActivePort" \
        --start-timeout 5 quit >/dev/null 2>&1 || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && say "Firefox did not quit within 10 s; stopping it"
    stop_bg firefox || fail "Firefox's processes were still running after SIGKILL"
}

# visit_check FILE N: the N-th (1-based) visit of a firefox_drive output, as
# shell variables: V_URL V_URI V_TEXT V_ERROR V_SECONDS V_PINS (number of PIN
# prompts) V_PIN_TEXTS (one per line) V_PIN_GIVEN (the answers, one per line,
# "(cancelled)" for none) V_CHOOSERS V_CHOSEN_TOKEN V_OFFERED (tokens offered
# in the first chooser, one per line) V_OTHER (other dialogs).
visit_check() {
    local file=$1 n=$2
    eval "$(python3 - "$file" "$n" <<'PY'
import json, shlex, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
n = int(sys.argv[2])
if len(lines) < n:
    print("V_ERROR=%s" % shlex.quote("the driver reported %d visit(s), not %d" % (len(lines), n)))
    sys.exit()
v = json.loads(lines[n - 1])
def out(name, value):
    print("%s=%s" % (name, shlex.quote(str(value))))
out("V_URL", v["url"])
out("V_URI", v.get("uri") or "")
out("V_TEXT", v.get("text") or "")
out("V_ERROR", v.get("error") or "")
out("V_SECONDS", v.get("seconds"))
out("V_PINS", len(v["pin_prompts"]))
out("V_PIN_TEXTS", "\n".join(p["text"] for p in v["pin_prompts"]))
out("V_PIN_GIVEN", "\n".join(p["pin"] if p["pin"] is not None else "(cancelled)" for p in v["pin_prompts"]))
out("V_CHOOSERS", len(v["choosers"]))
chosen = [c["chosen"]["token"] for c in v["choosers"] if c["chosen"]]
out("V_CHOSEN_TOKEN", chosen[0] if chosen else "")
out("V_OFFERED", "\n".join(o["token"] for o in (v["choosers"][0]["offered"] if v["choosers"] else [])))
out("V_OTHER", "; ".join(d.get("text", "") for d in v["other_dialogs"]))
PY
)"
    [ -z "$V_ERROR" ] || fail "visit $V_URL: $V_ERROR"
    say "visit $V_URL: ${V_SECONDS}s, $V_CHOOSERS chooser(s), $V_PINS PIN prompt(s)"
    [ -n "$V_PIN_TEXTS" ] && printf '%s\n' "$V_PIN_TEXTS" | sed 's/^/  PIN prompt: /'
    [ -z "$V_OTHER" ] || fail "visit $V_URL: unexpected dialog(s): $V_OTHER"
}

# expect_page_loaded: the last visit_check ended on the page, not an error page.
expect_page_loaded() {
    [ "$V_URI" = "$V_URL" ] || fail "Firefox did not load $V_URL: it shows $V_URI"
    case $V_TEXT in
    "client certificate: "*) ;;
    *) fail "the page $V_URL does not show the server's answer: $V_TEXT" ;;
    esac
    ok "the page $V_URL loaded (${V_TEXT%%$'\n'*})"
}

# expect_prompts N WHAT: the last visit showed N PIN prompts.
expect_prompts() {
    [ "$V_PINS" -eq "$1" ] || fail "expected $2: Firefox asked for a PIN $V_PINS time(s)"
    ok "$2 ($V_PINS PIN prompt(s))"
}

# expect_prompts_for TOKEN: every PIN prompt of the last visit names TOKEN.
expect_prompts_for() {
    local t
    while IFS= read -r t; do
        [ -n "$t" ] || continue
        case $t in
        *"($1)"*) ;;
        *) fail "a PIN prompt was for another token than '$1': $t" ;;
        esac
    done <<<"$V_PIN_TEXTS"
    ok "every PIN prompt named the chosen token '$1'"
}

# The SHA-256 fingerprint of a certificate as Firefox prints it (AB:CD:…).
sha256_fp() {
    openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2
}
