#!/usr/bin/env bash
# The Debian package (debian/), proved the way a user gets it.
#
#   package.sh build    build the .debs from a copy of the source tree
#                       (dpkg-buildpackage -us -uc -b, out of the tree so the
#                       checkout stays clean), check their file lists, the
#                       Depends made by dpkg-shlibdeps and lintian, then sign
#                       with the module and emulator unpacked by dpkg -x.
#   package.sh install  (root only, else SKIP) dpkg -i the .debs, sign through
#                       the installed module with pkcs11-tool and through
#                       p11-kit-proxy.so (found by the installed p11-kit module
#                       file, no per-program step), then dpkg -r / dpkg -P must
#                       leave the file system as it was.
#
# RSSP_PACKAGE_OUT: where `build` leaves the .debs for `install` (ctest fixture).
# RSSP_VERSION: the CMake project version, which debian/changelog must carry.
set -euo pipefail
# shellcheck source=../clients/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../clients/lib.sh"

mode=${1:-}
OUT=${RSSP_PACKAGE_OUT:?RSSP_PACKAGE_OUT (the folder for the .debs) is not set}
PACKAGES=(rssp-pkcs11 rssp-emulator)

need_bin dpkg-deb dpkg-architecture
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
MODULE_REL=usr/lib/$MA/pkcs11/rssp-pkcs11.so

deb_of() {
    local f
    f=$(find "$OUT" -maxdepth 1 -name "$1_*_$ARCH.deb" | head -n1)
    [ -n "$f" ] || fail "no $1 .deb in $OUT"
    printf '%s\n' "$f"
}

# The paths a .deb holds, one per line, absolute, folders without a final /.
deb_paths() {
    dpkg-deb --fsys-tarfile "$1" | tar -t | sed -e 's|^\./|/|' -e 's|/$||' -e '/^$/d' | sort
}

# A signature with key k through MODULE_UNDER_TEST by pkcs11-tool, verified by
# openssl against the certificate; $1 says which way the module was reached.
sign_and_verify() {
    local how=$1 k=$RSA
    printf 'signed through %s\n' "$how" >"$WORK/doc.txt"
    run pkcs11-tool --module "$MODULE_UNDER_TEST" --token-label "${K_TOKEN[$k]}" --login --pin "$PIN" \
        --sign --mechanism SHA256-RSA-PKCS --id "${K_ID[$k]}" -i "$WORK/doc.txt" -o "$WORK/doc.sig"
    run openssl dgst -sha256 -verify "${K_PUB[$k]}" -signature "$WORK/doc.sig" "$WORK/doc.txt"
    expect_out '^Verified OK$' "pkcs11-tool signed through $how, verified by openssl"
}

# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------

# The source tree as git sees it (tracked and new files, the working copy's
# content, nothing ignored), or without git every file but build folders.
copy_tree() {
    local dest=$1
    mkdir -p "$dest"
    if git -C "$REPO_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$REPO_DIR" && git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
            tar --null -T - -cf -) | tar -C "$dest" -xf -
    else
        tar -C "$REPO_DIR" --exclude=./.git --exclude='./build*' --exclude='./obj-*' \
            --exclude=./debian/.debhelper -cf - . | tar -C "$dest" -xf -
    fi
}

# Every file the package must hold, and where anything may be.
check_file_list() {
    local pkg=$1 deb=$2 list=$WORK/$1.paths p
    shift 2
    deb_paths "$deb" >"$list"
    say "$pkg: $(grep -c . "$list") paths"
    for p in "$@"; do
        grep -qxF "$p" "$list" || fail "$pkg lacks $p (dpkg -c $deb)"
    done
    ok "$pkg holds $*"
    local allowed="^/usr(/bin|/libexec|/libexec/rssp-pkcs11|/lib|/lib/$MA|/lib/$MA/pkcs11|/share|/share/man|/share/man/man[157]|/share/p11-kit|/share/p11-kit/modules|/share/doc|/share/doc/$pkg)?\$"
    allowed+="|^/usr/share/doc/$pkg/|^/usr/share/man/man[157]/[^/]+\\.[157]\\.gz\$"
    allowed+="|^/usr/bin/rssp-(tool|emulator)\$|^/usr/libexec/rssp-pkcs11/rssp-keyring\$|^/$MODULE_REL\$|^/usr/share/p11-kit/modules/rssp-pkcs11\\.module\$"
    if grep -Ev "$allowed" "$list" >"$WORK/$pkg.stray"; then
        sed 's/^/  | /' "$WORK/$pkg.stray"
        fail "$pkg holds files outside the expected places (above)"
    fi
    ok "$pkg holds nothing elsewhere"
}

