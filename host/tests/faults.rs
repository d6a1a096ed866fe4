//! A pool can never be widened by any sequence of calls: renumbering a pool
//! keeps its rules exactly, renumbering a socket over a pool removes the
//! pool, a closed pool is gone for good (even when its number is reused),
//! an accepted socket has its listener's pool, and a socket from one pool
//! never gets another pool's rules. Every denial is `notcapable` (76) and
//! happens before any packet leaves; every granted connect really reaches
//! the native listener it names.
//!
//! Pools: `default` (fd 3) grants connect to native listener A and bind on
//! 127.0.0.1 (any port); `b` (fd 4) grants connect to native listener B and
//! bind on one port, `QB`. Sockets the guests open start at fd 5.

mod common;

use common::*;
use std::net::TcpListener;

const NOTCAPABLE: i32 = 76;

/// The two native listeners and the pool flags that grant them.
struct Net {
    _a: TcpListener,
    _b: TcpListener,
    pa: u16,
    pb: u16,
    qb: u16,
}

impl Net {
    fn new() -> Net {
        let (a, pa) = listener("127.0.0.1");
        let (b, pb) = listener("127.0.0.1");
        Net { _a: a, _b: b, pa, pb, qb: free_port() }
    }

    fn flags(&self) -> Vec<String> {
        [
            "--allow-connect",
            &format!("127.0.0.1:{}", self.pa),
            "--allow-bind",
            "127.0.0.1",
            "--pool",
            "b",
            "--allow-connect",
            &format!("127.0.0.1:{}", self.pb),
            "--allow-bind",
            &format!("127.0.0.1:{}", self.qb),
        ]
        .map(String::from)
        .to_vec()
    }

    /// Module items with `$PA`, `$PB`, `$QB` replaced by the ports, plus helpers:
    /// `$tcp(pool) -> fd` (exits 90 if open fails), `$conn(fd, port) -> errno`
    /// (connect to 127.0.0.1:port), `$bind_port(fd, port) -> errno`.
    fn guest(&self, body: &str) -> Guest {
        let items = format!(
            r#"
  (func $tcp (param $pool i32) (result i32)
    (call $ok (call $open (local.get $pool) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 90))
    (call $r))
  (func $conn (param $fd i32) (param $port i32) (result i32)
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (local.get $port))
    (call $connect (local.get $fd) (i32.const 1300)))
  (func $bind_port (param $fd i32) (param $port i32) (result i32)
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (local.get $port))
    (call $bind (local.get $fd) (i32.const 1300)))
  {}
"#,
            body.replace("$PA", &self.pa.to_string())
                .replace("$PB", &self.pb.to_string())
                .replace("$QB", &self.qb.to_string())
        );
        Guest::new(&items).flags(&self.flags())
    }
}

fn run_ok(g: Guest, name: &str) {
    let out = g.run();
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.assert_success();
    reliability(&format!("faults.pool_not_widened.{name}"), "ok");
}

#[test]
fn a_renumbered_pool_keeps_its_rules_exactly() {
    let net = Net::new();
    let g = net.guest(&format!(
        r#"
  (func $main (local $s i32)
    ;; pool default (3) over a socket (5): the socket closes, the pool is fd 5
    (local.set $s (call $tcp (i32.const 3)))
    (call $check (local.get $s) (i32.const 5) (i32.const 1))
    (call $ok (call $fd_renumber (i32.const 3) (i32.const 5)) (i32.const 2))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 8) (i32.const 3))
    (call $ok (call $fd_prestat_get (i32.const 5) (i32.const 24)) (i32.const 4))
    (call $check (i32.load8_u (i32.const 24)) (i32.const 1) (i32.const 5))
    (call $check (i32.load (i32.const 28)) (i32.const 7) (i32.const 6))
    (local.set $s (call $tcp (i32.const 5)))
    (call $ok (call $conn (local.get $s) (i32.const $PA)) (i32.const 7))
    (local.set $s (call $tcp (i32.const 5)))
    (call $check (call $conn (local.get $s) (i32.const $PB)) (i32.const {NOTCAPABLE}) (i32.const 8))
    (call $check (call $bind_port (local.get $s) (i32.const 0)) (i32.const 0) (i32.const 9))

    ;; pool b (4) over stdin (0): b's rules at fd 0, and nothing more
    (call $ok (call $fd_renumber (i32.const 4) (i32.const 0)) (i32.const 10))
    (call $check (call $open (i32.const 4) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 8) (i32.const 11))
    (local.set $s (call $tcp (i32.const 0)))
    (call $ok (call $conn (local.get $s) (i32.const $PB)) (i32.const 12))
    (local.set $s (call $tcp (i32.const 0)))
    (call $check (call $conn (local.get $s) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 13))
    (call $check (call $bind_port (local.get $s) (i32.add (i32.const $QB) (i32.const 1))) (i32.const {NOTCAPABLE}) (i32.const 14))

    ;; a pool renumbered onto itself is unchanged
    (call $ok (call $fd_renumber (i32.const 0) (i32.const 0)) (i32.const 15))
    (local.set $s (call $tcp (i32.const 0)))
    (call $check (call $conn (local.get $s) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 16))

    ;; pool b (now 0) over pool default (now 5): default is gone, b's rules at 5
    (call $ok (call $fd_renumber (i32.const 0) (i32.const 5)) (i32.const 17))
    (local.set $s (call $tcp (i32.const 5)))
    (call $check (call $conn (local.get $s) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 18))
    (local.set $s (call $tcp (i32.const 5)))
    (call $ok (call $conn (local.get $s) (i32.const $PB)) (i32.const 19)))
"#
    ));
    run_ok(g, "renumbered_pool");
}

