#!/bin/sh
# fetch-trixie-wasi-libc.sh DIR -- Debian trixie's wasi-libc package,
# unpacked into DIR (DIR/usr/include/wasm32-wasi, ...), for the headers of
# the threads SDK (docs/porting.md, "Threads").  Bookworm's wasi-libc has no
# <pthread.h>; trixie's (architecture `all`) does.
#
# The system's apt setup is left alone: apt reads a sources file of our own
# (trixie main on deb.debian.org, signed by the trixie key the bookworm
# keyring package ships) and keeps its lists and cache under DIR/apt.
# Quick when DIR already holds the headers.  Exits non-zero, saying why, when
# the package cannot be had; `make setup` then reports the threads SDK as
# skipped.
set -eu
mkdir -p "$1"
dir=$(cd "$1" && pwd -P)  # apt takes relative paths as under /etc/apt
headers=$dir/usr/include/wasm32-wasi/pthread.h
[ -f "$headers" ] && exit 0

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
apt=$dir/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"
echo "deb [signed-by=$keyring] http://deb.debian.org/debian trixie main" >"$apt/sources.list"
# Our own sources, lists and cache; nothing else is read or written.
set -- -o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts="$apt/sources.list.d" \
    -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
    -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root
# A bounded wait: an unreachable mirror must not hang `make setup` (which
# tries again on every run until it has the headers).
set -- "$@" -o Acquire::Retries=0 -o Acquire::http::Timeout=20
timeout 120 apt-get -qq "$@" update || true # a failed index is only a warning to apt: checked next
if ! ls "$apt"/lists/*trixie*Packages* >/dev/null 2>&1; then
    echo "fetch-trixie-wasi-libc: could not download trixie's package index from deb.debian.org" >&2
    exit 1
fi
# /trixie: the bookworm version installed must not be the candidate.
(cd "$apt" && timeout 120 apt-get -qq "$@" download wasi-libc/trixie)
deb=$(ls "$apt"/wasi-libc_*_all.deb | head -n 1)
dpkg-deb -x "$deb" "$dir"
[ -f "$headers" ] || { echo "$deb has no $headers" >&2; exit 1; }
# The index (about 15 MB) is only needed for the download.
rm -rf "$apt/lists" "$apt/cache"
