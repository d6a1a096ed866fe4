//! Bad input, table-driven from the spec: for every function of
//! `include/wasi_ephemeral_sock.spec` (parsed by `wasock_host::spec`) and
//! the preview-1 socket functions, every parameter is made bad in turn while
//! the others stay valid, and the call must return the exact errno docs/abi.md
//! names: `fault` (21) for a pointer or length outside memory, `badf` (8)
//! for an fd that is not open, `notsock` (57) for an fd of the wrong kind,
//! `inval` (28) for an unknown enum value, a boolean other than 0 or 1,
//! more iovecs than IOV_MAX, a malformed `addr` record or a bad host name.
//! Never a trap, never a host panic, never a partial write.
//!
//! The cases are generated, so a function added to the spec is covered by
//! construction: each `fd` parameter gets closed, never-opened and
//! wrong-kind fds; each pointer gets out-of-bounds, straddling and wrapping
//! values; each buffer (a pointer followed by its length or count) gets a
//! huge length, a wrapping range and zero lengths at and past the end of
//! memory, and each iovec count one past IOV_MAX; each input `*addr` gets
//! malformed records; enum parameters (`family`, `type`, `flags`, `how`,
//! `port`) get unknown values, and boolean option values anything but 0 or 1.
//!
//! One guest runs every case and prints `ID ERRNO TAIL` per case; `TAIL` is
//! 1 when the last 64 bytes of memory (where the straddling pointers point)
//! were left untouched. The test compares each line with the table and
//! reports every mismatch at once.
//!
//! fd layout of the guest: 0-2 stdio, 3 a preopened directory (`--dir`),
//! 4 the pool, then sockets opened by the guest's set-up: 5 TCP
//! (unconnected), 6 UDP, 7 a TCP listener, 8 a client connected to it, 9
//! the accepted server side, and 10 opened and closed again.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use wasock_host::spec::{parse, SpecFn, SPEC};

#[path = "bad_input_table/dgram.rs"]
mod dgram;
use dgram::{bad_dgrams, dgram, dgram_cases};

const MEM: i64 = 65536;
const TAIL: i64 = MEM - 64;

const FAULT: i32 = 21;
const BADF: i32 = 8;
const NOTSOCK: i32 = 57;
const INVAL: i32 = 28;
const NOTCAPABLE: i32 = 76;
const NOPROTOOPT: i32 = 50;
const NOTSUP: i32 = 58;
const SUCCESS: i32 = 0;

// The guest's fds (checked by its set-up code).
const DIR: i64 = 3;
const POOL: i64 = 4;
const TCP: i64 = 5;
const UDP: i64 = 6;
const LISTENER: i64 = 7;
const CLIENT: i64 = 8;
const SERVER: i64 = 9;
const CLOSED: i64 = 10;

// Guest memory used by the cases.
const RET: i64 = 16;
const RET2: i64 = 24;
const DATA: i64 = 1024; // "data"
const NAME: i64 = 1040; // "localhost"
const IOV: i64 = 1200; // one iovec {DATA, 4}
const IOV_BAD_BUF: i64 = 1216; // {65534, 4}
const IOV_HUGE_LEN: i64 = 1232; // {DATA, 0xFFFFFFFF}
const IOV_WRAP: i64 = 1248; // {0xFFFFFFF0, 0x20}
const ADDR: i64 = 1300; // 127.0.0.1:1
const BAD_ADDRS: i64 = 1400; // malformed records, 32 bytes apart
const OUT_ADDR: i64 = 2048; // room for 4 records
const NAMES: i64 = 4096; // host names for addr_resolve, 1024 bytes apart
                         // Four valid `dgram` records (each one iovec {DATA, 4}, to the connected
                         // peer); high enough that 1024 records from here (the cap on a batch) pass
                         // the end of memory.
const DGRAMS: i64 = 24576;
const DGRAM: i64 = 44;
// Batches of four whose record 3 is bad (`bad_dgrams`), 256 bytes apart.
const BAD_DGRAMS: i64 = 25600;

