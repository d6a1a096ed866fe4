//! Sockets as preview-1 fds: `sock_accept`/`sock_recv`/`sock_send`/
//! `sock_shutdown`, fdstat and filestat, `fd_seek`, `fd_renumber`,
//! non-blocking reads, receive timeouts, options, and one fd number space
//! shared with files.

mod common;

use common::*;
use std::net::SocketAddr;

#[test]
fn preview1_sock_calls() {
    let port = free_port();
    let wat = format!(
        r#"
  (data (i32.const 1024) "world")
  (func $main (local $l i32) (local $c i32) (local $d i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $l (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $bind (local.get $l) (i32.const 1100)) (i32.const 2))
    (call $ok (call $listen (local.get $l) (i32.const 1)) (i32.const 3))
    ;; nothing pending on a second, non-blocking listener (ephemeral port,
    ;; nobody connects): accept is `again`, by either call. (The accept
    ;; flags are the new socket's fdflags; the listener's own flag decides
    ;; whether accept waits, as with accept4.)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 30))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $ok (call $bind (call $r) (i32.const 1100)) (i32.const 31))
    (call $ok (call $listen (call $r) (i32.const 1)) (i32.const 32))
    (call $ok (call $fd_fdstat_set_flags (call $r) (i32.const 4)) (i32.const 34))
    (call $check (call $sock_accept (call $r) (i32.const 0) (i32.const 24)) (i32.const 6) (i32.const 4))
    (call $check (call $accept (call $r) (i32.const 4) (i32.const 24) (i32.const 1200)) (i32.const 6) (i32.const 5))
    (call $ok (call $close (call $r)) (i32.const 33))
    ;; a read subscription on the listener fires when a client is pending
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $l))
    (call $sub_clock (i32.const 2096) (i32.const 2) (i64.const 15000000000))
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 2) (i32.const 16)) (i32.const 6))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 1) (i32.const 7))
    ;; sock_accept with nonblock: the new socket is non-blocking
    (call $ok (call $sock_accept (local.get $l) (i32.const 4) (i32.const 16)) (i32.const 8))
    (local.set $c (call $r))
    (call $ok (call $fd_fdstat_get (local.get $c) (i32.const 1600)) (i32.const 9))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 6) (i32.const 10))
    (call $check (i32.load16_u (i32.const 1602)) (i32.const 4) (i32.const 11))
    (call $ok (call $fd_fdstat_set_flags (local.get $c) (i32.const 0)) (i32.const 12))
    ;; sock_recv with waitall into two iovecs: "hel" + "lo"
    (i32.store (i32.const 1300) (i32.const 2048)) (i32.store (i32.const 1304) (i32.const 3))
    (i32.store (i32.const 1308) (i32.const 2051)) (i32.store (i32.const 1312) (i32.const 2))
    (call $ok (call $sock_recv (local.get $c) (i32.const 1300) (i32.const 2) (i32.const 2) (i32.const 16) (i32.const 24)) (i32.const 13))
    (call $check (call $r) (i32.const 5) (i32.const 14))
    (call $check (i32.load16_u (i32.const 24)) (i32.const 0) (i32.const 15))
    (call $print (i32.const 2048) (i32.const 5)) (call $nl)
    ;; sock_send
    (i32.store (i32.const 1300) (i32.const 1024)) (i32.store (i32.const 1304) (i32.const 5))
    (call $ok (call $sock_send (local.get $c) (i32.const 1300) (i32.const 1) (i32.const 0) (i32.const 16)) (i32.const 16))
    (call $check (call $r) (i32.const 5) (i32.const 17))
    ;; filestat: filetype 6 at offset 16; seeking is spipe
    (call $ok (call $fd_filestat_get (local.get $c) (i32.const 1700)) (i32.const 18))
    (call $check (i32.load8_u (i32.const 1716)) (i32.const 6) (i32.const 19))
    (call $check (call $fd_seek (local.get $c) (i64.const 0) (i32.const 0) (i32.const 16)) (i32.const 70) (i32.const 20))
    ;; renumber onto another open socket (preview 1, as wasmtime-wasi: the
    ;; target must be open, else badf); the old number is gone
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 40))
    (local.set $d (call $r))
    (call $check (call $fd_renumber (local.get $c) (i32.const 50)) (i32.const 8) (i32.const 41))
    (call $ok (call $fd_renumber (local.get $c) (local.get $d)) (i32.const 21))
    (call $check (call $sock_send (local.get $c) (i32.const 1300) (i32.const 1) (i32.const 0) (i32.const 16)) (i32.const 8) (i32.const 22))
    (call $ok (call $addr_remote (local.get $d) (i32.const 1400)) (i32.const 23))
    (call $print_hex (i32.const 1400) (i32.const 28)) (call $nl)
    ;; shut the write side: the peer sees EOF; a later send is pipe
    (call $ok (call $sock_shutdown (local.get $d) (i32.const 2)) (i32.const 24))
    (call $check (call $sock_send (local.get $d) (i32.const 1300) (i32.const 1) (i32.const 0) (i32.const 16)) (i32.const 64) (i32.const 25))
    (call $check (call $sock_shutdown (local.get $d) (i32.const 0)) (i32.const 28) (i32.const 26))
    ;; the lowest free number is the old one
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 27))
    (call $check (call $r) (local.get $c) (i32.const 28)))
