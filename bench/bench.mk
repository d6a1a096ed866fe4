# `make bench`: loopback workloads, native vs wasm guest under `wasock run`.
# Included by the main Makefile (which defines BUILD, CARGO, `setup`, `sdk`).
# How to run it and read it: bench/README.md. Results: bench/results.md.
#
# Everything is a release build: the host (target/release/wasock), the bench
# crate natively, for wasm32-wasip1 and for wasm32-wasip1-threads (its own
# workspace, in target/bench so it stays out of other builds' way), and the C
# client with gcc -O2 and with wasock-cc -O2. BENCH_ARGS go to the driver, e.g.
#   make bench BENCH_ARGS="--only tcp_pingpong,udp_rr --runs 5"

BENCH_TARGET_DIR := $(TARGET_DIR)/bench
BENCH_CARGO := $(CARGO) build --release --manifest-path bench/Cargo.toml --target-dir $(BENCH_TARGET_DIR)
BENCH_OUT := $(BUILD)/bench
BENCH_CFLAGS := -O2 -Wall -Wextra
BENCH_ARGS ?=

.PHONY: bench bench-build bench-host bench-rust bench-c

bench: bench-build
	$(BENCH_TARGET_DIR)/release/bench-run \
	  --wasock $(TARGET_DIR)/release/wasock \
	  --peer $(BENCH_TARGET_DIR)/release/bench-peer \
	  --load $(BENCH_TARGET_DIR)/release/bench-load \
	  --rust-native $(BENCH_TARGET_DIR)/release/bench-client \
	  --rust-wasm $(BENCH_TARGET_DIR)/wasm32-wasip1/release/bench-client.wasm \
	  --c-native $(BENCH_OUT)/client \
	  --c-wasm $(BENCH_OUT)/client.wasm \
	  --rust-dir $(BENCH_TARGET_DIR) --c-dir $(BENCH_OUT) \
	  --out bench/results.md --findings bench/findings.md $(BENCH_ARGS)

bench-build: bench-host bench-rust bench-c

bench-host:
	$(CARGO) build --release -p wasock-host

# tokio's `net` on wasm32-wasip1 needs `--cfg tokio_unstable`. Cargo reads
# .cargo/config.toml from the current directory (the repository root here),
# not from bench/, so the flag is given on the command line, for the wasm
# targets only. wasm32-wasip1-threads needs it too: tokio is a dependency of
# the whole crate, so it is compiled there even for bench-thread-echo.
BENCH_WASM_RUSTFLAGS := --config 'target.wasm32-wasip1.rustflags=["--cfg","tokio_unstable"]' \
  --config 'target.wasm32-wasip1-threads.rustflags=["--cfg","tokio_unstable"]'

# bench-thread-echo (a std::thread per connection) is the one guest built
# for wasm32-wasip1-threads (`make setup` adds the target); bench-tls-host
# (TLS run by the host) for wasm32-wasip1 only.
bench-rust: setup
	$(BENCH_CARGO) --bin bench-client --bin bench-peer --bin bench-run --bin bench-load \
	  --bin bench-startup --bin bench-tokio-echo --bin bench-thread-echo --bin bench-tls-client
	$(BENCH_CARGO) $(BENCH_WASM_RUSTFLAGS) --target wasm32-wasip1 \
	  --bin bench-client --bin bench-startup --bin bench-tokio-echo --bin bench-tls-client --bin bench-tls-host
	$(BENCH_CARGO) $(BENCH_WASM_RUSTFLAGS) --target wasm32-wasip1-threads --bin bench-thread-echo

# The C client, the servers and the start-up program, each with gcc and with
# wasock-cc (bench/c/*.c but the shared header).
BENCH_C_PROGRAMS := client http_server echo_server startup

bench-c: sdk
	@mkdir -p $(BENCH_OUT)
	@for p in $(BENCH_C_PROGRAMS); do \
	  echo "gcc $(BENCH_CFLAGS) -o $(BENCH_OUT)/$$p bench/c/$$p.c"; \
	  gcc $(BENCH_CFLAGS) -o $(BENCH_OUT)/$$p bench/c/$$p.c || exit 1; \
	  if [ -x $(BUILD)/bin/wasock-cc ]; then \
	    echo "$(BUILD)/bin/wasock-cc $(BENCH_CFLAGS) -o $(BENCH_OUT)/$$p.wasm bench/c/$$p.c"; \
	    $(BUILD)/bin/wasock-cc $(BENCH_CFLAGS) -o $(BENCH_OUT)/$$p.wasm bench/c/$$p.c || exit 1; \
	  else \
	    echo "bench: $(BUILD)/bin/wasock-cc is missing: the C guest $$p is skipped"; rm -f $(BENCH_OUT)/$$p.wasm; \
	  fi; \
	done
