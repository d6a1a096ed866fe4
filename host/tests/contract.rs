//! One contract for every fd and every call: a bad argument is an errno
//! (never a trap), a failed call moves no data and changes no state, and
//! `poll_oneoff` wakes on what `ppoll` reports whichever path serves it.
//!
//! - Calls delegated to wasmtime-wasi (stdio, files, clocks, args, random)
//!   answer a bad pointer with `fault` (21) and an unknown enum value with
//!   `inval` (28), as the socket calls do, instead of trapping.
//! - Such a call that fails moves nothing: no stdin bytes consumed, no
//!   stdout bytes written, no file created, no seek.
//! - poll_oneoff over a socket and stdin wakes for an error-only socket
//!   event and reports it as the socket-only path does.
//! - poll_oneoff with more subscriptions than wasmtime-wasi can serve is
//!   `inval`, not a trap.
//! - More than IOV_MAX (1024) iovecs on a socket is `inval`; 1024 work.
//! - Boolean socket options take 0 or 1; anything else is `inval` and
//!   leaves the option as it was.

mod common;

use common::errno::{FAULT, INVAL};
use common::*;
use std::time::{Duration, Instant};

/// Records for `make reliability` that the attack `key` was tried and held.
fn held(key: &str) {
    reliability(&format!("hostile.{key}"), "held");
}

/// Calls delegated to wasmtime-wasi with a pointer past the end of memory
/// (or misaligned, or an unknown clock) return an errno; the guest runs on
/// and stdout got only its last line. fd 3 is a preopened directory.
#[test]
fn delegated_calls_answer_errno_not_trap() {
    let dir = temp_path("dir");
    std::fs::create_dir(&dir).unwrap();
    let out = Guest::new(&format!(
        r#"
  (data (i32.const 1024) "abc")
  (data (i32.const 1040) "new.txt")
  (data (i32.const 1056) "alive\n")
  (func $main
    ;; fd_write to stdout: the iovec array past memory; its buffer past memory
    (call $check (call $fd_write (i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 1) (i32.const 16)) (i32.const {FAULT}) (i32.const 1))
    (i32.store (i32.const 1100) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 1104) (i32.const 16))
    (call $check (call $fd_write (i32.const 1) (i32.const 1100) (i32.const 1) (i32.const 16)) (i32.const {FAULT}) (i32.const 2))
    ;; a good buffer, but nwritten past memory or misaligned: nothing is written
    (i32.store (i32.const 1100) (i32.const 1024)) (i32.store (i32.const 1104) (i32.const 3))
    (call $check (call $fd_write (i32.const 1) (i32.const 1100) (i32.const 1) (i32.const 0xFFFFFFF0)) (i32.const {FAULT}) (i32.const 3))
    (call $check (call $fd_write (i32.const 1) (i32.const 1100) (i32.const 1) (i32.const 17)) (i32.const {FAULT}) (i32.const 4))
    ;; a good iovec, then a bad one: fault, as on a socket
    (i32.store (i32.const 1108) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 1112) (i32.const 16))
    (call $check (call $fd_write (i32.const 1) (i32.const 1100) (i32.const 2) (i32.const 16)) (i32.const {FAULT}) (i32.const 5))
    ;; fd_fdstat_get
    (call $check (call $fd_fdstat_get (i32.const 1) (i32.const 0xFFFFFFF0)) (i32.const {FAULT}) (i32.const 6))
    (call $check (call $fd_fdstat_get (i32.const 3) (i32.const 65530)) (i32.const {FAULT}) (i32.const 7))
    ;; clock_time_get: past memory, misaligned (a u64 at 20), an unknown clock
    (call $check (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0xFFFFFFF0)) (i32.const {FAULT}) (i32.const 8))
    (call $check (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 20)) (i32.const {FAULT}) (i32.const 9))
    (call $check (call $clock_time_get (i32.const 99) (i64.const 0) (i32.const 16)) (i32.const {INVAL}) (i32.const 10))
    ;; args_sizes_get: either slot
    (call $check (call $args_sizes_get (i32.const 0xFFFFFFF0) (i32.const 24)) (i32.const {FAULT}) (i32.const 11))
    (call $check (call $args_sizes_get (i32.const 16) (i32.const 0xFFFFFFF0)) (i32.const {FAULT}) (i32.const 12))
    ;; random_get: past memory, straddling its end
    (call $check (call $random_get (i32.const 0xFFFFFFF0) (i32.const 16)) (i32.const {FAULT}) (i32.const 13))
    (call $check (call $random_get (i32.const 65530) (i32.const 16)) (i32.const {FAULT}) (i32.const 14))
    ;; path_open: the path past memory; a good path (creat) with the fd slot past memory
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 0xFFFFFFF0) (i32.const 7) (i32.const 1)
      (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 16)) (i32.const {FAULT}) (i32.const 15))
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 7) (i32.const 1)
      (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 0xFFFFFFF0)) (i32.const {FAULT}) (i32.const 16))
    ;; still running, and every call still works
    (call $ok (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 16)) (i32.const 17))
    (call $ok (call $random_get (i32.const 2000) (i32.const 16)) (i32.const 18))
    (call $ok (call $args_sizes_get (i32.const 16) (i32.const 24)) (i32.const 19))
    (call $print (i32.const 1056) (i32.const 6)))
