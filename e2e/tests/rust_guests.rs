//! End-to-end tests of the Rust guest crate `wasock`: the programs in
//! `rust-tests/src/bin/` (built by `make rust-guests` into
//! `build/rust-tests/`) run under `wasock run` with the pool rules each
//! scenario needs, against native peers on loopback. Every program checks
//! its side and exits non-zero on failure; these tests add what only the
//! native side can see (bytes received, connections that never came,
//! timing).

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use wasock_e2e::{free_port, native_silent_server, native_tcp_echo, native_udp_echo, Guest};

fn guest(name: &str) -> Guest {
    Guest::new("rust-tests", name)
}

/// A TCP echo server that also counts the bytes it echoed.
fn counting_echo() -> (SocketAddr, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let c = c.clone();
            thread::spawn(move || {
                let mut buf = [0u8; 64 * 1024];
                loop {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if s.write_all(&buf[..n]).is_err() {
                                break;
                            }
                            c.fetch_add(n, Ordering::SeqCst);
                        }
                    }
                }
            });
        }
    });
    (addr, count)
}

/// Whether the machine has a usable IPv6 loopback.
fn have_ipv6() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

/// The number after `prefix` in the guest's stdout.
fn number_after(stdout: &str, prefix: &str) -> u64 {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{stdout}"));
    line.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn echo_client_against_native_server() {
    let (echo, count) = counting_echo();
    let f = guest("echo_client").allow("--allow-connect", &echo.to_string()).arg(echo).run();
    f.assert_success();
    let total = number_after(&f.stdout, "echo_client ok: ");
    // The guest verified every byte came back; the peer saw them all.
    assert_eq!(count.load(Ordering::SeqCst) as u64, total, "{f}");
    assert!(total > 300_000, "{f}");
}

#[test]
fn echo_client_connects_by_name() {
    let (echo, count) = counting_echo();
    let port = echo.port();
    let f = guest("echo_client")
        .allow("--allow-resolve", "localhost")
        .allow("--allow-connect", &format!("127.0.0.1:{port}"))
        .allow("--allow-connect", &format!("[::1/128]:{port}"))
        .arg(format!("localhost:{port}"))
        .run();
    f.assert_success();
    assert_eq!(count.load(Ordering::SeqCst) as u64, number_after(&f.stdout, "echo_client ok: "));
}

#[test]
fn echo_server_serves_several_clients() {
    const CLIENTS: usize = 4;
    let port = free_port();
    let mut g = guest("echo_server")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .arg(format!("127.0.0.1:{port}"))
        .arg(CLIENTS)
        .spawn();
    let addr = g.listening_addr();
    assert_eq!(addr, SocketAddr::from(([127, 0, 0, 1], port)));

    // All clients connect at once; the guest serves them in turn.
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            thread::spawn(move || {
                let data: Vec<u8> = (0..20_000 + i * 1000).map(|j| (j * 7 + i) as u8).collect();
                let mut s = TcpStream::connect(addr).unwrap();
                s.write_all(&data).unwrap();
                s.shutdown(Shutdown::Write).unwrap();
                let mut back = Vec::new();
                s.read_to_end(&mut back).unwrap();
                assert!(back == data, "client {i}: echo differs ({} of {} bytes)", back.len(), data.len());
            })
        })
        .collect();
    for c in clients {
        c.join().expect("native client");
    }
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("echo_server done"), "{f}");
    assert_eq!(f.stdout.matches("echoed").count(), CLIENTS, "{f}");
}

#[test]
fn udp_client_against_native_echo() {
    let echo = native_udp_echo("127.0.0.1:0");
    let f = guest("udp_client")
        .allow("--allow-connect", &echo.to_string())
        .allow("--allow-bind", "127.0.0.1:*")
        .arg(echo)
        .run();
    f.assert_success();
    assert!(f.stdout_has("udp_client ok"), "{f}");
}

#[test]
fn udp_server_answers_native_client() {
    let mut g = guest("udp_server")
        .allow("--allow-bind", "127.0.0.1:*")
        .allow("--allow-connect", "127.0.0.1")
        .arg("127.0.0.1:0")
        .arg(3)
        .spawn();
    let server = g.listening_addr();
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    for msg in [&b"hello"[..], b"wasock", b"x"] {
        s.send_to(msg, server).unwrap();
        let mut buf = [0u8; 64];
        let (n, from) = s.recv_from(&mut buf).expect("reply from the guest");
        assert_eq!(from, server);
        let want: Vec<u8> = msg.iter().rev().copied().collect();
        assert_eq!(&buf[..n], &want[..]);
    }
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("udp_server done"), "{f}");
}

#[test]
fn lookup_host_names_numbers_and_denials() {
    let f = guest("lookup").allow("--allow-resolve", "localhost").allow("--allow-resolve", "*.invalid").run();
    f.assert_success();
    assert!(f.stdout_has("lookup ok"), "{f}");
}

#[test]
fn read_timeout_expires_on_time() {
    let silent = native_silent_server();
    let start = Instant::now();
    let f = guest("read_timeout")
        .allow("--allow-connect", &silent.to_string())
        .allow("--allow-bind", "127.0.0.1:*")
        .arg(silent)
        .arg(200)
        .run();
    f.assert_success();
    let ms = number_after(&f.stdout, "timed out after ");
    assert!((150..5000).contains(&ms), "TCP read timed out after {ms} ms:\n{f}");
    let ms = number_after(&f.stdout, "udp timed out after ");
    assert!((150..5000).contains(&ms), "UDP recv timed out after {ms} ms:\n{f}");
    assert!(start.elapsed() >= Duration::from_millis(300), "two 200 ms timeouts took {:?}", start.elapsed());
}

