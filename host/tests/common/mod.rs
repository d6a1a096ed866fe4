//! Shared harness for the host's integration tests: runs WAT guests under the
//! real `wasock` binary (with a time limit). Starting the process, capturing
//! its output and the native peers are `wasock-testkit`'s, shared with the
//! e2e suites and re-exported here; this module adds the WAT side.
//!
//! A test writes only its module items: data segments at 1024 and above,
//! helper functions if it wants, and `(func $main ...)`. [`Guest`] wraps
//! them into a command module with:
//!
//! - the preview-1 imports listed in [`P1_IMPORTS`], under their own names
//!   (`$fd_write`, `$poll_oneoff`, ...);
//! - every `wasi_ephemeral_sock` function of the spec that the text names,
//!   as `$open`, `$connect`, ... with the spec's signature;
//! - one page of memory, laid out as below, and `_start` = `$main` then
//!   `proc_exit(0)`;
//! - the helpers of [`PRELUDE`]: `$check(got, want, id)` exits with `id`
//!   (and prints `check ID: got G want W` to stderr) on a mismatch, `$ok`,
//!   `$print`, `$print_u32`, `$print_hex`, `$nl`, address and subscription
//!   builders, `$setopt`/`$setopt64`/`$getopt` for socket options.
//!
//! Memory used by the prelude (tests use 1024 and above):
//!
//! | at | what |
//! |---|---|
//! | 16 | `R`: the ret slot tests pass to calls (u32, or u64 at 16..24); `$r` reads it |
//! | 24 | `R2`: a second ret slot |
//! | 0..16, 32..1024 | prelude scratch |
//!
//! Check ids 1..=99 belong to tests, 100..=125 to the prelude.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub use wasock_testkit::*;

/// How long any guest run or native wait may take before the test fails
/// (the native peers' limit is the same).
pub const TIMEOUT: Duration = PEER_TIMEOUT;

/// Errno values of the ABI (preview-1 numbering).
pub mod errno {
    pub const AGAIN: i32 = 6;
    pub const BADF: i32 = 8;
    pub const CONNREFUSED: i32 = 14;
    pub const FAULT: i32 = 21;
    pub const INPROGRESS: i32 = 26;
    pub const INVAL: i32 = 28;
    pub const NOENT: i32 = 44;
    pub const NOPROTOOPT: i32 = 50;
    pub const NOTCONN: i32 = 53;
    pub const NOTSOCK: i32 = 57;
    pub const NOTCAPABLE: i32 = 76;
}

/// The preview-1 functions every guest imports: (name, params, has result).
pub const P1_IMPORTS: &[(&str, &str, bool)] = &[
    ("args_sizes_get", "i32 i32", true),
    ("args_get", "i32 i32", true),
    ("fd_write", "i32 i32 i32 i32", true),
    ("fd_read", "i32 i32 i32 i32", true),
    ("fd_close", "i32", true),
    ("fd_fdstat_get", "i32 i32", true),
    ("fd_fdstat_set_flags", "i32 i32", true),
    ("fd_prestat_get", "i32 i32", true),
    ("fd_prestat_dir_name", "i32 i32 i32", true),
    ("poll_oneoff", "i32 i32 i32 i32", true),
    ("clock_time_get", "i32 i64 i32", true),
    ("random_get", "i32 i32", true),
    ("fd_filestat_get", "i32 i32", true),
    ("fd_renumber", "i32 i32", true),
    ("fd_seek", "i32 i64 i32 i32", true),
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32", true),
    ("sock_accept", "i32 i32 i32", true),
    ("sock_recv", "i32 i32 i32 i32 i32 i32", true),
    ("sock_send", "i32 i32 i32 i32 i32", true),
    ("sock_shutdown", "i32 i32", true),
    ("proc_exit", "i32", false),
];

