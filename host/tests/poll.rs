//! `poll_oneoff` over sockets, clocks and stdin; non-blocking connect.
//!
//! Subscriptions are built at 2048 (48 bytes each), events land at 2560
//! (32 bytes each); the event count goes to R (16).

mod common;

use common::*;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Items shared by the poll guests: `$connect_to(port) -> fd` (blocking,
/// checked with id 90/91) and `$poll(n)` (checked with id 92, returns the
/// event count).
const POLL_HELPERS: &str = r#"
  (func $connect_to (param $port i32) (result i32) (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 90))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (local.get $port))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 91))
    (local.get $fd))
  (func $poll (param $n i32) (result i32)
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 2560) (local.get $n) (i32.const 16)) (i32.const 92))
    (call $r))
"#;

fn poll_guest(main: &str) -> Guest {
    Guest::new(&format!("{POLL_HELPERS}{main}"))
}

fn allow(port: u16) -> [String; 2] {
    ["--allow-connect".to_string(), format!("127.0.0.1:{port}")]
}

/// Non-blocking connect: `inprogress`, then a write subscription becomes
/// ready, take_error is 0, and the connection works.
#[test]
fn nonblocking_connect_completes() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        read_n(&mut s, 2)
    });
    let out = poll_guest(&format!(
        r#"
  (data (i32.const 1024) "ok")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $ok (call $fd_fdstat_set_flags (local.get $fd) (i32.const 4)) (i32.const 2))
    ;; fdstat reports nonblock
    (call $ok (call $fd_fdstat_get (local.get $fd) (i32.const 1600)) (i32.const 3))
    (call $check (i32.load16_u (i32.const 1602)) (i32.const 4) (i32.const 4))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $check (call $connect (local.get $fd) (i32.const 1100)) (i32.const 26) (i32.const 5))
    ;; fd_write readiness, with a 10 s clock as a guard
    (call $sub_fd (i32.const 2048) (i32.const 7) (i32.const 2) (local.get $fd))
    (call $sub_clock (i32.const 2096) (i32.const 8) (i64.const 10000000000))
    (call $check (call $poll (i32.const 2)) (i32.const 1) (i32.const 6))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 7) (i32.const 7))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 2) (i32.const 8))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.const 9))
    (call $ok (call $take_error (local.get $fd) (i32.const 24)) (i32.const 10))
    (call $check (i32.load16_u (i32.const 24)) (i32.const 0) (i32.const 11))
    (call $ok (call $addr_remote (local.get $fd) (i32.const 1200)) (i32.const 12))
    (call $check (i32.load16_u (i32.const 1202)) (i32.const {port}) (i32.const 13))
    (call $write_all (local.get $fd) (i32.const 1024) (i32.const 2)))
"#
    ))
    .flags(&allow(port))
    .run();
    out.assert_success();
    assert_eq!(peer.join().expect("native peer"), b"ok");
}

/// Non-blocking connect to a closed port: `inprogress`, the write
/// subscription fires with no event error and the flags hang-up and error
/// (3: Linux's POLLOUT|POLLERR|POLLHUP), take_error is `connrefused` once
/// and then 0.
#[test]
fn nonblocking_connect_refused() {
    let port = free_port();
    let out = poll_guest(&format!(
        r#"
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $ok (call $fd_fdstat_set_flags (local.get $fd) (i32.const 4)) (i32.const 2))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $check (call $connect (local.get $fd) (i32.const 1100)) (i32.const 26) (i32.const 3))
    (call $sub_fd (i32.const 2048) (i32.const 7) (i32.const 2) (local.get $fd))
    (call $sub_clock (i32.const 2096) (i32.const 8) (i64.const 10000000000))
    (call $check (call $poll (i32.const 2)) (i32.const 1) (i32.const 4))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 7) (i32.const 5))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 2) (i32.const 6))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.const 11))
    (call $check (call $ev_flags (i32.const 2560)) (i32.const 3) (i32.const 12))
    (call $ok (call $take_error (local.get $fd) (i32.const 24)) (i32.const 7))
    (call $check (i32.load16_u (i32.const 24)) (i32.const 14) (i32.const 8))
    ;; cleared on read
    (call $ok (call $take_error (local.get $fd) (i32.const 24)) (i32.const 9))
    (call $check (i32.load16_u (i32.const 24)) (i32.const 0) (i32.const 10)))