/// The preview-1 functions that take socket fds, in the spec's notation.
const P1_SOCKET_FNS: &str = "
sock_accept(fd: fd, flags: u16, ret_fd: *fd)
sock_recv(fd: fd, ri_data: *iovec, ri_data_len: u32, ri_flags: u16, ret_len: *u32, ret_flags: *u16)
sock_send(fd: fd, si_data: *iovec, si_data_len: u32, si_flags: u16, ret_len: *u32)
sock_shutdown(fd: fd, how: u8)
";

/// Malformed `addr` records: (what, bytes).
fn bad_addrs() -> Vec<(&'static str, [u8; 28])> {
    let good = addr_record(&"127.0.0.1:1".parse().unwrap());
    let with = |at: usize, v: u8| {
        let mut b = good;
        b[at] = v;
        b
    };
    vec![
        ("family 0", with(0, 0)),
        ("family 3", with(0, 3)),
        ("family 255", with(0, 255)),
        ("reserved byte set", with(1, 1)),
        ("reserved byte 0x80", with(1, 0x80)),
        ("inet4 with flowinfo", with(4, 1)),
        ("inet4 with ip byte 12 set", with(12, 1)),
        ("inet4 with ip byte 23 set", with(23, 0xff)),
        ("inet4 with scope_id", with(24, 1)),
    ]
}

/// Host names for addr_resolve: (what, bytes, errno). The pool resolves
/// only `localhost`, so a well-formed other name is `notcapable`.
fn names() -> Vec<(&'static str, Vec<u8>, i32)> {
    let mut nul_mid = b"local".to_vec();
    nul_mid.push(0);
    nul_mid.extend_from_slice(b"host");
    vec![
        ("254-byte name (the longest allowed)", vec![b'a'; 254], NOTCAPABLE),
        ("255-byte name", vec![b'a'; 255], INVAL),
        ("1000-byte name", vec![b'a'; 1000], INVAL),
        ("NUL inside", nul_mid, INVAL),
        ("trailing NUL", b"localhost\0".to_vec(), INVAL),
        ("leading NUL", b"\0localhost".to_vec(), INVAL),
        ("only NUL", vec![0], INVAL),
        ("not UTF-8", vec![b'a', 0xff, 0xfe, b'b'], INVAL),
        ("granted name", b"localhost".to_vec(), SUCCESS),
        ("granted name, upper case", b"LOCALHOST".to_vec(), SUCCESS),
    ]
}

/// One argument value.
#[derive(Clone, Copy)]
enum Val {
    I32(i64),
    I64(i64),
}

struct Case {
    func: String,
    what: String,
    args: Vec<Val>,
    want: i32,
}

fn size_of_pointee(ty: &str) -> i64 {
    match ty.trim_start_matches('*') {
        "u8" => 1,
        "u16" => 2,
        "fd" | "u32" => 4,
        "u64" | "iovec" => 8,
        "addr" => 28,
        "dgram" => DGRAM,
        other => panic!("unknown pointee type {other}"),
    }
}

/// Whether the parameter right after `i` is the element count of the pointer at `i`.
fn length_of(f: &SpecFn, i: usize) -> Option<usize> {
    let (name, ty) = f.params.get(i + 1)?;
    let is_len = ty == "u32" && (name.ends_with("len") || name.ends_with("count"));
    (f.params[i].1.starts_with('*') && is_len).then_some(i + 1)
}

/// Whether parameter `i` is the length or count of the pointer before it.
fn is_length(f: &SpecFn, i: usize) -> bool {
    i > 0 && length_of(f, i - 1) == Some(i)
}

/// An `addr` the call reads (not one it writes).
fn is_input_addr(f: &SpecFn, i: usize) -> bool {
    let (name, ty) = &f.params[i];
    ty == "*addr" && !name.starts_with("ret") && length_of(f, i).is_none()
}

/// The socket each function's valid baseline uses.
fn socket_for(func: &str) -> i64 {
    match func {
        "accept" | "sock_accept" => LISTENER,
        "recv" | "recv_from" | "sock_recv" => SERVER,
        "send" | "send_to" | "sock_send" => CLIENT,
        "join_multicast" | "leave_multicast" => UDP,
        _ => TCP,
    }
}