#[test]
fn nonblocking_accept_and_read() {
    // The peer accepts the guest's connection, waits for the go, sends ping.
    let peer = TcpListener::bind("127.0.0.1:0").unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let peer_thread = thread::spawn(move || {
        let (mut s, _) = peer.accept().unwrap();
        go_rx.recv().unwrap();
        s.write_all(b"ping").unwrap();
        let mut done = [0u8; 4];
        s.read_exact(&mut done).unwrap();
        assert_eq!(&done, b"done");
    });

    let mut g = guest("nonblocking")
        .allow("--allow-connect", &peer_addr.to_string())
        .allow("--allow-bind", "127.0.0.1:*")
        .arg(peer_addr)
        .spawn();
    let listening = g.listening_addr();
    // Let the guest spin on WouldBlock for a while before anything arrives.
    thread::sleep(Duration::from_millis(100));
    let mut c = TcpStream::connect(listening).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    go_tx.send(()).unwrap();
    let mut pong = [0u8; 4];
    c.read_exact(&mut pong).unwrap();
    assert_eq!(&pong, b"pong");
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("nonblocking ok"), "{f}");
    peer_thread.join().expect("peer");
}

#[test]
fn std_types_work_on_converted_sockets() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let mut g = guest("std_interop")
        .allow("--allow-connect", &echo.to_string())
        .allow("--allow-bind", "127.0.0.1:*")
        .arg(echo)
        .spawn();
    let listening = g.listening_addr();
    let mut c = TcpStream::connect(listening).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"interop\n").unwrap();
    let mut line = String::new();
    BufReader::new(&c).read_line(&mut line).unwrap();
    assert_eq!(line, "INTEROP\n");
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("std_interop ok"), "{f}");
}

#[test]
fn ipv6_loopback() {
    if !have_ipv6() {
        eprintln!("skipped: no IPv6 loopback here");
        return;
    }
    let tcp = native_tcp_echo("[::1]:0");
    let udp = native_udp_echo("[::1]:0");
    let f = guest("ipv6")
        .allow("--allow-connect", "[::1/128]:*")
        .allow("--allow-bind", "[::1/128]:*")
        .arg(tcp)
        .arg(udp)
        .run();
    f.assert_success();
    assert!(f.stdout_has("ipv6 ok"), "{f}");
}

#[test]
fn connect_outside_the_pool_is_denied_and_peer_sees_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    // A UDP socket on the same port number catches a send_to that leaks.
    let udp = UdpSocket::bind(target).ok();
    let mut other = free_port();
    while other == target.port() {
        other = free_port();
    }

    let f = guest("denied").allow("--allow-connect", &format!("127.0.0.1:{other}")).arg(target).run();
    f.assert_success();
    assert!(f.stdout_has("denied ok"), "{f}");
    assert!(f.stderr.contains(&target.to_string()), "the host should log the denied address:\n{f}");

    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("the denied peer saw a connection: {other:?}\n{f}"),
    }
    if let Some(udp) = udp {
        udp.set_nonblocking(true).unwrap();
        let r = udp.recv_from(&mut [0u8; 16]);
        assert!(matches!(&r, Err(e) if e.kind() == ErrorKind::WouldBlock), "a denied datagram arrived: {r:?}");
    }
}

#[test]
fn no_rule_means_no_network() {
    let f = guest("no_pool").arg("127.0.0.1:9").run();
    f.assert_success();
    assert!(f.stdout_has("no_pool ok"), "{f}");
}

#[test]
fn named_pools_keep_their_rules_apart() {
    let a = native_tcp_echo("127.0.0.1:0");
    let b = native_tcp_echo("127.0.0.1:0");
    // A preopened directory comes first: the pool scan must skip it.
    let dir = std::env::temp_dir();
    let f = guest("pools")
        .host_arg("--dir")
        .host_arg(format!("{}::/tmp", dir.display()))
        .allow("--allow-connect", &a.to_string())
        .allow("--pool", "other")
        .allow("--allow-connect", &b.to_string())
        .arg(a)
        .arg(b)
        .run();
    f.assert_success();
    assert!(f.stdout_has("pools ok"), "{f}");
}

#[test]
fn every_import_rejects_bad_fds() {
    let f = guest("abi_badf").allow("--allow-connect", "127.0.0.1:9").run();
    f.assert_success();
    assert!(f.stdout_has("abi_badf ok"), "{f}");
}

#[test]
fn socket_options_round_trip() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let f = guest("options")
        .allow("--allow-connect", &echo.to_string())
        .allow("--allow-connect", "239.0.0.0/8")
        .allow("--allow-bind", "127.0.0.1:*")
        .arg(echo)
        .run();
    f.assert_success();
    assert!(f.stdout_has("options ok"), "{f}");
}

#[test]
fn connection_errors_have_std_kinds() {
    let echo = native_tcp_echo("127.0.0.1:0");
    // A port nobody listens on (bound once, then released).
    let closed = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let f = guest("connect_errors")
        .allow("--allow-connect", "127.0.0.1:*")
        .allow("--allow-bind", "127.0.0.1:*")
        .arg(closed)
        .arg(echo)
        .run();
    f.assert_success();
    assert!(f.stdout_has("connect_errors ok"), "{f}");
}