"#
    );
    let guest = Guest::new(&wat).flags(&["--allow-bind", "127.0.0.1"]).spawn();
    let peer = std::thread::spawn(move || {
        let mut s = connect_retry(SocketAddr::from(([127, 0, 0, 1], port)));
        // Two writes, so waitall has to gather them.
        write(&mut s, b"hel");
        std::thread::sleep(std::time::Duration::from_millis(50));
        write(&mut s, b"lo");
        (read_to_eof(&mut s), s.local_addr().unwrap())
    });
    let out = guest.wait();
    out.assert_success();
    let (got, client) = peer.join().expect("native peer");
    assert_eq!(got, b"world", "sock_send's bytes, then EOF from sock_shutdown");
    let lines = out.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], "hello");
    assert_eq!(parse_addr_hex(lines[1]), client, "the renumbered socket is the same connection");
}

/// Non-blocking reads are `again`; a receive timeout expires as `again`
/// after about its time.
#[test]
fn nonblocking_read_and_recv_timeout() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        read_to_eof(&mut s)
    });
    let wat = format!(
        r#"
  (func $main (local $fd i32) (local $t0 i64) (local $dt i64)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    (call $ok (call $fd_fdstat_set_flags (local.get $fd) (i32.const 4)) (i32.const 3))
    (i32.store (i32.const 1300) (i32.const 2048)) (i32.store (i32.const 1304) (i32.const 16))
    (call $check (call $fd_read (local.get $fd) (i32.const 1300) (i32.const 1) (i32.const 16)) (i32.const 6) (i32.const 4))
    (call $check (call $recv (local.get $fd) (i32.const 2048) (i32.const 16) (i32.const 0) (i32.const 16)) (i32.const 6) (i32.const 5))
    (call $check (call $sock_recv (local.get $fd) (i32.const 1300) (i32.const 1) (i32.const 0) (i32.const 16) (i32.const 24))
      (i32.const 6) (i32.const 6))
    (call $ok (call $fd_fdstat_set_flags (local.get $fd) (i32.const 0)) (i32.const 7))
    ;; 100 ms receive timeout (socket.recv_timeout = 1.7)
    (call $ok (call $setopt64 (local.get $fd) (i32.const 1) (i32.const 7) (i64.const 100000000)) (i32.const 8))
    (call $ok (call $getopt (local.get $fd) (i32.const 1) (i32.const 7)) (i32.const 9))
    (call $assert (i64.eq (i64.load (i32.const 16)) (i64.const 100000000)) (i32.const 10))
    (local.set $t0 (call $now))
    (call $check (call $recv (local.get $fd) (i32.const 2048) (i32.const 16) (i32.const 0) (i32.const 16)) (i32.const 6) (i32.const 11))
    (local.set $dt (i64.sub (call $now) (local.get $t0)))
    (call $assert (i64.ge_u (local.get $dt) (i64.const 80000000)) (i32.const 12))
    (call $assert (i64.lt_u (local.get $dt) (i64.const 5000000000)) (i32.const 13))
    ;; 0 turns it off
    (call $ok (call $setopt64 (local.get $fd) (i32.const 1) (i32.const 7) (i64.const 0)) (i32.const 14))
    (call $ok (call $getopt (local.get $fd) (i32.const 1) (i32.const 7)) (i32.const 15))
    (call $assert (i64.eqz (i64.load (i32.const 16))) (i32.const 16)))
"#
    );
    let out = Guest::new(&wat).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    assert!(peer.join().expect("native peer").is_empty());
}