"#
    ))
    .flags(&["--dir", &format!("{}::/d", dir.display())])
    .run();
    let created = dir.join("new.txt").exists();
    let _ = std::fs::remove_dir_all(&dir);
    out.assert_success();
    assert_eq!(out.stdout, "alive\n", "a failed fd_write wrote something");
    assert!(!created, "a path_open that failed on its fd slot created the file");
    held("delegated_calls_answer_errno_not_trap");
}

/// A delegated call that fails on a pointer has not moved data first: stdin
/// bytes stay for the next read, a seek does not happen, and (above) stdout
/// gets nothing.
#[test]
fn failed_delegated_calls_move_nothing() {
    let dir = temp_path("dir");
    std::fs::create_dir(&dir).unwrap();
    let mut guest = Guest::new(&format!(
        r#"
  (data (i32.const 1040) "f.txt")
  (data (i32.const 1056) "0123456789")
  (func $main (local $f i32)
    ;; stdin: the buffer past memory; a good buffer with nread past memory;
    ;; a good iovec then a bad one; more than IOV_MAX iovecs
    (i32.store (i32.const 1100) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 1104) (i32.const 16))
    (call $check (call $fd_read (i32.const 0) (i32.const 1100) (i32.const 1) (i32.const 16)) (i32.const {FAULT}) (i32.const 1))
    (i32.store (i32.const 1100) (i32.const 2000)) (i32.store (i32.const 1104) (i32.const 16))
    (call $check (call $fd_read (i32.const 0) (i32.const 1100) (i32.const 1) (i32.const 0xFFFFFFF0)) (i32.const {FAULT}) (i32.const 2))
    (i32.store (i32.const 1108) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 1112) (i32.const 16))
    (call $check (call $fd_read (i32.const 0) (i32.const 1100) (i32.const 2) (i32.const 16)) (i32.const {FAULT}) (i32.const 3))
    (call $check (call $fd_read (i32.const 0) (i32.const 1100) (i32.const 1025) (i32.const 16)) (i32.const {INVAL}) (i32.const 4))
    ;; all five bytes the test wrote are still there
    (call $read_exact (i32.const 0) (i32.const 2000) (i32.const 5))
    (call $print (i32.const 2000) (i32.const 5)) (call $nl)

    ;; a file with 10 bytes: a seek whose result slot is bad does not move it
    (call $ok (call $path_open (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 5) (i32.const 1)
      (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 16)) (i32.const 5))
    (local.set $f (call $r))
    (call $write_all (local.get $f) (i32.const 1056) (i32.const 10))
    (call $check (call $fd_seek (local.get $f) (i64.const 2) (i32.const 0) (i32.const 0xFFFFFFF0)) (i32.const {FAULT}) (i32.const 6))
    (call $check (call $fd_seek (local.get $f) (i64.const 2) (i32.const 0) (i32.const 20)) (i32.const {FAULT}) (i32.const 7))
    (call $ok (call $fd_seek (local.get $f) (i64.const 0) (i32.const 1) (i32.const 16)) (i32.const 8))
    (call $check (i32.load (i32.const 16)) (i32.const 10) (i32.const 9))
    (call $ok (call $fd_close (local.get $f)) (i32.const 10)))
"#
    ))
    .flags(&["--dir", &format!("{}::/d", dir.display())])
    .with_stdin()
    .spawn();
    guest.write_stdin(b"hello");
    // A byte lost to a failed read shows as EOF in `$read_exact` (exit 102).
    guest.close_stdin();
    let out = guest.wait();
    let content = std::fs::read(dir.join("f.txt"));
    let _ = std::fs::remove_dir_all(&dir);
    out.assert_success();
    assert_eq!(out.stdout, "hello\n", "stdin bytes were lost to a failed fd_read");
    assert_eq!(content.expect("f.txt was written"), b"0123456789");
    held("failed_delegated_calls_move_nothing");
}