"#
    ))
    .flags(&allow(port))
    .run();
    out.assert_success();
}

/// With two sockets waited on for reading, `nbytes` is not counted (that
/// would be a `FIONREAD` per ready socket): each readable socket reports 1.
/// A single read subscription (the FIONREAD idiom) gets the exact count,
/// as `poll_socket_and_clock` checks.
#[test]
fn nbytes_is_a_lower_bound_for_several_sockets() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let (mut a, mut b) = (accept(&l), accept(&l));
        write(&mut a, b"abcde");
        write(&mut b, b"abcde");
        (read_to_eof(&mut a), read_to_eof(&mut b))
    });
    let out = poll_guest(&format!(
        r#"
  (func $main (local $a i32) (local $b i32)
    (local.set $a (call $connect_to (i32.const {port})))
    (local.set $b (call $connect_to (i32.const {port})))
    ;; wait until both hold their 5 bytes, one socket at a time (exact counts)
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $a))
    (call $check (call $poll (i32.const 1)) (i32.const 1) (i32.const 1))
    (call $check (call $ev_nbytes (i32.const 2560)) (i32.const 5) (i32.const 2))
    (call $sub_fd (i32.const 2048) (i32.const 2) (i32.const 1) (local.get $b))
    (call $check (call $poll (i32.const 1)) (i32.const 1) (i32.const 3))
    (call $check (call $ev_nbytes (i32.const 2560)) (i32.const 5) (i32.const 4))
    ;; both at once: two events, each with nbytes 1
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $a))
    (call $sub_fd (i32.const 2096) (i32.const 2) (i32.const 1) (local.get $b))
    (call $check (call $poll (i32.const 2)) (i32.const 2) (i32.const 5))
    (call $check (call $ev_nbytes (i32.const 2560)) (i32.const 1) (i32.const 6))
    (call $check (call $ev_nbytes (i32.const 2592)) (i32.const 1) (i32.const 7))
    ;; read what came, so that closing sends a FIN, not a reset
    (call $read_exact (local.get $a) (i32.const 3000) (i32.const 5))
    (call $read_exact (local.get $b) (i32.const 3000) (i32.const 5))
    (call $ok (call $close (local.get $a)) (i32.const 8))
    (call $ok (call $close (local.get $b)) (i32.const 9)))
"#
    ))
    .flags(&allow(port))
    .run();
    out.assert_success();
    let (a, b) = peer.join().expect("native peer");
    assert!(a.is_empty() && b.is_empty());
}

