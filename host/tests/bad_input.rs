//! No guest input traps the instance or panics the host: bad pointers are
//! `fault`, unknown fds `badf`, fds of the wrong kind `notsock`, unknown
//! enum values `inval`. Each guest exits 0 only if every check passed (a
//! trap would be 134).
//!
//! Memory is one page (65536 bytes); pool fd 3; the first socket is fd 4.

mod common;

use common::*;

fn run_checks(body: &str) {
    let out = Guest::new(&format!(
        r#"
  (data (i32.const 1024) "data")
  (data (i32.const 1040) "localhost")
  {body}
"#
    ))
    .flags(&["--allow-connect", "127.0.0.1:1", "--allow-bind", "127.0.0.1", "--allow-resolve", "*"])
    .run();
    out.assert_success();
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn bad_pointers_are_fault() {
    run_checks(
        r#"
  (func $main (local $fd i32)
    ;; open: ret_fd out of memory, straddling its end, wrapping
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 0xFFFFFFF0)) (i32.const 21) (i32.const 1))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 65534)) (i32.const 21) (i32.const 2))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 65536)) (i32.const 21) (i32.const 3))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const -1)) (i32.const 21) (i32.const 4))
    ;; no socket was left behind by those: the next is fd 4
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 65532)) (i32.const 5))
    (local.set $fd (i32.load (i32.const 65532)))
    (call $check (local.get $fd) (i32.const 4) (i32.const 6))

    ;; connect / bind: addr out of bounds
    (call $check (call $connect (local.get $fd) (i32.const 65530)) (i32.const 21) (i32.const 7))
    (call $check (call $connect (local.get $fd) (i32.const 0xFFFFFFFC)) (i32.const 21) (i32.const 8))
    (call $check (call $bind (local.get $fd) (i32.const 65509)) (i32.const 21) (i32.const 9))
    (call $check (call $addr_local (local.get $fd) (i32.const 65520)) (i32.const 21) (i32.const 10))

    ;; fd_write: iovec array out of bounds, a buffer that wraps or overruns; a
    ;; huge count is past IOV_MAX, inval before any bounds check (as on Linux)
    (call $check (call $fd_write (local.get $fd) (i32.const 65530) (i32.const 1) (i32.const 16)) (i32.const 21) (i32.const 11))
    (call $check (call $fd_write (local.get $fd) (i32.const 1200) (i32.const 0x20000000) (i32.const 16)) (i32.const 28) (i32.const 12))
    (i32.store (i32.const 1200) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 1204) (i32.const 0x20))
    (call $check (call $fd_write (local.get $fd) (i32.const 1200) (i32.const 1) (i32.const 16)) (i32.const 21) (i32.const 13))
    (i32.store (i32.const 1200) (i32.const 100)) (i32.store (i32.const 1204) (i32.const 0xFFFFFFFF))
    (call $check (call $fd_write (local.get $fd) (i32.const 1200) (i32.const 1) (i32.const 16)) (i32.const 21) (i32.const 14))
    (i32.store (i32.const 1200) (i32.const 65000)) (i32.store (i32.const 1204) (i32.const 537))
    (call $check (call $fd_write (local.get $fd) (i32.const 1200) (i32.const 1) (i32.const 16)) (i32.const 21) (i32.const 15))
    ;; a good iovec followed by a bad one is still fault
    (i32.store (i32.const 1200) (i32.const 1024)) (i32.store (i32.const 1204) (i32.const 4))
    (i32.store (i32.const 1208) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 1212) (i32.const 0x20))
    (call $check (call $fd_write (local.get $fd) (i32.const 1200) (i32.const 2) (i32.const 16)) (i32.const 21) (i32.const 16))
    ;; nwritten out of bounds
    (i32.store (i32.const 1200) (i32.const 1024)) (i32.store (i32.const 1204) (i32.const 4))
    (call $check (call $fd_write (local.get $fd) (i32.const 1200) (i32.const 1) (i32.const 65535)) (i32.const 21) (i32.const 17))
    ;; fd_read the same way
    (call $check (call $fd_read (local.get $fd) (i32.const 65530) (i32.const 1) (i32.const 16)) (i32.const 21) (i32.const 18))
    (i32.store (i32.const 1200) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 1204) (i32.const 0x20))
    (call $check (call $fd_read (local.get $fd) (i32.const 1200) (i32.const 1) (i32.const 16)) (i32.const 21) (i32.const 19))

    ;; recv / send: buffer or ret_len out of bounds, and length that wraps
    (call $check (call $recv (local.get $fd) (i32.const 65000) (i32.const 1000) (i32.const 0) (i32.const 16)) (i32.const 21) (i32.const 20))
    (call $check (call $recv (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 65534)) (i32.const 21) (i32.const 21))
    (call $check (call $send (local.get $fd) (i32.const 100) (i32.const -1) (i32.const 0) (i32.const 16)) (i32.const 21) (i32.const 22))
    (call $check (call $send (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const -4)) (i32.const 21) (i32.const 23))
    (call $check (call $recv_from (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 16) (i32.const 65530))
      (i32.const 21) (i32.const 24))
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))
    (call $check (call $send_to (local.get $fd) (i32.const 65535) (i32.const 2) (i32.const 0) (i32.const 1300) (i32.const 16))
      (i32.const 21) (i32.const 25))
    (call $check (call $send_to (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 65520) (i32.const 16))
      (i32.const 21) (i32.const 26))

    ;; addr_resolve: host_len huge, host out of bounds, buf_count huge, ret_count out of bounds
    (call $check (call $addr_resolve (i32.const 3) (i32.const 1040) (i32.const 0xFFFFFFFF) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 21) (i32.const 27))
    (call $check (call $addr_resolve (i32.const 3) (i32.const 65530) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 21) (i32.const 28))
    (call $check (call $addr_resolve (i32.const 3) (i32.const 1040) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 0x10000000) (i32.const 16)) (i32.const 21) (i32.const 29))
    (call $check (call $addr_resolve (i32.const 3) (i32.const 1040) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 65534)) (i32.const 21) (i32.const 30))

    ;; accept / options / take_error: out-pointers out of bounds
    (call $check (call $accept (local.get $fd) (i32.const 0) (i32.const 65534) (i32.const 1300)) (i32.const 21) (i32.const 31))
    (call $check (call $accept (local.get $fd) (i32.const 0) (i32.const 16) (i32.const 65520)) (i32.const 21) (i32.const 32))
    ;; socket.reuse_addr (1.1), socket.recv_timeout (1.7): buffer or length pointer out of bounds
    (call $check (call $sockopt_get (local.get $fd) (i32.const 1) (i32.const 1) (i32.const 65536) (i32.const 4) (i32.const 16))
      (i32.const 21) (i32.const 33))
    (call $check (call $sockopt_get (local.get $fd) (i32.const 1) (i32.const 1) (i32.const 65534) (i32.const 4) (i32.const 16))
      (i32.const 21) (i32.const 34))
    (call $check (call $sockopt_get (local.get $fd) (i32.const 1) (i32.const 7) (i32.const 65530) (i32.const 8) (i32.const 16))
      (i32.const 21) (i32.const 35))
    (call $check (call $sockopt_get (local.get $fd) (i32.const 1) (i32.const 7) (i32.const 1024) (i32.const 8) (i32.const 65534))
      (i32.const 21) (i32.const 36))
    (call $check (call $take_error (local.get $fd) (i32.const 65535)) (i32.const 21) (i32.const 37))
    (call $check (call $join_multicast (local.get $fd) (i32.const 65530) (i32.const 0)) (i32.const 21) (i32.const 38))

    ;; poll_oneoff: subscriptions, events or the count out of bounds
    (call $sub_clock (i32.const 2048) (i32.const 1) (i64.const 0))
    (call $check (call $poll_oneoff (i32.const 65500) (i32.const 2560) (i32.const 1) (i32.const 16)) (i32.const 21) (i32.const 39))
    (call $check (call $poll_oneoff (i32.const 2048) (i32.const 65530) (i32.const 1) (i32.const 16)) (i32.const 21) (i32.const 40))
    (call $check (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 0x10000000) (i32.const 16)) (i32.const 21) (i32.const 41))
    (call $check (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 1) (i32.const 65534)) (i32.const 21) (i32.const 42))

    ;; after all that, the socket still works: bind and read its address
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $ok (call $bind (local.get $fd) (i32.const 1300)) (i32.const 43))
    (call $ok (call $addr_local (local.get $fd) (i32.const 1400)) (i32.const 44))
    (call $check (i32.load8_u (i32.const 1400)) (i32.const 1) (i32.const 45)))
