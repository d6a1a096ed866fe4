//! TCP between a guest and native peers: connect, listen/accept, data both
//! ways through preview-1 `fd_read`/`fd_write` and through `recv`/`send`.

mod common;

use common::*;
use std::net::SocketAddr;

/// The guest connects to 127.0.0.1:PORT from pool fd 3, then:
/// fd_write "A-fd_write", fd_read exactly 10 bytes (printed);
/// send "C-send", recv with waitall 6 bytes (printed); recv -> 0 at EOF; close.
fn client_wat(port: u16) -> String {
    format!(
        r#"
  (data (i32.const 1024) "A-fd_write")
  (data (i32.const 1040) "C-send")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))

    ;; preview 1: fd_write, then fd_read
    (call $write_all (local.get $fd) (i32.const 1024) (i32.const 10))
    (call $read_exact (local.get $fd) (i32.const 2048) (i32.const 10))
    (call $print (i32.const 2048) (i32.const 10)) (call $nl)

    ;; wasi_ephemeral_sock: send, then recv (waitall)
    (call $ok (call $send (local.get $fd) (i32.const 1040) (i32.const 6) (i32.const 0) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const 6) (i32.const 4))
    (call $ok (call $recv (local.get $fd) (i32.const 3072) (i32.const 6) (i32.const 2) (i32.const 16)) (i32.const 5))
    (call $check (call $r) (i32.const 6) (i32.const 6))
    (call $print (i32.const 3072) (i32.const 6)) (call $nl)

    ;; the peer shut down its side: orderly EOF is 0 bytes, by recv and by fd_read
    (call $ok (call $recv (local.get $fd) (i32.const 3072) (i32.const 100) (i32.const 0) (i32.const 16)) (i32.const 7))
    (call $check (call $r) (i32.const 0) (i32.const 8))
    (i32.store (i32.const 1200) (i32.const 3072))
    (i32.store (i32.const 1204) (i32.const 100))
    (call $ok (call $fd_read (local.get $fd) (i32.const 1200) (i32.const 1) (i32.const 16)) (i32.const 9))
    (call $check (call $r) (i32.const 0) (i32.const 10))

    (call $ok (call $close (local.get $fd)) (i32.const 11))
    ;; closed: the fd is gone
    (call $check (call $send (local.get $fd) (i32.const 1040) (i32.const 6) (i32.const 0) (i32.const 16)) (i32.const 8) (i32.const 12)))
"#
    )
}

#[test]
fn tcp_connect_send_recv_both_ways() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        let first = read_n(&mut s, 10);
        write(&mut s, b"B-fd_read!");
        let second = read_n(&mut s, 6);
        write(&mut s, b"D-recv");
        s.shutdown(std::net::Shutdown::Write).unwrap();
        let rest = read_to_eof(&mut s);
        (first, second, rest)
    });
    let out = Guest::new(&client_wat(port)).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    assert_eq!(out.lines(), ["B-fd_read!", "D-recv"], "what the guest received");
    let (first, second, rest) = peer.join().expect("native peer");
    assert_eq!(first, b"A-fd_write", "fd_write's bytes on the native side");
    assert_eq!(second, b"C-send", "send's bytes on the native side");
    assert!(rest.is_empty(), "nothing after the messages, then EOF: {rest:?}");
}