/// The helpers every guest gets (see the module documentation).
pub const PRELUDE: &str = r#"
  (memory (export "memory") 1)
  (data (i32.const 512) "check : got  want \n0123456789abcdef")
  (func (export "_start") (call $main) (call $proc_exit (i32.const 0)))

  ;; The ret slots.
  (func $r (result i32) (i32.load (i32.const 16)))
  (func $r2 (result i32) (i32.load (i32.const 24)))

  ;; Writes [p, p+n) to fd with one fd_write; returns the errno.
  (func $write (param $fd i32) (param $p i32) (param $n i32) (result i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $n))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func $print (param $p i32) (param $n i32)
    (drop (call $write (i32.const 1) (local.get $p) (local.get $n))))
  (func $nl (call $print (i32.const 530) (i32.const 1)))

  ;; Decimal.
  (func $put_u32 (param $fd i32) (param $v i32)
    (local $p i32)
    (local.set $p (i32.const 64))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digits (local.get $v)))
    (drop (call $write (local.get $fd) (local.get $p) (i32.sub (i32.const 64) (local.get $p)))))
  (func $print_u32 (param $v i32) (call $put_u32 (i32.const 1) (local.get $v)))

  ;; Lowercase hex of [p, p+n), n <= 128, to stdout.
  (func $print_hex (param $p i32) (param $n i32)
    (local $i i32) (local $b i32)
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $b (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        (i32.store8 (i32.add (i32.const 256) (i32.shl (local.get $i) (i32.const 1)))
          (i32.load8_u (i32.add (i32.const 531) (i32.shr_u (local.get $b) (i32.const 4)))))
        (i32.store8 (i32.add (i32.const 257) (i32.shl (local.get $i) (i32.const 1)))
          (i32.load8_u (i32.add (i32.const 531) (i32.and (local.get $b) (i32.const 15)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (call $print (i32.const 256) (i32.shl (local.get $n) (i32.const 1))))

  ;; Exits with `id` (after a line on stderr) unless got == want.
  (func $check (param $got i32) (param $want i32) (param $id i32)
    (if (i32.ne (local.get $got) (local.get $want))
      (then
        (drop (call $write (i32.const 2) (i32.const 512) (i32.const 6)))
        (call $put_u32 (i32.const 2) (local.get $id))
        (drop (call $write (i32.const 2) (i32.const 518) (i32.const 6)))
        (call $put_u32 (i32.const 2) (local.get $got))
        (drop (call $write (i32.const 2) (i32.const 524) (i32.const 6)))
        (call $put_u32 (i32.const 2) (local.get $want))
        (drop (call $write (i32.const 2) (i32.const 530) (i32.const 1)))
        (call $proc_exit (local.get $id)))))
  (func $ok (param $got i32) (param $id i32) (call $check (local.get $got) (i32.const 0) (local.get $id)))
  ;; Exits with `id` unless the condition holds.
  (func $assert (param $cond i32) (param $id i32)
    (call $check (i32.ne (local.get $cond) (i32.const 0)) (i32.const 1) (local.get $id)))

  ;; Socket options through sockopt_set/sockopt_get, by the spec's (level,
  ;; name) numbers: $setopt sets a 4-byte value, $setopt64 an 8-byte one (a
  ;; timeout; a linger as on | secs << 32), both through scratch at 72;
  ;; $getopt reads up to 8 bytes into R (16..24) and their count into R2.
  (func $setopt (param $fd i32) (param $level i32) (param $name i32) (param $v i32) (result i32)
    (i32.store (i32.const 72) (local.get $v))
    (call $sockopt_set (local.get $fd) (local.get $level) (local.get $name) (i32.const 72) (i32.const 4)))
  (func $setopt64 (param $fd i32) (param $level i32) (param $name i32) (param $v i64) (result i32)
    (i64.store (i32.const 72) (local.get $v))
    (call $sockopt_set (local.get $fd) (local.get $level) (local.get $name) (i32.const 72) (i32.const 8)))
  (func $getopt (param $fd i32) (param $level i32) (param $name i32) (result i32)
    (i64.store (i32.const 16) (i64.const 0))
    (call $sockopt_get (local.get $fd) (local.get $level) (local.get $name) (i32.const 16) (i32.const 8) (i32.const 24)))

  ;; An inet4 addr record a.b.c.d:port at p.
  (func $addr4 (param $p i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $port i32)
    (memory.fill (local.get $p) (i32.const 0) (i32.const 28))
    (i32.store8 (local.get $p) (i32.const 1))
    (i32.store16 offset=2 (local.get $p) (local.get $port))
    (i32.store8 offset=8 (local.get $p) (local.get $a))
    (i32.store8 offset=9 (local.get $p) (local.get $b))
    (i32.store8 offset=10 (local.get $p) (local.get $c))
    (i32.store8 offset=11 (local.get $p) (local.get $d)))
  ;; An inet6 addr record [::1]:port at p.
  (func $addr6_loopback (param $p i32) (param $port i32)
    (memory.fill (local.get $p) (i32.const 0) (i32.const 28))
    (i32.store8 (local.get $p) (i32.const 2))
    (i32.store16 offset=2 (local.get $p) (local.get $port))
    (i32.store8 offset=23 (local.get $p) (i32.const 1)))

  ;; poll_oneoff subscriptions (48 bytes): an fd one (kind 1 read, 2 write)
  ;; and a relative monotonic clock.
  (func $sub_fd (param $p i32) (param $userdata i32) (param $kind i32) (param $fd i32)
    (memory.fill (local.get $p) (i32.const 0) (i32.const 48))
    (i64.store (local.get $p) (i64.extend_i32_u (local.get $userdata)))
    (i32.store8 offset=8 (local.get $p) (local.get $kind))
    (i32.store offset=16 (local.get $p) (local.get $fd)))
  (func $sub_clock (param $p i32) (param $userdata i32) (param $ns i64)
    (memory.fill (local.get $p) (i32.const 0) (i32.const 48))
    (i64.store (local.get $p) (i64.extend_i32_u (local.get $userdata)))
    (i32.store offset=16 (local.get $p) (i32.const 1))
    (i64.store offset=24 (local.get $p) (local.get $ns)))
  ;; The event fields (32-byte events at p).
  (func $ev_userdata (param $p i32) (result i32) (i32.wrap_i64 (i64.load (local.get $p))))
  (func $ev_error (param $p i32) (result i32) (i32.load16_u offset=8 (local.get $p)))
  (func $ev_type (param $p i32) (result i32) (i32.load8_u offset=10 (local.get $p)))
  (func $ev_nbytes (param $p i32) (result i32) (i32.wrap_i64 (i64.load offset=16 (local.get $p))))
  (func $ev_flags (param $p i32) (result i32) (i32.load16_u offset=24 (local.get $p)))

  ;; Monotonic time in ns.
  (func $now (result i64)
    (call $ok (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 32)) (i32.const 100))
    (i64.load (i32.const 32)))

  ;; Reads exactly n bytes from fd through fd_read (exits 101 on an error, 102 on EOF).
  (func $read_exact (param $fd i32) (param $p i32) (param $n i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store (i32.const 0) (local.get $p))
        (i32.store (i32.const 4) (local.get $n))
        (call $ok (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 101))
        (call $assert (i32.load (i32.const 8)) (i32.const 102))
        (local.set $p (i32.add (local.get $p) (i32.load (i32.const 8))))
        (local.set $n (i32.sub (local.get $n) (i32.load (i32.const 8))))
        (br $more))))
  ;; Writes all n bytes to fd through fd_write (exits 103 on an error).
  (func $write_all (param $fd i32) (param $p i32) (param $n i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $n)))
        (call $ok (call $write (local.get $fd) (local.get $p) (local.get $n)) (i32.const 103))
        (local.set $p (i32.add (local.get $p) (i32.load (i32.const 8))))
        (local.set $n (i32.sub (local.get $n) (i32.load (i32.const 8))))
        (br $more))))