/// Valid arguments for `f`: every check passes (the cases then break one).
fn baseline(f: &SpecFn) -> Vec<Val> {
    let mut out_slots = [RET, RET2].into_iter();
    f.params
        .iter()
        .enumerate()
        .map(|(i, (name, ty))| {
            let v = match (name.as_str(), ty.as_str()) {
                ("pool", "fd") => POOL,
                (_, "fd") => socket_for(&f.name),
                ("family", _) => i64::from(f.name == "open"),
                // open: stream; addr_resolve: any.
                ("type", _) if f.name == "open" || f.name == "socketpair" => 6,
                ("type", _) => 0,
                ("how", _) => 3,
                ("port", _) => 80,
                ("backlog", _) => 1,
                // socket.recv_buf_size: an int the kernel takes whatever its value ("data").
                ("level", _) => 1,
                ("name", _) => 5,
                ("host", _) => NAME,
                ("host_len", _) => 9,
                (_, "*iovec") => IOV,
                (_, "*dgram") => DGRAMS,
                // One iovec; 4 bytes or 4 address records.
                (_, _) if is_length(f, i) && f.params[i - 1].1 == "*iovec" => 1,
                (_, _) if is_length(f, i) => 4,
                (_, "*u8") if length_of(f, i).is_some() => DATA,
                (_, "*addr") if is_input_addr(f, i) => ADDR,
                (_, "*addr") => OUT_ADDR,
                (_, t) if t.starts_with('*') => out_slots.next().expect("at most two scalar out-pointers"),
                (_, "u64") => return Val::I64(0),
                _ => 0,
            };
            Val::I32(v)
        })
        .collect()
}