/// fd_write with several iovecs sends them in order; fd_read scatters into several.
#[test]
fn tcp_scatter_gather() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        let got = read_n(&mut s, 9);
        write(&mut s, b"123456789");
        got
    });
    let wat = format!(
        r#"
  (data (i32.const 1024) "abc")
  (data (i32.const 1030) "defg")
  (data (i32.const 1040) "hi")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    ;; three iovecs (one empty)
    (i32.store (i32.const 1200) (i32.const 1024)) (i32.store (i32.const 1204) (i32.const 3))
    (i32.store (i32.const 1208) (i32.const 1030)) (i32.store (i32.const 1212) (i32.const 0))
    (i32.store (i32.const 1216) (i32.const 1030)) (i32.store (i32.const 1220) (i32.const 4))
    (i32.store (i32.const 1224) (i32.const 1040)) (i32.store (i32.const 1228) (i32.const 2))
    (call $ok (call $fd_write (local.get $fd) (i32.const 1200) (i32.const 4) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const 9) (i32.const 4))
    ;; scatter into 4 + 5 bytes: one 9-byte segment on loopback arrives whole
    (i32.store (i32.const 1300) (i32.const 2048)) (i32.store (i32.const 1304) (i32.const 4))
    (i32.store (i32.const 1308) (i32.const 3000)) (i32.store (i32.const 1312) (i32.const 5))
    (call $ok (call $fd_read (local.get $fd) (i32.const 1300) (i32.const 2) (i32.const 16)) (i32.const 5))
    (call $check (call $r) (i32.const 9) (i32.const 6))
    (call $print (i32.const 2048) (i32.const 4)) (call $nl)
    (call $print (i32.const 3000) (i32.const 5)) (call $nl))
"#
    );
    let out = Guest::new(&wat).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    let got = peer.join().expect("native peer");
    assert_eq!(got, b"abcdefghi", "gathered bytes in iovec order");
    out.assert_success();
    assert_eq!(out.lines(), ["1234", "56789"], "scattered bytes");
}

/// The guest binds 127.0.0.1:PORT, listens and accepts; the peer address
/// accept reports is the native client's local address.
#[test]
fn tcp_listen_accept_reports_peer() {
    let port = free_port();
    let wat = format!(
        r#"
  (data (i32.const 1024) "hi")
  (func $main (local $l i32) (local $c i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $l (call $r))
    (call $ok (call $setopt (local.get $l) (i32.const 1) (i32.const 1) (i32.const 1)) (i32.const 2)) ;; socket.reuse_addr
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $bind (local.get $l) (i32.const 1100)) (i32.const 3))
    (call $ok (call $listen (local.get $l) (i32.const 4)) (i32.const 4))
    ;; addr_local of the listener is what it bound
    (call $ok (call $addr_local (local.get $l) (i32.const 1200)) (i32.const 5))
    (call $print_hex (i32.const 1200) (i32.const 28)) (call $nl)
    ;; a listener has no peer
    (call $check (call $addr_remote (local.get $l) (i32.const 1200)) (i32.const 53) (i32.const 6))

    (call $ok (call $accept (local.get $l) (i32.const 0) (i32.const 16) (i32.const 1300)) (i32.const 7))
    (local.set $c (call $r))
    (call $print_hex (i32.const 1300) (i32.const 28)) (call $nl)
    (call $ok (call $addr_remote (local.get $c) (i32.const 1400)) (i32.const 8))
    (call $print_hex (i32.const 1400) (i32.const 28)) (call $nl)
    (call $ok (call $addr_local (local.get $c) (i32.const 1500)) (i32.const 9))
    (call $print_hex (i32.const 1500) (i32.const 28)) (call $nl)
    ;; the accepted socket is a stream socket fd (fdstat filetype 6)
    (call $ok (call $fd_fdstat_get (local.get $c) (i32.const 1600)) (i32.const 10))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 6) (i32.const 11))

    (call $write_all (local.get $c) (i32.const 1024) (i32.const 2))
    (call $read_exact (local.get $c) (i32.const 2048) (i32.const 2))
    (call $print (i32.const 2048) (i32.const 2)) (call $nl))
"#
    );
    let guest = Guest::new(&wat).flags(&["--allow-bind", &format!("127.0.0.1:{port}")]).spawn();
    let server: SocketAddr = ([127, 0, 0, 1], port).into();
    let peer = std::thread::spawn(move || {
        let mut s = connect_retry(server);
        let got = read_n(&mut s, 2);
        write(&mut s, b"yo");
        (got, s.local_addr().unwrap())
    });
    let out = guest.wait();
    out.assert_success();
    let (got, client) = peer.join().expect("native peer");
    assert_eq!(got, b"hi");
    let lines = out.lines();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(parse_addr_hex(lines[0]), server, "listener's addr_local");
    assert_eq!(lines[1], hex(&addr_record(&client)), "accept's peer = the native client's local address");
    assert_eq!(parse_addr_hex(lines[2]), client, "addr_remote of the accepted socket");
    assert_eq!(parse_addr_hex(lines[3]), server, "addr_local of the accepted socket");
    assert_eq!(lines[4], "yo");
}