/// A read subscription on a silent socket plus a 200 ms clock: the clock
/// fires after >= 150 ms; once the peer sends, the socket fires first with
/// nbytes = bytes available.
#[test]
fn poll_socket_and_clock() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        // The guest says when it is done waiting for the clock.
        assert_eq!(read_n(&mut s, 2), b"go");
        write(&mut s, b"abcde");
        // Keep the connection open until the guest closes it.
        read_to_eof(&mut s)
    });
    let started = Instant::now();
    let out = poll_guest(&format!(
        r#"
  (data (i32.const 1024) "go")
  (func $main (local $fd i32) (local $t0 i64) (local $dt i64)
    (local.set $fd (call $connect_to (i32.const {port})))
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $fd))
    (call $sub_clock (i32.const 2096) (i32.const 2) (i64.const 200000000))
    (local.set $t0 (call $now))
    (call $check (call $poll (i32.const 2)) (i32.const 1) (i32.const 1))
    (local.set $dt (i64.sub (call $now) (local.get $t0)))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 2) (i32.const 2))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 0) (i32.const 3))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.const 4))
    (call $print_u32 (i32.wrap_i64 (i64.div_u (local.get $dt) (i64.const 1000000)))) (call $nl)
    (call $assert (i64.ge_u (local.get $dt) (i64.const 150000000)) (i32.const 5))

    ;; now the peer sends 5 bytes; the clock is 10 s
    (call $write_all (local.get $fd) (i32.const 1024) (i32.const 2))
    (call $sub_clock (i32.const 2096) (i32.const 2) (i64.const 10000000000))
    (call $check (call $poll (i32.const 2)) (i32.const 1) (i32.const 6))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 1) (i32.const 7))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 1) (i32.const 8))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.const 9))
    (call $check (call $ev_nbytes (i32.const 2560)) (i32.const 5) (i32.const 10))
    (call $check (call $ev_flags (i32.const 2560)) (i32.const 0) (i32.const 11))
    (call $read_exact (local.get $fd) (i32.const 3000) (i32.const 5))
    (call $print (i32.const 3000) (i32.const 5)) (call $nl)
    (call $ok (call $close (local.get $fd)) (i32.const 12)))
"#
    ))
    .flags(&allow(port))
    .run();
    let elapsed = started.elapsed();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let ms: u64 = lines[0].parse().unwrap();
    assert!((150..5000).contains(&ms), "the 200 ms clock fired after {ms} ms");
    assert!(elapsed >= Duration::from_millis(150), "the whole run took {elapsed:?}");
    assert_eq!(lines[1], "abcde");
    assert!(peer.join().expect("native peer").is_empty());
}

/// At EOF (the peer closed) a read subscription fires with nbytes 0 and the
/// read-closed flag (4), not hang-up: Linux reports POLLIN|POLLRDHUP, and
/// the socket can still send.
#[test]
fn poll_reports_peer_close_as_read_closed() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let s = accept(&l);
        std::thread::sleep(Duration::from_millis(100));
        drop(s);
    });
    let out = poll_guest(&format!(
        r#"
  (func $main (local $fd i32)
    (local.set $fd (call $connect_to (i32.const {port})))
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $fd))
    (call $sub_clock (i32.const 2096) (i32.const 2) (i64.const 10000000000))
    (call $check (call $poll (i32.const 2)) (i32.const 1) (i32.const 1))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 1) (i32.const 2))
    (call $check (call $ev_nbytes (i32.const 2560)) (i32.const 0) (i32.const 3))
    (call $check (call $ev_flags (i32.const 2560)) (i32.const 4) (i32.const 4))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.const 5)))
"#
    ))
    .flags(&allow(port))
    .run();
    peer.join().unwrap();
    out.assert_success();
}

/// The stdin + socket guest: subscriptions socket read (userdata 1), stdin
/// read (userdata 2) and a 10 s guard clock (userdata 3); prints the
/// userdata of the event and its nbytes.
fn stdin_and_socket_guest(port: u16) -> Guest {
    poll_guest(&format!(
        r#"
  (func $main (local $fd i32)
    (local.set $fd (call $connect_to (i32.const {port})))
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $fd))
    (call $sub_fd (i32.const 2096) (i32.const 2) (i32.const 1) (i32.const 0))
    (call $sub_clock (i32.const 2144) (i32.const 3) (i64.const 10000000000))
    (call $check (call $poll (i32.const 3)) (i32.const 1) (i32.const 1))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.const 2))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 1) (i32.const 3))
    (call $print_u32 (call $ev_userdata (i32.const 2560))) (call $nl)
    (call $print_u32 (call $ev_nbytes (i32.const 2560))) (call $nl))
"#
    ))
    .flags(&allow(port))
    .with_stdin()
}

