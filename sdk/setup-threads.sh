#!/bin/sh
# setup-threads.sh TRIXIE_DIR -- what `make setup` installs for the threads
# SDK (wasock-cc -pthread, docs/porting.md "Threads"): the rustup target
# wasm32-wasip1-threads (its self-contained, threads-built wasi-libc) and
# Debian trixie's wasi-libc headers (sdk/fetch-trixie-wasi-libc.sh).
#
# Never fails: without threads the rest of the SDK still builds and tests.
# A missing piece is said here, loudly; sdk/threads.mk then skips the
# threads SDK and writes build/sdk/THREADS-MISSING naming it, which
# wasock-cc -pthread prints.
trixie=$1
if ! rustup target list --installed | grep -qx wasm32-wasip1-threads; then
    rustup target add wasm32-wasip1-threads ||
        echo "setup: *** 'rustup target add wasm32-wasip1-threads' failed: the threads SDK (wasock-cc -pthread) is skipped ***" >&2
fi
"$(dirname "$0")/fetch-trixie-wasi-libc.sh" "$trixie" ||
    echo "setup: *** Debian trixie's wasi-libc could not be fetched into $trixie: the threads SDK (wasock-cc -pthread) is skipped ***" >&2
exit 0