/// Options through `sockopt_set`/`sockopt_get` (the spec's numbers): what
/// is set is what is read back, as the kernel stores it.
#[test]
fn socket_options_round_trip() {
    let wat = r#"
  (func $main (local $t i32) (local $u i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $t (call $r))
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 2))
    (local.set $u (call $r))

    ;; tcp.nodelay (4.1): on, read back as a 4-byte 1; off again
    (call $ok (call $setopt (local.get $t) (i32.const 4) (i32.const 1) (i32.const 1)) (i32.const 10))
    (call $ok (call $getopt (local.get $t) (i32.const 4) (i32.const 1)) (i32.const 11))
    (call $check (call $r) (i32.const 1) (i32.const 12))
    (call $check (call $r2) (i32.const 4) (i32.const 13))
    (call $ok (call $setopt (local.get $t) (i32.const 4) (i32.const 1) (i32.const 0)) (i32.const 14))
    (call $ok (call $getopt (local.get $t) (i32.const 4) (i32.const 1)) (i32.const 15))
    (call $check (call $r) (i32.const 0) (i32.const 16))

    ;; tcp.keepidle (4.3), keepintvl, keepcnt: the kernel's ranges
    (call $ok (call $setopt (local.get $t) (i32.const 4) (i32.const 3) (i32.const 30)) (i32.const 20))
    (call $ok (call $getopt (local.get $t) (i32.const 4) (i32.const 3)) (i32.const 21))
    (call $check (call $r) (i32.const 30) (i32.const 22))
    (call $check (call $setopt (local.get $t) (i32.const 4) (i32.const 3) (i32.const 0)) (i32.const 28) (i32.const 23))
    (call $check (call $setopt (local.get $t) (i32.const 4) (i32.const 3) (i32.const -1)) (i32.const 28) (i32.const 24))
    (call $ok (call $setopt (local.get $t) (i32.const 4) (i32.const 4) (i32.const 5)) (i32.const 25))
    (call $ok (call $setopt (local.get $t) (i32.const 4) (i32.const 5) (i32.const 3)) (i32.const 26))
    (call $ok (call $getopt (local.get $t) (i32.const 4) (i32.const 5)) (i32.const 27))
    (call $check (call $r) (i32.const 3) (i32.const 28))

    ;; ip.ttl (2.1), ip.tos (2.2)
    (call $ok (call $setopt (local.get $t) (i32.const 2) (i32.const 1) (i32.const 33)) (i32.const 30))
    (call $ok (call $getopt (local.get $t) (i32.const 2) (i32.const 1)) (i32.const 31))
    (call $check (call $r) (i32.const 33) (i32.const 32))
    (call $ok (call $setopt (local.get $u) (i32.const 2) (i32.const 2) (i32.const 0x28)) (i32.const 33))
    (call $ok (call $getopt (local.get $u) (i32.const 2) (i32.const 2)) (i32.const 34))
    (call $check (call $r) (i32.const 0x28) (i32.const 35))

    ;; socket.linger (1.9): {on 1, 5 s}
    (call $ok (call $setopt64 (local.get $t) (i32.const 1) (i32.const 9) (i64.const 0x500000001)) (i32.const 36))
    (call $ok (call $getopt (local.get $t) (i32.const 1) (i32.const 9)) (i32.const 37))
    (call $assert (i64.eq (i64.load (i32.const 16)) (i64.const 0x500000001)) (i32.const 38))
    (call $check (call $r2) (i32.const 8) (i32.const 39))

    ;; Linux doubles the buffer sizes it is given
    (call $ok (call $setopt (local.get $t) (i32.const 1) (i32.const 5) (i32.const 65536)) (i32.const 40))
    (call $ok (call $getopt (local.get $t) (i32.const 1) (i32.const 5)) (i32.const 41))
    (call $assert (i32.ge_u (call $r) (i32.const 65536)) (i32.const 42))
    ;; socket.send_timeout (1.8), in ns
    (call $ok (call $setopt64 (local.get $t) (i32.const 1) (i32.const 8) (i64.const 1500000000)) (i32.const 43))
    (call $ok (call $getopt (local.get $t) (i32.const 1) (i32.const 8)) (i32.const 44))
    (call $assert (i64.eq (i64.load (i32.const 16)) (i64.const 1500000000)) (i32.const 45))

    ;; tcp.congestion (4.9): a name, read back NUL-padded to 16 bytes, cut to the buffer
    (i32.store (i32.const 1024) (i32.const 0x6f6e6572)) ;; "reno"
    (call $ok (call $sockopt_set (local.get $t) (i32.const 4) (i32.const 9) (i32.const 1024) (i32.const 4)) (i32.const 46))
    (call $ok (call $sockopt_get (local.get $t) (i32.const 4) (i32.const 9) (i32.const 1100) (i32.const 64) (i32.const 24))
      (i32.const 47))
    (call $check (call $r2) (i32.const 16) (i32.const 48))
    (call $check (i32.load (i32.const 1100)) (i32.const 0x6f6e6572) (i32.const 49))
    (call $check (i32.load (i32.const 1104)) (i32.const 0) (i32.const 50))

    ;; a short buffer: the value cut to it, as getsockopt does; 0 bytes is fine
    (i32.store (i32.const 1200) (i32.const -1))
    (call $ok (call $sockopt_get (local.get $t) (i32.const 2) (i32.const 1) (i32.const 1200) (i32.const 1) (i32.const 24))
      (i32.const 51))
    (call $check (call $r2) (i32.const 1) (i32.const 52))
    (call $check (i32.load (i32.const 1200)) (i32.const 0xffffff21) (i32.const 53))
    (call $ok (call $sockopt_get (local.get $t) (i32.const 2) (i32.const 1) (i32.const 1200) (i32.const 0) (i32.const 24))
      (i32.const 54))
    (call $check (call $r2) (i32.const 0) (i32.const 55))
    ;; a short value is inval: 3 bytes for an int, 7 for a timeout
    (call $check (call $sockopt_set (local.get $t) (i32.const 2) (i32.const 1) (i32.const 72) (i32.const 3)) (i32.const 28)
      (i32.const 56))
    (call $check (call $sockopt_set (local.get $t) (i32.const 1) (i32.const 7) (i32.const 72) (i32.const 7)) (i32.const 28)
      (i32.const 57))

    ;; unknown levels and names; an option of a level the socket lacks is
    ;; noprotoopt from set and, on an IPv4 socket, notsup from get (Linux's answers)
    (call $check (call $setopt (local.get $t) (i32.const 0) (i32.const 1) (i32.const 1)) (i32.const 50) (i32.const 60))
    (call $check (call $setopt (local.get $t) (i32.const 9) (i32.const 1) (i32.const 1)) (i32.const 50) (i32.const 61))
    (call $check (call $getopt (local.get $t) (i32.const 9) (i32.const 1)) (i32.const 58) (i32.const 62))
    (call $check (call $setopt (local.get $t) (i32.const 1) (i32.const 0) (i32.const 1)) (i32.const 50) (i32.const 63))
    (call $check (call $getopt (local.get $t) (i32.const 4) (i32.const 99)) (i32.const 50) (i32.const 64))
    (call $check (call $setopt (local.get $u) (i32.const 4) (i32.const 1) (i32.const 1)) (i32.const 50) (i32.const 65))
    (call $check (call $getopt (local.get $u) (i32.const 4) (i32.const 1)) (i32.const 58) (i32.const 66))
    (call $check (call $setopt (local.get $t) (i32.const 3) (i32.const 1) (i32.const 1)) (i32.const 50) (i32.const 67))
    ;; the level is checked before the length (a short value on a level the socket lacks)
    (call $check (call $sockopt_set (local.get $u) (i32.const 4) (i32.const 1) (i32.const 72) (i32.const 0)) (i32.const 50)
      (i32.const 68))

    ;; fds of the wrong kind: the pool, stdout; a closed one
    (call $check (call $setopt (i32.const 3) (i32.const 4) (i32.const 1) (i32.const 1)) (i32.const 57) (i32.const 70))
    (call $check (call $getopt (i32.const 1) (i32.const 4) (i32.const 1)) (i32.const 57) (i32.const 71))
    (call $check (call $getopt (i32.const 99) (i32.const 4) (i32.const 1)) (i32.const 8) (i32.const 72)))