/// (a) A line on stdin while the socket stays silent: the stdin event.
#[test]
fn poll_stdin_and_socket_stdin_ready() {
    let (l, port) = listener("127.0.0.1");
    let mut guest = stdin_and_socket_guest(port).spawn();
    let s: TcpStream = accept(&l);
    std::thread::sleep(Duration::from_millis(200));
    guest.write_stdin(b"a line\n");
    let out = guest.wait();
    drop(s);
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], "2", "the stdin subscription fired");
    // wasmtime-wasi reports stdin's nbytes as a lower bound (1).
    let nbytes: u32 = lines[1].parse().unwrap();
    assert!((1..=7).contains(&nbytes), "nbytes of stdin: {nbytes}");
}

/// (b) The peer sends while stdin stays open and silent: the socket event.
#[test]
fn poll_stdin_and_socket_socket_ready() {
    let (l, port) = listener("127.0.0.1");
    let guest = stdin_and_socket_guest(port).spawn();
    let mut s: TcpStream = accept(&l);
    std::thread::sleep(Duration::from_millis(200));
    write(&mut s, b"xyz");
    // `guest` keeps the stdin pipe open (and silent) until it is waited for.
    let out = guest.wait();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], "1", "the socket subscription fired");
    assert_eq!(lines[1], "3", "nbytes = bytes sent");
}

/// Socket, stdin and a 200 ms clock, all silent: the mixed path returns the clock.
#[test]
fn poll_stdin_socket_clock_timeout() {
    let (l, port) = listener("127.0.0.1");
    let guest = poll_guest(&format!(
        r#"
  (func $main (local $fd i32) (local $t0 i64) (local $dt i64)
    (local.set $fd (call $connect_to (i32.const {port})))
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $fd))
    (call $sub_fd (i32.const 2096) (i32.const 2) (i32.const 1) (i32.const 0))
    (call $sub_clock (i32.const 2144) (i32.const 3) (i64.const 200000000))
    (local.set $t0 (call $now))
    (call $check (call $poll (i32.const 3)) (i32.const 1) (i32.const 1))
    (local.set $dt (i64.sub (call $now) (local.get $t0)))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 3) (i32.const 2))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 0) (i32.const 3))
    (call $assert (i64.ge_u (local.get $dt) (i64.const 150000000)) (i32.const 4))
    (call $assert (i64.lt_u (local.get $dt) (i64.const 5000000000)) (i32.const 5)))
"#
    ))
    .flags(&allow(port))
    .with_stdin()
    .spawn();
    let s = accept(&l);
    let out = guest.wait();
    drop(s);
    out.assert_success();
}

/// Read and write subscriptions on one connected, silent socket: only the
/// write one is ready.
#[test]
fn poll_read_and_write_on_one_socket() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        read_to_eof(&mut s)
    });
    let out = poll_guest(&format!(
        r#"
  (func $main (local $fd i32)
    (local.set $fd (call $connect_to (i32.const {port})))
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $fd))
    (call $sub_fd (i32.const 2096) (i32.const 2) (i32.const 2) (local.get $fd))
    (call $check (call $poll (i32.const 2)) (i32.const 1) (i32.const 1))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 2) (i32.const 2))
    (call $check (call $ev_type (i32.const 2560)) (i32.const 2) (i32.const 3)))
"#
    ))
    .flags(&allow(port))
    .run();
    out.assert_success();
    assert!(peer.join().expect("native peer").is_empty());
}

/// Event flags: 1 hang-up, 2 error pending, 4 read half closed, 8 not ready.
const RESET_READ: &str = "7";
const RESET_WRITE: &str = "3";

