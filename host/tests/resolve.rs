//! `addr_resolve`: names need a `resolve` right, numeric hosts need none.

mod common;

use common::*;
use std::net::SocketAddr;

/// A guest that resolves NAME (port 9, family FAMILY, type 0) into 4 records
/// and prints the errno, then (on success) the count and the records written.
fn resolver(name: &str, family: i32) -> Guest {
    let len = name.len();
    Guest::new(&format!(
        r#"
  (data (i32.const 1024) "{name}")
  (func $main (local $e i32) (local $i i32) (local $n i32)
    (i32.store (i32.const 16) (i32.const 0xdead))
    (local.set $e (call $addr_resolve (i32.const 3) (i32.const 1024) (i32.const {len}) (i32.const 9)
      (i32.const {family}) (i32.const 0) (i32.const 2048) (i32.const 4) (i32.const 16)))
    (call $print_u32 (local.get $e)) (call $nl)
    (if (local.get $e) (then return))
    (local.set $n (call $r))
    (call $print_u32 (local.get $n)) (call $nl)
    (if (i32.gt_u (local.get $n) (i32.const 4)) (then (local.set $n (i32.const 4))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $print_hex (i32.add (i32.const 2048) (i32.mul (local.get $i) (i32.const 28))) (i32.const 28))
        (call $nl)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each))))
"#
    ))
}

/// Runs a resolver; returns (errno, addresses) and the outcome.
fn resolve(name: &str, family: i32, flags: &[&str]) -> (i32, Vec<SocketAddr>, Finished) {
    let out = resolver(name, family).flags(flags).run();
    out.assert_success();
    let lines = out.lines();
    let e: i32 = lines[0].parse().expect("errno line");
    let addrs = if e == 0 {
        let n: usize = lines[1].parse().expect("count line");
        assert!(n >= 1, "ret_count >= 1 on success");
        assert_eq!(lines.len(), 2 + n.min(4), "{lines:?}");
        lines[2..].iter().map(|l| parse_addr_hex(l)).collect()
    } else {
        assert_eq!(lines.len(), 1, "{lines:?}");
        Vec::new()
    };
    (e, addrs, out)
}

#[test]
fn resolve_localhost_with_the_right() {
    let (e, addrs, _) = resolve("localhost", 0, &["--allow-resolve", "localhost"]);
    assert_eq!(e, 0);
    assert!(!addrs.is_empty());
    for a in &addrs {
        assert!(a.ip().is_loopback(), "localhost resolves to loopback: {addrs:?}");
        assert_eq!(a.port(), 9, "the port asked for: {addrs:?}");
    }
    // Family hint inet4: only IPv4 records.
    let (e, addrs, _) = resolve("localhost", 1, &["--allow-resolve", "localhost"]);
    assert_eq!(e, 0);
    assert!(addrs.iter().all(|a| a.is_ipv4() && a.ip().is_loopback()), "{addrs:?}");
}

#[test]
fn resolve_without_the_right_is_notcapable() {
    let (e, _, out) = resolve("localhost", 0, &["--allow-resolve", "other.example"]);
    assert_eq!(e, errno::NOTCAPABLE);
    assert!(
        out.stderr.contains("wasock: denied") && out.stderr.contains("localhost"),
        "a denial line naming the name: {}",
        out.stderr
    );
    // `*.localhost` does not grant `localhost` itself.
    let (e, _, _) = resolve("localhost", 0, &["--allow-resolve", "*.localhost"]);
    assert_eq!(e, errno::NOTCAPABLE);
}

#[test]
fn resolve_unknown_name_is_noent() {
    let (e, _, _) = resolve("no-such-host.invalid", 0, &["--allow-resolve", "*"]);
    assert_eq!(e, errno::NOENT);
}

#[test]
fn resolve_numeric_needs_no_right() {
    // A pool with no resolve rule at all.
    let flags = ["--allow-connect", "127.0.0.1:1"];
    let (e, addrs, _) = resolve("127.0.0.1", 0, &flags);
    assert_eq!(e, 0);
    assert_eq!(addrs, [SocketAddr::from(([127, 0, 0, 1], 9))]);
    let (e, addrs, _) = resolve("::1", 0, &flags);
    assert_eq!(e, 0);
    assert_eq!(addrs, [SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 9))]);
    // A numeric host of the other family than asked for is not found.
    let (e, _, _) = resolve("127.0.0.1", 2, &flags);
    assert_eq!(e, errno::NOENT);
}

/// ret_count is the total found even when buf_count is smaller; buf_count 0
/// writes nothing.
#[test]
fn resolve_count_beyond_buffer() {
    let out = Guest::new(
        r#"
  (data (i32.const 1024) "127.0.0.1")
  (func $main
    (i32.store8 (i32.const 2048) (i32.const 0x77))
    (call $ok (call $addr_resolve (i32.const 3) (i32.const 1024) (i32.const 9) (i32.const 80)
      (i32.const 0) (i32.const 6) (i32.const 2048) (i32.const 0) (i32.const 16)) (i32.const 1))
    (call $check (call $r) (i32.const 1) (i32.const 2))
    (call $check (i32.load8_u (i32.const 2048)) (i32.const 0x77) (i32.const 3)))
"#,
    )
    .flags(&["--allow-connect", "127.0.0.1:1"])
    .run();
    out.assert_success();
}
