#!/usr/bin/env bash
# `make demo`: a plain POSIX C HTTP server and a Rust client, both wasm
# guests under `wasock run`, each granted only what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
WASOCK=${WASOCK:-target/debug/wasock}
PORT=${DEMO_PORT:-18080}
DENIED=$((PORT + 1))

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. The server: demo/http_server.c, built with build/bin/wasock-cc, may bind only 127.0.0.1:$PORT"
echo "   \$ wasock run --allow-bind 127.0.0.1:$PORT http_server.wasm $PORT 1"
log=build/demo/server.log
: > "$log"
$WASOCK run --allow-bind "127.0.0.1:$PORT" build/demo/http_server.wasm "$PORT" 1 > >(tee "$log") &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  grep -q listening "$log" && break
  sleep 0.05
done

say "2. The client: a Rust guest on wasock::net::TcpStream, granted only that server"
echo "   It fetches 127.0.0.1:$PORT, then tries 127.0.0.1:$DENIED, which its pool does not grant."
echo "   \$ wasock run --allow-connect 127.0.0.1:$PORT http-get.wasm 127.0.0.1:$PORT 127.0.0.1:$DENIED"
set +e
$WASOCK run --allow-connect "127.0.0.1:$PORT" build/demo/http-get.wasm "127.0.0.1:$PORT" "127.0.0.1:$DENIED"
status=$?
set -e

wait $server
trap - EXIT

say "What happened"
echo " - The C server and the Rust client ran as wasm guests; their sockets were real host sockets."
echo " - The second request never left the guest: the host refused connect to 127.0.0.1:$DENIED"
echo "   (the 'wasock: denied' line above), and the program saw PermissionDenied (ENOTCAPABLE in C)."
[ "$status" -eq 3 ] || { echo "unexpected client exit status $status"; exit 1; }
