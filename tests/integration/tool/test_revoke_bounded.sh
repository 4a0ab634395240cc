#!/usr/bin/env bash
# rssp-tool sign with the service's auth/revoke stalled (the fault proxy
# holds every answer): the signature is made, the SAD revocation and the
# logout are abandoned after revoke_budget_ms each, with a warning, and the
# tool exits — instead of waiting timeout_ms per revocation.
# shellcheck source=lib.sh
source "$RSSP_TOOL_TEST_LIB"
# shellcheck source=../../support/emulator.sh
source "$RSSP_EMULATOR_SH"
# shellcheck source=../../support/fault_proxy.sh
source "$RSSP_FAULT_PROXY_SH"
emu_start
proxy_start
WORK=$EMU_ROOT/work
mkdir -m 700 "$WORK"
pin=$(fixture 'f["pin"]')
printf '%s\n' "$pin" >"$WORK/pin"
chmod 600 "$WORK/pin"
printf 'Invoice 2026-12-05 No. 000124\n' >"$WORK/doc"
# The demo configuration through the proxy, beside the original (relative paths).
C=$EMU_DIR/through-proxy.conf
sed -e "s|^url = .*|url = $PROXY_URL|" \
    -e 's|^timeout_ms = .*|timeout_ms = 20000\nrevoke_budget_ms = 1000|' "$EMU_CONF" >"$C"
chmod 600 "$C"

proxy_cmd rule hold -1 match=auth/revoke
start=$(date +%s%N)
# 15 s: generous against the 2 s expected, far below the 40 s of two time-outs.
rc=0
timeout 15 "$RSSP_TOOL" -c "$C" sign 10001 "$WORK/doc" --pin-file "$WORK/pin" \
    --out "$WORK/doc.sig" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
took=$((($(date +%s%N) - start) / 1000000))
cat "$WORK/stderr" >&2
[[ "$rc" == 0 ]] || fail "rssp-tool sign exited $rc after $took ms"
[[ -s "$WORK/doc.sig" ]] || fail "no signature"
grep -q "could not revoke the SAD" "$WORK/stderr" || fail "no warning about the SAD"
grep -q "could not log out" "$WORK/stderr" || fail "no warning about the logout"
proxy_cmd stats
echo "sign with auth/revoke stalled: $took ms (revoke_budget_ms 1000, timeout_ms 20000); proxy: $PROXY_ANSWER"
proxy_cmd close