#[test]
fn a_socket_renumbered_over_a_pool_removes_it() {
    let net = Net::new();
    let g = net.guest(&format!(
        r#"
  (func $main (local $s i32)
    (local.set $s (call $tcp (i32.const 3)))
    (call $ok (call $fd_renumber (local.get $s) (i32.const 3)) (i32.const 1))
    ;; fd 3 is the socket now: no pool there, no preopen either
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 57) (i32.const 2))
    (call $check (call $fd_prestat_get (i32.const 3) (i32.const 24)) (i32.const 8) (i32.const 3))
    (call $check (call $addr_resolve (i32.const 3) (i32.const 1024) (i32.const 9) (i32.const 80) (i32.const 0) (i32.const 0)
      (i32.const 2048) (i32.const 1) (i32.const 16)) (i32.const 57) (i32.const 4))
    ;; the socket keeps default's rules, no more
    (call $check (call $conn (i32.const 3) (i32.const $PB)) (i32.const {NOTCAPABLE}) (i32.const 5))
    (call $ok (call $conn (i32.const 3) (i32.const $PA)) (i32.const 6))
    ;; pool b is untouched and grants only its own rules
    (local.set $s (call $tcp (i32.const 4)))
    (call $check (call $conn (local.get $s) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 7))
    ;; b over the socket: b is fd 3 now, with b's rules
    (call $ok (call $fd_renumber (i32.const 4) (i32.const 3)) (i32.const 8))
    (local.set $s (call $tcp (i32.const 3)))
    (call $check (call $conn (local.get $s) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 9))
    (call $ok (call $conn (local.get $s) (i32.const $PB)) (i32.const 10)))
"#
    ));
    run_ok(g, "socket_over_pool");
}

#[test]
fn a_closed_pool_gives_no_capability() {
    let net = Net::new();
    let g = net.guest(&format!(
        r#"
  (func $main (local $s i32) (local $t i32)
    (local.set $s (call $tcp (i32.const 3)))
    (call $check (local.get $s) (i32.const 5) (i32.const 1))
    (call $ok (call $close (i32.const 3)) (i32.const 2))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 8) (i32.const 3))
    (call $check (call $close (i32.const 3)) (i32.const 8) (i32.const 4))
    ;; the number 3 is reused by a socket from b: still no pool there
    (local.set $t (call $tcp (i32.const 4)))
    (call $check (local.get $t) (i32.const 3) (i32.const 5))
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 57) (i32.const 6))
    ;; a socket opened before the close keeps default's rules, and only those
    (call $check (call $conn (local.get $s) (i32.const $PB)) (i32.const {NOTCAPABLE}) (i32.const 7))
    (call $ok (call $conn (local.get $s) (i32.const $PA)) (i32.const 8))
    ;; give up b as well (preview-1 fd_close): no pool left, no new socket
    (call $ok (call $fd_close (i32.const 4)) (i32.const 9))
    (call $check (call $open (i32.const 4) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 8) (i32.const 10))
    (call $check (call $fd_prestat_get (i32.const 4) (i32.const 24)) (i32.const 8) (i32.const 11))
    ;; and the b socket opened earlier still has b's rules
    (call $check (call $conn (local.get $t) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 12))
    (call $ok (call $conn (local.get $t) (i32.const $PB)) (i32.const 13)))
"#
    ));
    run_ok(g, "closed_pool");
}