/// Builds every case for `f`.
fn cases_for(f: &SpecFn, cases: &mut Vec<Case>) {
    let base = baseline(f);
    let mut add = |what: String, changes: &[(usize, i64)], want: i32| {
        let mut args = base.clone();
        for &(i, v) in changes {
            args[i] = match args[i] {
                Val::I32(_) => Val::I32(v),
                Val::I64(_) => Val::I64(v),
            };
        }
        cases.push(Case { func: f.name.clone(), what, args, want });
    };
    for (i, (name, ty)) in f.params.iter().enumerate() {
        let p = format!("{name}: {ty}");
        if ty == "fd" {
            for (v, why) in
                [(CLOSED, "closed fd"), (1000, "never-opened fd 1000"), (0x7fff_ffff, "fd i32::MAX"), (-1, "fd -1")]
            {
                add(format!("{p} = {why}"), &[(i, v)], BADF);
            }
            if matches!(f.name.as_str(), "close" | "fd_dup" | "fd_dup2") {
                continue; // these take any kind of fd
            }
            let wrong: &[(i64, &str)] = if name == "pool" {
                &[(TCP, "a socket"), (0, "stdin"), (1, "stdout"), (2, "stderr"), (DIR, "a directory")]
            } else {
                &[(POOL, "the pool"), (0, "stdin"), (1, "stdout"), (2, "stderr"), (DIR, "a directory")]
            };
            for &(v, why) in wrong {
                add(format!("{p} = {why}"), &[(i, v)], NOTSOCK);
            }
        } else if ty == "*dgram" {
            dgram_cases(&f.name, &p, i, &mut add);
        } else if ty.starts_with('*') {
            let elem = size_of_pointee(ty);
            match length_of(f, i) {
                None => {
                    let mut bad = vec![(MEM, "at the end of memory"), (0x8000_0000, "0x80000000"), (-1, "0xFFFFFFFF")];
                    if elem > 1 {
                        bad.push((MEM - elem + 1, "straddling the end"));
                        bad.push((0x1_0000_0000 - elem + 1, "wrapping"));
                    }
                    for (v, why) in bad {
                        add(format!("{p} {why}"), &[(i, v)], FAULT);
                    }
                }
                Some(n) => {
                    let len = &f.params[n].0;
                    // More iovecs than IOV_MAX (1024) is inval, before any bounds check (as on Linux).
                    let too_many = if ty == "*iovec" { INVAL } else { FAULT };
                    add(format!("{p} at the end of memory"), &[(i, MEM)], FAULT);
                    add(format!("{p} straddling the end"), &[(i, MEM - 2)], FAULT);
                    add(format!("{p} 0xFFFFFFFF"), &[(i, -1)], FAULT);
                    add(format!("{len} huge (0xFFFFFFFF)"), &[(n, -1)], too_many);
                    add(format!("{len} huge (0x80000000)"), &[(n, 0x8000_0000)], too_many);
                    add(format!("{len} one past memory"), &[(i, 0), (n, MEM / elem + 1)], too_many);
                    if ty == "*iovec" {
                        add(format!("{len} 1025 (past IOV_MAX), all in memory"), &[(i, 0), (n, 1025)], INVAL);
                        add(format!("{len} 1024, the array past the end"), &[(i, MEM - 8 * 1023), (n, 1024)], FAULT);
                    }
                    add(format!("{p} + {len} wrapping"), &[(i, 0xFFFF_FFF0), (n, 32 / elem + 1)], FAULT);
                    add(format!("{p} past the end, {len} 0"), &[(i, MEM + 1), (n, 0)], FAULT);
                    add(format!("{p} far out, {len} 0"), &[(i, -1), (n, 0)], FAULT);
                    add(format!("{p} at the end, {len} 0"), &[(i, MEM), (n, 0)], zero_length_result(f, name));
                }
            }
            if ty == "*iovec" {
                for (at, why) in [
                    (IOV_BAD_BUF, "an iovec straddling the end"),
                    (IOV_HUGE_LEN, "an iovec of length 0xFFFFFFFF"),
                    (IOV_WRAP, "an iovec that wraps"),
                ] {
                    add(format!("{p} with {why}"), &[(i, at)], FAULT);
                }
                // A good iovec followed by a bad one is still fault (nothing moves).
                add(format!("{p}: a good iovec, then a bad one"), &[(i, IOV_BAD_BUF - 8), (i + 1, 2)], FAULT);
            }
            if is_input_addr(f, i) {
                for (k, (why, _)) in bad_addrs().iter().enumerate() {
                    add(format!("{p}: {why}"), &[(i, BAD_ADDRS + 32 * k as i64)], INVAL);
                }
            }
            if name == "host" {
                for (k, (why, bytes, want)) in names().into_iter().enumerate() {
                    // connect_name's socket (fd 5) is plain TCP: once the
                    // name passes its checks, the call is inval.
                    let want = if f.name == "connect_name" { INVAL } else { want };
                    add(format!("host: {why}"), &[(i, NAMES + 1024 * k as i64), (i + 1, bytes.len() as i64)], want);
                }
                add("host: empty name".into(), &[(i + 1, 0)], INVAL);
            }
        } else {
            let bad: &[i64] = match (name.as_str(), f.name.as_str()) {
                ("family", "open") => &[0, 3, 0x101, 0xff, -1],
                ("family", _) => &[3, 0x100, 0x101, -1],
                // 7 is a TLS socket for open (and a stream for addr_resolve).
                ("type", "open") => &[0, 1, 4, 8, 0x106, -1],
                ("type", "socketpair") => &[0, 1, 4, 7, 0x106, -1],
                ("type", _) => &[1, 8, 0x105, -1],
                ("flags", "accept") | (_, "sock_accept") if name.ends_with("flags") => &[1, 2, 8, 0x10004, -1],
                (n, "recv" | "recv_from" | "sock_recv") if n.ends_with("flags") => &[4, 8, 0x10001, -1],
                (n, "send" | "send_to" | "sock_send" | "send_batch") if n.ends_with("flags") => &[1, 2, 0x8000, -1],
                ("flags", "recv_batch") => &[8, 0x10001, 0x10004, -1],
                ("how", _) => &[0, 4, 0x103, -1],
                ("port", _) => &[0x10000, -1],
                // A boolean option is 0 or 1 (0x100 would be 0 as a u8).
                ("value" | "on", n) if n.starts_with("set_") => &[2, 0x100, 0x101, -1],
                _ => &[],
            };
            for &v in bad {
                add(format!("{p} = {v:#x}"), &[(i, v)], INVAL);
            }
            // An unknown option level or name: what Linux answers for one
            // (getsockopt on an IPv4 socket's unknown level is EOPNOTSUPP).
            let unknown: &[(i64, i32)] = match (name.as_str(), f.name.as_str()) {
                // (Level 6, tls, does not apply to fd 5, a plain TCP socket: the same answers.)
                ("level", "sockopt_set") => {
                    &[(0, NOPROTOOPT), (6, NOPROTOOPT), (7, NOPROTOOPT), (0x101, NOPROTOOPT), (-1, NOPROTOOPT)]
                }
                ("level", "sockopt_get") => &[(0, NOTSUP), (6, NOTSUP), (7, NOTSUP), (0x101, NOTSUP), (-1, NOTSUP)],
                ("name", _) => &[(0, NOPROTOOPT), (100, NOPROTOOPT), (0x105, NOPROTOOPT), (-1, NOPROTOOPT)],
                _ => &[],
            };
            for &(v, want) in unknown {
                add(format!("{p} = {v:#x} (no such option)"), &[(i, v)], want);
            }
            // Fd numbers past the host's limit (65536): fcntl(F_DUPFD)'s
            // bound is inval, dup2's target badf, as on Linux.
            let past_limit = match (name.as_str(), f.name.as_str()) {
                ("min_fd", "fd_dup") => INVAL,
                ("to", "fd_dup2") => BADF,
                _ => continue,
            };
            for v in [65536, 0x7fff_ffff, -1] {
                add(format!("{p} = {v:#x}"), &[(i, v)], past_limit);
            }
        }
    }
}

