//! UDP between a guest and a native socket: send_to / recv_from both ways,
//! with the source addresses each side sees.

mod common;

use common::*;
use std::net::SocketAddr;

/// The guest sends "ping" to the native socket with send_to, receives the
/// native "pong!" with recv_from, and prints the source record and its own
/// addr_local.
fn exchange(sock: std::net::UdpSocket, family: i32, allow: String) {
    let native: SocketAddr = sock.local_addr().unwrap();
    let port = native.port();
    let set_addr = if family == 1 {
        format!("(call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))")
    } else {
        format!("(call $addr6_loopback (i32.const 1100) (i32.const {port}))")
    };
    let wat = format!(
        r#"
  (data (i32.const 1024) "ping")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const {family}) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    ;; a datagram socket: fdstat filetype 5
    (call $ok (call $fd_fdstat_get (local.get $fd) (i32.const 1600)) (i32.const 2))
    (call $check (i32.load8_u (i32.const 1600)) (i32.const 5) (i32.const 3))
    {set_addr}
    (call $ok (call $send_to (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 1100) (i32.const 16)) (i32.const 4))
    (call $check (call $r) (i32.const 4) (i32.const 5))
    ;; the reply: a 100-byte buffer, 5 bytes come
    (call $ok (call $recv_from (local.get $fd) (i32.const 2048) (i32.const 100) (i32.const 0) (i32.const 16) (i32.const 1200)) (i32.const 6))
    (call $check (call $r) (i32.const 5) (i32.const 7))
    (call $print (i32.const 2048) (i32.const 5)) (call $nl)
    (call $print_hex (i32.const 1200) (i32.const 28)) (call $nl)
    (call $ok (call $addr_local (local.get $fd) (i32.const 1300)) (i32.const 8))
    (call $print_hex (i32.const 1300) (i32.const 28)) (call $nl)
    ;; peek, then read, the second datagram
    (call $ok (call $recv_from (local.get $fd) (i32.const 2048) (i32.const 100) (i32.const 1) (i32.const 16) (i32.const 1200)) (i32.const 9))
    (call $check (call $r) (i32.const 6) (i32.const 10))
    (call $ok (call $recv (local.get $fd) (i32.const 2048) (i32.const 100) (i32.const 0) (i32.const 16)) (i32.const 11))
    (call $check (call $r) (i32.const 6) (i32.const 12))
    (call $print (i32.const 2048) (i32.const 6)) (call $nl))
"#
    );
    let peer = std::thread::spawn(move || {
        let mut buf = [0u8; 100];
        let (n, from) = sock.recv_from(&mut buf).expect("the guest's datagram");
        sock.send_to(b"pong!", from).unwrap();
        sock.send_to(b"second", from).unwrap();
        (buf[..n].to_vec(), from)
    });
    let out = Guest::new(&wat).flags(&["--allow-connect", &allow]).run();
    out.assert_success();
    let (got, guest_addr) = peer.join().expect("native peer");
    assert_eq!(got, b"ping", "send_to's bytes on the native side");
    let lines = out.lines();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0], "pong!");
    assert_eq!(lines[1], hex(&addr_record(&native)), "recv_from's source = the native socket");
    // send_to bound the socket to the wildcard address and an ephemeral port.
    let local = parse_addr_hex(lines[2]);
    assert!(local.ip().is_unspecified() && local.is_ipv4() == guest_addr.is_ipv4(), "addr_local: {local}");
    assert_eq!(local.port(), guest_addr.port(), "addr_local's port = the source port the native side saw");
    assert_eq!(lines[3], "second", "peek left the datagram for recv");
}

#[test]
fn udp_send_to_recv_from_ipv4() {
    let sock = udp("127.0.0.1");
    let allow = format!("127.0.0.1:{}", sock.local_addr().unwrap().port());
    exchange(sock, 1, allow);
}

#[test]
fn udp_send_to_recv_from_ipv6() {
    if !have_ipv6() {
        eprintln!("skipped: no IPv6 loopback here");
        return;
    }
    let sock = udp("::1");
    let allow = format!("[::1]:{}", sock.local_addr().unwrap().port());
    exchange(sock, 2, allow);
}

/// A datagram socket bound to 127.0.0.1:0 (ephemeral, `--allow-bind 127.0.0.1`)
/// and connected to the native socket uses send/recv; the native side sees
/// exactly the guest's addr_local as the source.
#[test]
fn udp_bound_and_connected() {
    let sock = udp("127.0.0.1");
    let native = sock.local_addr().unwrap();
    let port = native.port();
    let wat = format!(
        r#"
  (data (i32.const 1024) "connected")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $ok (call $bind (local.get $fd) (i32.const 1100)) (i32.const 2))
    (call $ok (call $addr_local (local.get $fd) (i32.const 1300)) (i32.const 3))
    (call $print_hex (i32.const 1300) (i32.const 28)) (call $nl)
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 4))
    (call $ok (call $addr_remote (local.get $fd) (i32.const 1400)) (i32.const 5))
    (call $print_hex (i32.const 1400) (i32.const 28)) (call $nl)
    (call $ok (call $send (local.get $fd) (i32.const 1024) (i32.const 9) (i32.const 0) (i32.const 16)) (i32.const 6))
    (call $check (call $r) (i32.const 9) (i32.const 7))
    (call $ok (call $recv (local.get $fd) (i32.const 2048) (i32.const 100) (i32.const 0) (i32.const 16)) (i32.const 8))
    (call $print (i32.const 2048) (call $r)) (call $nl))