"#;

/// Whether `text` names `$name` (not as a prefix of a longer identifier).
fn names(text: &str, name: &str) -> bool {
    let needle = format!("${name}");
    text.match_indices(&needle).any(|(i, _)| {
        let next = text[i + needle.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || "_.!#%&'*+-/:<=>?@\\^`|~".contains(c))
    })
}

/// Wraps a test's module items into a full command module.
pub fn module(items: &str) -> String {
    let mut m = String::from("(module\n");
    for (name, params, result) in P1_IMPORTS {
        let result = if *result { " (result i32)" } else { "" };
        m += &format!("  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param {params}){result}))\n");
    }
    let text = format!("{PRELUDE}{items}");
    for f in wasock_host::spec::parse(wasock_host::spec::SPEC).expect("the spec parses") {
        if names(&text, &f.name) {
            let params: Vec<String> = f.wasm_params().iter().map(|t| t.to_string()).collect();
            m += &format!(
                "  (import \"wasi_ephemeral_sock\" \"{0}\" (func ${0} (param {1}) (result i32)))\n",
                f.name,
                params.join(" ")
            );
        }
    }
    m += &text;
    m += "\n)\n";
    m
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh path under the temp directory.
pub fn temp_path(ext: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("wasock-host-test-{}-{n}.{ext}", std::process::id()))
}

