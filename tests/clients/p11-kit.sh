#!/usr/bin/env bash
# p11-kit: the module registered by a `.module` file (module: plus
# x-init-reserved: carrying the config path) in a private p11-kit
# configuration; `p11-kit list-modules` shows its tokens, and GnuTLS, which
# loads modules through p11-kit, lists them too. RSSP_PKCS11_CONF is unset
# here: the module must find its configuration through x-init-reserved.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin p11-kit
token_start

mods=$WORK/p11-kit-modules
mkdir -p "$mods"
printf 'module: %s\n' "$MODULE" >"$mods/rssp.module"
[ -z "$MODULE_CONF" ] || printf 'x-init-reserved: %s\n' "$MODULE_CONF" >>"$mods/rssp.module"
say "rssp.module:"
sed 's/^/  | /' "$mods/rssp.module"
unset RSSP_PKCS11_CONF

# p11-kit ignores the user configuration when run as root and has no variable
# for another configuration directory: as root, a private mount namespace
# lays the module directory over the system one; otherwise ~/.config/pkcs11.
if [ "$(id -u)" -eq 0 ]; then
    need_bin unshare mount
    for d in /usr/share/p11-kit/modules /etc/pkcs11/modules; do
        [ -d "$d" ] && P11KIT_DIRS+=("$d")
    done
    in_p11kit_config() {
        local binds="" d
        for d in "${P11KIT_DIRS[@]}"; do
            binds+="mount --bind '$mods' '$d' && "
        done
        # shellcheck disable=SC2016
        unshare --mount -- sh -c "mount --make-rprivate / && $binds"'exec "$@"' sh "$@"
    }
else
    mkdir -p "$HOME/.config/pkcs11"
    ln -s "$mods" "$HOME/.config/pkcs11/modules"
    in_p11kit_config() {
        "$@"
    }
fi

run in_p11kit_config p11-kit list-modules
if ! grep -q "^rssp: " "$LAST_OUT"; then
    # p11-kit skips a module that fails C_Initialize silently; its debug
    # output says why.
    P11_KIT_DEBUG=lib,conf,rpc run_status in_p11kit_config p11-kit list-modules || true
    fail "p11-kit did not load the module (see its debug output above)"
fi
expect_out "^rssp: $(re_quote "$MODULE")\$" "p11-kit loads the module from rssp.module"
for k in "${KEYS[@]}"; do
    expect_out "^    token: $(re_quote "${K_TOKEN[$k]}")\$" "p11-kit list-modules shows token '${K_TOKEN[$k]}'"
done

# The OpenSSL pkcs11 engine without PKCS11_MODULE_PATH loads p11-kit-proxy,
# which serves the modules p11-kit knows: the usual desktop set-up.
ENGINES=$(openssl version -e 2>/dev/null | sed -n 's/^ENGINESDIR: "\(.*\)"/\1/p')
if [ -e "$ENGINES/pkcs11.so" ]; then
    unset PKCS11_MODULE_PATH
    printf 'signed through p11-kit-proxy\n' >"$WORK/doc.txt"
    run in_p11kit_config openssl dgst -"${K_HASH[$RSA]}" -engine pkcs11 -keyform engine \
        -sign "$(uri "$RSA" private)?pin-value=$PIN" -out "$WORK/doc.sig" "$WORK/doc.txt"
    run openssl dgst -"${K_HASH[$RSA]}" -verify "${K_PUB[$RSA]}" -signature "$WORK/doc.sig" "$WORK/doc.txt"
    expect_out '^Verified OK$' "engine through p11-kit-proxy signed, verified by openssl"
fi

# GnuTLS loads the modules p11-kit knows but calls C_Initialize with its own
# arguments (CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS, no
# pReserved), so x-init-reserved never reaches the module: GnuTLS programs
# need the configuration in its default place.
if command -v p11tool >/dev/null 2>&1; then
    if [ -n "$MODULE_CONF" ]; then
        mkdir -p "$XDG_CONFIG_HOME/rssp-pkcs11"
        conf_dir=$(dirname "$MODULE_CONF")
        # The same file with its relative paths made absolute.
        awk -v d="$conf_dir" -F' = ' '
            $1 ~ /^(ca_file|password_file|key_file|key_password_file|api_secret_file|cache_dir|log_file)$/ &&
            $2 !~ /^\// { print $1 " = " d "/" $2; next } { print }' "$MODULE_CONF" \
            >"$XDG_CONFIG_HOME/rssp-pkcs11/rssp-pkcs11.conf"
        chmod 600 "$XDG_CONFIG_HOME/rssp-pkcs11/rssp-pkcs11.conf"
        say "(configuration copied to $XDG_CONFIG_HOME/rssp-pkcs11/rssp-pkcs11.conf for GnuTLS)"
    fi
    run in_p11kit_config p11tool --list-tokens
    for k in "${KEYS[@]}"; do
        expect_out "^[[:space:]]+Label: $(re_quote "${K_TOKEN[$k]}")\$" "p11tool (through p11-kit) lists '${K_TOKEN[$k]}'"
    done
fi
