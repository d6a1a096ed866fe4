//! Load: a C guest's poll() echo server holding 500 connections from a
//! native load generator, 200 messages each with every byte verified; and a
//! Rust guest that opens and closes 10,000 connections while the host's own
//! fd count stays flat. Loopback only, native ports from port 0, bounded in
//! time; skipped (with a message) when `ulimit -n` is too low.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use wasock_e2e::{fd_limit, open_fds, reliability, Guest};

const CONNECTIONS: usize = 500;
const MESSAGES: usize = 200;
const WORKERS: usize = 4;
const CHURN: usize = 10_000;
const CHURN_EVERY: usize = 1_000;

/// Whether `ulimit -n` allows `need` fds; prints why the test is skipped if not.
fn enough_fds(test: &str, need: u64) -> bool {
    match fd_limit() {
        Some(n) if n >= need => true,
        n => {
            eprintln!("{test}: SKIPPED: needs `ulimit -n` >= {need}, have {n:?}");
            false
        }
    }
}

/// Message `m` of connection `c`: 1 to 1024 bytes, its first four bytes the
/// two indices, the rest a pattern of both, so any misplaced, lost, repeated
/// or foreign byte shows.
fn message(c: usize, m: usize) -> Vec<u8> {
    let len = 4 + (c * 7919 + m * 104_729) % 1021;
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(&(c as u16).to_le_bytes());
    v.extend_from_slice(&(m as u16).to_le_bytes());
    v.extend((4..len).map(|i| (i as u8).wrapping_mul(29) ^ (c as u8).wrapping_add(m as u8)));
    v
}

#[test]
fn c_poll_server_holds_500_connections() {
    if !enough_fds("c_poll_server_holds_500_connections", 2 * CONNECTIONS as u64 + 100) {
        return;
    }
    let started = Instant::now();
    let mut g = Guest::new("c-tests", "load_echo_server")
        .allow("--allow-bind", "127.0.0.1")
        .arg("127.0.0.1:0")
        .arg(CONNECTIONS)
        .timeout(Duration::from_secs(90))
        .spawn();
    let addr = g.listening_addr();

    // Open every connection first.
    let mut conns: Vec<TcpStream> = (0..CONNECTIONS)
        .map(|i| {
            let s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("connection {i} to the guest: {e}"));
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
            s.set_nodelay(true).unwrap();
            s
        })
        .collect();
    assert_eq!(g.expect_line("holding "), CONNECTIONS.to_string());
    let connected = started.elapsed();

    // Then 200 messages on each, in lock-step per worker: send one message on
    // each of its connections, then read and check every echo.
    let bytes = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    let per = CONNECTIONS / WORKERS;
    for w in 0..WORKERS {
        let mut mine: Vec<(usize, TcpStream)> = conns.drain(..per).enumerate().map(|(i, s)| (w * per + i, s)).collect();
        let bytes = bytes.clone();
        workers.push(thread::spawn(move || {
            for m in 0..MESSAGES {
                for (c, s) in mine.iter_mut() {
                    s.write_all(&message(*c, m)).unwrap_or_else(|e| panic!("send {c}/{m}: {e}"));
                }
                for (c, s) in mine.iter_mut() {
                    let want = message(*c, m);
                    let mut got = vec![0u8; want.len()];
                    s.read_exact(&mut got).unwrap_or_else(|e| panic!("echo {c}/{m}: {e}"));
                    assert!(got == want, "connection {c}, message {m}: the echo differs");
                    bytes.fetch_add(want.len(), Ordering::Relaxed);
                }
            }
            mine
        }));
    }
    let held: Vec<_> = workers.into_iter().flat_map(|w| w.join().expect("a load worker failed")).collect();
    assert_eq!(held.len(), CONNECTIONS);
    // Nothing more arrives on any connection, then all close.
    for (c, s) in &held {
        s.set_nonblocking(true).unwrap();
        let mut b = [0u8; 1];
        assert!((&*s).read(&mut b).is_err(), "connection {c}: bytes beyond the echoes");
    }
    drop(held);
    let f = g.wait();
    f.assert_success();
    let total = bytes.load(Ordering::Relaxed);
    assert!(
        f.stdout_has(&format!("served {CONNECTIONS} peak {CONNECTIONS} bytes {total}")),
        "the guest's count differs from the {total} bytes verified:\n{f}"
    );
    let secs = started.elapsed().as_secs_f64();
    println!(
        "load: {CONNECTIONS} connections in {connected:?}, {} messages, {total} bytes in {secs:.1} s",
        CONNECTIONS * MESSAGES
    );
    reliability("load.echo.connections_held", CONNECTIONS);
    reliability("load.echo.messages_per_connection", MESSAGES);
    reliability("load.echo.messages_verified", CONNECTIONS * MESSAGES);
    reliability("load.echo.bytes_verified", total);
    reliability("load.echo.bytes_lost", 0);
    reliability("load.echo.seconds", format!("{secs:.1}"));
}

