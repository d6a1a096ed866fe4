//! Faults: native peers that reset, close, refuse, never accept, names that
//! do not resolve, and guests that die with sockets open. The guest
//! (`rust-tests/src/bin/faults.rs`) checks the exact error it gets and that
//! the host still serves it afterwards; these tests add what only the native
//! side sees: bytes, EOFs, ports released, and the host's own open fds.
//!
//! `guest_that_dies_leaks_nothing` runs the host in this process
//! (`wasock_host::run`) and compares `/proc/self/fd` before and after, so it
//! holds [`EXCLUSIVE`] for writing while every other test here holds it for
//! reading: no other test opens fds while it counts.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::{RwLock, RwLockReadGuard};
use std::thread;
use std::time::{Duration, Instant};

use wasock_e2e::{
    free_port, free_udp_port, module, native_tcp_echo, open_fds, reliability, set_backlog, set_linger_zero, Guest,
};
use wasock_host::pool::{AddrRule, Pool, Right};
use wasock_host::runner::Exit;
use wasock_host::RunConfig;

static EXCLUSIVE: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    EXCLUSIVE.read().unwrap_or_else(|e| e.into_inner())
}

fn guest() -> Guest {
    Guest::new("rust-tests", "faults").timeout(Duration::from_secs(30))
}

fn rule(a: SocketAddr) -> String {
    format!("{}:{}", a.ip(), a.port())
}

/// The guest's test pattern (`wasock_rust_tests::pattern`).
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

/// Echoes one connection until EOF.
fn echo(mut s: TcpStream) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 || s.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}

/// A server whose first connection gets `first`, and every later one an echo.
fn server(first: impl FnOnce(TcpStream) + Send + 'static) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    thread::spawn(move || {
        let mut incoming = l.incoming();
        if let Some(Ok(s)) = incoming.next() {
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            first(s);
        }
        for s in incoming.flatten() {
            thread::spawn(move || echo(s));
        }
    });
    addr
}

#[test]
fn peer_reset_mid_stream() {
    let _g = shared();
    let addr = server(|mut s| {
        s.write_all(&pattern(64 * 1024, 9)).unwrap();
        let mut k = [0u8; 1];
        s.read_exact(&mut k).unwrap();
        assert_eq!(&k, b"k");
        // The guest is waiting in read now: reset under it.
        thread::sleep(Duration::from_millis(100));
        set_linger_zero(&s).unwrap();
        drop(s);
    });
    let f = guest().allow("--allow-connect", &rule(addr)).arg("reset").arg(addr).run();
    f.assert_success();
    assert!(f.stdout_has("reset: ConnectionReset after 65536 bytes"), "{f}");
    assert!(f.stdout_has("reset ok"), "{f}");
    reliability("faults.peer_reset", "ok");
}

#[test]
fn peer_close_gives_eof_then_broken_pipe() {
    let _g = shared();
    let addr = server(|mut s| {
        s.write_all(b"bye").unwrap();
        // An orderly close: FIN, nothing unread.
        drop(s);
    });
    let f = guest().allow("--allow-connect", &rule(addr)).arg("eof").arg(addr).run();
    f.assert_success();
    assert!(f.stdout_has("eof: bye, EOF, EOF, then BrokenPipe"), "{f}");
    assert!(f.stdout_has("eof ok"), "{f}");
    reliability("faults.peer_close_eof_epipe", "ok");
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    let _g = shared();
    let live = native_tcp_echo("127.0.0.1:0");
    let closed = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
    let f = guest().allow("--allow-connect", "127.0.0.1").arg("refused").arg(closed).arg(live).run();
    f.assert_success();
    assert!(f.stdout_has("connect to a closed port: ConnectionRefused as expected"), "{f}");
    assert!(f.stdout_has("refused ok"), "{f}");
    reliability("faults.connection_refused", "ok");
}

#[test]
fn resolve_failure_is_not_found() {
    let _g = shared();
    let f = guest().allow("--allow-resolve", "*.invalid").arg("resolve").arg("no-such-host.invalid").run();
    f.assert_success();
    assert!(f.stdout_has("a name that does not exist: NotFound as expected"), "{f}");
    assert!(f.stdout_has("a name not granted: PermissionDenied as expected"), "{f}");
    assert!(f.stderr.contains("denied resolve \"example.com\""), "{f}");
    reliability("faults.resolve_failure", "ok");
}

