# Helpers for the rssp-tool tests. Source after setting RSSP_TOOL; set WORK
# to a private folder before calling run_tool.
set -euo pipefail

: "${RSSP_TOOL:?set RSSP_TOOL to the rssp-tool binary}"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# A program the test needs is not installed: ctest SKIP (SKIP_RETURN_CODE 77).
skip() {
    echo "SKIP: $*"
    exit 77
}

# run_tool RC ARGS...: run rssp-tool, expect exit code RC; stdout in OUT, stderr in ERR.
run_tool() {
    local want=$1 rc=0
    shift
    "$RSSP_TOOL" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    OUT=$(cat "$WORK/stdout")
    ERR=$(cat "$WORK/stderr")
    if [[ "$rc" != "$want" ]]; then
        echo "rssp-tool $* exited $rc, expected $want" >&2
        echo "--- stdout:" >&2
        echo "$OUT" >&2
        echo "--- stderr:" >&2
        echo "$ERR" >&2
        exit 1
    fi
}

# expect_in TEXT NEEDLE: NEEDLE must occur in TEXT.
expect_in() {
    [[ "$1" == *"$2"* ]] || fail "expected '$2' in: $1"
}

# expect_not_in TEXT NEEDLE
expect_not_in() {
    [[ "$1" != *"$2"* ]] || fail "did not expect '$2' in: $1"
}

# fixture EXPR: evaluate a Python expression over fixture.json (as f).
fixture() {
    python3 -c 'import json, sys
f = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if not isinstance(v, list) else "\n".join(map(str, v)))' "$EMU_FIXTURE" "$1"
}
