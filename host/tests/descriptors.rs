//! `fd_dup`, `fd_dup2` and `socketpair` through the raw ABI: a duplicate
//! shares its socket (the kernel socket lives while any number does), bad
//! fds and bounds, a failed call that changes nothing, pools and stdio
//! duplicated, `fd_renumber` over duplicates, the socket cap counting every
//! number, and socketpairs that need no pool and refuse every address.

mod common;

use common::*;
use std::io::Read;

const MFILE: i32 = 33;
const ISCONN: i32 = 30;

/// Closing the original leaves the duplicate working, in `poll_oneoff` too;
/// the peer sees EOF only when the last number closes.
#[test]
fn a_dup_keeps_the_socket_open() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        let hello = read_n(&mut s, 5);
        write(&mut s, b"x");
        (hello, read_to_eof(&mut s))
    });
    let wat = format!(
        r#"
  (data (i32.const 1024) "hello")
  (func $main (local $c i32) (local $d i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $c (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $c) (i32.const 1100)) (i32.const 2))
    (call $ok (call $fd_dup (local.get $c) (i32.const 0) (i32.const 16)) (i32.const 3))
    (local.set $d (call $r))
    (call $check (local.get $d) (i32.add (local.get $c) (i32.const 1)) (i32.const 4))
    (call $ok (call $close (local.get $c)) (i32.const 5))
    (call $check (call $write (local.get $c) (i32.const 1024) (i32.const 5)) (i32.const 8) (i32.const 6))
    ;; the other number is still a socket that polls writable
    (call $sub_fd (i32.const 2048) (i32.const 7) (i32.const 2) (local.get $d))
    (call $sub_clock (i32.const 2096) (i32.const 9) (i64.const 5000000000))
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 2) (i32.const 16)) (i32.const 7))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 7) (i32.const 8))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.const 9))
    (call $write_all (local.get $d) (i32.const 1024) (i32.const 5))
    ;; and readable when the peer answers
    (call $sub_fd (i32.const 2048) (i32.const 8) (i32.const 1) (local.get $d))
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 2) (i32.const 16)) (i32.const 10))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 8) (i32.const 11))
    (call $read_exact (local.get $d) (i32.const 3000) (i32.const 1))
    (call $check (i32.load8_u (i32.const 3000)) (i32.const 120) (i32.const 12))
    (call $ok (call $close (local.get $d)) (i32.const 13)))
"#
    );
    Guest::new(&wat).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run().assert_success();
    let (hello, rest) = peer.join().expect("native peer");
    assert_eq!(hello, b"hello");
    assert!(rest.is_empty(), "EOF once the last number closed");
}

