//! `rust-tests/threads/src/bin/thread_faults.rs` under `wasock run`: one
//! guest thread acts on a stream another thread is blocked reading, and the
//! native peer (which never sends) sees what Linux would make it see.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};
use wasock_e2e::{Guest, Running};

/// Starts `thread_faults MODE` against a native peer that sends nothing and
/// waits until the guest's reader thread says it is reading.
fn start(mode: &str) -> (Running, TcpStream) {
    let peer = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = peer.local_addr().unwrap();
    let mut g = Guest::new("rust-tests", "thread_faults")
        .allow("--allow-connect", &addr.to_string())
        .arg(mode)
        .arg(addr)
        .spawn();
    let (conn, _) = peer.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    g.expect_line("reading");
    (g, conn)
}

/// A `shutdown` from the main thread wakes the reader blocked on the same
/// stream with 0 bytes, as on Linux (std's `shutdown(Both)` under another
/// thread's `read` returns `Ok(0)` there at once), and the peer sees EOF.
#[test]
fn a_shutdown_wakes_a_read_blocked_in_another_thread() {
    let (g, mut conn) = start("shutdown");
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).expect("EOF from the guest's shutdown");
    assert!(rest.is_empty());
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("reader woke: 0 bytes"), "{f}");
    assert!(f.stdout_has("done"), "{f}");
}

/// A panic in a third thread aborts the module while the reader is still
/// blocked: the guest traps (134) at once and its socket is closed.
#[test]
fn a_panicking_thread_ends_the_guest_and_closes_its_sockets() {
    let (g, mut conn) = start("panic");
    let t = Instant::now();
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).expect("EOF when the guest ends");
    assert!(rest.is_empty());
    let f = g.wait();
    f.assert_code(134);
    assert!(t.elapsed() < Duration::from_secs(5), "the trap took {:?}:\n{f}", t.elapsed());
    assert!(f.stderr.contains("a thread panics on purpose"), "{f}");
    assert!(!f.stdout_has("outlived"), "{f}");
}
