#!/usr/bin/env bash
# The whole test suite: install dependencies, configure, build, run ctest.
# Safe to run twice. Usage: scripts/test.sh [extra cmake args...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RSSP_BUILD_DIR:-$here/build}
# How long each phase took, so a slow CI run shows where its time went.
phase() {
    local name=$1 start=$SECONDS
    shift
    "$@"
    echo "test.sh: $name took $((SECONDS - start)) s"
}
phase "installing packages" bash "$here/scripts/deps.sh"
phase "configuring" cmake -S "$here" -B "$build" "$@"
phase "building" cmake --build "$build" --parallel "$(nproc)"
# The Windows DLL (docs/windows.md) in $build-windows, where the Linux build's
# windows-wine test finds it; the dependency cache is reused when present.
phase "Windows build (scripts/windows-build.sh)" \
    env RSSP_WINDOWS_BUILD_DIR="$build-windows" bash "$here/scripts/windows-build.sh"
cd "$build"
phase "ctest (every label; per-label times above)" \
    ctest --output-on-failure --parallel "$(nproc)" --timeout 600