/// Bad fds and bounds; a failed dup changes nothing; dup2 onto itself;
/// pools and stdout duplicated; fd_renumber over a duplicate.
#[test]
fn dup_edge_cases() {
    let wat = r#"
  (data (i32.const 1024) "via the dup\nstdout back\n")
  (func $main (local $s i32) (local $p i32) (local $o i32) (local $d i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $s (call $r))
    (call $check (local.get $s) (i32.const 4) (i32.const 2))
    (call $check (call $fd_dup (i32.const 99) (i32.const 0) (i32.const 16)) (i32.const 8) (i32.const 3))
    (call $check (call $fd_dup (i32.const -1) (i32.const 0) (i32.const 16)) (i32.const 8) (i32.const 4))
    (call $check (call $fd_dup (local.get $s) (i32.const 65536) (i32.const 16)) (i32.const 28) (i32.const 5))
    (call $check (call $fd_dup (local.get $s) (i32.const -1) (i32.const 16)) (i32.const 28) (i32.const 6))
    (call $check (call $fd_dup (local.get $s) (i32.const 0) (i32.const 65536)) (i32.const 21) (i32.const 7))
    ;; the faulting call made no fd: the next dup is 5
    (call $ok (call $fd_dup (local.get $s) (i32.const 0) (i32.const 16)) (i32.const 8))
    (call $check (call $r) (i32.const 5) (i32.const 9))
    (call $ok (call $fd_dup (local.get $s) (i32.const 10) (i32.const 16)) (i32.const 10))
    (call $check (call $r) (i32.const 10) (i32.const 11))
    (call $ok (call $fd_dup2 (local.get $s) (local.get $s)) (i32.const 12))
    (call $check (call $fd_dup2 (i32.const 99) (i32.const 99)) (i32.const 8) (i32.const 13))
    (call $check (call $fd_dup2 (local.get $s) (i32.const 65536)) (i32.const 8) (i32.const 14))
    (call $check (call $fd_dup2 (local.get $s) (i32.const -1)) (i32.const 8) (i32.const 15))
    (call $check (call $fd_dup2 (i32.const 99) (i32.const 10)) (i32.const 8) (i32.const 16))
    ;; a failed dup2 closed nothing: 10 is still the socket
    (call $ok (call $fd_fdstat_get (i32.const 10) (i32.const 1600)) (i32.const 17))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 6) (i32.const 18))
    (call $ok (call $close (i32.const 10)) (i32.const 19))
    (call $ok (call $close (i32.const 5)) (i32.const 20))

    ;; a pool's dup is the same capability; closing one keeps the other
    (call $ok (call $fd_dup (i32.const 3) (i32.const 0) (i32.const 16)) (i32.const 21))
    (local.set $p (call $r))
    (call $ok (call $fd_prestat_get (local.get $p) (i32.const 1600)) (i32.const 22))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 1) (i32.const 23))
    (call $ok (call $close (i32.const 3)) (i32.const 24))
    (call $ok (call $open (local.get $p) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 25))
    (call $check (call $r) (i32.const 3) (i32.const 26))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 57) (i32.const 27))
    (call $ok (call $close (i32.const 3)) (i32.const 28))

    ;; stdout through a dup, closed, and put back with fd_dup2
    (call $ok (call $fd_dup (i32.const 1) (i32.const 0) (i32.const 16)) (i32.const 29))
    (local.set $o (call $r))
    (call $ok (call $close (i32.const 1)) (i32.const 30))
    (call $check (call $write (i32.const 1) (i32.const 1024) (i32.const 12)) (i32.const 8) (i32.const 31))
    (call $ok (call $write (local.get $o) (i32.const 1024) (i32.const 12)) (i32.const 32))
    (call $ok (call $fd_dup2 (local.get $o) (i32.const 1)) (i32.const 33))
    (call $ok (call $close (local.get $o)) (i32.const 34))
    (call $print (i32.const 1036) (i32.const 12))

    ;; fd_renumber of a dup onto its original: one number left, still the socket
    (call $ok (call $fd_dup (local.get $s) (i32.const 0) (i32.const 16)) (i32.const 35))
    (local.set $d (call $r))
    (call $ok (call $fd_renumber (local.get $d) (local.get $s)) (i32.const 36))
    (call $check (call $fd_fdstat_get (local.get $d) (i32.const 1600)) (i32.const 8) (i32.const 37))
    (call $ok (call $fd_fdstat_get (local.get $s) (i32.const 1600)) (i32.const 38))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 6) (i32.const 39))
    ;; and of stdin's dup onto a socket number: the socket closes, stdin stays
    (call $ok (call $fd_dup (i32.const 0) (i32.const 0) (i32.const 16)) (i32.const 40))
    (call $ok (call $fd_renumber (call $r) (local.get $s)) (i32.const 41))
    (call $ok (call $fd_fdstat_get (local.get $s) (i32.const 1600)) (i32.const 42))
    (call $assert (i32.ne (i32.load8_u (i32.const 1600)) (i32.const 6)) (i32.const 43))
    (call $ok (call $fd_fdstat_get (i32.const 0) (i32.const 1600)) (i32.const 44))
    (call $ok (call $close (local.get $s)) (i32.const 45))
    (call $ok (call $fd_fdstat_get (i32.const 0) (i32.const 1600)) (i32.const 46)))
"#;
    let out = Guest::new(wat).flags(&["--allow-bind", "127.0.0.1"]).run();
    out.assert_success();
    assert_eq!(out.lines(), ["via the dup", "stdout back"]);
}