#[test]
fn an_accepted_socket_has_its_listeners_pool() {
    let net = Net::new();
    let run = net
        .guest(&format!(
            r#"
  (data (i32.const 1100) "listening\n")
  (func $main (local $l i32) (local $a i32)
    (local.set $l (call $tcp (i32.const 4)))
    ;; port 0 in pool b binds b's only port, QB
    (call $ok (call $bind_port (local.get $l) (i32.const 0)) (i32.const 1))
    (call $ok (call $addr_local (local.get $l) (i32.const 1400)) (i32.const 2))
    (call $check (i32.load16_u (i32.const 1402)) (i32.const $QB) (i32.const 3))
    (call $ok (call $listen (local.get $l) (i32.const 4)) (i32.const 4))
    (call $print (i32.const 1100) (i32.const 10))
    (call $ok (call $accept (local.get $l) (i32.const 0) (i32.const 16) (i32.const 1400)) (i32.const 5))
    (local.set $a (call $r))
    ;; default's address is beyond b: denied before anything is sent
    (call $check (call $conn (local.get $a) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 6))
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const $PA))
    (call $check (call $send_to (local.get $a) (i32.const 1024) (i32.const 1) (i32.const 0) (i32.const 1300) (i32.const 16))
      (i32.const {NOTCAPABLE}) (i32.const 7))
    (call $addr4 (i32.const 1300) (i32.const 224) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $check (call $join_multicast (local.get $a) (i32.const 1300) (i32.const 0)) (i32.const {NOTCAPABLE}) (i32.const 8))
    ;; b's own address passes the pool; the kernel then says it is connected already
    (call $check (call $conn (local.get $a) (i32.const $PB)) (i32.const 30) (i32.const 9))
    ;; sock_accept (preview-1) gives the same pool
    (call $ok (call $sock_accept (local.get $l) (i32.const 0) (i32.const 16)) (i32.const 10))
    (call $check (call $conn (call $r) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 11)))
"#
        ))
        .spawn();
    // Two connections for the guest to accept (accept, then sock_accept).
    let first = connect_retry(([127, 0, 0, 1], net.qb).into());
    let second = connect_retry(([127, 0, 0, 1], net.qb).into());
    let out = run.wait();
    drop((first, second));
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.assert_success();
    reliability("faults.pool_not_widened.accepted_socket", "ok");
}

#[test]
fn a_socket_never_gets_another_pools_rules() {
    let net = Net::new();
    let g = net.guest(&format!(
        r#"
  (func $main (local $s i32)
    ;; from b: default's connect and bind rules do not apply
    (local.set $s (call $tcp (i32.const 4)))
    (call $check (call $conn (local.get $s) (i32.const $PA)) (i32.const {NOTCAPABLE}) (i32.const 1))
    (call $check (call $bind_port (local.get $s) (i32.add (i32.const $QB) (i32.const 1))) (i32.const {NOTCAPABLE}) (i32.const 2))
    (call $ok (call $conn (local.get $s) (i32.const $PB)) (i32.const 3))
    ;; UDP from b: send_to default's address is denied
    (call $ok (call $open (i32.const 4) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 4))
    (local.set $s (call $r))
    (call $addr4 (i32.const 1300) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const $PA))
    (call $check (call $send_to (local.get $s) (i32.const 1024) (i32.const 1) (i32.const 0) (i32.const 1300) (i32.const 16))
      (i32.const {NOTCAPABLE}) (i32.const 5))
    (call $check (call $connect (local.get $s) (i32.const 1300)) (i32.const {NOTCAPABLE}) (i32.const 6))
    ;; from default: b's address is denied, whatever the fd numbers did
    (local.set $s (call $tcp (i32.const 3)))
    (call $check (call $conn (local.get $s) (i32.const $PB)) (i32.const {NOTCAPABLE}) (i32.const 7))
    (call $ok (call $fd_renumber (i32.const 4) (local.get $s)) (i32.const 8))
    (local.set $s (call $tcp (i32.const 3)))
    (call $check (call $conn (local.get $s) (i32.const $PB)) (i32.const {NOTCAPABLE}) (i32.const 9)))
"#
    ));
    run_ok(g, "other_pools_rules");
}

/// `listen` on a socket that was never bound: the kernel would bind it to
/// 0.0.0.0 and an ephemeral port, which no bind rule granted.
#[test]
fn listen_without_bind_needs_a_bind_right() {
    let (_a, pa) = listener("127.0.0.1");
    let out = Guest::new(&format!(
        r#"
  (func $main
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (call $check (call $listen (call $r) (i32.const 1)) (i32.const {NOTCAPABLE}) (i32.const 2))
    ;; still unbound afterwards
    (call $ok (call $addr_local (call $r) (i32.const 1400)) (i32.const 3))
    (call $check (i32.load16_u (i32.const 1402)) (i32.const 0) (i32.const 4)))
"#
    ))
    .flags(&["--allow-connect", &format!("127.0.0.1:{pa}")])
    .run();
    out.assert_success();
}

/// `listen` on an unbound socket in a pool that grants the wildcard address
/// binds it there through the pool (an ephemeral port, as the kernel would).
#[test]
fn listen_without_bind_uses_a_granted_wildcard() {
    let out = Guest::new(
        r#"
  (func $main
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (call $ok (call $listen (call $r) (i32.const 1)) (i32.const 2))
    ;; bound now, to an ephemeral port
    (call $ok (call $addr_local (call $r) (i32.const 1400)) (i32.const 3))
    (call $check (i32.eqz (i32.load16_u (i32.const 1402))) (i32.const 0) (i32.const 4)))
"#,
    )
    .flags(&["--allow-bind", "0.0.0.0/0"])
    .run();
    out.assert_success();
}