/// The same exchange over IPv6 loopback.
#[test]
fn tcp_ipv6_connect() {
    if !have_ipv6() {
        eprintln!("skipped: no IPv6 loopback here");
        return;
    }
    let (l, port) = listener("::1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        let peer = s.peer_addr().unwrap();
        let got = read_n(&mut s, 7);
        write(&mut s, b"v6 pong");
        (got, peer)
    });
    let wat = format!(
        r#"
  (data (i32.const 1024) "v6 ping")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 2) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr6_loopback (i32.const 1100) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    (call $ok (call $send (local.get $fd) (i32.const 1024) (i32.const 7) (i32.const 0) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const 7) (i32.const 4))
    (call $ok (call $recv (local.get $fd) (i32.const 2048) (i32.const 7) (i32.const 2) (i32.const 16)) (i32.const 5))
    (call $check (call $r) (i32.const 7) (i32.const 6))
    (call $print (i32.const 2048) (i32.const 7)) (call $nl)
    (call $ok (call $addr_remote (local.get $fd) (i32.const 1200)) (i32.const 7))
    (call $print_hex (i32.const 1200) (i32.const 28)) (call $nl)
    (call $ok (call $addr_local (local.get $fd) (i32.const 1300)) (i32.const 8))
    (call $print_hex (i32.const 1300) (i32.const 28)) (call $nl))
"#
    );
    let out = Guest::new(&wat).flags(&["--allow-connect", &format!("[::1]:{port}")]).run();
    out.assert_success();
    let (got, guest_addr) = peer.join().expect("native peer");
    assert_eq!(got, b"v6 ping");
    let lines = out.lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], "v6 pong");
    assert_eq!(parse_addr_hex(lines[1]), SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)), "addr_remote");
    assert_eq!(parse_addr_hex(lines[2]), guest_addr, "addr_local = what the native side sees");
}

/// A send on a connection the peer has closed is `pipe` (or `connreset`),
/// never a SIGPIPE that kills the host.
#[test]
fn tcp_send_after_peer_close_is_an_errno() {
    let (l, port) = listener("127.0.0.1");
    let wat = format!(
        r#"
  (data (i32.const 1024) "x")
  (func $main (local $fd i32) (local $e i32) (local $i i32)
    (call $sub_clock (i32.const 1200) (i32.const 1) (i64.const 5000000))
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    ;; wait for the peer's close: recv gives 0 at EOF
    (call $ok (call $recv (local.get $fd) (i32.const 2048) (i32.const 16) (i32.const 0) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const 0) (i32.const 4))
    ;; the first send may succeed (the peer answers it with a reset); a later one fails
    (block $failed
      (loop $again
        (local.set $e (call $send (local.get $fd) (i32.const 1024) (i32.const 1) (i32.const 0) (i32.const 16)))
        (br_if $failed (local.get $e))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (call $assert (i32.lt_u (local.get $i) (i32.const 1000)) (i32.const 5))
        (drop (call $poll_oneoff (i32.const 1200) (i32.const 1300) (i32.const 1) (i32.const 24)))
        (br $again)))
    (call $print_u32 (local.get $e)) (call $nl))
"#
    );
    let peer = std::thread::spawn(move || drop(accept(&l)));
    let out = Guest::new(&wat).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    peer.join().unwrap();
    out.assert_success();
    let e: i32 = out.stdout.trim().parse().expect("an errno");
    assert!(e == 64 || e == 15, "send after the peer closed: want pipe (64) or connreset (15), got {e}");
}