/// A UDP port nothing listens on (bound and released).
fn closed_udp_port() -> u16 {
    udp("127.0.0.1").local_addr().unwrap().port()
}

/// The mixed poll path (a socket and stdin) wakes for a socket whose only
/// condition is an error, and reports it as the socket-only path does.
///
/// The error must come after the poll started, or the mixed path's first
/// zero-timeout `ppoll` sees it: on loopback the ICMP port unreachable for
/// a datagram arrives before `send` returns. So the guest's socket A is
/// bound with SO_REUSEADDR to 127.0.0.1:Q and connected to a closed port
/// Z; the test binds its own socket to 0.0.0.0:Q (SO_REUSEADDR too) and,
/// once the guest is polling, sends to Z from there. The ICMP error goes
/// to the best match for 127.0.0.1:Q <-> 127.0.0.1:Z: A (the test's socket
/// is neither bound to the address nor connected). Linux's `poll()` then
/// reports POLLERR alone on A: an event with no error (the error stays for
/// the next recv) and the flags error (2) and not-ready (8). A second socket
/// B, refused the usual way, goes through the socket-only path; both events
/// must agree. A 5 s clock guards each poll: it firing first is the bug.
#[test]
fn mixed_poll_wakes_on_a_socket_error() {
    use socket2::{Domain, Socket, Type};
    let z = closed_udp_port();
    let shadow = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
    shadow.set_reuse_address(true).unwrap();
    shadow.bind(&"0.0.0.0:0".parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    let q = shadow.local_addr().unwrap().as_socket().unwrap().port();
    let signal = udp("127.0.0.1");
    let sp = signal.local_addr().unwrap().port();
    let guest = Guest::new(&format!(
        r#"
  (data (i32.const 1024) "x")
  ;; A UDP socket connected to 127.0.0.1:port.
  (func $udp_to (param $port i32) (result i32) (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 90))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (local.get $port))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 91))
    (local.get $fd))
  (func $main (local $a i32) (local $b i32)
    ;; A: 127.0.0.1:{q} (shared with the test's socket), connected to {z}
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $a (call $r))
    (call $ok (call $setopt (local.get $a) (i32.const 1) (i32.const 1) (i32.const 1)) (i32.const 2)) ;; socket.reuse_addr
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {q}))
    (call $ok (call $bind (local.get $a) (i32.const 1100)) (i32.const 3))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {z}))
    (call $ok (call $connect (local.get $a) (i32.const 1100)) (i32.const 4))
    ;; tell the test, then poll: A (userdata 1), stdin (2), the guard clock (3)
    (call $ok (call $write (call $udp_to (i32.const {sp})) (i32.const 1024) (i32.const 1)) (i32.const 5))
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $a))
    (call $sub_fd (i32.const 2096) (i32.const 2) (i32.const 1) (i32.const 0))
    (call $sub_clock (i32.const 2144) (i32.const 3) (i64.const 5000000000))
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 3) (i32.const 16)) (i32.const 6))
    (call $check (call $r) (i32.const 1) (i32.const 7))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 1) (i32.const 8))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 1) (i32.const 9))
    (call $print_u32 (call $ev_error (i32.const 2560))) (call $nl)
    (call $print_u32 (call $ev_flags (i32.const 2560))) (call $nl)
    ;; B, refused at once; socket-only: B (userdata 4), the guard clock (5)
    (local.set $b (call $udp_to (i32.const {z})))
    (call $ok (call $write (local.get $b) (i32.const 1024) (i32.const 1)) (i32.const 10))
    (call $sub_fd (i32.const 2048) (i32.const 4) (i32.const 1) (local.get $b))
    (call $sub_clock (i32.const 2096) (i32.const 5) (i64.const 5000000000))
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 2) (i32.const 16)) (i32.const 11))
    (call $check (call $r) (i32.const 1) (i32.const 12))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 4) (i32.const 13))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 1) (i32.const 14))
    (call $print_u32 (call $ev_error (i32.const 2560))) (call $nl)
    (call $print_u32 (call $ev_flags (i32.const 2560))) (call $nl))