/// `--max-sockets` counts every number of a socket, as RLIMIT_NOFILE
/// counts every fd; a socket onto a socket does not grow the count.
#[test]
fn the_socket_cap_counts_dups() {
    let wat = format!(
        r#"
  (func $main
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (call $check (call $r) (i32.const 4) (i32.const 2))
    (call $ok (call $fd_dup (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const 5) (i32.const 4))
    (call $check (call $fd_dup (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const {MFILE}) (i32.const 5))
    (call $check (call $fd_dup2 (i32.const 4) (i32.const 20)) (i32.const {MFILE}) (i32.const 6))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const {MFILE}) (i32.const 7))
    (call $ok (call $fd_dup2 (i32.const 5) (i32.const 4)) (i32.const 8))
    ;; stdin's dup is no socket: not counted
    (call $ok (call $fd_dup (i32.const 0) (i32.const 0) (i32.const 16)) (i32.const 9))
    (call $ok (call $close (call $r)) (i32.const 10))
    (call $ok (call $close (i32.const 5)) (i32.const 11))
    ;; room for one: a pair needs two
    (call $check (call $socketpair (i32.const 6) (i32.const 16) (i32.const 24)) (i32.const {MFILE}) (i32.const 12))
    (call $ok (call $close (i32.const 4)) (i32.const 13))
    (call $ok (call $socketpair (i32.const 6) (i32.const 16) (i32.const 24)) (i32.const 14))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const {MFILE}) (i32.const 15))
    (call $ok (call $close (call $r)) (i32.const 16))
    (call $ok (call $close (call $r2)) (i32.const 17))
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 18)))
"#
    );
    Guest::new(&wat).flags(&["--allow-bind", "127.0.0.1", "--max-sockets", "2"]).run().assert_success();
}

/// A socketpair needs no pool (this guest has none), carries data both
/// ways, reports an unnamed unix address, and refuses every inet address.
#[test]
fn socketpair_without_a_pool() {
    let wat = format!(
        r#"
  (data (i32.const 1024) "ping")
  (func $main (local $a i32) (local $b i32) (local $x i32) (local $y i32)
    (call $check (call $socketpair (i32.const 7) (i32.const 16) (i32.const 24)) (i32.const 28) (i32.const 1))
    (call $check (call $socketpair (i32.const 6) (i32.const 16) (i32.const 65536)) (i32.const 21) (i32.const 2))
    (call $ok (call $socketpair (i32.const 6) (i32.const 16) (i32.const 24)) (i32.const 3))
    (local.set $a (call $r)) (local.set $b (call $r2))
    ;; the faulting call made nothing: the pair is 3 and 4
    (call $check (local.get $a) (i32.const 3) (i32.const 4))
    (call $check (local.get $b) (i32.const 4) (i32.const 5))
    (call $write_all (local.get $a) (i32.const 1024) (i32.const 4))
    (call $read_exact (local.get $b) (i32.const 3000) (i32.const 4))
    (call $print (i32.const 3000) (i32.const 4)) (call $nl)
    (call $ok (call $fd_fdstat_get (local.get $a) (i32.const 1600)) (i32.const 6))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 6) (i32.const 7))
    (call $ok (call $addr_local (local.get $a) (i32.const 1400)) (i32.const 8))
    (call $print_hex (i32.const 1400) (i32.const 28)) (call $nl)
    (call $ok (call $addr_remote (local.get $a) (i32.const 1400)) (i32.const 9))
    (call $print_hex (i32.const 1400) (i32.const 28)) (call $nl)
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 80))
    (call $check (call $bind (local.get $a) (i32.const 1100)) (i32.const 28) (i32.const 10))
    (call $check (call $connect (local.get $a) (i32.const 1100)) (i32.const 28) (i32.const 11))
    (call $check (call $listen (local.get $a) (i32.const 1)) (i32.const 28) (i32.const 12))
    (call $check (call $send_to (local.get $a) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 1100) (i32.const 16))
      (i32.const {ISCONN}) (i32.const 13))
    ;; what Linux says to IP_ADD_MEMBERSHIP on a Unix socket: noprotoopt
    (call $check (call $join_multicast (local.get $a) (i32.const 1100) (i32.const 0)) (i32.const 50) (i32.const 14))
    ;; non-blocking: again; after the peer's shutdown: EOF
    (call $ok (call $fd_fdstat_set_flags (local.get $b) (i32.const 4)) (i32.const 15))
    (call $check (call $recv (local.get $b) (i32.const 3000) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 6) (i32.const 16))
    (call $ok (call $shutdown (local.get $a) (i32.const 2)) (i32.const 17))
    (call $ok (call $recv (local.get $b) (i32.const 3000) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 18))
    (call $check (call $r) (i32.const 0) (i32.const 19))
    (call $ok (call $close (local.get $a)) (i32.const 20))
    (call $ok (call $close (local.get $b)) (i32.const 21))
    ;; datagrams keep their boundaries; an inet destination is inval
    (call $ok (call $socketpair (i32.const 5) (i32.const 16) (i32.const 24)) (i32.const 22))
    (local.set $x (call $r)) (local.set $y (call $r2))
    (call $ok (call $send (local.get $x) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 23))
    (call $ok (call $send (local.get $x) (i32.const 1024) (i32.const 2) (i32.const 0) (i32.const 16)) (i32.const 24))
    (call $ok (call $recv (local.get $y) (i32.const 3000) (i32.const 16) (i32.const 0) (i32.const 16)) (i32.const 25))
    (call $check (call $r) (i32.const 4) (i32.const 26))
    (call $ok (call $recv (local.get $y) (i32.const 3000) (i32.const 16) (i32.const 0) (i32.const 16)) (i32.const 27))
    (call $check (call $r) (i32.const 2) (i32.const 28))
    (call $check (call $send_to (local.get $x) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 1100) (i32.const 16))
      (i32.const 28) (i32.const 29))
    (call $check (call $fd_fdstat_get (local.get $x) (i32.const 1600)) (i32.const 0) (i32.const 30))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 5) (i32.const 31)))
