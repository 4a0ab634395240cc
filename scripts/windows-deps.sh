#!/usr/bin/env bash
# Build the libraries of the Windows DLL (OpenSSL, libcurl, cJSON, inih) as
# static x86_64-w64-mingw32 libraries from Debian's own source packages, into
# a cache folder outside the tree (docs/windows.md, "Building the
# dependencies"). No third-party source enters the repository.
#
#   scripts/windows-deps.sh            # build, or reuse the cache
#   RSSP_WINDOWS_DEPS=/some/dir scripts/windows-deps.sh
#
# The prefix gets include/, lib/ and lib/pkgconfig/ (relocatable .pc files:
# `pkg-config --static` gives the whole link line). A stamp file records the
# source package versions, the compiler and RECIPE below; the cache is reused
# while they match and rebuilt whole when one changes (a new Debian security
# update of OpenSSL rebuilds curl too). Prints the path of the prefix last.
#
# Sources: the deb-src twin of the machine's own Debian entries (bookworm,
# bookworm-updates, bookworm-security), read through a private apt state in a
# scratch folder: the system's apt configuration is not touched, root is
# needed only to install missing build tools. When a source package version is
# missing from the mirror, the next older one of bookworm is taken; libinih,
# whose bookworm source (55) may be absent, falls back to trixie's (API- and
# ABI-compatible: one C file, same ini.h).
set -euo pipefail

# Bump when the build recipe below changes, so caches are rebuilt.
RECIPE=1
HOST=x86_64-w64-mingw32
PREFIX=${RSSP_WINDOWS_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/rssp-pkcs11/mingw64}
PACKAGES=(openssl curl cjson libinih)
# Packages that may come from a later Debian release when bookworm's source is
# not on the mirror.
declare -A FALLBACK_SUITE=([libinih]=trixie)
STAMP_NAME=.rssp-windows-deps
JOBS=$(nproc)

say() { printf 'windows-deps: %s\n' "$*"; }
die() {
    printf 'windows-deps: error: %s\n' "$*" >&2
    exit 1
}

# --- build tools -----------------------------------------------------------
need_tools() {
    local missing=() pair
    for pair in "$HOST-gcc:mingw-w64" "dpkg-source:dpkg-dev" "make:make" "perl:perl" \
        "patch:patch" "autoreconf:autoconf" "automake:automake" "libtoolize:libtool" \
        "pkg-config:pkg-config" "flock:util-linux"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing build tools; install them: apt-get install ${missing[*]}"
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y \
        --no-install-recommends "${missing[@]}" </dev/null
}

# --- a private apt state for source packages -------------------------------
# The deb-src entries: every "deb" entry of the system's sources, as deb-src.
system_src_entries() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # One deb822 stanza per paragraph; keep those with Types: deb.
        awk 'BEGIN { RS = ""; ORS = "\n\n" }
             /(^|\n)Types:[^\n]*[ \t]deb([ \t]|\n|$)/ {
                 sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
    done
}

# apt_dir DIR SOURCES: apt-get/apt-cache options for a private state in DIR.
apt_setup() {
    local dir=$1 sources=$2 ext=sources
    mkdir -p "$dir/parts" "$dir/lists/partial" "$dir/cache/archives/partial"
    grep -q '^Types:' <<<"$sources" || ext=list
    printf '%s\n' "$sources" >"$dir/src.$ext"
    # apt downloads as _apt when run as root: let it write there.
    if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
        chown -R _apt "$dir/lists/partial" "$dir/cache/archives/partial"
    fi
}
apt_opts() {
    local dir=$1 f
    f=$(find "$dir" -maxdepth 1 -name 'src.*' | head -1)
    printf '%s\n' -o "Dir::Etc::sourcelist=$f" -o "Dir::Etc::sourceparts=$dir/parts" \
        -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" \
        -o "APT::Get::Only-Source=true"
}

