//! Edge-triggered readiness (`wasock.edge_triggered`, for async runtimes):
//! a direction reported ready is not reported again until an operation in
//! that direction answers `again`; level-triggered (the default) reports
//! it on every call.

mod common;

use common::*;
use std::io::{Read, Write};

/// The guest: connects to the peer at `port`, then checks each step; the
/// peer sends "abc" at once, and "d" after reading "go".
fn guest(port: u16) -> String {
    format!(
        r#"
  ;; Polls fd for `kind` (1 read, 2 write) with a `ns` clock; returns the
  ;; userdata of the first event (1 the fd, 2 the clock).
  (func $poll2 (param $fd i32) (param $kind i32) (param $ns i64) (result i32)
    (call $sub_fd (i32.const 2000) (i32.const 1) (local.get $kind) (local.get $fd))
    (call $sub_clock (i32.const 2048) (i32.const 2) (local.get $ns))
    (call $ok (call $poll_oneoff (i32.const 2000) (i32.const 3000) (i32.const 2) (i32.const 16)) (i32.const 90))
    (call $ev_userdata (i32.const 3000)))
  (func $edge (param $fd i32) (param $on i32)
    (call $ok (call $setopt (local.get $fd) (i32.const 5) (i32.const 1) (local.get $on)) (i32.const 91)))
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    ;; off by default; a value other than 0 or 1 is inval
    (call $ok (call $getopt (local.get $fd) (i32.const 5) (i32.const 1)) (i32.const 3))
    (call $check (call $r) (i32.const 0) (i32.const 4))
    (call $check (call $setopt (local.get $fd) (i32.const 5) (i32.const 1) (i32.const 2)) (i32.const 28) (i32.const 5))
    (call $edge (local.get $fd) (i32.const 1))

    ;; writable: reported once, then the idle socket does not wake the guest
    (call $check (call $poll2 (local.get $fd) (i32.const 2) (i64.const 2000000000)) (i32.const 1) (i32.const 10))
    (call $check (call $poll2 (local.get $fd) (i32.const 2) (i64.const 100000000)) (i32.const 2) (i32.const 11))
    ;; readable once "abc" is there, then not again while it is unread
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 5000000000)) (i32.const 1) (i32.const 12))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 2) (i32.const 13))
    ;; level-triggered reports it every time; switching back re-arms
    (call $edge (local.get $fd) (i32.const 0))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 1) (i32.const 14))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 1) (i32.const 15))
    (call $edge (local.get $fd) (i32.const 1))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 1) (i32.const 16))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 2) (i32.const 17))
    ;; drain to `again`: that re-arms reading
    (call $ok (call $fd_fdstat_set_flags (local.get $fd) (i32.const 4)) (i32.const 18))
    (call $read_exact (local.get $fd) (i32.const 1200) (i32.const 3))
    (call $check (call $recv (local.get $fd) (i32.const 1200) (i32.const 16) (i32.const 0) (i32.const 16)) (i32.const 6) (i32.const 19))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 2) (i32.const 20))
    ;; the peer's next byte is reported
    (call $write_all (local.get $fd) (i32.const 1024) (i32.const 2))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 5000000000)) (i32.const 1) (i32.const 21))
    (call $print (i32.const 1024) (i32.const 2)) (call $nl))
  (data (i32.const 1024) "go")
"#
    )
}

#[test]
fn edge_triggered_reports_a_direction_once_until_again() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        s.write_all(b"abc").unwrap();
        let mut go = [0u8; 2];
        s.read_exact(&mut go).unwrap();
        assert_eq!(&go, b"go");
        s.write_all(b"d").unwrap();
        let _ = s.read(&mut [0u8; 1]);
    });
    let out = Guest::new(&guest(port)).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    assert_eq!(out.stdout.trim(), "go");
    peer.join().unwrap();
}
