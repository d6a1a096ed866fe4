//! Guests with threads (wasi-threads, issue #14): Rust programs built for
//! `wasm32-wasip1-threads` (`rust-tests/threads/`) and C programs built with
//! `wasock-cc -pthread` (`c-tests/threads/`), run under `wasock run` against
//! native peers: a thread per connection under 50 concurrent clients, two
//! threads blocked in `recv` at once, a server and a client thread in one
//! module, a close under a blocked call compared with Linux, a thread that
//! traps, and the thread cap.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;
use wasock_e2e::{free_port, native_c, Guest};

/// `clients` native clients connect to `addr` at once, each sends its own
/// bytes and reads them back; all hold their connection open until every
/// one has been echoed (so the server serves them all at the same time),
/// then shut down.
fn concurrent_echo_clients(addr: std::net::SocketAddr, clients: usize) -> Vec<thread::JoinHandle<()>> {
    let all_echoed = Arc::new(Barrier::new(clients));
    (0..clients)
        .map(|i| {
            let all_echoed = all_echoed.clone();
            thread::spawn(move || {
                let data: Vec<u8> = (0..4096 + i * 100).map(|j| (j * 13 + i) as u8).collect();
                let mut s = TcpStream::connect(addr).expect("connect to the guest");
                s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                s.write_all(&data).unwrap();
                let mut back = vec![0u8; data.len()];
                s.read_exact(&mut back).unwrap_or_else(|e| panic!("client {i}: {e}"));
                assert!(back == data, "client {i}: the echo differs");
                all_echoed.wait();
                s.shutdown(Shutdown::Write).unwrap();
                let mut rest = Vec::new();
                s.read_to_end(&mut rest).unwrap();
                assert!(rest.is_empty(), "client {i}: bytes after the echo");
            })
        })
        .collect()
}

/// The number after `key ` in a line such as `served 50 peak 50 bytes 1000`.
fn field(line: &str, key: &str) -> u64 {
    let mut words = line.split_whitespace();
    while let Some(w) = words.next() {
        if w == key {
            return words.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{key} in {line:?}"));
        }
    }
    panic!("no {key} in {line:?}")
}

#[test]
fn rust_thread_per_connection_serves_50_concurrent_clients() {
    const CLIENTS: usize = 50;
    let port = free_port();
    let mut g = Guest::new("rust-tests", "thread_echo_server")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .arg(format!("127.0.0.1:{port}"))
        .arg(CLIENTS)
        .spawn();
    let addr = g.listening_addr();
    for c in concurrent_echo_clients(addr, CLIENTS) {
        c.join().expect("a client failed");
    }
    let f = g.wait();
    f.assert_success();
    let line = f.lines().into_iter().find(|l| l.starts_with("served ")).unwrap_or_else(|| panic!("{f}"));
    assert_eq!(field(line, "served"), CLIENTS as u64, "{f}");
    // Every client waited for all the others: each had its own thread.
    assert_eq!(field(line, "peak"), CLIENTS as u64, "{f}");
}

#[test]
fn rust_two_threads_block_in_read_at_once() {
    let (la, lb) = (TcpListener::bind("127.0.0.1:0").unwrap(), TcpListener::bind("127.0.0.1:0").unwrap());
    let (a, b) = (la.local_addr().unwrap(), lb.local_addr().unwrap());
    let mut g = Guest::new("rust-tests", "thread_blocking")
        .allow("--allow-connect", &a.to_string())
        .allow("--allow-connect", &b.to_string())
        .arg(a)
        .arg(b)
        .spawn();
    let (mut sa, _) = la.accept().unwrap();
    let (mut sb, _) = lb.accept().unwrap();
    // Both threads are blocked in their reads before anything is sent.
    let mut reading = 0;
    while reading < 2 {
        if g.next_line().ends_with(" reading") {
            reading += 1;
        }
    }
    // b first, and a only once b has answered: b's read returned while a's
    // thread was still blocked in its own.
    sb.write_all(b"to b\n").unwrap();
    let mut answer = String::new();
    BufReader::new(&sb).read_line(&mut answer).unwrap();
    assert_eq!(answer, "b ok\n");
    sa.write_all(b"to a\n").unwrap();
    answer.clear();
    BufReader::new(&sa).read_line(&mut answer).unwrap();
    assert_eq!(answer, "a ok\n");
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("order: b a"), "{f}");
}

#[test]
fn the_thread_cap_fails_the_spawn_without_a_hang() {
    let port = free_port();
    let mut g = Guest::new("rust-tests", "thread_echo_server")
        .host_arg("--max-threads")
        .host_arg("2")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .arg(format!("127.0.0.1:{port}"))
        .arg(3)
        .spawn();
    let addr = g.listening_addr();
    // Three connections held open: the third needs a third thread.
    let conns: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let f = g.wait();
    assert!(!f.status.success(), "{f}");
    assert!(f.stderr.contains("spawn a thread for client 2"), "{f}");
    drop(conns);
}

