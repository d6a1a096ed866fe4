//! Address pools: what they grant and deny, their fd numbers, and fd
//! allocation of sockets.

mod common;

use common::*;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// The denial lines of a run's stderr.
fn denials(out: &Finished) -> Vec<&str> {
    out.stderr.lines().filter(|l| l.starts_with("wasock: denied")).collect()
}

/// Asserts the native listener saw no connection (checked after the guest exited).
fn assert_no_connection(l: &TcpListener) {
    l.set_nonblocking(true).unwrap();
    match l.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("the native listener saw a connection from {from}"),
        Err(e) => panic!("accept: {e}"),
    }
}

/// A guest that opens a stream socket from pool fd 3 and prints connect's errno to a.b.c.d:port.
fn connector(ip: [u8; 4], port: u16) -> Guest {
    let [a, b, c, d] = ip;
    Guest::new(&format!(
        r#"
  (func $main
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (call $addr4 (i32.const 1100) (i32.const {a}) (i32.const {b}) (i32.const {c}) (i32.const {d}) (i32.const {port}))
    (call $print_u32 (call $connect (call $r) (i32.const 1100))) (call $nl))
"#
    ))
}

#[test]
fn connect_outside_pool_is_denied() {
    let (l, port) = listener("127.0.0.1");
    let other = other_port(port);
    // Another port of the same address.
    let out = connector([127, 0, 0, 1], port).flags(&["--allow-connect", &format!("127.0.0.1:{other}")]).run();
    out.assert_success();
    assert_eq!(out.stdout.trim(), errno::NOTCAPABLE.to_string(), "connect's errno");
    let lines = denials(&out);
    assert_eq!(lines.len(), 1, "one denial line: {}", out.stderr);
    assert!(lines[0].contains(&format!("127.0.0.1:{port}")), "the line names the address: {}", lines[0]);
    // Another address, every port.
    let out = connector([127, 0, 0, 1], port).flags(&["--allow-connect", "127.0.0.2"]).run();
    out.assert_success();
    assert_eq!(out.stdout.trim(), errno::NOTCAPABLE.to_string());
    assert_eq!(denials(&out).len(), 1, "{}", out.stderr);
    // Only a bind right: no connect at all.
    let out = connector([127, 0, 0, 1], port).flags(&["--allow-bind", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    assert_eq!(out.stdout.trim(), errno::NOTCAPABLE.to_string());
    assert_no_connection(&l);
    // The control: granted, it connects.
    let out = connector([127, 0, 0, 1], port).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    assert_eq!(out.stdout.trim(), "0");
    assert!(denials(&out).is_empty(), "{}", out.stderr);
}

#[test]
fn udp_send_to_outside_pool_is_denied() {
    let sock = udp("127.0.0.1");
    let port = sock.local_addr().unwrap().port();
    let out = Guest::new(&format!(
        r#"
  (data (i32.const 1024) "leak")
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $check (call $send_to (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 1100) (i32.const 16))
      (i32.const 76) (i32.const 2))
    ;; nor through connect + send
    (call $check (call $connect (local.get $fd) (i32.const 1100)) (i32.const 76) (i32.const 3))
    (call $check (call $send (local.get $fd) (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 17) (i32.const 4)))
"#
    ))
    .flags(&["--allow-connect", &format!("127.0.0.1:{}", other_port(port))])
    .run();
    out.assert_success();
    assert_eq!(denials(&out).len(), 2, "{}", out.stderr);
    sock.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 16];
    let got = sock.recv_from(&mut buf);
    assert!(matches!(&got, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock), "the native socket received {got:?}");
}

#[test]
fn bind_is_limited_to_the_pool() {
    let port = free_port();
    let other = other_port(port);
    let out = Guest::new(&format!(
        r#"
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    ;; another port
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {other}))
    (call $check (call $bind (local.get $fd) (i32.const 1100)) (i32.const 76) (i32.const 2))
    ;; the wildcard address is not 127.0.0.1
    (call $addr4 (i32.const 1100) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const {port}))
    (call $check (call $bind (local.get $fd) (i32.const 1100)) (i32.const 76) (i32.const 3))
    ;; port 0 with a one-port rule binds that port
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $ok (call $bind (local.get $fd) (i32.const 1100)) (i32.const 4))
    (call $ok (call $addr_local (local.get $fd) (i32.const 1200)) (i32.const 5))
    (call $check (i32.load16_u (i32.const 1202)) (i32.const {port}) (i32.const 6)))
"#
    ))
    .flags(&["--allow-bind", &format!("127.0.0.1:{port}")])
    .run();
    out.assert_success();
    assert_eq!(denials(&out).len(), 2, "{}", out.stderr);
}