# Depends made by dpkg-shlibdeps: the package of every library an ELF file of
# the .deb needs is a dependency with a minimum version.
check_shlib_depends() {
    local pkg=$1 deb=$2 dir=$WORK/x-$1 depends f lib path owner p
    depends=$(dpkg-deb -f "$deb" Depends)
    say "$pkg Depends: $depends"
    mkdir -p "$dir"
    dpkg-deb -x "$deb" "$dir"
    while IFS= read -r f; do
        while IFS= read -r lib; do
            # Where the loader finds it, and the package that ships it.
            path=$(ldd "$f" | awk -v l="$lib" '$1 == l && $2 == "=>" { print $3; exit }')
            [ -n "$path" ] || fail "$pkg: $f needs $lib, which this machine does not have"
            owner=""
            for p in "$path" "$(readlink -f "$path")" "/usr$path" "${path#/usr}"; do
                owner=$(dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1) && [ -n "$owner" ] && break
            done
            [ -n "$owner" ] || fail "$pkg: no package ships $path ($lib)"
            [[ " $depends," =~ [\ ,]"$owner"\ \(\>=\ [^\)]+\), ]] ||
                fail "$pkg needs $lib (package $owner), which Depends does not name with a version"
            ok "$pkg depends on $owner (for $lib of ${f#"$dir"})"
        done < <(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    done < <(find "$dir" -type f \( -name '*.so' -o -path '*/bin/*' \))
}