"#,
    );
}

#[test]
fn bad_fds_are_badf_or_notsock() {
    run_checks(
        r#"
  (func $main (local $fd i32)
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))
    ;; nothing open there: badf
    (call $check (call $open (i32.const 99) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 8) (i32.const 1))
    (call $check (call $open (i32.const -1) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 8) (i32.const 2))
    (call $check (call $connect (i32.const 99) (i32.const 1300)) (i32.const 8) (i32.const 3))
    (call $check (call $listen (i32.const 0x7FFFFFFF) (i32.const 1)) (i32.const 8) (i32.const 4))
    (call $check (call $recv (i32.const -5) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 8) (i32.const 5))
    (call $check (call $close (i32.const 99)) (i32.const 8) (i32.const 6))
    (call $check (call $fd_close (i32.const 99)) (i32.const 8) (i32.const 7))
    (i32.store (i32.const 1200) (i32.const 1024)) (i32.store (i32.const 1204) (i32.const 4))
    (call $check (call $fd_write (i32.const 99) (i32.const 1200) (i32.const 1) (i32.const 16)) (i32.const 8) (i32.const 8))
    (call $check (call $take_error (i32.const 99) (i32.const 16)) (i32.const 8) (i32.const 9))
    (call $check (call $addr_resolve (i32.const 99) (i32.const 1040) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 8) (i32.const 10))
    (call $check (call $setopt (i32.const 99) (i32.const 4) (i32.const 1) (i32.const 1)) (i32.const 8) (i32.const 11))

    ;; the pool (fd 3) where a socket is expected: notsock
    (call $check (call $connect (i32.const 3) (i32.const 1300)) (i32.const 57) (i32.const 20))
    (call $check (call $bind (i32.const 3) (i32.const 1300)) (i32.const 57) (i32.const 21))
    (call $check (call $listen (i32.const 3) (i32.const 1)) (i32.const 57) (i32.const 22))
    (call $check (call $accept (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 1400)) (i32.const 57) (i32.const 23))
    (call $check (call $recv (i32.const 3) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 57) (i32.const 24))
    (call $check (call $send (i32.const 3) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 57) (i32.const 25))
    (call $check (call $shutdown (i32.const 3) (i32.const 3)) (i32.const 57) (i32.const 26))
    (call $check (call $addr_local (i32.const 3) (i32.const 1400)) (i32.const 57) (i32.const 27))
    (call $check (call $take_error (i32.const 3) (i32.const 16)) (i32.const 57) (i32.const 28))
    (call $check (call $setopt (i32.const 3) (i32.const 1) (i32.const 1) (i32.const 1)) (i32.const 57) (i32.const 29))
    ;; stdout where a socket or a pool is expected: notsock
    (call $check (call $connect (i32.const 1) (i32.const 1300)) (i32.const 57) (i32.const 30))
    (call $check (call $open (i32.const 1) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 57) (i32.const 31))
    (call $check (call $addr_resolve (i32.const 1) (i32.const 1040) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 57) (i32.const 32))
    ;; a socket where a pool is expected: notsock
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 40))
    (local.set $fd (call $r))
    (call $check (call $open (local.get $fd) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 57) (i32.const 41))
    (call $check (call $addr_resolve (local.get $fd) (i32.const 1040) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 57) (i32.const 42))
    ;; a poll subscription on a bad fd is an event with error badf, not a hang
    (call $sub_fd (i32.const 2048) (i32.const 5) (i32.const 1) (i32.const 99))
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 1) (i32.const 16)) (i32.const 43))
    (call $check (call $r) (i32.const 1) (i32.const 44))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 5) (i32.const 45))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 8) (i32.const 46)))