/// `--allow-accept 127.0.0.2`: a client from 127.0.0.1 is refused (closed
/// and logged) and the guest's accept returns the next, admitted client.
#[test]
fn accept_filter() {
    let port = free_port();
    let wat = format!(
        r#"
  (func $main (local $l i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $l (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $bind (local.get $l) (i32.const 1100)) (i32.const 2))
    (call $ok (call $listen (local.get $l) (i32.const 8)) (i32.const 3))
    (call $ok (call $accept (local.get $l) (i32.const 0) (i32.const 16) (i32.const 1200)) (i32.const 4))
    (call $print_hex (i32.const 1200) (i32.const 28)) (call $nl))
"#
    );
    let guest =
        Guest::new(&wat).flags(&["--allow-bind", &format!("127.0.0.1:{port}"), "--allow-accept", "127.0.0.2"]).spawn();
    let server: SocketAddr = ([127, 0, 0, 1], port).into();
    let peer = std::thread::spawn(move || {
        // From 127.0.0.1, refused: the kernel filter drops the SYN, so once
        // the guest listens the connect times out instead of being refused.
        let deadline = std::time::Instant::now() + TIMEOUT;
        loop {
            match TcpStream::connect_timeout(&server, Duration::from_millis(300)) {
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    assert!(std::time::Instant::now() < deadline, "the guest never listened");
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => panic!("a refused peer must get no answer, got {other:?}"),
            }
        }
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        s.bind(&SocketAddr::from(([127, 0, 0, 2], 0)).into()).expect("bind 127.0.0.2");
        s.connect_timeout(&server.into(), TIMEOUT).expect("connect from 127.0.0.2");
        TcpStream::from(s)
    });
    let out = guest.wait();
    out.assert_success();
    let admitted = peer.join().expect("native peer");
    assert_eq!(
        out.lines(),
        [hex(&addr_record(&admitted.local_addr().unwrap()))],
        "accept returned the admitted client"
    );
    // The kernel dropped the refused peer before it queued: nothing to log.
    assert!(denials(&out).is_empty(), "{}", out.stderr);
}

/// With no rule there is no pool: fd 3 is nothing.
#[test]
fn no_rule_no_pool() {
    let out = Guest::new(
        r#"
  (func $main
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 8) (i32.const 1))
    (call $check (call $fd_prestat_get (i32.const 3) (i32.const 1200)) (i32.const 8) (i32.const 2)))
"#,
    )
    .run();
    out.assert_success();
}

/// Pools come after preopened directories, in command-line order, with
/// prestat tag 1 and their names; each socket keeps its own pool's rights.
#[test]
fn pools_follow_preopened_dirs() {
    let (l1, p1) = listener("127.0.0.1");
    let (l2, p2) = listener("127.0.0.1");
    let dir = std::env::temp_dir();
    let dir_flag = format!("{}::/data", dir.display());
    let wat = format!(
        r#"
  (func $expect_pool (param $fd i32) (param $len i32) (param $id i32)
    (call $ok (call $fd_prestat_get (local.get $fd) (i32.const 1200)) (local.get $id))
    (call $check (i32.load8_u (i32.const 1200)) (i32.const 1) (i32.add (local.get $id) (i32.const 1)))
    (call $check (i32.load (i32.const 1204)) (local.get $len) (i32.add (local.get $id) (i32.const 2)))
    (call $ok (call $fd_prestat_dir_name (local.get $fd) (i32.const 1300) (local.get $len)) (i32.add (local.get $id) (i32.const 3)))
    (call $print (i32.const 1300) (local.get $len)) (call $nl)
    ;; a pool is filetype unknown
    (call $ok (call $fd_fdstat_get (local.get $fd) (i32.const 1400)) (i32.add (local.get $id) (i32.const 4)))
    (call $check (i32.load8_u (i32.const 1400)) (i32.const 0) (i32.add (local.get $id) (i32.const 5))))
  (func $connect_from (param $pool i32) (param $port i32) (result i32)
    (call $ok (call $open (local.get $pool) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 90))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (local.get $port))
    (call $connect (call $r) (i32.const 1100)))
  (func $main
    ;; fd 3 is the directory (prestat tag 0)
    (call $ok (call $fd_prestat_get (i32.const 3) (i32.const 1200)) (i32.const 1))
    (call $check (i32.load8_u (i32.const 1200)) (i32.const 0) (i32.const 2))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 57) (i32.const 3))
    (call $expect_pool (i32.const 4) (i32.const 7) (i32.const 10))
    (call $expect_pool (i32.const 5) (i32.const 3) (i32.const 20))
    (call $check (call $fd_prestat_get (i32.const 6) (i32.const 1200)) (i32.const 8) (i32.const 4))
    ;; default grants p1 only, lan grants p2 only
    (call $check (call $connect_from (i32.const 4) (i32.const {p2})) (i32.const 76) (i32.const 30))
    (call $check (call $connect_from (i32.const 5) (i32.const {p1})) (i32.const 76) (i32.const 31))
    (call $check (call $connect_from (i32.const 4) (i32.const {p1})) (i32.const 0) (i32.const 32))
    (call $check (call $connect_from (i32.const 5) (i32.const {p2})) (i32.const 0) (i32.const 33)))
