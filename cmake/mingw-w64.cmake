# CMake toolchain file: 64-bit Windows (x86_64-w64-mingw32) from Debian's
# mingw-w64, against the static dependencies built by scripts/windows-deps.sh.
#
#   scripts/windows-deps.sh
#   cmake -S . -B build-windows -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake
#
# (scripts/windows-build.sh does both.) The dependency prefix is the cache
# variable RSSP_WINDOWS_DEPS, else the environment variable of that name, else
# the script's default ${XDG_CACHE_HOME:-$HOME/.cache}/rssp-pkcs11/mingw64.
#
# Thread model: the plain x86_64-w64-mingw32-gcc (Debian's default, the win32
# thread model), not the -posix variant: OpenSSL uses Win32 threads, curl is
# built with --disable-pthreads, and the project links mingw-w64's winpthreads
# statically where it uses POSIX threads (cmake/windows.cmake), so no mingw
# runtime DLL (libwinpthread-1.dll, libgcc_s_seh-1.dll) is needed.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(RSSP_MINGW_HOST x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${RSSP_MINGW_HOST}-gcc)
set(CMAKE_CXX_COMPILER ${RSSP_MINGW_HOST}-g++)
set(CMAKE_RC_COMPILER ${RSSP_MINGW_HOST}-windres)
set(CMAKE_AR ${RSSP_MINGW_HOST}-ar CACHE FILEPATH "mingw archiver")
set(CMAKE_RANLIB ${RSSP_MINGW_HOST}-ranlib CACHE FILEPATH "mingw ranlib")

# The dependency prefix (same default as scripts/windows-deps.sh).
if(NOT RSSP_WINDOWS_DEPS)
  if(DEFINED ENV{RSSP_WINDOWS_DEPS} AND NOT "$ENV{RSSP_WINDOWS_DEPS}" STREQUAL "")
    set(_rssp_deps "$ENV{RSSP_WINDOWS_DEPS}")
  elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
    set(_rssp_deps "$ENV{XDG_CACHE_HOME}/rssp-pkcs11/mingw64")
  else()
    set(_rssp_deps "$ENV{HOME}/.cache/rssp-pkcs11/mingw64")
  endif()
  set(RSSP_WINDOWS_DEPS "${_rssp_deps}" CACHE PATH
      "Static mingw dependencies (scripts/windows-deps.sh)")
endif()
# try_compile projects re-read this file: hand them the prefix.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES RSSP_WINDOWS_DEPS)
if(NOT EXISTS "${RSSP_WINDOWS_DEPS}/lib/pkgconfig/libcurl.pc")
  message(FATAL_ERROR "No Windows dependencies in ${RSSP_WINDOWS_DEPS}: run "
                      "scripts/windows-deps.sh (or scripts/windows-build.sh) first, "
                      "or point RSSP_WINDOWS_DEPS at its prefix.")
endif()

# Search the dependency prefix and the mingw sysroot only, never the host's
# libraries and headers; programs (perl, pkg-config) come from the host.
set(CMAKE_FIND_ROOT_PATH "${RSSP_WINDOWS_DEPS}" /usr/${RSSP_MINGW_HOST})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config: only the prefix's .pc files (PKG_CONFIG_LIBDIR replaces the
# host's default search path; PKG_CONFIG_PATH would be searched first, so it is
# emptied, and FindPkgConfig must not add CMAKE_PREFIX_PATH to it). The .pc
# files are relocatable (prefix=${pcfiledir}/../..): no sysroot. --static adds
# Libs.private, the link line a static libcurl needs (OpenSSL, ws2_32, crypt32,
# bcrypt ...), to pkg_check_modules' imported targets.
set(ENV{PKG_CONFIG_LIBDIR} "${RSSP_WINDOWS_DEPS}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
set(PKG_CONFIG_USE_CMAKE_PREFIX_PATH FALSE)
set(PKG_CONFIG_ARGN "--static" CACHE STRING "pkg-config arguments (static mingw libraries)")

# OpenSSL: FindOpenSSL takes the static libcrypto.a/libssl.a from the prefix
# and, for static libraries on WIN32, adds ws2_32 and crypt32 itself.
set(OPENSSL_ROOT_DIR "${RSSP_WINDOWS_DEPS}")
set(OPENSSL_USE_STATIC_LIBS ON)

# No mingw runtime DLL next to ours: libgcc linked in (the C code uses no C++
# and no pthreads, so libstdc++ and libwinpthread never enter).
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static-libgcc")