"#
    );
    let out = Guest::new(&wat).run();
    out.assert_success();
    let unnamed = format!("03{}", "00".repeat(27));
    assert_eq!(out.lines(), ["ping", unnamed.as_str(), unnamed.as_str()]);
    assert!(out.stderr.is_empty(), "no pool decision is logged: {}", out.stderr);
}

/// The socket a dup2 replaces is closed: its peer sees EOF at once.
#[test]
fn dup2_onto_a_socket_closes_it() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).map(|_| buf)
    });
    let wat = format!(
        r#"
  (func $main (local $c i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $c (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $c) (i32.const 1100)) (i32.const 2))
    (call $ok (call $socketpair (i32.const 6) (i32.const 16) (i32.const 24)) (i32.const 3))
    (call $ok (call $fd_dup2 (call $r) (local.get $c)) (i32.const 4))
    ;; the peer's EOF arrives while this guest still runs
    (i32.store (i32.const 0) (i32.const 3000))
    (i32.store (i32.const 4) (i32.const 1))
    (call $ok (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)) (i32.const 5)))
"#
    );
    let mut run = Guest::new(&wat).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).with_stdin().spawn();
    let got = peer.join().expect("native peer").expect("read to EOF");
    assert!(got.is_empty());
    run.close_stdin();
    run.wait().assert_success();
}

/// A guest that dups stdout until the table is full gets `mfile` at the fd limit
/// (65536 numbers), quickly, and the host stays well.
#[test]
fn dups_stop_at_the_fd_limit() {
    let wat = r#"
  (func $main (local $n i32) (local $e i32)
    (block $full
      (loop $more
        (local.set $e (call $fd_dup (i32.const 1) (i32.const 0) (i32.const 16)))
        (br_if $full (local.get $e))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $more)))
    (call $check (local.get $e) (i32.const 33) (i32.const 1))
    ;; 0-2 are stdio: 65533 dups fit
    (call $check (local.get $n) (i32.const 65533) (i32.const 2))
    (call $check (call $fd_dup (i32.const 1) (i32.const 65535) (i32.const 16)) (i32.const 33) (i32.const 3))
    (call $ok (call $close (i32.const 40000)) (i32.const 4))
    (call $ok (call $fd_dup (i32.const 1) (i32.const 0) (i32.const 16)) (i32.const 5))
    (call $check (call $r) (i32.const 40000) (i32.const 6))
    (call $ok (call $write (i32.const 65535) (i32.const 512) (i32.const 5)) (i32.const 7)))
"#;
    let started = std::time::Instant::now();
    let out = Guest::new(wat).run();
    out.assert_success();
    assert_eq!(out.stdout, "check");
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "took {:?}", started.elapsed());
}
