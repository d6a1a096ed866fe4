#!/usr/bin/env python3
"""check-threads-module.py MODULE.wasm... -- checks that each module is a
wasi-threads module: it imports `wasi.thread-spawn` and a shared `env.memory`
and exports `wasi_thread_start` (sdk/threads.mk runs it on every threads
c-test, so a build that silently lost -pthread fails at once).  Reads the
import and export sections itself: llvm-objdump-19 rejects these modules."""
import sys


def leb(b, i):
    """An unsigned LEB128 at b[i]: (value, next index)."""
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def name(b, i):
    n, i = leb(b, i)
    return b[i:i + n].decode(), i + n


def limits(b, i):
    """Memory limits: (flags, min, max or None, next index)."""
    flags, i = leb(b, i)
    lo, i = leb(b, i)
    hi = None
    if flags & 1:
        hi, i = leb(b, i)
    return flags, lo, hi, i


def sections(b):
    assert b[:4] == b"\0asm", "not a wasm module"
    i = 8
    while i < len(b):
        sid, i = b[i], i + 1
        size, i = leb(b, i)
        yield sid, b[i:i + size]
        i += size


def check(path):
    b = open(path, "rb").read()
    imports, exports, memory = set(), set(), None
    for sid, s in sections(b):
        if sid == 2:  # imports
            count, i = leb(s, 0)
            for _ in range(count):
                mod, i = name(s, i)
                field, i = name(s, i)
                kind, i = s[i], i + 1
                imports.add(f"{mod}.{field}")
                if kind == 0:  # function: a type index
                    _, i = leb(s, i)
                elif kind == 1:  # table: a reference type, then limits
                    _, _, _, i = limits(s, i + 1)
                elif kind == 2:  # memory
                    flags, lo, hi, i = limits(s, i)
                    if (mod, field) == ("env", "memory"):
                        memory = (flags, lo, hi)
                elif kind == 3:  # global: a value type, mutability
                    i += 2
                else:
                    raise ValueError(f"import kind {kind}")
        elif sid == 7:  # exports
            count, i = leb(s, 0)
            for _ in range(count):
                field, i = name(s, i)
                exports.add(field)
                _, i = leb(s, i + 1)
    problems = []
    if "wasi.thread-spawn" not in imports:
        problems.append("does not import wasi.thread-spawn")
    if memory is None:
        problems.append("does not import env.memory")
    elif not memory[0] & 2:
        problems.append("imports env.memory unshared")
    if "wasi_thread_start" not in exports:
        problems.append("does not export wasi_thread_start")
    if problems:
        sys.exit(f"{path}: not a wasi-threads module: {', '.join(problems)}")
    pages = f"{memory[1]}..{memory[2]} pages" if memory[2] is not None else f"{memory[1]}.. pages"
    print(f"{path}: wasi-threads module (shared env.memory {pages})")


for p in sys.argv[1:]:
    check(p)
