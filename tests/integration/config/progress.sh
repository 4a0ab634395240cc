#!/usr/bin/env bash
# Progress where a person looks: `rssp-tool sign` on an IMPLICIT credential
# shows "waiting for approval on your phone (credential 30001), M:SS left"
# on a terminal, rewritten every second and erased once the phone answers;
# with standard error not a terminal it shows only its one-line notice.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
emu_start
trap cleanup EXIT
carol=$EMU_DIR/owners/carol.conf
[[ -f "$carol" ]] || fail "no $carol"
doc=$EMU_ROOT/doc.txt
printf 'Invoice 2024-001: 100.00 EUR\n' >"$doc"

# approve_later SECONDS: approve 30001 that long after the service holds its request.
approve_later() {
    local i
    for ((i = 0; i < 600; i++)); do
        emu_admin GET pending | grep -q 30001 && break
        sleep 0.05
    done
    sleep "$1"
    emu_approve 30001
}

echo "== on a terminal: a countdown, updated, then erased"
approve_later 2.5 &
approver=$!
python3 "$(dirname "$0")/pty_run.py" "$EMU_ROOT/tty.log" "$RSSP_TOOL" -c "$carol" sign 30001 \
    "$doc" --out "$EMU_ROOT/tty.sig" || { cat "$EMU_ROOT/tty.log"; fail "sign on a terminal failed"; }
wait "$approver" || fail "no pending approval for 30001"
tr '\r' '\n' <"$EMU_ROOT/tty.log" | sed 's/\x1b\[K//g' | grep -v '^$' | tee "$EMU_ROOT/tty.lines"
shown=$(grep -c 'waiting for approval on your phone (credential 30001), [0-9]:[0-5][0-9] left' \
    "$EMU_ROOT/tty.lines" || true)
distinct=$(grep -o '[0-9]:[0-5][0-9] left' "$EMU_ROOT/tty.lines" | sort -u | wc -l)
[[ "$shown" -ge 2 && "$distinct" -ge 2 ]] ||
    fail "expected a countdown updated at least once ($shown lines, $distinct values)"
grep -q $'\r\x1b\\[K' "$EMU_ROOT/tty.log" || fail "the countdown line was not erased"
[[ -s "$EMU_ROOT/tty.sig" ]] || fail "no signature written"

echo "== not a terminal: nothing but the notice"
approve_later 1.5 &
approver=$!
"$RSSP_TOOL" -c "$carol" sign 30001 "$doc" --out "$EMU_ROOT/file.sig" \
    >"$EMU_ROOT/out" 2>"$EMU_ROOT/err" </dev/null || { cat "$EMU_ROOT/err"; fail "sign failed"; }
wait "$approver" || fail "no pending approval for 30001"
cat "$EMU_ROOT/err"
grep -q 'left' "$EMU_ROOT/err" && fail "a countdown went to a file"
grep -q $'\r' "$EMU_ROOT/err" && fail "terminal control characters went to a file"
grep -q 'approve the request on your phone' "$EMU_ROOT/err" || fail "no notice"
echo "PASS"