#[test]
fn full_backlog_times_out_then_recovers() {
    let _g = shared();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    // Backlog 0: Linux queues one connection and drops the SYNs after it.
    set_backlog(&l, 0).unwrap();
    let addr = l.local_addr().unwrap();
    let mut g = guest().allow("--allow-connect", &rule(addr)).arg("backlog").arg(addr).spawn();
    let line = g.expect_line("backlog: ");
    assert!(line.starts_with("TimedOut after"), "{line}");
    assert!(line.ends_with("pending connect stays pending"), "{line}");
    // Drain the queue, then let the guest connect again.
    l.set_nonblocking(true).unwrap();
    let mut drained = Vec::new();
    loop {
        match l.accept() {
            Ok((s, _)) => drained.push(s),
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("accept: {e}"),
        }
    }
    assert!(!drained.is_empty(), "nothing was queued");
    g.write_stdin(b"drained\n");
    // The new connection arrives (the listener is non-blocking now: poll it).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match l.accept() {
            Ok(_) => break,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("the guest did not connect after the drain: {e}"),
        }
    }
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("backlog ok"), "{f}");
    reliability("faults.full_backlog", "ok");
}

/// The fds this process has now that it did not have in `before` (same
/// number and same target counts as the same fd).
fn new_fds(
    before: &std::collections::BTreeMap<u32, String>,
    after: &std::collections::BTreeMap<u32, String>,
) -> Vec<String> {
    after.iter().filter(|(n, t)| before.get(n) != Some(t)).map(|(n, t)| format!("{n} -> {t}")).collect()
}

/// One in-process run of `faults leave-open` in `mode`; checks what the
/// native side sees and returns how the run ended.
fn die_with_sockets_open(mode: &str, n: usize) -> Exit {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let server_addr = server.local_addr().unwrap();
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
    let udp = SocketAddr::from((Ipv4Addr::LOCALHOST, free_udp_port()));
    let mut pool = Pool::new("default");
    pool.addr_rules.push(AddrRule::parse(Right::Connect, &rule(server_addr)).unwrap());
    pool.addr_rules.push(AddrRule::parse(Right::Bind, "127.0.0.1").unwrap());
    let cfg = RunConfig {
        module: module("rust-tests", "faults"),
        args: ["leave-open", &server_addr.to_string(), &listen.to_string(), &udp.to_string(), &n.to_string(), mode]
            .map(String::from)
            .to_vec(),
        pools: vec![pool],
        ..RunConfig::default()
    };
    let run = thread::spawn(move || wasock_host::run(&cfg).expect("the run starts"));

    // The guest's connections to us, each carrying its index.
    server.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut accepted = Vec::new();
    while accepted.len() < n {
        match server.accept() {
            Ok((mut s, _)) => {
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut i = [0u8; 1];
                s.read_exact(&mut i).unwrap();
                assert_eq!(usize::from(i[0]), accepted.len(), "{mode}: connections out of order");
                accepted.push(s);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline && !run.is_finished() => {
                thread::sleep(Duration::from_millis(2))
            }
            Err(e) => panic!("{mode}: only {} of {n} connections came: {e}", accepted.len()),
        }
    }
    // Our connection to the guest's listener, which it accepts and keeps.
    let mut to_guest = loop {
        match TcpStream::connect(listen) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline && !run.is_finished() => thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("{mode}: cannot reach the guest's listener: {e}"),
        }
    };
    let exit = run.join().expect("the run thread");

    // Every socket the guest left open was closed by the host: each peer
    // reads EOF, the listener's port refuses, the UDP port is free.
    for (i, s) in accepted.iter_mut().enumerate() {
        let mut buf = [0u8; 8];
        match s.read(&mut buf) {
            Ok(0) => {}
            other => panic!("{mode}: connection {i} after the guest ended: {other:?}, not EOF"),
        }
    }
    to_guest.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(to_guest.read(&mut buf).unwrap(), 0, "{mode}: the accepted connection was not closed");
    let e = TcpStream::connect(listen).expect_err("the guest's listener still accepts");
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{mode}");
    UdpSocket::bind(udp).unwrap_or_else(|e| panic!("{mode}: the guest's UDP port is still taken: {e}"));
    exit
}

#[test]
fn guest_that_dies_leaks_nothing() {
    let _g = EXCLUSIVE.write().unwrap_or_else(|e| e.into_inner());
    const N: usize = 8;
    // A first run opens what wasmtime and the runtime keep for the process.
    die_with_sockets_open("return", N);
    let before = open_fds("self");
    type Expect = fn(&Exit) -> bool;
    let modes: [(&str, Expect); 4] = [
        ("trap", |e| matches!(e, Exit::Trap(_))),
        ("panic", |e| matches!(e, Exit::Trap(_))),
        ("exit", |e| matches!(e, Exit::Code(3))),
        ("return", |e| matches!(e, Exit::Code(0))),
    ];
    for (mode, expected) in modes {
        let exit = die_with_sockets_open(mode, N);
        assert!(expected(&exit), "{mode}: the run ended as {exit:?}");
        let after = open_fds("self");
        let leaked = new_fds(&before, &after);
        assert!(leaked.is_empty(), "{mode}: the host kept fds open after the guest ended:\n{}", leaked.join("\n"));
        reliability(&format!("faults.dies_with_sockets_open.{mode}.sockets_left_open"), N + 3);
        reliability(&format!("faults.dies_with_sockets_open.{mode}.host_fds_leaked"), leaked.len());
    }
}
