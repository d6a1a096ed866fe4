# wasock -- `make demo` shows the main job, `make test` runs every test.
#
# Every target that needs the C toolchain or the wasm32-wasip1 Rust target
# depends on `setup`, which installs what a fresh machine lacks and is quick
# when nothing is missing.

SHELL := /bin/bash
CARGO ?= cargo
BUILD := build
# Cargo's output directory: CARGO_TARGET_DIR when it is set, as cargo does.
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))
GUEST_TARGET_DIR := $(TARGET_DIR)/guests
# cmake and autoconf: e2e/tests/build_systems.rs builds a program with each;
# libc++-19-dev-wasm32 (with libc++abi) is wasock-c++'s C++ library.
APT_PACKAGES := clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 libc++-19-dev-wasm32 llvm-19 cmake autoconf

.PHONY: all setup host guests rust-guests c-guests test demo clean

all: host sdk guests

# --- set-up ------------------------------------------------------------------

setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	@rustup target list --installed | grep -qx wasm32-wasip1-threads || rustup target add wasm32-wasip1-threads
	@sdk/fetch-trixie-wasi-libc.sh $(BUILD)/trixie-wasi-libc || \
	  echo "setup: *** Debian trixie's wasi-libc headers could not be fetched: the threads SDK (wasock-cc -pthread) is skipped ***" >&2

# --- the host ----------------------------------------------------------------

# HOST_PROFILE=release builds the optimised host (what real servers should
# run: 2-3x the debug host's throughput, see bench/README.md) and makes it
# build/bin/wasock; the tests use the debug host.
HOST_PROFILE ?= debug
HOST_BIN := $(TARGET_DIR)/$(HOST_PROFILE)/wasock

host:
	$(CARGO) build -p wasock-host $(if $(filter release,$(HOST_PROFILE)),--release)

# --- the C SDK (build/sdk, build/bin/wasock-cc) and the C guests -------------

include sdk/sdk.mk

# --- Rust guests -------------------------------------------------------------

# Built from rust-tests/, so cargo reads rust-tests/.cargo/config.toml (tokio_unstable).
# The programs that need threads (rust-tests/threads, named thread_*) are
# built for wasm32-wasip1-threads alone and copied beside the others.
rust-guests: setup
	cd rust-tests && $(CARGO) build --target wasm32-wasip1 --target-dir $(GUEST_TARGET_DIR)
	cd rust-tests && $(CARGO) build -p wasock-thread-tests --target wasm32-wasip1-threads --target-dir $(GUEST_TARGET_DIR)
	@mkdir -p $(BUILD)/rust-tests
	@for f in $(GUEST_TARGET_DIR)/wasm32-wasip1{,-threads}/debug/*.wasm; do cp -f "$$f" $(BUILD)/rust-tests/; done

guests: rust-guests c-guests

# --- the demo: a C HTTP server and a Rust client, both wasm guests -----------

demo: setup host sdk
	$(CARGO) build --manifest-path demo/Cargo.toml --target wasm32-wasip1 --target-dir $(GUEST_TARGET_DIR)
	@mkdir -p $(BUILD)/demo
	cp -f $(GUEST_TARGET_DIR)/wasm32-wasip1/debug/http-get.wasm $(BUILD)/demo/
	$(BUILD)/bin/wasock-cc -O2 -Wall -Wextra -o $(BUILD)/demo/http_server.wasm demo/http_server.c
	WASOCK=$(TARGET_DIR)/debug/wasock demo/run.sh

# --- the benchmark (bench/bench.mk) -------------------------------------------

include bench/bench.mk

# --- hardening: make fuzz, make reliability (hardening.mk) ---------------------

include hardening.mk

# --- tests -------------------------------------------------------------------

# Every suite, then one closing line that totals them (cargo prints one
# `test result` line per test binary). First a check of the guest crate's
# async features off WASI, which no suite builds (a few seconds).
test: setup host guests
	@mkdir -p $(BUILD)
	$(CARGO) check -q -p wasock --features tokio,mio,ureq --all-targets
	set -o pipefail; $(CARGO) test --workspace 2>&1 | tee $(BUILD)/test.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "total: %d passed, %d failed\n", p, f }' $(BUILD)/test.log

clean:
	rm -rf $(BUILD)
	$(CARGO) clean