"#
    ))
    .flags(&["--allow-connect", "127.0.0.1", "--allow-bind", &format!("127.0.0.1:{q}")])
    .with_stdin()
    .spawn();
    let mut buf = [0u8; 16];
    signal.recv(&mut buf).expect("the guest's signal");
    // The guest polls right after its signal; give it time to get there.
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    shadow.send_to(b"x", &std::net::SocketAddr::from(([127, 0, 0, 1], z)).into()).unwrap();
    // `guest` keeps its stdin open and silent until it is waited for.
    let out = guest.wait();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0..2], lines[2..4], "the mixed path's event (error, flags) differs from the socket-only path's");
    assert_eq!(lines[0..2], ["0", "10"], "(event error, flags)");
    assert!(started.elapsed() < Duration::from_secs(4), "the mixed poll woke after {:?}", started.elapsed());
    held("mixed_poll_wakes_on_a_socket_error");
}

/// 2^20 stdin subscriptions are more than wasmtime-wasi's resource table
/// holds: `inval`, not a trap. 2^16 + 1 is past the host's limit too; 2^16
/// are served (stdin is /dev/null, so every one is ready).
#[test]
fn poll_with_too_many_delegated_subscriptions_is_inval() {
    const SUBS: i32 = 65536;
    let n = 1u32 << 20;
    let events = SUBS as u32 + n * 48;
    let pages = (events + n * 32) / 65536 + 1;
    let out = Guest::new(&format!(
        r#"
  (func $poll_stdin (param $n i32) (result i32) (local $i i32) (local $p i32)
    (local.set $p (i32.const {SUBS}))
    (loop $l
      (call $sub_fd (local.get $p) (local.get $i) (i32.const 1) (i32.const 0))
      (local.set $p (i32.add (local.get $p) (i32.const 48)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (call $poll_oneoff (i32.const {SUBS}) (i32.const {events}) (local.get $n) (i32.const 16)))
  (func $main
    (call $assert (i32.ne (memory.grow (i32.const {pages})) (i32.const -1)) (i32.const 1))
    (call $check (call $poll_stdin (i32.const {n})) (i32.const {INVAL}) (i32.const 2))
    (call $check (call $poll_stdin (i32.const 65537)) (i32.const {INVAL}) (i32.const 3))
    (call $ok (call $poll_stdin (i32.const 65536)) (i32.const 4))
    (call $check (call $r) (i32.const 65536) (i32.const 5))
    ;; the last event is the last subscription's
    (call $check (call $ev_userdata (i32.const {last})) (i32.const 65535) (i32.const 6)))
"#,
        last = events + 65535 * 32,
    ))
    .run();
    assert!(!out.stderr.contains("trapped"), "{}", out.stderr);
    out.assert_success();
    held("poll_with_too_many_delegated_subscriptions_is_inval");
}

/// A connected UDP socket and a native peer: 1025 iovecs are `inval` for
/// fd_write, sock_send, fd_read and sock_recv, whether entry 1025 is good
/// or bad (it used to be dropped unchecked and the call to succeed); exactly
/// 1024 one-byte iovecs move one 1024-byte datagram each way.
///
/// Memory: the iovec array at 8192 (1025 entries), the bytes sent at
/// 20480..21504, received at 24576..25600.
#[test]
fn socket_iovecs_past_iov_max_are_inval() {
    let peer = udp("127.0.0.1");
    // Loopback datagrams are instant; a guest that failed a check sends no more.
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = peer.local_addr().unwrap().port();
    let guest = Guest::new(&format!(
        r#"
  ;; iovecs i = 0..1025 at 8192 point at base + i, one byte each
  (func $iovecs (param $base i32) (local $i i32)
    (loop $l
      (i32.store (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 3))) (i32.add (local.get $base) (local.get $i)))
      (i32.store offset=4 (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 3))) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1025)))))
  (func $all_inval (param $fd i32) (param $id i32)
    (call $check (call $fd_write (local.get $fd) (i32.const 8192) (i32.const 1025) (i32.const 16)) (i32.const {INVAL}) (local.get $id))
    (call $check (call $sock_send (local.get $fd) (i32.const 8192) (i32.const 1025) (i32.const 0) (i32.const 16))
      (i32.const {INVAL}) (i32.add (local.get $id) (i32.const 1)))
    (call $check (call $fd_read (local.get $fd) (i32.const 8192) (i32.const 1025) (i32.const 16)) (i32.const {INVAL})
      (i32.add (local.get $id) (i32.const 2)))
    (call $check (call $sock_recv (local.get $fd) (i32.const 8192) (i32.const 1025) (i32.const 0) (i32.const 16) (i32.const 24))
      (i32.const {INVAL}) (i32.add (local.get $id) (i32.const 3))))
  (func $main (local $fd i32) (local $i i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    (loop $fill
      (i32.store8 (i32.add (i32.const 20480) (local.get $i)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 1024))))
    ;; 1025 good iovecs, then with entry 1025 past memory
    (call $iovecs (i32.const 20480))
    (call $all_inval (local.get $fd) (i32.const 10))
    (i32.store (i32.const 16384) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 16388) (i32.const 16))
    (call $all_inval (local.get $fd) (i32.const 20))
    ;; 1024: one datagram of 1024 bytes
    (call $ok (call $fd_write (local.get $fd) (i32.const 8192) (i32.const 1024) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const 1024) (i32.const 4))
    ;; the peer's two datagrams, each into 1024 iovecs, each echoed as one buffer
    (call $iovecs (i32.const 24576))
    (call $ok (call $sock_recv (local.get $fd) (i32.const 8192) (i32.const 1024) (i32.const 0) (i32.const 16) (i32.const 24)) (i32.const 5))
    (call $check (call $r) (i32.const 1024) (i32.const 6))
    (call $check (i32.load16_u (i32.const 24)) (i32.const 0) (i32.const 7))
    (call $write_all (local.get $fd) (i32.const 24576) (i32.const 1024))
    (call $ok (call $fd_read (local.get $fd) (i32.const 8192) (i32.const 1024) (i32.const 16)) (i32.const 8))
    (call $check (call $r) (i32.const 1024) (i32.const 9))
    (call $write_all (local.get $fd) (i32.const 24576) (i32.const 1024)))