/// `wasock` as cargo built it for these tests, with their time limit.
fn host() -> Run {
    Run::new(env!("CARGO_BIN_EXE_wasock")).timeout(TIMEOUT)
}

/// Runs `wasock` with these arguments (no module written).
pub fn wasock(args: &[&str]) -> Finished {
    host().args(args).run()
}

/// A guest to run: the test's module items plus host flags and guest args.
pub struct Guest {
    wat: String,
    flags: Vec<String>,
    args: Vec<String>,
    stdin: bool,
}

impl Guest {
    /// A guest from module items (which must define `(func $main)`).
    pub fn new(items: &str) -> Guest {
        Guest::raw(&module(items))
    }

    /// A guest from a complete module text.
    pub fn raw(wat: &str) -> Guest {
        if let Err(e) = wat::parse_str(wat) {
            panic!("the test's WAT does not assemble: {e}\n{wat}");
        }
        Guest { wat: wat.to_string(), flags: Vec::new(), args: Vec::new(), stdin: false }
    }

    /// Adds host flags (before the module), e.g. `["--allow-connect", "127.0.0.1:80"]`.
    pub fn flags<S: ToString>(mut self, flags: &[S]) -> Guest {
        self.flags.extend(flags.iter().map(|f| f.to_string()));
        self
    }

    /// Adds guest arguments (after the module).
    pub fn args<S: ToString>(mut self, args: &[S]) -> Guest {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Gives the guest a stdin pipe the test writes through [`Running::write_stdin`].
    pub fn with_stdin(mut self) -> Guest {
        self.stdin = true;
        self
    }

    /// Starts the guest.
    pub fn spawn(self) -> Running {
        let path = temp_path("wat");
        std::fs::write(&path, &self.wat).expect("write the module");
        let run = host().arg("run").args(&self.flags).arg(&path).args(&self.args).owns_file(path);
        if self.stdin { run.piped_stdin() } else { run }.spawn()
    }

    /// Runs the guest to its end.
    pub fn run(self) -> Finished {
        self.spawn().wait()
    }
}

// --- the ABI's address record, as the guests print it ------------------------

/// The ABI's 28-byte `addr` record for `a`.
pub fn addr_record(a: &SocketAddr) -> [u8; 28] {
    let mut b = [0u8; 28];
    b[2..4].copy_from_slice(&a.port().to_le_bytes());
    match a {
        SocketAddr::V4(v4) => {
            b[0] = 1;
            b[8..12].copy_from_slice(&v4.ip().octets());
        }
        SocketAddr::V6(v6) => {
            b[0] = 2;
            b[4..8].copy_from_slice(&v6.flowinfo().to_le_bytes());
            b[8..24].copy_from_slice(&v6.ip().octets());
            b[24..28].copy_from_slice(&v6.scope_id().to_le_bytes());
        }
    }
    b
}

/// Lowercase hex, as `$print_hex` prints.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes an `addr` record printed by `$print_hex`.
pub fn parse_addr_hex(h: &str) -> SocketAddr {
    assert_eq!(h.len(), 56, "an addr record is 28 bytes: {h}");
    let b: Vec<u8> = (0..28).map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).expect("hex")).collect();
    assert_eq!(b[1], 0, "reserved byte: {h}");
    let port = u16::from_le_bytes([b[2], b[3]]);
    match b[0] {
        1 => {
            assert!(b[4..8].iter().chain(&b[12..]).all(|&x| x == 0), "inet4 record with inet6 fields set: {h}");
            SocketAddr::from(([b[8], b[9], b[10], b[11]], port))
        }
        2 => {
            let mut ip = [0u8; 16];
            ip.copy_from_slice(&b[8..24]);
            let flow = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            let scope = u32::from_le_bytes([b[24], b[25], b[26], b[27]]);
            SocketAddr::V6(std::net::SocketAddrV6::new(ip.into(), port, flow, scope))
        }
        f => panic!("unknown family {f} in {h}"),
    }
}
