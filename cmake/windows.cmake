# The Windows build (included by the top CMakeLists.txt when WIN32): the
# module as rssp-pkcs11.dll, rssp-tool.exe and tests/windows' program, linked
# statically against scripts/windows-deps.sh's OpenSSL, libcurl, cJSON and
# inih, so that the DLL needs only Windows' own DLLs. Run from Linux with
# scripts/windows-build.sh; tested under Wine by ctest -L windows.
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
pkg_check_modules(INIH REQUIRED IMPORTED_TARGET inih)
# POSIX threads (mutexes, pthread_once; the tool's progress thread) from
# mingw-w64's winpthreads, linked in statically: no libwinpthread-1.dll.
add_library(Threads::Threads INTERFACE IMPORTED)
set_target_properties(Threads::Threads PROPERTIES INTERFACE_LINK_LIBRARIES "-l:libwinpthread.a")

# PKCS#11's header: p11-kit's, as on Linux (a plain header; p11.h packs it to
# 1 byte on Windows). Only its own folder of the build host is added.
find_path(RSSP_P11KIT_INCLUDE p11-kit/pkcs11.h PATHS /usr/include/p11-kit-1 NO_DEFAULT_PATH
          NO_CMAKE_FIND_ROOT_PATH)
if(NOT RSSP_P11KIT_INCLUDE)
  message(FATAL_ERROR "p11-kit's pkcs11.h not found: apt-get install libp11-kit-dev")
endif()
set(P11KIT_INCLUDE_DIRS ${RSSP_P11KIT_INCLUDE})

# Windows 7 and later (SRW locks, condition variables); UTF-8 paths are
# converted to UTF-16 by the platform layer, so no UNICODE defines are needed.
# __USE_MINGW_ANSI_STDIO: C99 printf (%zu, %lld) instead of msvcrt's.
add_compile_definitions(_WIN32_WINNT=0x0601 WIN32_LEAN_AND_MEAN CURL_STATICLIB __USE_MINGW_ANSI_STDIO=1)

include_directories(${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
add_subdirectory(src/common)
add_subdirectory(src/crypto)
add_subdirectory(src/config)
add_subdirectory(src/appsign)
add_subdirectory(src/client)
add_subdirectory(pkcs11)
add_subdirectory(src/tool)
if(EXISTS ${PROJECT_SOURCE_DIR}/tests/windows/CMakeLists.txt)
  add_subdirectory(tests/windows)
endif()