"#
    ))
    .flags(&["--allow-connect", &format!("127.0.0.1:{port}")])
    .spawn();
    // The peer: what the 1024 iovecs sent, and the echoes of what they received.
    let replies: [Vec<u8>; 2] =
        [(0..1024u32).map(|i| (i * 3) as u8).collect(), (0..1024u32).map(|i| (i * 5 + 1) as u8).collect()];
    let native = std::thread::spawn(move || -> std::io::Result<Vec<Vec<u8>>> {
        let mut buf = vec![0u8; 4096];
        let (n, from) = peer.recv_from(&mut buf)?;
        let mut got = vec![buf[..n].to_vec()];
        for r in &replies {
            peer.send_to(r, from)?;
        }
        for _ in &replies {
            let n = peer.recv(&mut buf)?;
            got.push(buf[..n].to_vec());
        }
        Ok(got)
    });
    guest.wait().assert_success();
    let got = native.join().unwrap().expect("the guest's datagrams");
    assert_eq!(got[0], (0..1024u32).map(|i| i as u8).collect::<Vec<_>>(), "the datagram of 1024 iovecs");
    assert_eq!(got[1], (0..1024u32).map(|i| (i * 3) as u8).collect::<Vec<_>>(), "what sock_recv's 1024 iovecs got");
    assert_eq!(got[2], (0..1024u32).map(|i| (i * 5 + 1) as u8).collect::<Vec<_>>(), "what fd_read's 1024 iovecs got");
    held("socket_iovecs_past_iov_max_are_inval");
}