do_build() {
    need_bin dpkg-buildpackage dh lintian pkcs11-tool openssl readelf
    local src=$WORK/src/rssp-pkcs11 t0 secs
    say "copying the source tree to $src"
    copy_tree "$src"

    local version
    version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
    [ "$version" = "$RSSP_VERSION" ] ||
        fail "debian/changelog says $version, CMakeLists.txt says $RSSP_VERSION: add a changelog entry"
    ok "debian/changelog carries the project version $version"

    # The tests ran already in this ctest run: the package is built without
    # them (nocheck also leaves the test programs unbuilt).
    say "building: dpkg-buildpackage -us -uc -b -Pnocheck (log: $OUT/build.log)"
    rm -rf "$OUT"
    mkdir -p "$OUT"
    t0=$SECONDS
    if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
        dpkg-buildpackage -us -uc -b -Pnocheck) </dev/null >"$OUT/build.log" 2>&1; then
        tail -n 40 "$OUT/build.log" | sed 's/^/  | /'
        fail "dpkg-buildpackage failed (the end of its log is above)"
    fi
    secs=$((SECONDS - t0))
    say "package build: ${secs}s (dpkg-buildpackage, nocheck)"
    find "$WORK/src" -maxdepth 1 -type f \( -name '*.deb' -o -name '*.changes' -o -name '*.buildinfo' \) \
        -exec mv -t "$OUT" {} +
    find "$OUT" -maxdepth 1 -type f -printf '  | %f (%s bytes)\n' | sort

    local pdeb edeb
    pdeb=$(deb_of rssp-pkcs11)
    edeb=$(deb_of rssp-emulator)
    check_file_list rssp-pkcs11 "$pdeb" "/$MODULE_REL" /usr/bin/rssp-tool \
        /usr/libexec/rssp-pkcs11/rssp-keyring \
        /usr/share/p11-kit/modules/rssp-pkcs11.module \
        /usr/share/man/man1/rssp-tool.1.gz /usr/share/man/man5/rssp-pkcs11.conf.5.gz \
        /usr/share/man/man7/rssp-pkcs11.7.gz /usr/share/doc/rssp-pkcs11/copyright \
        /usr/share/doc/rssp-pkcs11/README.md.gz /usr/share/doc/rssp-pkcs11/configuration.md.gz
    check_file_list rssp-emulator "$edeb" /usr/bin/rssp-emulator \
        /usr/share/man/man1/rssp-emulator.1.gz /usr/share/doc/rssp-emulator/copyright
    check_shlib_depends rssp-pkcs11 "$pdeb"
    check_shlib_depends rssp-emulator "$edeb"
    [[ $(dpkg-deb -f "$edeb" Depends) =~ (^|, )libsofthsm2(,|$) ]] ||
        fail "rssp-emulator must depend on libsofthsm2 (it loads it with dlopen, shlibdeps cannot see it)"
    ok "rssp-emulator depends on libsofthsm2 (dlopen)"

    # lintian: errors fail the test, warnings are reported.
    t0=$SECONDS
    run_status lintian --fail-on error --display-info "$OUT"/rssp-pkcs11_*_"$ARCH".changes ||
        fail "lintian reports errors (above)"
    ok "lintian: no errors; $(grep -c '^W:' "$LAST_OUT" || true) warning(s), $(grep -c '^I:' "$LAST_OUT" || true) info tag(s) ($((SECONDS - t0))s)"

    # Unpacked as dpkg would lay it out: the p11-kit module file, the man
    # pages, and a signature with the unpacked module and emulator.
    local root=$WORK/root
    mkdir -p "$root"
    dpkg-deb -x "$pdeb" "$root"
    dpkg-deb -x "$edeb" "$root"
    run grep -v '^#' "$root/usr/share/p11-kit/modules/rssp-pkcs11.module"
    expect_out '^module: rssp-pkcs11\.so$' "the p11-kit module file names the module for p11-kit's module folder"
    [ "$(pkg-config --variable=p11_module_path p11-kit-1 2>/dev/null || echo "/usr/lib/$MA/pkcs11")" = "/usr/lib/$MA/pkcs11" ] ||
        fail "p11-kit's module folder is not /usr/lib/$MA/pkcs11"
    if command -v man >/dev/null 2>&1; then
        local page warnings
        for page in "$root"/usr/share/man/man*/*.gz; do
            warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) ||
                fail "man cannot render $page: $warnings"
            [ -z "$warnings" ] || fail "man warns about $page: $warnings"
        done
        ok "man renders every page without a warning"
    fi
    run "$root/usr/bin/rssp-tool" --version
    expect_out "^rssp-tool $(re_quote "$RSSP_VERSION")\$" "the packaged rssp-tool runs and has the project version"

    export RSSP_MODULE=$root/$MODULE_REL RSSP_EMULATOR=$root/usr/bin/rssp-emulator
    token_start
    MODULE_UNDER_TEST=$RSSP_MODULE
    sign_and_verify "the unpacked module (dpkg -x)"
}

# ---------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------

# dpkg, waiting for the dpkg lock while someone else (apt) holds it.
dpkg_locked() {
    local i rc
    for ((i = 0; i < 120; i++)); do
        rc=0
        dpkg "$@" </dev/null >"$WORK/dpkg.out" 2>&1 || rc=$?
        if [ "$rc" -ne 0 ] && grep -q 'lock' "$WORK/dpkg.out"; then
            sleep 5
            continue
        fi
        sed 's/^/  | /' "$WORK/dpkg.out"
        return "$rc"
    done
    sed 's/^/  | /' "$WORK/dpkg.out"
    return 1
}

# Which of the given paths exist (the state to come back to after purge).
exists_list() {
    local p
    while IFS= read -r p; do
        if [ -e "$p" ] || [ -L "$p" ]; then printf 'present %s\n' "$p"; else printf 'absent  %s\n' "$p"; fi
    done <"$1"
}

purge_ours() {
    say "purging ${PACKAGES[*]}"
    dpkg_locked --purge "${PACKAGES[@]}" || true
}

do_install() {
    [ "$(id -u)" -eq 0 ] || skip "installing a .deb needs root (dpkg -i); the package was built and checked by package_build"
    need_bin pkcs11-tool openssl p11-kit
    local p
    for p in "${PACKAGES[@]}"; do
        if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed'; then
            skip "$p is already installed on this machine; the test installs and purges only its own copy"
        fi
    done
    local proxy=/usr/lib/$MA/p11-kit-proxy.so
    [ -e "$proxy" ] || skip "$proxy is not installed (package p11-kit-modules)"
    local pdeb edeb
    pdeb=$(deb_of rssp-pkcs11)
    edeb=$(deb_of rssp-emulator)

    # The paths of both packages and the folders above them, as they are now.
    { deb_paths "$pdeb"; deb_paths "$edeb"; } | sort -u >"$WORK/paths"
    printf '%s\n' /var/lib/dpkg/info/rssp-pkcs11.list /var/lib/dpkg/info/rssp-emulator.list \
        /var/lib/dpkg/info/rssp-pkcs11.md5sums /var/lib/dpkg/info/rssp-emulator.md5sums >>"$WORK/paths"
    exists_list "$WORK/paths" >"$WORK/before"

    # From here on an installed module is seen by every p11-kit user of the
    # machine: it goes away however this test ends.
    at_exit purge_ours
    local t0=$SECONDS
    dpkg_locked --install "$pdeb" "$edeb" || fail "dpkg -i failed (above)"
    ok "dpkg -i rssp-pkcs11 rssp-emulator ($((SECONDS - t0))s)"
    for p in "/$MODULE_REL" /usr/bin/rssp-tool /usr/libexec/rssp-pkcs11/rssp-keyring /usr/bin/rssp-emulator \
        /usr/share/p11-kit/modules/rssp-pkcs11.module; do
        [ -e "$p" ] || fail "$p is not installed"
    done
    ok "the module, the programs and the p11-kit module file are in place"

    # Installed but not configured: p11-kit loads it, it has no token and
    # says nothing (every p11-kit program of the machine loads it now).
    unset RSSP_PKCS11_CONF
    if [ ! -e /etc/rssp-pkcs11.conf ]; then
        run p11-kit list-modules
        expect_out "^rssp-pkcs11: rssp-pkcs11\\.so\$" "p11-kit loads the installed module from its module file"
        awk '/^rssp-pkcs11:/ { m = 1; next } /^[^ ]/ { m = 0 } m && /token:/ { found = 1 } END { exit found }' "$LAST_OUT" ||
            fail "the unconfigured module shows tokens"
        ok "without a configuration the module has no token"
        if grep -v '^rssp-pkcs11: rssp-pkcs11\.so$' "$LAST_OUT" | grep -E '^(rssp-pkcs11|p11-kit): '; then
            fail "the unconfigured module (or p11-kit about it) printed the line above"
        fi
        ok "without a configuration the module prints nothing"
    fi
    if command -v man >/dev/null 2>&1 && [ -d /usr/share/man/man1 ]; then
        run man -w rssp-tool rssp-emulator rssp-pkcs11.conf rssp-pkcs11
        ok "man finds every page"
    fi

    # A private emulator (the installed one), and the installed module.
    export RSSP_MODULE=/$MODULE_REL RSSP_EMULATOR=/usr/bin/rssp-emulator
    token_start
    MODULE_UNDER_TEST=/$MODULE_REL
    sign_and_verify "the installed module"

    # p11-kit-proxy.so, as programs configured for the proxy load it: it finds
    # the module through /usr/share/p11-kit/modules/rssp-pkcs11.module.
    MODULE_UNDER_TEST=$proxy
    run pkcs11-tool --module "$proxy" --list-token-slots
    for k in "${KEYS[@]}"; do
        expect_out "token label +: $(re_quote "${K_TOKEN[$k]}")\$" "p11-kit-proxy shows token '${K_TOKEN[$k]}'"
    done
    sign_and_verify "p11-kit-proxy.so"
    run rssp-tool list
    expect_out "^10001"$'\t'"valid"$'\t'"RSA-2048" "the installed rssp-tool lists the credentials"
    # rssp-tool register finds the installed module by itself.
    mkdir -p "$WORK/nssdb"
    run rssp-tool register nss-db "$WORK/nssdb"
    run cat "$WORK/nssdb/pkcs11.txt"
    expect_out "^library=/$(re_quote "$MODULE_REL")\$" "rssp-tool register writes the installed module's path into an NSS database"

    emu_stop
    t0=$SECONDS
    dpkg_locked --remove "${PACKAGES[@]}" || fail "dpkg -r failed (above)"
    for p in "/$MODULE_REL" /usr/bin/rssp-tool /usr/bin/rssp-emulator /usr/share/p11-kit/modules/rssp-pkcs11.module; do
        [ ! -e "$p" ] || fail "$p is still there after dpkg -r"
    done
    ok "dpkg -r removed the module, the programs and the p11-kit module file"
    dpkg_locked --purge "${PACKAGES[@]}" || fail "dpkg -P failed (above)"
    ok "dpkg -r, dpkg -P ($((SECONDS - t0))s)"
    exists_list "$WORK/paths" >"$WORK/after"
    if ! diff -u "$WORK/before" "$WORK/after" >"$WORK/diff"; then
        sed 's/^/  | /' "$WORK/diff"
        fail "the file system differs from before the installation (above)"
    fi
    for p in "${PACKAGES[@]}"; do
        if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files'; then
            fail "dpkg still knows $p after purge"
        fi
    done
    ok "after dpkg -P every path of the packages is as before ($(grep -c . "$WORK/paths") checked)"
}

case $mode in
build) do_build ;;
install) do_install ;;
*) fail "usage: package.sh build|install" ;;
esac
