# CMake toolchain file for wasock guests (wasm32-wasi, the wasock C SDK).
#
#   cmake -DCMAKE_TOOLCHAIN_FILE=/path/to/build/sdk/share/cmake/wasock.cmake -S . -B build-wasm
#   cmake --build build-wasm        # executables are NAME.wasm, run with `wasock run`
#
# It finds the SDK from its own location (build/sdk/share/cmake), so the SDK
# can be moved as a whole; WASOCK_SDK in the environment overrides it.

# CMake before 3.27 has no WASI platform: ours is next to this file.
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)

if(DEFINED ENV{WASOCK_SDK})
  set(_wasock_sdk "$ENV{WASOCK_SDK}")
else()
  get_filename_component(_wasock_sdk "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()
get_filename_component(_wasock_bin "${_wasock_sdk}/../bin" ABSOLUTE)

# wasock-cc is clang-19 for wasm32-wasi with the SDK's headers and
# libwasock.a, wasock-c++ the same with clang++-19 and libc++ (built
# -fno-exceptions, docs/porting.md); the archiver must understand wasm
# objects.
set(CMAKE_C_COMPILER "${_wasock_bin}/wasock-cc")
set(CMAKE_CXX_COMPILER "${_wasock_bin}/wasock-c++")
set(CMAKE_AR llvm-ar-19 CACHE FILEPATH "wasm-aware archiver")
set(CMAKE_RANLIB llvm-ranlib-19 CACHE FILEPATH "wasm-aware ranlib")
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)

# What a WASI program is: a .wasm file, no shared libraries, no rpath.
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_EXECUTABLE_SUFFIX_C ".wasm")
set(CMAKE_EXECUTABLE_SUFFIX_CXX ".wasm")
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)

# Look for libraries and headers in the SDK, programs on the build machine.
set(CMAKE_FIND_ROOT_PATH "${_wasock_sdk}" "${_wasock_sdk}/sysroot")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Checks that run what they compile (try_run) run it under the host, as a
# cross-compiled program's tests must.
set(CMAKE_CROSSCOMPILING_EMULATOR "${_wasock_bin}/wasock;run")