"#;
    let out = Guest::new(wat).flags(&["--allow-connect", "127.0.0.1:1"]).run();
    out.assert_success();
}

/// IPv6-only and the hop limit are options of inet6 sockets.
#[test]
fn v6only_round_trip() {
    if !have_ipv6() {
        eprintln!("skipped: no IPv6 here");
        return;
    }
    let wat = r#"
  (func $main (local $s i32)
    (call $ok (call $open (i32.const 3) (i32.const 2) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $s (call $r))
    ;; ipv6.v6only (3.1)
    (call $ok (call $setopt (local.get $s) (i32.const 3) (i32.const 1) (i32.const 1)) (i32.const 2))
    (call $ok (call $getopt (local.get $s) (i32.const 3) (i32.const 1)) (i32.const 3))
    (call $check (call $r) (i32.const 1) (i32.const 4))
    (call $ok (call $setopt (local.get $s) (i32.const 3) (i32.const 1) (i32.const 0)) (i32.const 5))
    (call $ok (call $getopt (local.get $s) (i32.const 3) (i32.const 1)) (i32.const 6))
    (call $check (call $r) (i32.const 0) (i32.const 7))
    ;; ipv6.unicast_hops (3.2), ipv6.tclass (3.5)
    (call $ok (call $setopt (local.get $s) (i32.const 3) (i32.const 2) (i32.const 17)) (i32.const 8))
    (call $ok (call $getopt (local.get $s) (i32.const 3) (i32.const 2)) (i32.const 9))
    (call $check (call $r) (i32.const 17) (i32.const 10))
    (call $ok (call $setopt (local.get $s) (i32.const 3) (i32.const 5) (i32.const 0x28)) (i32.const 11))
    (call $ok (call $getopt (local.get $s) (i32.const 3) (i32.const 5)) (i32.const 12))
    (call $check (call $r) (i32.const 0x28) (i32.const 13))
    ;; an unknown level on an IPv6 socket is noprotoopt from get too
    (call $check (call $getopt (local.get $s) (i32.const 9) (i32.const 1)) (i32.const 50) (i32.const 14)))
"#;
    Guest::new(wat).flags(&["--allow-connect", "[::1]:1"]).run().assert_success();
}

/// Files from path_open and sockets are numbered in one space, lowest free.
#[test]
fn files_and_sockets_share_fd_numbers() {
    let dir = temp_path("dir");
    std::fs::create_dir(&dir).unwrap();
    let wat = r#"
  (data (i32.const 1024) "a.txt")
  (data (i32.const 1040) "b.txt")
  (data (i32.const 1056) "file data")
  (func $file (param $name i32) (result i32)
    ;; oflags creat; rights fd_read | fd_write
    (call $ok (call $path_open (i32.const 3) (i32.const 0) (local.get $name) (i32.const 5) (i32.const 1)
      (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 16)) (i32.const 90))
    (call $r))
  (func $sock (result i32)
    (call $ok (call $open (i32.const 4) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 91))
    (call $r))
  (func $main (local $f i32)
    (call $check (call $file (i32.const 1024)) (i32.const 5) (i32.const 1))
    (call $check (call $sock) (i32.const 6) (i32.const 2))
    (call $ok (call $fd_close (i32.const 5)) (i32.const 3))
    (call $check (call $sock) (i32.const 5) (i32.const 4))
    (local.set $f (call $file (i32.const 1040)))
    (call $check (local.get $f) (i32.const 7) (i32.const 5))
    ;; the file at guest fd 7 is the file, not whatever wasmtime-wasi numbers it
    (call $write_all (local.get $f) (i32.const 1056) (i32.const 9))
    (call $ok (call $fd_fdstat_get (local.get $f) (i32.const 1600)) (i32.const 6))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 4) (i32.const 7))
    (call $ok (call $fd_close (local.get $f)) (i32.const 8))
    ;; socket calls on the directory: notsock
    (call $check (call $connect (i32.const 3) (i32.const 1100)) (i32.const 57) (i32.const 9)))
"#;
    let out =
        Guest::new(wat).flags(&["--dir", &format!("{}::/d", dir.display()), "--allow-connect", "127.0.0.1:1"]).run();
    let content = std::fs::read(dir.join("b.txt"));
    let _ = std::fs::remove_dir_all(&dir);
    out.assert_success();
    assert_eq!(content.expect("b.txt was written"), b"file data");
}
