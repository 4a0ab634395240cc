#!/usr/bin/env bash
# Build rssp-pkcs11.dll and rssp-tool.exe for 64-bit Windows on Debian, in one
# command (docs/windows.md):
#
#   scripts/windows-build.sh [extra cmake args...]
#
# 1. scripts/windows-deps.sh: OpenSSL, libcurl, cJSON and inih from Debian's
#    source packages, static for mingw, in a cache outside the tree
#    (RSSP_WINDOWS_DEPS, default ~/.cache/rssp-pkcs11/mingw64; reused while
#    the source versions are unchanged);
# 2. configure the build folder (RSSP_WINDOWS_BUILD_DIR, default
#    ./build-windows, which the Linux build's windows-wine test looks at) with
#    cmake/mingw-w64.cmake, and build it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RSSP_WINDOWS_BUILD_DIR:-$here/build-windows}
export RSSP_WINDOWS_DEPS=${RSSP_WINDOWS_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/rssp-pkcs11/mingw64}

phase() {
    local name=$1 start=$SECONDS
    shift
    "$@"
    echo "windows-build: $name took $((SECONDS - start)) s"
}
phase "dependencies (scripts/windows-deps.sh)" bash "$here/scripts/windows-deps.sh"
phase "configuring $build" cmake -S "$here" -B "$build" \
    -DCMAKE_TOOLCHAIN_FILE="$here/cmake/mingw-w64.cmake" -DRSSP_WINDOWS_DEPS="$RSSP_WINDOWS_DEPS" "$@"
phase "building" cmake --build "$build" --parallel "$(nproc)"

# What was built, and the DLLs each needs: Windows' own only.
while IFS= read -r f; do
    echo "windows-build: $f needs: $(x86_64-w64-mingw32-objdump -p "$f" |
        sed -n 's/^[[:space:]]*DLL Name: //p' | tr '\n' ' ')"
done < <(find "$build" \( -name '*.dll' -o -name '*.exe' \) -type f -not -path '*/CMakeFiles/*' | sort)