#[test]
fn a_threaded_module_is_refused_when_threads_are_off() {
    let f =
        Guest::new("rust-tests", "thread_echo_server").host_arg("--max-threads").host_arg("0").arg("127.0.0.1:0").run();
    assert_eq!(f.status.code(), Some(1), "{f}");
    assert!(f.stderr.contains("uses threads") && f.stderr.contains("--max-threads 0"), "{f}");
}

/// The C programs of `c-tests/threads/`, built with `wasock-cc -pthread`.
/// When `make setup` could not get the threads SDK's pieces, it says which
/// in `build/sdk/THREADS-MISSING`: the test fails with that, not with a
/// missing module.
fn c_guest(name: &str) -> Guest {
    let missing = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/sdk/THREADS-MISSING");
    if let Ok(why) = std::fs::read_to_string(&missing) {
        panic!("the threads SDK was not built: {}", why.trim());
    }
    Guest::new("c-tests/threads", name)
}

#[test]
fn c_thread_per_connection_serves_50_concurrent_clients() {
    const CLIENTS: usize = 50;
    let port = free_port();
    let mut g = c_guest("thread_echo_server")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .arg(port)
        .arg(CLIENTS)
        .spawn();
    assert_eq!(g.expect_line("listening "), port.to_string());
    // Every client holds its connection until all are echoed: a server
    // without a thread per connection would never get past the first.
    for c in concurrent_echo_clients(([127, 0, 0, 1], port).into(), CLIENTS) {
        c.join().expect("a client failed");
    }
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has(&format!("served {CLIENTS} connections")), "{f}");
}

#[test]
fn c_server_and_client_threads_talk_in_one_module() {
    let f =
        c_guest("thread_pair").allow("--allow-bind", "127.0.0.1").allow("--allow-connect", "127.0.0.1").arg(100).run();
    f.assert_success();
    assert!(f.stdout_has("thread_pair: 100 round trips"), "{f}");
}

#[test]
fn c_two_threads_block_in_recv_at_once() {
    for order in ["12", "21"] {
        let f = c_guest("thread_recv_two")
            .allow("--allow-bind", "127.0.0.1")
            .allow("--allow-connect", "127.0.0.1")
            .arg(order)
            .run();
        f.assert_success();
        let want = format!("order: {} {}", &order[..1], &order[1..]);
        assert!(f.stdout_has(&want), "{f}");
    }
}

/// What `thread_close_blocked` says about how the blocked `recv` ended.
fn close_outcome(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with("recv returned") || l.starts_with("woken by")).collect()
}

/// A socket shut down or closed under a `recv` blocked in another thread:
/// the guest's blocked call ends exactly as the same program's does on
/// Linux (shutdown wakes it with 0; close alone does not, until the peer
/// closes).
#[test]
fn c_close_under_a_blocked_recv_matches_linux() {
    let native = native_c("threads/thread_close_blocked");
    for mode in ["shutdown", "close"] {
        let out = Command::new(&native).arg(mode).output().expect("run the native program");
        assert!(out.status.success(), "native {mode}: {out:?}");
        let linux = String::from_utf8_lossy(&out.stdout).into_owned();
        let f = c_guest("thread_close_blocked")
            .allow("--allow-bind", "127.0.0.1")
            .allow("--allow-connect", "127.0.0.1")
            .arg(mode)
            .run();
        f.assert_success();
        assert_eq!(close_outcome(&f.stdout), close_outcome(&linux), "{mode}: Linux said\n{linux}\nthe guest:\n{f}");
        assert_eq!(close_outcome(&linux).len(), 2, "{linux}");
    }
}

#[test]
fn c_a_trapping_thread_ends_the_guest() {
    let f = c_guest("thread_trap").run();
    assert_eq!(f.status.code(), Some(134), "{f}");
    assert!(f.stdout_has("thread trapping") && !f.stdout_has("main survived"), "{f}");
    assert!(f.stderr.contains("trapped in thread"), "{f}");
}

/// libwasock's static results (`inet_ntoa`, `getservbyname`, the datagram
/// scratch of `recvmsg`) are per thread: four threads each see their own.
/// The same program natively, where glibc is the oracle for what it shares.
#[test]
fn c_libc_results_are_per_thread() {
    let native = Command::new(native_c("threads/thread_libc")).output().expect("run the native program");
    assert!(native.status.success(), "native: {native:?}");
    let f = c_guest("thread_libc").allow("--allow-bind", "127.0.0.1").allow("--allow-connect", "127.0.0.1").run();
    f.assert_success();
    assert!(f.stdout_has("thread_libc: all checks passed"), "{f}");
}
