//! End-to-end tests of async Rust guests under `wasock run`, against native
//! peers on loopback: rust-tests/src/bin/tokio_echo.rs (tokio's
//! current_thread runtime on `wasock::tokio`), tokio_client.rs, mio_echo.rs
//! (`wasock::mio`) and connecting.rs (the non-blocking connect under both).
//! HTTP guests are in http_guests.rs.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use wasock_e2e::{free_port, native_silent_server, native_tcp_echo, set_linger_zero, Guest, Running};

/// Starts tokio_echo to serve `connections` connections; returns it once
/// it has checked its refused connect and is listening.
fn tokio_echo(connections: usize) -> (Running, SocketAddr) {
    tokio_echo_with(connections, &[])
}

/// [`tokio_echo`] with extra arguments for the guest.
fn tokio_echo_with(connections: usize, extra: &[&str]) -> (Running, SocketAddr) {
    let (port, closed) = (free_port(), free_port());
    let mut g = Guest::new("rust-tests", "tokio_echo")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .allow("--allow-connect", &format!("127.0.0.1:{closed}"))
        .arg(format!("127.0.0.1:{port}"))
        .arg(format!("127.0.0.1:{closed}"))
        .arg(connections);
    for a in extra {
        g = g.arg(a);
    }
    let mut g = g.spawn();
    let refused = g.expect_line("refused: ");
    assert!(refused.contains("refused"), "{refused}");
    let addr = g.listening_addr();
    (g, addr)
}

/// Sends `data` and reads the echo until EOF, writing from a second thread
/// so neither side's buffers can fill up and stall the exchange.
fn exchange(stream: TcpStream, data: Vec<u8>) -> Vec<u8> {
    let mut writer = stream.try_clone().unwrap();
    let w = thread::spawn(move || {
        writer.write_all(&data).unwrap();
        writer.shutdown(Shutdown::Write).unwrap();
    });
    let mut back = Vec::new();
    (&stream).read_to_end(&mut back).unwrap();
    w.join().unwrap();
    back
}

/// What each echoing client of tokio_echo sends.
const LEN: usize = 100_000;

/// One native client of tokio_echo: sends `LEN` bytes and checks the echo,
/// or, when `reset`, exchanges a little and then resets the connection.
fn echo_client(addr: SocketAddr, i: usize, reset: bool) -> SocketAddr {
    let stream = TcpStream::connect(addr).unwrap();
    let local = stream.local_addr().unwrap();
    if reset {
        let mut back = [0u8; 1000];
        (&stream).write_all(&[i as u8; 1000]).unwrap();
        (&stream).read_exact(&mut back).unwrap();
        set_linger_zero(&stream).unwrap();
        return local;
    }
    let data: Vec<u8> = (0..LEN).map(|j| (j * 7 + i * 13) as u8).collect();
    let back = exchange(stream, data.clone());
    assert!(back == data, "client {i}: {} bytes back, not the {LEN} sent", back.len());
    local
}

#[test]
fn tokio_echo_serves_concurrent_clients_and_survives_resets() {
    const CLIENTS: usize = 50;
    let (mut g, addr) = tokio_echo(1 + CLIENTS);

    // A client that resets its connection: the guest's read fails with
    // ConnectionReset in that connection's task, and the server goes on.
    let reset = TcpStream::connect(addr).unwrap();
    let local = reset.local_addr().unwrap();
    assert_eq!(g.expect_line("accepted "), local.to_string(), "accept gives the real peer address");
    assert_eq!(g.expect_line("sock_ref peer "), local.to_string(), "SocketExt::sock_ref reaches the peer address");
    set_linger_zero(&reset).unwrap();
    drop(reset);
    let failed = g.expect_line(&format!("failed {local}: "));
    assert!(failed.starts_with("ConnectionReset"), "{failed}");

    // Then 50 at once, every fifth resetting its connection mid-way.
    let clients: Vec<_> =
        (0..CLIENTS).map(|i| thread::spawn(move || (echo_client(addr, i, i % 5 == 0), i % 5 == 0))).collect();
    let locals: Vec<(SocketAddr, bool)> = clients.into_iter().map(|c| c.join().unwrap()).collect();

    let f = g.wait();
    f.assert_success();
    for (local, reset) in locals {
        assert!(f.stdout_has(&format!("accepted {local}\n")), "no accept of {local}:\n{f}");
        let end = if reset {
            format!("failed {local}: ConnectionReset")
        } else {
            format!("closed {local} after {LEN} bytes")
        };
        assert!(f.stdout_has(&end), "no {end:?}:\n{f}");
    }
}

/// The CPU time tokio_echo (run with `extra` arguments) uses in 1.5 s with
/// 5 connections open and idle, after one echo each.
fn idle_cpu(extra: &[&str]) -> Duration {
    const CONNECTIONS: usize = 5;
    let (g, addr) = tokio_echo_with(CONNECTIONS, extra);
    let streams: Vec<TcpStream> = (0..CONNECTIONS)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"ping").unwrap();
            let mut back = [0u8; 4];
            s.read_exact(&mut back).unwrap();
            assert_eq!(&back, b"ping");
            s
        })
        .collect();
    thread::sleep(Duration::from_millis(200));

    let before = g.cpu_time();
    thread::sleep(Duration::from_millis(1500));
    let used = g.cpu_time() - before;
    println!("idle tokio server {extra:?}, {CONNECTIONS} open connections: {used:?} CPU in 1.5 s");

    drop(streams);
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("done"), "{f}");
    used
}