# versions_of APTDIR PKG: every version of source package PKG, newest first.
versions_of() {
    local -a opts
    mapfile -t opts < <(apt_opts "$1")
    local v sorted=()
    while read -r v; do
        local i=0
        while [ $i -lt ${#sorted[@]} ] && dpkg --compare-versions "${sorted[$i]}" gt "$v"; do
            i=$((i + 1))
        done
        [ $i -lt ${#sorted[@]} ] && [ "${sorted[$i]}" = "$v" ] && continue
        sorted=("${sorted[@]:0:$i}" "$v" "${sorted[@]:$i}")
    done < <(apt-cache "${opts[@]}" showsrc "$2" 2>/dev/null | awk -v p="$2" '
        /^Package:/ { ok = ($2 == p) } ok && /^Version:/ { print $2 }')
    [ ${#sorted[@]} -gt 0 ] && printf '%s\n' "${sorted[@]}"
}

# fetch APTDIR PKG DEST: download the newest available version of PKG into
# DEST (apt checks each file against the signed index); print the version.
fetch() {
    local dir=$1 pkg=$2 dest=$3 v
    local -a opts
    mapfile -t opts < <(apt_opts "$dir")
    mkdir -p "$dest"
    [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1 && chown _apt "$dest"
    while read -r v; do
        [ -n "$v" ] || continue
        if (cd "$dest" && apt-get "${opts[@]}" source --download-only "$pkg=$v" \
            </dev/null >"$dest/apt.log" 2>&1); then
            echo "$v"
            return 0
        fi
        say "$pkg $v: not downloadable ($(grep -m1 '^E:' "$dest/apt.log" || echo 'apt-get failed'))" >&2
        rm -f "$dest"/*"${pkg}"_*
    done < <(versions_of "$dir" "$pkg")
    return 1
}

# --- the four builds -------------------------------------------------------
# extract PKG VERSION DLDIR: unpack with Debian's patches applied; print the tree.
extract() {
    local pkg=$1 v=$2 dl=$3 dsc
    dsc=$(find "$dl" -maxdepth 1 -name "${pkg}_*.dsc" | head -1)
    (cd "$SCRATCH/src" && dpkg-source --no-check -x "$dsc" "$pkg" >/dev/null) ||
        die "dpkg-source -x $dsc failed"
    echo "$SCRATCH/src/$pkg"
}

build_openssl() {
    local src=$1
    cd "$src"
    # mingw64: OpenSSL's own target. Static only; no-module builds the legacy
    # provider into libcrypto (no legacy.dll to ship) and drops the dynamic
    # engine loader; engines themselves stay (curl probes for ENGINE).
    ./Configure mingw64 no-shared no-module no-tests --cross-compile-prefix="$HOST-" \
        --prefix="$STAGE" --libdir=lib >"$SCRATCH/openssl.log" 2>&1 ||
        { tail -30 "$SCRATCH/openssl.log"; die "OpenSSL Configure failed"; }
    make -j"$JOBS" build_libs >>"$SCRATCH/openssl.log" 2>&1 ||
        { tail -40 "$SCRATCH/openssl.log"; die "OpenSSL build failed"; }
    make install_dev >>"$SCRATCH/openssl.log" 2>&1 ||
        { tail -20 "$SCRATCH/openssl.log"; die "OpenSSL install failed"; }
}

build_curl() {
    local src=$1 p
    cd "$src"
    # Debian builds the OpenSSL flavour with its last two patches (GnuTLS,
    # NSS flavours) popped; do the same, then regenerate the build system as
    # dh_autoreconf does (other patches touch configure.ac and Makefile.am).
    # --disable-pthreads: the threaded resolver then uses Win32 threads, so
    # nothing needs libwinpthread (mingw-w64 ships a pthread.h curl would find).
    for p in 99_nss.patch 90_gnutls.patch; do
        if grep -qx "$p" debian/patches/series; then
            patch -R -p1 -s <"debian/patches/$p" || die "cannot pop curl's $p"
        fi
    done
    {
        autoreconf -fi &&
            ./configure --host="$HOST" --prefix="$STAGE" \
                --disable-shared --enable-static --with-openssl="$STAGE" \
                --without-libpsl --without-zlib --without-brotli --without-zstd \
                --without-libidn2 --without-nghttp2 --without-librtmp --without-libssh2 \
                --without-libgsasl --disable-ldap --disable-ldaps --disable-manual \
                --without-ca-bundle --without-ca-path --disable-pthreads \
                PKG_CONFIG="pkg-config --static" \
                LIBS="-lws2_32 -lcrypt32 -lbcrypt -ladvapi32 -luser32"
    } >"$SCRATCH/curl.log" 2>&1 || { tail -40 "$SCRATCH/curl.log"; die "curl configure failed"; }
    {
        make -j"$JOBS" -C lib && make -C lib install && make -C include install &&
            make install-pkgconfigDATA
    } >>"$SCRATCH/curl.log" 2>&1 || { tail -40 "$SCRATCH/curl.log"; die "curl build failed"; }
    grep -q 'CURL_STATICLIB' "$STAGE/lib/pkgconfig/libcurl.pc" ||
        sed -i 's/^Cflags: .*/& -DCURL_STATICLIB/' "$STAGE/lib/pkgconfig/libcurl.pc"
    grep -q '^supported_features=.*SSL' "$STAGE/lib/pkgconfig/libcurl.pc" ||
        die "libcurl was configured without SSL (see $SCRATCH/curl.log)"
}

# cJSON and inih are one C file each: compile them as Debian's build does
# (their CMake/meson files only add warnings and the shared library).
build_cjson() {
    local src=$1 v=$2
    cd "$src"
    # CJSON_HIDE_SYMBOLS: without it cJSON.h marks every function
    # __declspec(dllexport), and the module DLL would export cJSON.
    "$HOST-gcc" -O2 -std=c89 -DCJSON_HIDE_SYMBOLS -c cJSON.c -o cJSON.o
    "$HOST-ar" rcs "$STAGE/lib/libcjson.a" cJSON.o
    mkdir -p "$STAGE/include/cjson"
    cp cJSON.h "$STAGE/include/cjson/"
    cat >"$STAGE/lib/pkgconfig/libcjson.pc" <<EOF
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libcjson
Version: ${v%%-*}
Description: Ultralightweight JSON parser in ANSI C (Debian source $v, static, mingw)
Libs: -L\${libdir} -lcjson
Cflags: -I\${includedir} -I\${includedir}/cjson -DCJSON_HIDE_SYMBOLS
EOF
}

build_inih() {
    local src=$1 v=$2
    cd "$src"
    "$HOST-gcc" -O2 -c ini.c -o ini.o
    "$HOST-ar" rcs "$STAGE/lib/libinih.a" ini.o
    cp ini.h "$STAGE/include/"
    cat >"$STAGE/lib/pkgconfig/inih.pc" <<EOF
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: inih
Version: ${v%%-*}
Description: simple .INI file parser (Debian source $v, static, mingw)
Libs: -L\${libdir} -linih
Cflags: -I\${includedir}
EOF
}

# --- main ------------------------------------------------------------------
need_tools
mkdir -p "$(dirname "$PREFIX")"
exec 9>"$PREFIX.lock"
flock 9 # one build at a time per cache

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/rssp-windows-deps.XXXXXX")
STAGE=""
# The scratch folder always goes; a half-built staging prefix too.
trap 'rm -rf "$SCRATCH" ${STAGE:+"$STAGE"}' EXIT
trap 'exit 130' INT TERM
chmod 755 "$SCRATCH" # apt's _apt user reads its own downloads here
mkdir -p "$SCRATCH/src"

t0=$SECONDS
sources=$(system_src_entries)
[ -n "$sources" ] || die "no Debian 'deb' entries in /etc/apt to derive deb-src entries from"
apt_setup "$SCRATCH/apt" "$sources"
declare -A APTDIR=()
for pkg in "${PACKAGES[@]}"; do APTDIR[$pkg]=$SCRATCH/apt; done
declare -A SUITE_DIRS=()
for pkg in "${!FALLBACK_SUITE[@]}"; do
    suite=${FALLBACK_SUITE[$pkg]}
    [ -n "${SUITE_DIRS[$suite]:-}" ] && continue
    uri=$(awk '/^URIs:/ && !/security/ { print $2; exit } /^deb-src / && !/security/ { print $2; exit }' <<<"$sources")
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    apt_setup "$SCRATCH/apt-$suite" "$(printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
        "${uri:-http://deb.debian.org/debian}" "$suite" "$keyring")"
    SUITE_DIRS[$suite]=$SCRATCH/apt-$suite
done

update_ok=1
for dir in "$SCRATCH/apt" "${SUITE_DIRS[@]}"; do
    mapfile -t opts < <(apt_opts "$dir")
    if ! apt-get "${opts[@]}" update </dev/null >"$dir/update.log" 2>&1; then
        update_ok=0
        sed 's/^/  /' "$dir/update.log" >&2
    fi
done
if [ "$update_ok" -eq 0 ]; then
    if [ -f "$PREFIX/$STAMP_NAME" ]; then
        say "cannot reach the Debian source index; using the cache as it is ($PREFIX)"
        cat "$PREFIX/$STAMP_NAME"
        echo "$PREFIX"
        exit 0
    fi
    die "cannot read the Debian source index (apt-get update failed, output above)"
fi

declare -A VERSION=() DLDIR=()
stamp="recipe=$RECIPE host=$HOST gcc=$("$HOST-gcc" -dumpversion)"
for pkg in "${PACKAGES[@]}"; do
    DLDIR[$pkg]=$SCRATCH/dl/$pkg
    if v=$(fetch "${APTDIR[$pkg]}" "$pkg" "${DLDIR[$pkg]}"); then
        where=bookworm
    elif [ -n "${FALLBACK_SUITE[$pkg]:-}" ] &&
        v=$(fetch "${SUITE_DIRS[${FALLBACK_SUITE[$pkg]}]}" "$pkg" "${DLDIR[$pkg]}"); then
        where=${FALLBACK_SUITE[$pkg]}
        say "$pkg: no bookworm source on the mirror; using $where's $v"
    else
        die "no version of the source package $pkg could be downloaded"
    fi
    VERSION[$pkg]=$v
    stamp+=$'\n'"$pkg=$v ($where)"
done
say "source packages: $(tr '\n' ' ' <<<"$stamp")(fetched in $((SECONDS - t0)) s)"

if [ -f "$PREFIX/$STAMP_NAME" ] && [ "$(cat "$PREFIX/$STAMP_NAME")" = "$stamp" ]; then
    say "cache is up to date, reusing $PREFIX"
    echo "$PREFIX"
    exit 0
fi
[ -d "$PREFIX" ] && say "cache $PREFIX is missing or out of date: rebuilding it"

# Build into a fresh staging prefix beside the cache, then swap it in, so an
# interrupted build never leaves a half cache behind a valid stamp.
STAGE=$PREFIX.new
rm -rf "$STAGE"
mkdir -p "$STAGE/include" "$STAGE/lib/pkgconfig"
export PKG_CONFIG_LIBDIR=$STAGE/lib/pkgconfig PKG_CONFIG_PATH="" PKG_CONFIG_SYSROOT_DIR=""
total=$SECONDS
for pkg in "${PACKAGES[@]}"; do
    t=$SECONDS
    src=$(extract "$pkg" "${VERSION[$pkg]}" "${DLDIR[$pkg]}")
    case $pkg in
    openssl) build_openssl "$src" ;;
    curl) build_curl "$src" ;;
    cjson) build_cjson "$src" "${VERSION[$pkg]}" ;;
    libinih) build_inih "$src" "${VERSION[$pkg]}" ;;
    esac
    cd /
    rm -rf "$src"
    say "$pkg ${VERSION[$pkg]} built in $((SECONDS - t)) s"
done

# Relocatable .pc files (the prefix is the folder two levels up), so the
# staging folder can become the cache.
# shellcheck disable=SC2016 # ${pcfiledir} and ${prefix} are pkg-config's
for pc in "$STAGE"/lib/pkgconfig/*.pc; do
    sed -i -e 's|^prefix=.*|prefix=${pcfiledir}/../..|' -e "/^prefix=/!s|$STAGE|\${prefix}|g" "$pc"
done
rm -rf "${STAGE:?}/bin" "${STAGE:?}/share" "${STAGE:?}/lib/"*.la
printf '%s\n' "$stamp" >"$STAGE/$STAMP_NAME"
rm -rf "$PREFIX.old"
[ -d "$PREFIX" ] && mv "$PREFIX" "$PREFIX.old"
mv "$STAGE" "$PREFIX"
STAGE=""
rm -rf "$PREFIX.old"
say "all built in $((SECONDS - total)) s into $PREFIX"
echo "$PREFIX"
