#!/usr/bin/env bash
# OpenSC's own test suite for a module, `pkcs11-tool --test --login`, on every
# token of a fresh emulator, with the emulator's configuration as written (the
# defaults). pkcs11-tool opens its test session read-write, which the default
# accepts; first it checks that `read_write_sessions = false` refuses such a
# session (docs/module.md).
set -euo pipefail
: "${RSSP_MODULE:?path of rssp-pkcs11.so}" "${RSSP_EMULATOR:?path of rssp-emulator}"
command -v pkcs11-tool >/dev/null || { echo "pkcs11-tool not installed"; exit 77; }
source "$(dirname "$0")/../../support/emulator.sh"
emu_start
export XDG_CACHE_HOME=$EMU_ROOT/xdg-cache
export RSSP_PKCS11_CONF=$EMU_CONF

echo "== read_write_sessions = false: a read-write session is refused"
# Beside the demo configuration, so that its relative paths stay valid.
strict=$(dirname "$EMU_CONF")/strict.conf
cp "$EMU_CONF" "$strict"
chmod 600 "$strict"
# [module] is the last section of the generated configuration.
echo "read_write_sessions = false" >>"$strict"
out=$(RSSP_PKCS11_CONF=$strict pkcs11-tool --module "$RSSP_MODULE" --slot-index 0 --test 2>&1 || true)
grep -q CKR_TOKEN_WRITE_PROTECTED <<<"$out" || { echo "$out"; echo "FAIL: expected CKR_TOKEN_WRITE_PROTECTED for a read-write session"; exit 1; }

slots=$(pkcs11-tool --module "$RSSP_MODULE" --list-token-slots | grep -c '^Slot ')
[ "$slots" -ge 4 ] || { echo "FAIL: $slots tokens"; exit 1; }
for i in $(seq 0 $((slots - 1))); do
    echo "== pkcs11-tool --test --login, slot index $i"
    log=$EMU_ROOT/test-$i.log
    if ! pkcs11-tool --module "$RSSP_MODULE" --slot-index "$i" --test --login --pin 123456 \
        >"$log" 2>&1; then
        cat "$log"
        echo "FAIL: pkcs11-tool --test on slot index $i"
        exit 1
    fi
    # pkcs11-tool reports failures in its output as well as in its exit status.
    if grep -E "errors?$|ERR:|failed" "$log" | grep -v "^No errors$" | grep -q .; then
        cat "$log"
        echo "FAIL: pkcs11-tool --test reported errors on slot index $i"
        exit 1
    fi
    tail -n 3 "$log"
done
echo "pkcs11-tool --test passed on $slots tokens (${RSSP_TEST_PROTOCOL:-rssp})"