/// A guest without threads runs in a host process of one thread, after it
/// has written to stdout (wasmtime-wasi's first call would start its
/// runtime's two workers) and served connections (nothing was logged, so
/// no log writer either): a second thread would make every system call on
/// a socket dearer (host/src/local_runtime.rs).
#[test]
fn a_guest_without_threads_keeps_the_host_single_threaded() {
    const CLIENTS: usize = 3;
    let (mut g, addr) = tokio_echo(CLIENTS);
    let clients: Vec<TcpStream> = (0..CLIENTS)
        .map(|i| {
            let s = TcpStream::connect(addr).unwrap();
            assert_eq!(g.expect_line("accepted "), s.local_addr().unwrap().to_string(), "client {i}");
            s
        })
        .collect();
    for mut s in &clients {
        s.write_all(b"ping").unwrap();
        let mut back = [0u8; 4];
        s.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"ping");
    }
    let threads = g.thread_names();
    drop(clients);
    let f = g.wait();
    f.assert_success();
    assert_eq!(threads, ["wasock"], "the host's threads while serving:\n{f}");
}

/// An idle tokio server with open connections sleeps in `poll_oneoff`
/// instead of spinning. A functional bound, not a benchmark: a spinning
/// guest (level-triggered readiness, every socket writable) burns the whole
/// 1.5 s; a sleeping one about nothing.
#[test]
fn idle_tokio_server_uses_no_cpu() {
    let used = idle_cpu(&[]);
    assert!(used < Duration::from_millis(200), "the idle guest used {used:?} of CPU in 1.5 s");
}

/// The same with tokio's own `TcpListener` (as `axum::serve` uses) over an
/// edge-triggered wasock listener: tokio has no hook to switch an accepted
/// socket over, so the host gives it the listener's readiness mode (on the
/// previous host it started level-triggered and the server spun, about
/// 1.5 s of CPU in 1.5 s).
#[test]
fn idle_server_on_tokios_own_listener_uses_no_cpu() {
    let used = idle_cpu(&["tokio-accept"]);
    assert!(used < Duration::from_millis(200), "the idle guest used {used:?} of CPU in 1.5 s");
}

/// mio through `wasock::mio`: a non-blocking connect to a native echo
/// server and an accept with the real peer address, in one event loop.
#[test]
fn mio_guest_connects_and_serves() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let port = free_port();
    let mut g = Guest::new("rust-tests", "mio_echo")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .allow("--allow-connect", &echo.to_string())
        .arg(format!("127.0.0.1:{port}"))
        .arg(echo)
        .spawn();
    let addr = g.listening_addr();
    let stream = TcpStream::connect(addr).unwrap();
    let local = stream.local_addr().unwrap();
    let data: Vec<u8> = (0..50_000u32).map(|j| (j % 251) as u8).collect();
    assert!(exchange(stream, data.clone()) == data, "the mio guest did not echo every byte");
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("echoed hello mio"), "{f}");
    assert!(f.stdout_has(&format!("accepted {local}\n")), "{f}");
    assert!(f.stdout_has(&format!("closed {local} after {} bytes", data.len())), "{f}");
}

/// A tokio client: `localhost` resolved through the pool (its `::1` is not
/// granted, so the connect goes on to 127.0.0.1), 8 MiB echoed through the
/// stream's split halves in one task, and a `timeout` firing beside an idle
/// socket.
#[test]
fn tokio_client_resolves_echoes_and_times_out() {
    // More than loopback's socket buffers hold (4 MiB at most), so that a
    // write is short: `wasock::tokio::TcpStream` then waits for the host's
    // next report, which the short write re-armed (a stall would hang here).
    const ECHOED: usize = 8 << 20;
    let echo = native_tcp_echo("127.0.0.1:0");
    let silent = native_silent_server();
    let f = Guest::new("rust-tests", "tokio_client")
        .allow("--allow-connect", &echo.to_string())
        .allow("--allow-connect", &silent.to_string())
        .allow("--allow-resolve", "localhost")
        .arg(echo.port())
        .arg(silent)
        .arg(ECHOED)
        .run();
    f.assert_success();
    assert!(f.stdout_has(&format!("echoed {ECHOED} bytes")), "{f}");
    // The names std's own trait cannot resolve on wasip1, through wasock::net::Pooled.
    let resolved = f.stdout.lines().find(|l| l.starts_with("std trait resolved ")).unwrap_or_default();
    assert!(resolved.contains(&format!("127.0.0.1:{}", echo.port())), "{f}");
    let waited: u64 =
        f.stdout.split("timed out after ").nth(1).and_then(|r| r.split(' ').next()?.parse().ok()).unwrap();
    assert!(waited < 2000, "a 300 ms timeout took {waited} ms:\n{f}");
}

/// A non-blocking connect's "in progress" is `Connecting::InProgress`, not
/// an errno to dig for: loopback connects start in progress (Linux answers
/// `EINPROGRESS` even there), then finish connected or refused.
#[test]
fn nonblocking_connect_reports_in_progress() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let closed = format!("127.0.0.1:{}", free_port());
    let denied = format!("127.0.0.1:{}", free_port());
    let f = Guest::new("rust-tests", "connecting")
        .allow("--allow-connect", &echo.to_string())
        .allow("--allow-connect", &closed)
        .arg(echo)
        .arg(&closed)
        .arg(&denied)
        .run();
    f.assert_success();
    assert!(f.stdout_has(&format!("{echo}: in progress\n")), "{f}");
    assert!(f.stdout_has(&format!("{echo}: echoed hello")), "{f}");
    assert!(f.stdout_has(&format!("{closed}: in progress\n")), "{f}");
    assert!(f.stdout_has("wait on closed: ConnectionRefused"), "{f}");
    assert!(f.stdout_has("connect to denied: PermissionDenied"), "{f}");
    assert!(f.stdout_has("connecting ok"), "{f}");
}