#[test]
fn rust_client_churns_10000_connections_without_fd_growth() {
    if !enough_fds("rust_client_churns_10000_connections_without_fd_growth", 256) {
        return;
    }
    let started = Instant::now();
    // The server closes each connection as soon as it is accepted.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = l.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    thread::spawn(move || {
        for s in l.incoming() {
            drop(s);
            count.fetch_add(1, Ordering::Relaxed);
        }
    });
    let mut g = Guest::new("rust-tests", "conn_churn")
        .allow("--allow-connect", &addr.to_string())
        .arg(addr)
        .arg(CHURN)
        .arg(CHURN_EVERY)
        .timeout(Duration::from_secs(90))
        .spawn();
    let host = g.pid().to_string();
    let mut samples: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let mut guest_fd = None;
    loop {
        let line = g.expect_line("progress ");
        let mut words = line.split_whitespace();
        let i: usize = words.next().unwrap().parse().unwrap();
        let fd = words.nth(1).unwrap().to_string();
        // No socket is open in the guest now: count the host's fds.
        let fds = open_fds(&host);
        let sockets = fds.values().filter(|t| t.starts_with("socket:")).cloned().collect();
        samples.push((i, fds.len(), sockets));
        if i > 0 {
            assert_eq!(guest_fd.get_or_insert(fd.clone()), &fd, "the guest's socket fd changed");
        }
        writeln!(g.stdin().as_mut().unwrap(), "go").unwrap();
        if i == CHURN {
            break;
        }
    }
    assert_eq!(g.expect_line("churn ok"), CHURN.to_string());
    let f = g.wait();
    f.assert_success();
    let secs = started.elapsed().as_secs_f64();
    // From the first sample after connections began to the last: no growth.
    let (_, first, _) = &samples[1];
    for (i, n, sockets) in &samples {
        assert!(sockets.is_empty(), "after {i} connections the host holds sockets: {sockets:?}");
        if *i > 0 {
            assert_eq!(n, first, "the host had {first} fds after {CHURN_EVERY} connections, {n} after {i}");
        }
    }
    let (_, before, _) = &samples[0];
    let (_, end, _) = samples.last().unwrap();
    assert!(end <= before, "the host had {before} fds before any connection and {end} after {CHURN}");
    let served = accepted.load(Ordering::Relaxed);
    assert!((CHURN - 1..=CHURN).contains(&served), "the server accepted {served} connections");
    println!("churn: {CHURN} connections in {secs:.1} s; host fds {before} before, {first} after {CHURN_EVERY}, {end} at the end");
    reliability("load.churn.connections", CHURN);
    reliability("load.churn.host_fds_start", before);
    reliability("load.churn.host_fds_end", end);
    reliability("load.churn.host_fd_growth", *end as i64 - *first as i64);
    reliability("load.churn.seconds", format!("{secs:.1}"));
}
