# The C SDK -- included by the top-level Makefile.
#
#   make sdk        headers in build/sdk/include, build/sdk/lib/libwasock.a,
#                   build/bin/wasock-cc and wasock-c++, the isolated sysroot
#                   build/sdk/sysroot (wasi-libc, and Debian's libc++ in it),
#                   and build/bin/wasock (a symlink to the host binary).
#                   With the threads pieces (sdk/threads.mk): the threads
#                   sysroot and build/sdk/lib/wasm32-wasi-threads/libwasock.a.
#   make c-guests   every c-tests/NAME.c compiled to build/c-tests/NAME.wasm,
#                   and c-tests/threads/NAME.c with -pthread likewise.
#
# `sdk-core` and `c-tests-wasm` do the same without building the host.

SDK_OUT      := $(BUILD)/sdk
SDK_SYSROOT  := $(SDK_OUT)/sysroot
SDK_LIB      := $(SDK_OUT)/lib/libwasock.a
SDK_CC       := $(BUILD)/bin/wasock-cc
SDK_CXX      := $(BUILD)/bin/wasock-c++
SDK_OBJDIR   := $(SDK_OUT)/obj
SDK_STAMP    := $(SDK_SYSROOT)/.stamp

WASI_SYSROOT_INCLUDE := /usr/include/wasm32-wasi
WASI_SYSROOT_LIB     := /usr/lib/wasm32-wasi
SDK_AR       := llvm-ar-19
SDK_CFLAGS   := -Wall -Wextra -Werror -O2

SDK_HEADER_SRCS := $(shell find include -name '*.h')
SDK_HEADERS  := $(patsubst include/%,$(SDK_OUT)/include/%,$(SDK_HEADER_SRCS))
SDK_SRCS     := $(wildcard sdk/src/*.c)
SDK_OBJS     := $(patsubst sdk/src/%.c,$(SDK_OBJDIR)/%.o,$(SDK_SRCS))
SDK_CMAKE    := $(SDK_OUT)/share/cmake/wasock.cmake $(SDK_OUT)/share/cmake/Platform/WASI.cmake
SDK_FILES    := $(SDK_STAMP) $(SDK_HEADERS) $(SDK_LIB) $(SDK_CC) $(SDK_CXX) $(SDK_CMAKE)

C_TEST_SRCS  := $(wildcard c-tests/*.c)
C_TEST_HDRS  := $(wildcard c-tests/*.h)
C_TEST_WASMS := $(patsubst c-tests/%.c,$(BUILD)/c-tests/%.wasm,$(C_TEST_SRCS))

.PHONY: sdk sdk-core sdk-host-link c-guests c-tests-wasm

sdk: setup host sdk-core sdk-host-link

sdk-core: $(SDK_FILES) sdk-threads | setup

# The host binary, as build/bin/wasock (a separate step: the rest of the SDK
# does not need it).
sdk-host-link: host
	@mkdir -p $(BUILD)/bin
	ln -sfn $(HOST_BIN) $(BUILD)/bin/wasock

c-guests: sdk c-tests-wasm

c-tests-wasm: $(C_TEST_WASMS) c-tests-threads

# Isolated sysroot: only wasi-libc, so a header missing there cannot fall
# back to glibc's /usr/include.  Debian's libc++-19-dev-wasm32 installs
# into the same directories (include/wasm32-wasi/c++/v1, lib/wasm32-wasi/
# libc++.a and libc++abi.a), so the links bring C++ along.
$(SDK_STAMP):
	@mkdir -p $(SDK_SYSROOT)/include $(SDK_SYSROOT)/lib
	ln -sfn $(WASI_SYSROOT_INCLUDE) $(SDK_SYSROOT)/include/wasm32-wasi
	ln -sfn $(WASI_SYSROOT_INCLUDE) $(SDK_SYSROOT)/include/wasm32-wasip1
	ln -sfn $(WASI_SYSROOT_LIB) $(SDK_SYSROOT)/lib/wasm32-wasi
	ln -sfn $(WASI_SYSROOT_LIB) $(SDK_SYSROOT)/lib/wasm32-wasip1
	@touch $@

$(SDK_OUT)/include/%.h: include/%.h
	@mkdir -p $(@D)
	cp $< $@

# The CMake toolchain file (docs/porting.md), found from its own location.
$(SDK_OUT)/share/cmake/%.cmake: sdk/cmake/%.cmake
	@mkdir -p $(@D)
	cp $< $@

$(SDK_CC): sdk/wasock-cc
	@mkdir -p $(@D)
	install -m 755 $< $@

# The same script; the name it is called by makes it the C++ compiler.
$(SDK_CXX): $(SDK_CC)
	ln -sfn wasock-cc $@

# The library is compiled with the SDK's own compiler settings (not through
# wasock-cc, which needs the library to exist).
$(SDK_OBJDIR)/%.o: sdk/src/%.c $(SDK_STAMP) $(SDK_HEADERS)
	@mkdir -p $(@D)
	clang-19 --target=wasm32-wasi --sysroot=$(SDK_SYSROOT) -isystem $(SDK_OUT)/include \
	  -Isdk/src $(SDK_CFLAGS) -MMD -MP -c $< -o $@

$(SDK_LIB): $(SDK_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(SDK_AR) rcs $@ $^

$(BUILD)/c-tests/%.wasm: c-tests/%.c $(C_TEST_HDRS) $(SDK_FILES)
	@mkdir -p $(@D)
	$(SDK_CC) $(SDK_CFLAGS) -o $@ $<

-include $(SDK_OBJS:.o=.d)

include sdk/threads.mk
