#!/usr/bin/env bash
# rssp-tool register refuses the profile of a running Firefox (headless, an
# isolated HOME), and registers it once Firefox has exited. Skips (77) when
# Firefox is not installed or cannot start here (no /proc, e.g. a chroot).
source "$RSSP_TOOL_TEST_LIB"
: "${RSSP_MODULE:?set RSSP_MODULE to rssp-pkcs11.so}"
FIREFOX=$(command -v firefox-esr || command -v firefox || true)
[[ -n "$FIREFOX" ]] || skip "firefox-esr is not installed (deps/debian.txt)"
[[ -e /proc/self/exe ]] || skip "no /proc: Firefox cannot run here"
command -v certutil >/dev/null || skip "certutil is not installed (Debian package libnss3-tools)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rssp-register-ff-XXXXXX")
FF_PID=""
cleanup() {
    if [[ -n "$FF_PID" ]]; then
        kill -TERM "$FF_PID" 2>/dev/null || true
        wait "$FF_PID" 2>/dev/null || true
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT
export HOME=$WORK/home
unset XDG_CONFIG_HOME XDG_CACHE_HOME
P=$HOME/.mozilla/firefox/abcd1234.default-esr
mkdir -p "$P"
certutil -N -d "sql:$P" --empty-password
printf '[Profile0]\nName=default-esr\nIsRelative=1\nPath=abcd1234.default-esr\n' \
    >"$HOME/.mozilla/firefox/profiles.ini"

t0=$(date +%s.%N)
MOZ_HEADLESS=1 "$FIREFOX" --headless --no-remote --profile "$P" about:blank \
    >"$WORK/firefox.log" 2>&1 </dev/null &
FF_PID=$!
for ((i = 0; i < 600; i++)); do
    [[ -L "$P/lock" ]] && break
    kill -0 "$FF_PID" 2>/dev/null || break
    sleep 0.05
done
if [[ ! -L "$P/lock" ]]; then
    skip "Firefox did not start here: $(tail -n 5 "$WORK/firefox.log")"
fi
awk -v t0="$t0" -v t1="$(date +%s.%N)" \
    'BEGIN { printf "Firefox held its profile lock after %.1f s\n", t1 - t0 }'

run_tool 7 register --module "$RSSP_MODULE" firefox
expect_in "$ERR" "Firefox profile 'default-esr' ($P) is in use"
expect_in "$ERR" "is locked by process $FF_PID"
expect_in "$ERR" "close Firefox and run the command again"
grep -q 'rssp-pkcs11' "$P/pkcs11.txt" && fail "the profile of a running Firefox was changed"
run_tool 7 unregister firefox
expect_in "$ERR" "is in use"

kill -TERM "$FF_PID"
for ((i = 0; i < 600; i++)); do kill -0 "$FF_PID" 2>/dev/null || break; sleep 0.05; done
wait "$FF_PID" 2>/dev/null || true
FF_PID=""
run_tool 0 register --module "$RSSP_MODULE" firefox
expect_in "$OUT" "registered \"RSSP remote signing\" ($RSSP_MODULE) in Firefox profile 'default-esr'"
[[ "$(grep -c "^library=$RSSP_MODULE\$" "$P/pkcs11.txt")" == 1 ]] ||
    fail "not registered once: $(cat "$P/pkcs11.txt")"
echo "register refuses a running Firefox's profile"