/// Checks for one boolean option on `fd`: the values 2, 0x100, 0x101 and
/// -1 are `inval` and leave it as it was, before and after it is flipped
/// with a good value. Check ids `id..id + 8`.
fn flag_checks(ident: &str, level: u32, name: u32, fd: i32, id: usize) -> String {
    let opt = format!("(i32.const {fd}) (i32.const {level}) (i32.const {name})");
    let rejected = |id: usize| -> String {
        [2, 0x100, 0x101, -1]
            .iter()
            .map(|v| {
                format!("    (call $check (call $setopt {opt} (i32.const {v})) (i32.const {INVAL}) (i32.const {id}))\n")
            })
            .collect()
    };
    let (before, after) = (rejected(id + 1), rejected(id + 5));
    format!(
        r#"
    ;; {ident}: the value, kept at 1000; bad values; unchanged
    (call $ok (call $getopt {opt}) (i32.const {id}))
    (i32.store (i32.const 1000) (call $r))
{before}
    (call $ok (call $getopt {opt}) (i32.const {}))
    (call $check (call $r) (i32.load (i32.const 1000)) (i32.const {}))
    ;; flipped; bad values; still flipped
    (call $ok (call $setopt {opt} (i32.eqz (i32.load (i32.const 1000)))) (i32.const {}))
{after}
    (call $ok (call $getopt {opt}) (i32.const {}))
    (call $check (call $r) (i32.eqz (i32.load (i32.const 1000))) (i32.const {}))
"#,
        id + 2,
        id + 3,
        id + 4,
        id + 6,
        id + 7,
    )
}

/// Every boolean option of the spec, and linger's `on`, take 0 or 1; any
/// other value is `inval` and the option keeps its value.
#[test]
fn boolean_options_take_only_0_and_1() {
    use wasock_host::spec::{parse_options, Applies, OptType, SPEC};
    // fds: 4 a TCP socket, 5 a UDP socket, 6 a TCP/IPv6 socket.
    let v6 = have_ipv6();
    let flags: Vec<_> = parse_options(SPEC)
        .unwrap()
        .into_iter()
        .filter(|o| o.ty == OptType::Bool)
        .filter_map(|o| match o.applies {
            Applies::Any => Some((o, 5)),
            Applies::Stream => Some((o, 4)),
            Applies::Inet6 => v6.then_some((o, 6)),
            // The tls options are read-only and have no booleans.
            Applies::Tls => None,
        })
        .collect();
    assert!((6..=9).contains(&flags.len()), "{} boolean options: the check ids below assume 6 to 9", flags.len());
    let open6 = if v6 {
        "(call $ok (call $open (i32.const 3) (i32.const 2) (i32.const 6) (i32.const 16)) (i32.const 3))"
    } else {
        ""
    };
    let body: String =
        flags.iter().enumerate().map(|(k, (o, fd))| flag_checks(&o.ident, o.level, o.name, *fd, 4 + 9 * k)).collect();
    let out = Guest::new(&format!(
        r#"
  (func $main
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 2))
    {open6}
{body}
    ;; socket.linger (1.9), {{on, secs}} as on | secs << 32: off; a bad `on`
    ;; leaves it off; on for 5 s; bad `on`s leave that
    (call $check (call $setopt64 (i32.const 4) (i32.const 1) (i32.const 9) (i64.const 0x500000002)) (i32.const {INVAL})
      (i32.const 90))
    (call $ok (call $getopt (i32.const 4) (i32.const 1) (i32.const 9)) (i32.const 91))
    (call $check (call $r) (i32.const 0) (i32.const 92))
    (call $ok (call $setopt64 (i32.const 4) (i32.const 1) (i32.const 9) (i64.const 0x500000001)) (i32.const 93))
    (call $check (call $setopt64 (i32.const 4) (i32.const 1) (i32.const 9) (i64.const 0x700000100)) (i32.const {INVAL})
      (i32.const 94))
    (call $check (call $setopt64 (i32.const 4) (i32.const 1) (i32.const 9) (i64.const 0x7ffffffff)) (i32.const {INVAL})
      (i32.const 95))
    (call $ok (call $getopt (i32.const 4) (i32.const 1) (i32.const 9)) (i32.const 96))
    (call $check (call $r) (i32.const 1) (i32.const 97))
    (call $check (i32.load (i32.const 20)) (i32.const 5) (i32.const 98)))
"#
    ))
    .flags(&["--allow-connect", "127.0.0.1:1"])
    .run();
    out.assert_success();
    held("boolean_options_take_only_0_and_1");
}