/// A reset connection is ready, never an event error: the read event has
/// hang-up, error and read-closed (Linux: POLLIN|POLLRDHUP|POLLERR|POLLHUP),
/// the write event hang-up and error (POLLOUT|POLLERR|POLLHUP), and the
/// error goes to the next recv (`connreset`), after which only the hang-up
/// flags remain. The mixed path (with stdin) reports the same events.
#[test]
fn poll_reports_reset_in_flags_not_error() {
    use socket2::SockRef;
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        for delay in [0, 100] {
            let s = accept(&l);
            std::thread::sleep(Duration::from_millis(delay));
            SockRef::from(&s).set_linger(Some(Duration::ZERO)).unwrap();
        }
    });
    let out = poll_guest(&format!(
        r#"
  ;; polls read (userdata 1) and write (2) subscriptions on fd, with stdin
  ;; (4) when $stdin, and a 10 s guard clock; prints both events' flags
  (func $read_and_write (param $fd i32) (param $stdin i32) (param $id i32)
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $fd))
    (call $sub_fd (i32.const 2096) (i32.const 2) (i32.const 2) (local.get $fd))
    (call $sub_fd (i32.const 2144) (i32.const 4) (i32.const 1) (i32.const 0))
    (call $sub_clock (select (i32.const 2192) (i32.const 2144) (local.get $stdin)) (i32.const 3) (i64.const 10000000000))
    (call $check (call $poll (i32.add (i32.const 3) (local.get $stdin))) (i32.const 2) (local.get $id))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 1) (i32.add (local.get $id) (i32.const 1)))
    (call $check (call $ev_userdata (i32.const 2592)) (i32.const 2) (i32.add (local.get $id) (i32.const 2)))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.add (local.get $id) (i32.const 3)))
    (call $check (call $ev_error (i32.const 2592)) (i32.const 0) (i32.add (local.get $id) (i32.const 4)))
    (call $print_u32 (call $ev_flags (i32.const 2560))) (call $nl)
    (call $print_u32 (call $ev_flags (i32.const 2592))) (call $nl))
  ;; waits on a read subscription alone (with stdin when $stdin); prints its flags
  (func $read_only (param $fd i32) (param $stdin i32) (param $id i32)
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $fd))
    (call $sub_fd (i32.const 2096) (i32.const 4) (i32.const 1) (i32.const 0))
    (call $sub_clock (select (i32.const 2144) (i32.const 2096) (local.get $stdin)) (i32.const 3) (i64.const 10000000000))
    (call $check (call $poll (i32.add (i32.const 2) (local.get $stdin))) (i32.const 1) (local.get $id))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 1) (i32.add (local.get $id) (i32.const 1)))
    (call $check (call $ev_error (i32.const 2560)) (i32.const 0) (i32.add (local.get $id) (i32.const 2)))
    (call $check (call $ev_nbytes (i32.const 2560)) (i32.const 0) (i32.add (local.get $id) (i32.const 3)))
    (call $print_u32 (call $ev_flags (i32.const 2560))) (call $nl))
  (func $main (local $a i32) (local $b i32)
    ;; socket-only: the peer resets at once
    (local.set $a (call $connect_to (i32.const {port})))
    (call $read_only (local.get $a) (i32.const 0) (i32.const 10))
    (call $read_and_write (local.get $a) (i32.const 0) (i32.const 20))
    (call $check (call $recv (local.get $a) (i32.const 3000) (i32.const 16) (i32.const 0) (i32.const 16)) (i32.const 15) (i32.const 30))
    (call $read_only (local.get $a) (i32.const 0) (i32.const 40))
    ;; mixed (stdin too): the peer resets 100 ms after accepting
    (local.set $b (call $connect_to (i32.const {port})))
    (call $read_only (local.get $b) (i32.const 1) (i32.const 50))
    (call $read_and_write (local.get $b) (i32.const 1) (i32.const 60)))
"#
    ))
    .flags(&allow(port))
    .with_stdin()
    .spawn()
    .wait();
    peer.join().unwrap();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines, [RESET_READ, RESET_READ, RESET_WRITE, "5", RESET_READ, RESET_READ, RESET_WRITE], "{lines:?}");
}