/// What a call with an empty buffer at the very end of memory returns: the
/// range is inside memory, so the call goes ahead.
fn zero_length_result(f: &SpecFn, ptr: &str) -> i32 {
    match (f.name.as_str(), ptr) {
        // An empty host name.
        ("addr_resolve" | "connect_name", "host") => INVAL,
        // Room for no address: the lookup still runs and counts what it found.
        ("addr_resolve", "buf") => SUCCESS,
        // Zero bytes to or from a connected TCP socket (with data queued to read).
        ("recv" | "send" | "recv_from" | "sock_recv" | "sock_send", _) => SUCCESS,
        // Zero bytes on a connected TCP socket: Linux ignores the address.
        ("send_to", _) => SUCCESS,
        // No message: nothing is sent or received, and the count is 0.
        ("send_batch" | "recv_batch", _) => SUCCESS,
        // No value is shorter than the int the option takes.
        ("sockopt_set", "value") => INVAL,
        // Room for none of the value: nothing is written, as getsockopt with *optlen 0.
        ("sockopt_get", "buf") => SUCCESS,
        (name, p) => panic!("no zero-length expectation for {name}({p})"),
    }
}

fn all_cases() -> (Vec<Case>, usize) {
    let spec = parse(SPEC).expect("the spec parses");
    let p1 = parse(P1_SOCKET_FNS).expect("the preview-1 table parses");
    let mut cases = Vec::new();
    for f in spec.iter().chain(&p1) {
        let before = cases.len();
        cases_for(f, &mut cases);
        assert!(cases.len() > before, "{} got no case", f.name);
    }
    (cases, spec.len() + p1.len())
}

fn data_segment(at: i64, bytes: &[u8]) -> String {
    let mut s = format!("  (data (i32.const {at}) \"");
    for b in bytes {
        let _ = write!(s, "\\{b:02x}");
    }
    s + "\")\n"
}

fn iovec(buf: u32, len: u32) -> Vec<u8> {
    [buf.to_le_bytes(), len.to_le_bytes()].concat()
}

