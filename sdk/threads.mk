# The threads SDK (wasock-cc -pthread) -- included by sdk/sdk.mk; see
# docs/porting.md, "Threads".
#
# It targets wasm32-wasi-threads with pieces from two registries, which
# `make setup` installs (the rustup target, and sdk/fetch-trixie-wasi-libc.sh):
#   - libc.a and crt1-*.o of the rustup target wasm32-wasip1-threads: the
#     only threads-built wasi-libc reachable here (pthread_create,
#     wasi_thread_start, __wasi_thread_spawn);
#   - the headers of Debian trixie's wasi-libc (bookworm's have no
#     <pthread.h>), as include/wasm32-wasi-threads of the sysroot.
# In the same sysroot, lib/wasm32-wasi-threads holds those, trixie's
# getpid and process-clocks emulations (built without atomics, but they
# touch no errno or other thread-local state, so wasm-ld accepts them in a
# shared-memory module) and empty libpthread.a, libm.a & co, as wasi-sdk
# ships.  libwasock.a is built again for it, into
# build/sdk/lib/wasm32-wasi-threads/.
#
# When a piece is missing, `make sdk` skips all this (the rest of the SDK
# and its tests do not need it) and build/sdk/THREADS-MISSING names the
# piece: wasock-cc -pthread prints it, and the threads c-tests are not
# built, so the e2e thread tests fail on their missing modules.
#
# The checks run in a sub-make so that they see what `make setup`, a
# prerequisite, installed in the same run.

THREADS_TRIPLE   := wasm32-wasi-threads
THREADS_TRIXIE   := $(BUILD)/trixie-wasi-libc
THREADS_HEADERS  := $(THREADS_TRIXIE)/usr/include/wasm32-wasi
THREADS_TRIXIE_LIB := $(THREADS_TRIXIE)/usr/lib/wasm32-wasi
THREADS_LIBC_DIR := $(shell rustc --print sysroot 2>/dev/null)/lib/rustlib/wasm32-wasip1-threads/lib/self-contained
THREADS_MISSING  := $(SDK_OUT)/THREADS-MISSING
THREADS_SYSLIB   := $(SDK_SYSROOT)/lib/$(THREADS_TRIPLE)
THREADS_STAMP    := $(THREADS_SYSLIB)/.stamp
THREADS_OBJDIR   := $(SDK_OBJDIR)/$(THREADS_TRIPLE)
THREADS_LIB      := $(SDK_OUT)/lib/$(THREADS_TRIPLE)/libwasock.a
# What wasi-sdk ships as empty archives (their functions are in libc.a), so
# that -lpthread, -lm, -lrt ... link.
THREADS_EMPTY_LIBS := pthread m rt util xnet resolv dl
THREADS_EMULATIONS := getpid process-clocks

# libwasock's sources, plus the ones only the threads build needs (what
# bookworm's libwasi-emulated-signal and -mman give the plain build).
THREADS_SRCS := $(SDK_SRCS) $(wildcard sdk/src/threads/*.c)
THREADS_OBJS := $(patsubst sdk/src/%.c,$(THREADS_OBJDIR)/%.o,$(THREADS_SRCS))
THREADS_CFLAGS := --target=$(THREADS_TRIPLE) -pthread -matomics -mbulk-memory

THREAD_TEST_SRCS  := $(wildcard c-tests/threads/*.c)
THREAD_TEST_WASMS := $(patsubst c-tests/%.c,$(BUILD)/c-tests/%.wasm,$(THREAD_TEST_SRCS))

# Why the threads SDK cannot be built, or nothing.
THREADS_WHY := $(strip \
  $(if $(wildcard $(THREADS_LIBC_DIR)/libc.a),,the rustup target wasm32-wasip1-threads ($(THREADS_LIBC_DIR)/libc.a) is missing;) \
  $(if $(wildcard $(THREADS_HEADERS)/pthread.h),,Debian trixie's wasi-libc headers ($(THREADS_HEADERS)/pthread.h) are missing;))

.PHONY: sdk-threads threads-files c-tests-threads threads-guests

sdk-threads: $(SDK_FILES) | setup
	@$(MAKE) --no-print-directory threads-files

c-tests-threads: sdk-threads
	@$(MAKE) --no-print-directory threads-guests

ifeq ($(THREADS_WHY),)
threads-files: $(THREADS_STAMP) $(THREADS_LIB)
	@rm -f $(THREADS_MISSING)

threads-guests: $(THREAD_TEST_WASMS)
	@:
else
threads-files:
	@mkdir -p $(SDK_OUT)
	@echo "$(THREADS_WHY) run 'make setup', which says why it could not install it" >$(THREADS_MISSING)
	@echo "sdk: *** threads SDK skipped: $(THREADS_WHY) (see $(THREADS_MISSING)) ***" >&2

# No stale modules either: the e2e thread tests must not pass on old ones.
threads-guests:
	@rm -rf $(BUILD)/c-tests/threads
	@echo "c-guests: *** the threads c-tests are not built: $(THREADS_WHY) ***" >&2
endif

$(THREADS_STAMP): $(SDK_STAMP)
	@mkdir -p $(THREADS_SYSLIB)
	ln -sfn $(abspath $(THREADS_HEADERS)) $(SDK_SYSROOT)/include/$(THREADS_TRIPLE)
	ln -sfn $(THREADS_TRIPLE) $(SDK_SYSROOT)/include/wasm32-wasip1-threads
	ln -sfn $(THREADS_TRIPLE) $(SDK_SYSROOT)/lib/wasm32-wasip1-threads
	for f in libc.a crt1-command.o crt1-reactor.o; do ln -sfn $(THREADS_LIBC_DIR)/$$f $(THREADS_SYSLIB)/$$f; done
	for e in $(THREADS_EMULATIONS); do cp -f $(THREADS_TRIXIE_LIB)/libwasi-emulated-$$e.a $(THREADS_SYSLIB)/; done
	for l in $(THREADS_EMPTY_LIBS); do rm -f $(THREADS_SYSLIB)/lib$$l.a; $(SDK_AR) rcs $(THREADS_SYSLIB)/lib$$l.a; done
	@touch $@

$(THREADS_OBJDIR)/%.o: sdk/src/%.c $(THREADS_STAMP) $(SDK_HEADERS)
	@mkdir -p $(@D)
	clang-19 $(THREADS_CFLAGS) --sysroot=$(SDK_SYSROOT) -isystem $(SDK_OUT)/include \
	  -Isdk/src $(SDK_CFLAGS) -MMD -MP -c $< -o $@

$(THREADS_LIB): $(THREADS_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(SDK_AR) rcs $@ $^

# Each is checked to be a wasi-threads module (shared memory, thread-spawn).
$(BUILD)/c-tests/threads/%.wasm: c-tests/threads/%.c $(C_TEST_HDRS) $(wildcard c-tests/threads/*.h) $(SDK_FILES) $(THREADS_LIB)
	@mkdir -p $(@D)
	$(SDK_CC) -pthread $(SDK_CFLAGS) -o $@ $<
	@python3 sdk/check-threads-module.py $@ >/dev/null || { rm -f $@; exit 1; }

-include $(THREADS_OBJS:.o=.d)
