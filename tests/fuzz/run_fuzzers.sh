#!/usr/bin/env bash
# Run the libFuzzer binaries of a -DRSSP_FUZZ=ON build, two at a time, each
# for SECONDS. The committed seeds are read, never written: new inputs go to
# BUILD/tests/fuzz/work/<name>, crashes, leaks and timeouts to
# BUILD/tests/fuzz/findings/<name>/, logs to BUILD/tests/fuzz/logs/<name>.log.
#   tests/fuzz/run_fuzzers.sh BUILD_DIR [SECONDS] [TARGET...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: run_fuzzers.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-90}
shift $(($# >= 2 ? 2 : 1))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for d in "$here"/corpus/*/; do targets+=("$(basename "$d")"); done
fi
out=$build/tests/fuzz
for t in "${targets[@]}"; do
    [ -x "$out/fuzz_$t" ] || { echo "no $out/fuzz_$t: build with -DRSSP_FUZZ=ON" >&2; exit 1; }
done

run_one() {
    local t=$1 dict=()
    case $t in
    client_response | client_json | cache | emu_request) dict=(-dict="$here/json.dict") ;;
    config) dict=(-dict="$here/config.dict") ;;
    esac
    mkdir -p "$out/work/$t" "$out/findings/$t" "$out/logs"
    "$out/fuzz_$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/findings/$t/" \
        "$out/work/$t" "$here/corpus/$t" >"$out/logs/$t.log" 2>&1
    local rc=$?
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$t.log" | tail -1)
    printf '%-20s exit %d, %s executions in %ss, findings: %s\n' "$t" "$rc" "${execs:-?}" \
        "$seconds" "$(ls "$out/findings/$t" | wc -l)"
}
export -f run_one
export here out seconds
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'run_one {}' || true
