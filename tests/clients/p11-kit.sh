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

# p11-kit reads the user's configuration (~/.config/pkcs11/modules) from the
# HOME it is given, except as root, where it reads only the system's and has
# no variable for another folder. So the p11-kit programs run as a user of
# their own: as root an unprivileged one (nobody, through setpriv), otherwise
# the current user, with a HOME holding the module file, and copies of the
# module and of the configuration with its CA and secrets (the module wants
# secrets owned by the user that reads them). No mount namespace and no
# change to the system: the same on a VM, in a chroot and in a container.
[ -n "$MODULE_CONF" ] || skip "the backend has no configuration file to hand over through x-init-reserved"
if [ "$(id -u)" -eq 0 ]; then
    need_bin setpriv
    P11KIT_USER=65534
    U=$(mktemp -d "${TMPDIR:-/tmp}/rssp-p11-kit-user.XXXXXX")
    at_exit "rm -rf '$U'"
    chmod 755 "$U"
else
    U=$WORK/p11-kit-user
fi
conf_copy "$U/conf"
cp "$MODULE" "$U/rssp-pkcs11.so"
MODULE=$U/rssp-pkcs11.so
P11KIT_HOME=$U/home
mods=$P11KIT_HOME/.config/pkcs11/modules
mkdir -p "$mods" "$P11KIT_HOME/.cache"
printf 'module: %s\nx-init-reserved: %s\n' "$MODULE" "$U/conf/rssp-pkcs11.conf" >"$mods/rssp.module"
say "rssp.module:"
sed 's/^/  | /' "$mods/rssp.module"
unset RSSP_PKCS11_CONF
if [ -n "${P11KIT_USER:-}" ]; then
    chown -R "$P11KIT_USER:$P11KIT_USER" "$U"
    say "(p11-kit runs as uid $P11KIT_USER: as root it would read only the system configuration)"
fi

in_p11kit_config() {
    local env=(env HOME="$P11KIT_HOME" XDG_CONFIG_HOME="$P11KIT_HOME/.config" XDG_CACHE_HOME="$P11KIT_HOME/.cache")
    if [ -n "${P11KIT_USER:-}" ]; then
        "${env[@]}" setpriv --reuid="$P11KIT_USER" --regid="$P11KIT_USER" --clear-groups -- "$@"
    else
        "${env[@]}" "$@"
    fi
}

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
    printf 'signed through p11-kit-proxy\n' >"$U/doc.txt"
    run in_p11kit_config openssl dgst -"${K_HASH[$RSA]}" -engine pkcs11 -keyform engine \
        -sign "$(uri "$RSA" private)?pin-value=$PIN" -out "$P11KIT_HOME/doc.sig" "$U/doc.txt"
    run openssl dgst -"${K_HASH[$RSA]}" -verify "${K_PUB[$RSA]}" -signature "$P11KIT_HOME/doc.sig" "$U/doc.txt"
    expect_out '^Verified OK$' "engine through p11-kit-proxy signed, verified by openssl"
fi

# GnuTLS loads the modules p11-kit knows but calls C_Initialize with its own
# arguments (CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS, no
# pReserved), so x-init-reserved never reaches the module: GnuTLS programs
# need the configuration in its default place.
if command -v p11tool >/dev/null 2>&1; then
    user_conf=$P11KIT_HOME/.config/rssp-pkcs11/rssp-pkcs11.conf
    mkdir -p "${user_conf%/*}"
    cp -p "$U/conf/rssp-pkcs11.conf" "$user_conf"
    [ -z "${P11KIT_USER:-}" ] || chown -R "$P11KIT_USER:$P11KIT_USER" "$P11KIT_HOME/.config/rssp-pkcs11"
    say "(configuration copied to $user_conf for GnuTLS)"
    run in_p11kit_config p11tool --list-tokens
    for k in "${KEYS[@]}"; do
        expect_out "^[[:space:]]+Label: $(re_quote "${K_TOKEN[$k]}")\$" "p11tool (through p11-kit) lists '${K_TOKEN[$k]}'"
    done
fi