"#
    );
    let out = Guest::new(&wat)
        .flags(&[
            "--dir",
            &dir_flag,
            "--allow-connect",
            &format!("127.0.0.1:{p1}"),
            "--pool",
            "lan",
            "--allow-connect",
            &format!("127.0.0.1:{p2}"),
        ])
        .run();
    out.assert_success();
    assert_eq!(out.lines(), ["default", "lan"]);
    let lines = denials(&out);
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(lines[0].contains("default") && lines[1].contains("lan"), "denials name the pool: {lines:?}");
    // One connection each.
    let _ = accept(&l1);
    let _ = accept(&l2);
    assert_no_connection(&l1);
    assert_no_connection(&l2);
}

/// fd_close on a pool gives the capability up.
#[test]
fn closing_a_pool_gives_it_up() {
    let out = Guest::new(
        r#"
  (func $main
    (call $ok (call $fd_close (i32.const 3)) (i32.const 1))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 8) (i32.const 2)))
"#,
    )
    .flags(&["--allow-connect", "127.0.0.1:1"])
    .run();
    out.assert_success();
}

/// Socket fds are allocated lowest-free: a closed number is reused.
#[test]
fn closed_fd_number_is_reused() {
    let out = Guest::new(
        r#"
  (func $sock (result i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 90))
    (call $r))
  (func $main (local $a i32) (local $b i32) (local $c i32)
    (local.set $a (call $sock))
    (call $check (local.get $a) (i32.const 4) (i32.const 1))
    (call $ok (call $close (local.get $a)) (i32.const 2))
    (call $check (call $sock) (i32.const 4) (i32.const 3))
    ;; fd 4 is open again; the next is 5
    (local.set $b (call $sock))
    (call $check (local.get $b) (i32.const 5) (i32.const 4))
    ;; close the first (through preview-1 fd_close): the third gets its number
    (call $ok (call $fd_close (i32.const 4)) (i32.const 5))
    (local.set $c (call $sock))
    (call $check (local.get $c) (i32.const 4) (i32.const 6))
    ;; and a datagram socket takes the next free one
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 7))
    (call $check (call $r) (i32.const 6) (i32.const 8))
    ;; closing twice: badf
    (call $ok (call $close (local.get $b)) (i32.const 9))
    (call $check (call $close (local.get $b)) (i32.const 8) (i32.const 10))
    (call $check (call $sock) (i32.const 5) (i32.const 11)))
"#,
    )
    .flags(&["--allow-connect", "127.0.0.1:1"])
    .run();
    out.assert_success();
}

/// A multicast group must be granted by a connect (or accept) rule.
#[test]
fn multicast_group_needs_a_grant() {
    let out = Guest::new(
        r#"
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 239) (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 0))
    (call $check (call $join_multicast (local.get $fd) (i32.const 1100) (i32.const 0)) (i32.const 76) (i32.const 2))
    (call $check (call $leave_multicast (local.get $fd) (i32.const 1100) (i32.const 0)) (i32.const 76) (i32.const 3)))
"#,
    )
    .flags(&["--allow-connect", "239.9.9.9"])
    .run();
    out.assert_success();
    let lines = denials(&out);
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(lines[0].contains("239.1.2.3"), "names the group: {}", lines[0]);
    assert!(lines[0].starts_with("wasock: denied join multicast group"), "says join: {}", lines[0]);
    assert!(lines[1].starts_with("wasock: denied leave multicast group"), "says leave: {}", lines[1]);
}

/// An inet6 socket reaching an IPv4 host through an IPv4-mapped address is
/// checked against IPv4 rules: `::/0` does not grant it, `127.0.0.1:PORT` does.
#[test]
fn ipv4_mapped_destinations_follow_ipv4_rules() {
    if !have_ipv6() {
        eprintln!("skipped: no IPv6 here");
        return;
    }
    let (l, port) = listener("127.0.0.1");
    let guest = |flags: &[&str]| {
        Guest::new(&format!(
            r#"
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 2) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $ok (call $setopt (local.get $fd) (i32.const 3) (i32.const 1) (i32.const 0)) (i32.const 2)) ;; ipv6.v6only
    ;; [::ffff:127.0.0.1]:port
    (call $addr6_loopback (i32.const 1100) (i32.const {port}))
    (i32.store8 (i32.const 1123) (i32.const 0))
    (i32.store16 (i32.const 1118) (i32.const 0xffff))
    (i32.store (i32.const 1120) (i32.const 0x0100007f))
    (call $print_u32 (call $connect (local.get $fd) (i32.const 1100))) (call $nl))
"#
        ))
        .flags(flags)
        .run()
    };
    let out = guest(&["--allow-connect", "::/0"]);
    out.assert_success();
    assert_eq!(out.stdout.trim(), errno::NOTCAPABLE.to_string(), "::/0 must not grant IPv4 through a mapped address");
    assert_eq!(denials(&out).len(), 1, "{}", out.stderr);
    assert_no_connection(&l);
    let out = guest(&["--allow-connect", &format!("127.0.0.1:{port}")]);
    out.assert_success();
    assert_eq!(out.stdout.trim(), "0", "the IPv4 rule grants the mapped address");
    let _ = accept(&l);
}