"#
    );
    let peer = std::thread::spawn(move || {
        let mut buf = [0u8; 100];
        let (n, from) = sock.recv_from(&mut buf).expect("the guest's datagram");
        sock.send_to(b"reply", from).unwrap();
        (buf[..n].to_vec(), from)
    });
    let out =
        Guest::new(&wat).flags(&["--allow-bind", "127.0.0.1", "--allow-connect", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    let (got, from) = peer.join().expect("native peer");
    assert_eq!(got, b"connected");
    let lines = out.lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(parse_addr_hex(lines[0]), from, "addr_local after binding 127.0.0.1:0 = the source the native side saw");
    assert_ne!(from.port(), 0);
    assert_eq!(parse_addr_hex(lines[1]), native, "addr_remote after connect");
    assert_eq!(lines[2], "reply");
}

/// `--allow-accept 127.0.0.2`: a datagram from 127.0.0.1 is dropped (by the
/// kernel filter, before it queues: nothing to log), even when the guest
/// only peeks; the admitted one is received.
#[test]
fn udp_accept_filter_drops_unadmitted_sources() {
    let a = udp("127.0.0.1");
    let b = match std::net::UdpSocket::bind("127.0.0.2:0") {
        Ok(b) => b,
        Err(e) => {
            eprintln!("skipped: cannot bind 127.0.0.2: {e}");
            return;
        }
    };
    let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    let port = a_addr.port();
    let wat = format!(
        r#"
  (data (i32.const 1024) "hi")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $send_to (local.get $fd) (i32.const 1024) (i32.const 2) (i32.const 0) (i32.const 1100) (i32.const 16)) (i32.const 2))
    ;; peek: the first datagram (from 127.0.0.1) is dropped, the second seen
    (call $ok (call $recv_from (local.get $fd) (i32.const 2048) (i32.const 100) (i32.const 1) (i32.const 16) (i32.const 1200)) (i32.const 3))
    (call $print (i32.const 2048) (call $r)) (call $nl)
    (call $print_hex (i32.const 1200) (i32.const 28)) (call $nl)
    (call $ok (call $recv_from (local.get $fd) (i32.const 2048) (i32.const 100) (i32.const 0) (i32.const 16) (i32.const 1200)) (i32.const 4))
    (call $print (i32.const 2048) (call $r)) (call $nl))
"#
    );
    let peer = std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        let (_, guest) = a.recv_from(&mut buf).expect("the guest's datagram");
        a.send_to(b"dropped", guest).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        b.send_to(b"admitted", guest).unwrap();
    });
    let out =
        Guest::new(&wat).flags(&["--allow-connect", &format!("127.0.0.1:{port}"), "--allow-accept", "127.0.0.2"]).run();
    peer.join().expect("native peer");
    out.assert_success();
    assert_eq!(out.lines(), ["admitted", &hex(&addr_record(&b_addr)), "admitted"]);
    assert!(!out.stderr.contains("wasock: denied"), "{}", out.stderr);
}

/// poll reports a datagram's size as nbytes; a receive into a smaller
/// buffer truncates it (sock_recv sets recv_data_truncated).
#[test]
fn udp_poll_nbytes_and_truncation() {
    let sock = udp("127.0.0.1");
    let port = sock.local_addr().unwrap().port();
    let wat = format!(
        r#"
  (data (i32.const 1024) "hi")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $send_to (local.get $fd) (i32.const 1024) (i32.const 2) (i32.const 0) (i32.const 1100) (i32.const 16)) (i32.const 2))
    (call $sub_fd (i32.const 2048) (i32.const 1) (i32.const 1) (local.get $fd))
    (call $sub_clock (i32.const 2096) (i32.const 2) (i64.const 15000000000))
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 2560) (i32.const 2) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const 1) (i32.const 4))
    (call $check (call $ev_userdata (i32.const 2560)) (i32.const 1) (i32.const 5))
    (call $check (call $ev_nbytes (i32.const 2560)) (i32.const 10) (i32.const 6))
    ;; 4 of the 10 bytes; the rest of the datagram is gone
    (i32.store (i32.const 1300) (i32.const 3000)) (i32.store (i32.const 1304) (i32.const 4))
    (call $ok (call $sock_recv (local.get $fd) (i32.const 1300) (i32.const 1) (i32.const 0) (i32.const 16) (i32.const 24)) (i32.const 7))
    (call $check (call $r) (i32.const 4) (i32.const 8))
    (call $check (i32.load16_u (i32.const 24)) (i32.const 1) (i32.const 9))
    (call $print (i32.const 3000) (i32.const 4)) (call $nl)
    (call $ok (call $recv (local.get $fd) (i32.const 3000) (i32.const 100) (i32.const 0) (i32.const 16)) (i32.const 10))
    (call $print (i32.const 3000) (call $r)) (call $nl))
"#
    );
    let peer = std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        let (_, guest) = sock.recv_from(&mut buf).expect("the guest's datagram");
        sock.send_to(b"0123456789", guest).unwrap();
        sock.send_to(b"next", guest).unwrap();
    });
    let out = Guest::new(&wat).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    peer.join().expect("native peer");
    out.assert_success();
    assert_eq!(out.lines(), ["0123", "next"]);
}