fn guest_module(cases: &[Case]) -> String {
    let mut items = String::new();
    items += &data_segment(DATA, b"data");
    items += &data_segment(NAME, b"localhost");
    items += &data_segment(IOV, &iovec(DATA as u32, 4));
    items += &data_segment(IOV_BAD_BUF - 8, &iovec(DATA as u32, 4));
    items += &data_segment(IOV_BAD_BUF, &iovec(65534, 4));
    items += &data_segment(IOV_HUGE_LEN, &iovec(DATA as u32, u32::MAX));
    items += &data_segment(IOV_WRAP, &iovec(0xFFFF_FFF0, 0x20));
    items += &data_segment(ADDR, &addr_record(&"127.0.0.1:1".parse().unwrap()));
    let good = dgram(IOV, 1, [0; 28]);
    items += &data_segment(DGRAMS, &good.repeat(4));
    for (k, (_, bad, _, _)) in bad_dgrams().iter().enumerate() {
        items += &data_segment(BAD_DGRAMS + 256 * k as i64, &[good.repeat(3), bad.clone()].concat());
    }
    for (k, (_, rec)) in bad_addrs().iter().enumerate() {
        items += &data_segment(BAD_ADDRS + 32 * k as i64, rec);
    }
    for (k, (_, bytes, _)) in names().iter().enumerate() {
        items += &data_segment(NAMES + 1024 * k as i64, bytes);
    }
    items += &format!(
        r#"
  (data (i32.const 1800) "done\n")
  ;; 1 if the last 64 bytes of memory still hold 0xA5 (then refilled for the next case).
  (func $tail_ok (result i32) (local $i i32) (local $ok i32)
    (local.set $i (i32.const {TAIL}))
    (local.set $ok (i32.const 1))
    (loop $l
      (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 0xA5)) (then (local.set $ok (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {MEM}))))
    (memory.fill (i32.const {TAIL}) (i32.const 0xA5) (i32.const 64))
    (local.get $ok))
  (func $report (param $id i32) (param $got i32)
    (call $print_u32 (local.get $id))
    (call $print (i32.const 517) (i32.const 1))
    (call $print_u32 (local.get $got))
    (call $print (i32.const 517) (i32.const 1))
    (call $print_u32 (call $tail_ok))
    (call $nl))
  (func $main
    (memory.fill (i32.const {TAIL}) (i32.const 0xA5) (i32.const 64))
    ;; set-up: the fds the table expects
    (call $ok (call $open (i32.const {POOL}) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (call $check (call $r) (i32.const {TCP}) (i32.const 2))
    (call $ok (call $open (i32.const {POOL}) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const {UDP}) (i32.const 4))
    (call $ok (call $open (i32.const {POOL}) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 5))
    (call $check (call $r) (i32.const {LISTENER}) (i32.const 6))
    (call $addr4 (i32.const 1900) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $ok (call $bind (i32.const {LISTENER}) (i32.const 1900)) (i32.const 7))
    (call $ok (call $listen (i32.const {LISTENER}) (i32.const 4)) (i32.const 8))
    (call $ok (call $addr_local (i32.const {LISTENER}) (i32.const 1900)) (i32.const 9))
    (call $ok (call $open (i32.const {POOL}) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 10))
    (call $check (call $r) (i32.const {CLIENT}) (i32.const 11))
    (call $ok (call $connect (i32.const {CLIENT}) (i32.const 1900)) (i32.const 12))
    (call $ok (call $accept (i32.const {LISTENER}) (i32.const 0) (i32.const 16) (i32.const 1940)) (i32.const 13))
    (call $check (call $r) (i32.const {SERVER}) (i32.const 14))
    ;; 4 bytes wait on the server side, so an empty recv returns at once (on
    ;; Linux an empty recv on a TCP socket with nothing queued blocks)
    (call $ok (call $send (i32.const {CLIENT}) (i32.const {DATA}) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 18))
    (call $ok (call $recv (i32.const {SERVER}) (i32.const 1700) (i32.const 4) (i32.const 3) (i32.const 16)) (i32.const 19))
    (call $check (call $r) (i32.const 4) (i32.const 24))
    (call $ok (call $open (i32.const {POOL}) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 15))
    (call $check (call $r) (i32.const {CLOSED}) (i32.const 16))
    (call $ok (call $close (i32.const {CLOSED})) (i32.const 17))
"#
    );
    for (id, c) in cases.iter().enumerate() {
        let args: Vec<String> = c
            .args
            .iter()
            .map(|a| match a {
                Val::I32(v) => format!("(i32.const {})", *v as u32 as i32),
                Val::I64(v) => format!("(i64.const {v})"),
            })
            .collect();
        items += &format!("    (call $report (i32.const {id}) (call ${} {}))\n", c.func, args.join(" "));
    }
    items += &format!(
        r#"
    ;; after all that: the closed fd is still closed, the 4 queued bytes were
    ;; neither lost nor duplicated, and the pair still moves data
    (call $check (call $fd_fdstat_get (i32.const {CLOSED}) (i32.const 2400)) (i32.const {BADF}) (i32.const 20))
    (call $ok (call $send (i32.const {CLIENT}) (i32.const {DATA}) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 21))
    (call $check (call $r) (i32.const 4) (i32.const 22))
    (call $read_exact (i32.const {SERVER}) (i32.const 1700) (i32.const 8))
    (call $check (i32.load (i32.const 1700)) (i32.load (i32.const {DATA})) (i32.const 23))
    (call $check (i32.load (i32.const 1704)) (i32.load (i32.const {DATA})) (i32.const 25))
    (call $print (i32.const 1800) (i32.const 5)))
"#
    );
    items
}

#[test]
fn every_function_every_bad_argument() {
    let (cases, functions) = all_cases();
    if std::env::var_os("BAD_INPUT_LIST").is_some() {
        for (id, c) in cases.iter().enumerate() {
            eprintln!("#{id} {}: {} -> {}", c.func, c.what, c.want);
        }
    }
    let dir = temp_path("dir");
    std::fs::create_dir_all(&dir).unwrap();
    let out = Guest::new(&guest_module(&cases))
        .flags(&["--dir", &format!("{}::/sandbox", dir.display())])
        .flags(&["--allow-connect", "127.0.0.1", "--allow-bind", "127.0.0.1", "--allow-resolve", "localhost"])
        .run();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.stderr.contains("panicked"), "the host panicked:\n{}", out.stderr);
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines.last(), Some(&"done"), "the guest did not finish:\n{}", out.stdout);

    let mut got: BTreeMap<usize, (i32, bool)> = BTreeMap::new();
    for l in &lines[..lines.len() - 1] {
        let f: Vec<&str> = l.split(' ').collect();
        assert_eq!(f.len(), 3, "bad report line {l:?}");
        got.insert(f[0].parse().unwrap(), (f[1].parse().unwrap(), f[2] == "1"));
    }
    let mut wrong = Vec::new();
    let mut by_errno: BTreeMap<i32, usize> = BTreeMap::new();
    for (id, c) in cases.iter().enumerate() {
        match got.get(&id) {
            None => wrong.push(format!("#{id} {}: {}: no result", c.func, c.what)),
            Some(&(errno, tail)) => {
                if errno != c.want {
                    wrong.push(format!("#{id} {}: {}: got errno {errno}, want {}", c.func, c.what, c.want));
                }
                if !tail {
                    wrong.push(format!("#{id} {}: {}: wrote into the last 64 bytes of memory", c.func, c.what));
                }
                *by_errno.entry(c.want).or_default() += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases wrong:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
    reliability("bad_input.table.functions", functions);
    reliability("bad_input.table.cases", cases.len());
    for (errno, n) in by_errno {
        let name = match errno {
            FAULT => "fault",
            BADF => "badf",
            NOTSOCK => "notsock",
            INVAL => "inval",
            NOTCAPABLE => "notcapable",
            NOPROTOOPT => "noprotoopt",
            NOTSUP => "notsup",
            SUCCESS => "success",
            _ => "other",
        };
        reliability(&format!("bad_input.table.expect_{name}"), n);
    }
}

#[test]
fn every_function_and_parameter_has_cases() {
    let (cases, _) = all_cases();
    for f in parse(SPEC).unwrap() {
        for (name, ty) in &f.params {
            let n = cases.iter().filter(|c| c.func == f.name && c.what.contains(name.as_str())).count();
            let checked =
                ty == "fd" || ty.starts_with('*') || is_length(&f, f.params.iter().position(|p| &p.0 == name).unwrap());
            if checked {
                assert!(n > 0, "{}({name}: {ty}) has no bad-input case", f.name);
            }
        }
    }
}

/// Extreme values for every option of the spec are passed to the kernel,
/// which takes them or refuses them with its own precise error (never the
/// catch-all `io` of an unmapped one); none traps or panics, and the socket
/// still carries data after.
#[test]
fn extreme_option_values_never_trap() {
    use wasock_host::spec::{parse_options, OptType};
    const IO: i32 = 29;
    let (l, port) = listener("127.0.0.1");
    let mut calls = Vec::new();
    for o in parse_options(SPEC).unwrap() {
        let opt = format!("(local.get $s) (i32.const {}) (i32.const {})", o.level, o.name);
        match o.ty {
            OptType::Bool | OptType::Int => {
                for v in [-1i64, 0, 1, 2, 256, 0x7fff_ffff, -0x8000_0000] {
                    calls.push(format!("(call $setopt {opt} (i32.const {v}))"));
                }
            }
            OptType::Timeout | OptType::Linger => {
                for v in [-1i64, 0, 1, 0x1_0000_0001, 0x7fff_ffff_0000_0001, 0x8000_0000_0000_0000u64 as i64] {
                    calls.push(format!("(call $setopt64 {opt} (i64.const {v}))"));
                }
            }
            OptType::Bytes { .. } | OptType::String { .. } => {
                // Lengths around the type's bounds, over 0xff bytes at 1600.
                for len in [0, 1, 3, 4, 8, 12, 13, 15, 16, 17, 64] {
                    calls.push(format!("(call $sockopt_set {opt} (i32.const 1600) (i32.const {len}))"));
                }
            }
        }
    }
    let mut body = String::new();
    for (i, c) in calls.iter().enumerate() {
        body += &format!("    (local.set $e {c})\n");
        body += &format!("    (call $assert (i32.ne (local.get $e) (i32.const {IO})) (i32.const {}))\n", 1 + i % 80);
    }
    let out = Guest::new(&format!(
        r#"
  (data (i32.const 1024) "ping")
  (data (i32.const 1600) "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff")
  (func $main (local $s i32) (local $e i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 90))
    (local.set $s (call $r))
{body}
    ;; no timeouts, linger, user timeout or fast open again, so the exchange
    ;; below goes the ordinary way and cannot time out early
    (call $ok (call $setopt64 (local.get $s) (i32.const 1) (i32.const 7) (i64.const 0)) (i32.const 91))
    (call $ok (call $setopt64 (local.get $s) (i32.const 1) (i32.const 8) (i64.const 0)) (i32.const 92))
    (call $ok (call $setopt64 (local.get $s) (i32.const 1) (i32.const 9) (i64.const 0)) (i32.const 93))
    (call $ok (call $setopt (local.get $s) (i32.const 4) (i32.const 6) (i32.const 0)) (i32.const 96))
    (call $ok (call $setopt (local.get $s) (i32.const 4) (i32.const 11) (i32.const 0)) (i32.const 97))
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $s) (i32.const 1300)) (i32.const 94))
    (call $write_all (local.get $s) (i32.const 1024) (i32.const 4))
    (call $read_exact (local.get $s) (i32.const 1100) (i32.const 4))
    (call $check (i32.load (i32.const 1100)) (i32.load (i32.const 1024)) (i32.const 95)))
"#
    ))
    .flags(&["--allow-connect", &format!("127.0.0.1:{port}")])
    .spawn();
    let mut peer = accept(&l);
    let got = read_n(&mut peer, 4);
    write(&mut peer, &got);
    let out = out.wait();
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.assert_success();
    assert_eq!(got, b"ping");
    reliability("bad_input.extreme_option_values", calls.len());
}
