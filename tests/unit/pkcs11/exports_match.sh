#!/usr/bin/env bash
# ctest module_exports_match (label unit): the Windows DLL exports what
# pkcs11/rssp-pkcs11.def lists, the Linux module what exports.map lets out.
# Both must be the same C_* entry points: compare the .def with the symbols the
# built rssp-pkcs11.so really exports. Usage: exports_match.sh MODULE.so DEF
set -euo pipefail
so=$1 def=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort >"$work/so"
awk '/^EXPORTS/ { on = 1; next } on && NF { print $1 }' "$def" | sort >"$work/def"
[ -s "$work/so" ] || { echo "FAIL: $so exports no functions"; exit 1; }
if ! diff -u "$work/so" "$work/def" >"$work/diff"; then
    echo "FAIL: $def and the symbols of $so differ (- only in the .so, + only in the .def):"
    cat "$work/diff"
    exit 1
fi
echo "ok: $(wc -l <"$work/def") entry points, the same in $(basename "$so") and $(basename "$def")"