"#,
    );
}

#[test]
fn bad_values_are_inval() {
    run_checks(
        r#"
  (func $main (local $fd i32)
    ;; family and type
    (call $check (call $open (i32.const 3) (i32.const 0) (i32.const 6) (i32.const 16)) (i32.const 28) (i32.const 1))
    (call $check (call $open (i32.const 3) (i32.const 3) (i32.const 6) (i32.const 16)) (i32.const 28) (i32.const 2))
    (call $check (call $open (i32.const 3) (i32.const 0x101) (i32.const 6) (i32.const 16)) (i32.const 28) (i32.const 3))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 16)) (i32.const 28) (i32.const 4))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 1) (i32.const 16)) (i32.const 28) (i32.const 5))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 0x106) (i32.const 16)) (i32.const 28) (i32.const 6))
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 7))
    (local.set $fd (call $r))
    (call $check (local.get $fd) (i32.const 4) (i32.const 8))

    ;; addr records: reserved byte set, unknown family, inet4 with inet6 fields set
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))
    (i32.store8 (i32.const 1301) (i32.const 1))
    (call $check (call $connect (local.get $fd) (i32.const 1300)) (i32.const 28) (i32.const 10))
    (call $check (call $bind (local.get $fd) (i32.const 1300)) (i32.const 28) (i32.const 11))
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))
    (i32.store8 (i32.const 1300) (i32.const 9))
    (call $check (call $connect (local.get $fd) (i32.const 1300)) (i32.const 28) (i32.const 12))
    (i32.store8 (i32.const 1300) (i32.const 0))
    (call $check (call $connect (local.get $fd) (i32.const 1300)) (i32.const 28) (i32.const 13))
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))
    (i32.store8 (i32.const 1320) (i32.const 1))
    (call $check (call $connect (local.get $fd) (i32.const 1300)) (i32.const 28) (i32.const 14))
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))
    (i32.store8 (i32.const 1304) (i32.const 1))
    (call $check (call $connect (local.get $fd) (i32.const 1300)) (i32.const 28) (i32.const 15))

    ;; flags and enums
    (call $check (call $recv (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 4) (i32.const 16)) (i32.const 28) (i32.const 20))
    (call $check (call $recv (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 0x10001) (i32.const 16)) (i32.const 28) (i32.const 21))
    (call $check (call $send (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 1) (i32.const 16)) (i32.const 28) (i32.const 22))
    (call $check (call $shutdown (local.get $fd) (i32.const 0)) (i32.const 28) (i32.const 23))
    (call $check (call $shutdown (local.get $fd) (i32.const 4)) (i32.const 28) (i32.const 24))
    (call $check (call $shutdown (local.get $fd) (i32.const 0x102)) (i32.const 28) (i32.const 25))
    (call $check (call $accept (local.get $fd) (i32.const 1) (i32.const 16) (i32.const 1400)) (i32.const 28) (i32.const 26))
    (call $check (call $accept (local.get $fd) (i32.const 0x10004) (i32.const 16) (i32.const 1400)) (i32.const 28) (i32.const 27))
    (call $check (call $fd_fdstat_set_flags (local.get $fd) (i32.const 1)) (i32.const 28) (i32.const 28))
    (call $check (call $addr_resolve (i32.const 3) (i32.const 1040) (i32.const 9) (i32.const 0x10000) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 28) (i32.const 29))
    (call $check (call $addr_resolve (i32.const 3) (i32.const 1040) (i32.const 9) (i32.const 80) (i32.const 3) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 28) (i32.const 30))
    (call $check (call $addr_resolve (i32.const 3) (i32.const 1040) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 8)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 28) (i32.const 31))
    ;; an empty host name
    (call $check (call $addr_resolve (i32.const 3) (i32.const 1040) (i32.const 0) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 4) (i32.const 16)) (i32.const 28) (i32.const 32))
    ;; poll_oneoff: no subscriptions, an unknown subscription tag
    (call $check (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 0) (i32.const 16)) (i32.const 28) (i32.const 33))
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 9) (local.get $fd))
    (call $check (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 1) (i32.const 16)) (i32.const 28) (i32.const 34))
    ;; a multicast group that is not multicast
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $check (call $join_multicast (local.get $fd) (i32.const 1300) (i32.const 0)) (i32.const 28) (i32.const 35))

    ;; none of that changed the socket: still blocking, still unconnected
    (call $ok (call $fd_fdstat_get (local.get $fd) (i32.const 1600)) (i32.const 40))
    (call $check (i32.load16_u (i32.const 1602)) (i32.const 0) (i32.const 41))
    (call $check (call $addr_remote (local.get $fd) (i32.const 1400)) (i32.const 53) (i32.const 42)))
"#,
    );
}
