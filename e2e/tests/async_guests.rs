//! End-to-end tests of async Rust guests under `wasock run`, against native
//! peers on loopback: rust-tests/src/bin/tokio_echo.rs (tokio's
//! current_thread runtime on `wasock::tokio`), tokio_client.rs and mio_echo.rs
//! (`wasock::mio`).

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

/// The host process's CPU time so far (user + system), from /proc/PID/stat.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // USER_HZ, the unit of these fields, is 100 on Linux.
    Duration::from_millis(ticks * 10)
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

    let before = cpu_time(g.pid());
    thread::sleep(Duration::from_millis(1500));
    let used = cpu_time(g.pid()) - before;
    println!("idle tokio server {extra:?}, {CONNECTIONS} open connections: {used:?} CPU in 1.5 s");

    drop(streams);
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("done"), "{f}");
    used
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
/// granted, so the connect goes on to 127.0.0.1), 1 MiB echoed with reads
/// and writes in one task, and a `timeout` firing beside an idle socket.
#[test]
fn tokio_client_resolves_echoes_and_times_out() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let silent = native_silent_server();
    let f = Guest::new("rust-tests", "tokio_client")
        .allow("--allow-connect", &echo.to_string())
        .allow("--allow-connect", &silent.to_string())
        .allow("--allow-resolve", "localhost")
        .arg(echo.port())
        .arg(silent)
        .arg(1 << 20)
        .run();
    f.assert_success();
    assert!(f.stdout_has(&format!("echoed {} bytes", 1 << 20)), "{f}");
    // The names std's own trait cannot resolve on wasip1, through wasock::net::Pooled.
    let resolved = f.stdout.lines().find(|l| l.starts_with("std trait resolved ")).unwrap_or_default();
    assert!(resolved.contains(&format!("127.0.0.1:{}", echo.port())), "{f}");
    let waited: u64 =
        f.stdout.split("timed out after ").nth(1).and_then(|r| r.split(' ').next()?.parse().ok()).unwrap();
    assert!(waited < 2000, "a 300 ms timeout took {waited} ms:\n{f}");
}

/// Starts http_server (hyper) to serve `connections` connections.
fn http_server(connections: usize, extra: &[&str]) -> (Running, SocketAddr) {
    let port = free_port();
    let mut g = Guest::new("rust-tests", "http_server")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .arg(format!("127.0.0.1:{port}"))
        .arg(connections);
    for a in extra {
        g = g.arg(a);
    }
    let mut g = g.spawn();
    let addr = g.listening_addr();
    (g, addr)
}

/// An HTTP/1.1 response as read off the wire.
struct Response {
    /// `HTTP/1.1`, or `HTTP/1.0` for an HTTP/1.0 request.
    version: String,
    status: u16,
    /// Header lines, names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Writes `head` (the request line and headers, without the blank line) and
/// `body`, then reads one response: its head up to the blank line, then a
/// body of exactly its Content-Length. A hand-written client, so every byte
/// on the wire is the test's.
fn http(stream: &mut TcpStream, head: &str, body: &[u8]) -> Response {
    stream.write_all(format!("{head}\r\n\r\n").as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "EOF inside a response head: {raw:?}");
        raw.push(byte[0]);
    }
    let text = String::from_utf8(raw).unwrap();
    let mut lines = text.trim_end().split("\r\n");
    let status_line = lines.next().unwrap();
    let (version, status) = status_line.split_once(' ').unwrap();
    let status = status[..3].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| l.split_once(':').map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string())).unwrap())
        .collect();
    let mut resp = Response { version: version.to_string(), status, headers, body: Vec::new() };
    let len: usize = resp.header("content-length").expect("a content-length").parse().unwrap();
    resp.body = vec![0; len];
    stream.read_exact(&mut resp.body).unwrap();
    resp
}

/// Asserts the server closes `stream` with nothing more to read.
fn assert_closed(stream: &mut TcpStream) {
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{} bytes after the response", rest.len());
}

#[test]
fn hyper_server_answers_http_requests() {
    const PARALLEL: usize = 10;
    let (g, addr) = http_server(3 + PARALLEL, &[]);

    // One keep-alive connection: several requests in turn, every byte checked.
    let mut keep = TcpStream::connect(addr).unwrap();
    let local = keep.local_addr().unwrap();
    let hello = http(&mut keep, "GET /hello HTTP/1.1\r\nHost: test", b"");
    assert_eq!((hello.version.as_str(), hello.status), ("HTTP/1.1", 200));
    assert_eq!(hello.body, b"hello from wasock\n");
    let peer = http(&mut keep, "GET /peer HTTP/1.1\r\nHost: test", b"");
    assert_eq!(String::from_utf8(peer.body).unwrap(), local.to_string(), "the real peer, from wasock's accept");
    let data: Vec<u8> = (0..200_000u32).map(|j| (j * 7 % 251) as u8).collect();
    let head = format!("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: {}", data.len());
    let echo = http(&mut keep, &head, &data);
    assert!(echo.status == 200 && echo.body == data, "POST /echo: {} bytes back of {}", echo.body.len(), data.len());
    let chunked = http(
        &mut keep,
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked",
        b"5\r\nhello\r\n7\r\n, hyper\r\n0\r\n\r\n",
    );
    assert_eq!((chunked.status, chunked.body.as_slice()), (200, &b"hello, hyper"[..]));
    let missing = http(&mut keep, "GET /nope HTTP/1.1\r\nHost: test", b"");
    assert_eq!((missing.status, missing.body.as_slice()), (404, &b"not found\n"[..]));
    drop(keep);

    // Not kept alive: HTTP/1.1 asking to close, and HTTP/1.0 by default.
    for (head, version) in
        [("GET /hello HTTP/1.1\r\nHost: test\r\nConnection: close", "HTTP/1.1"), ("GET /hello HTTP/1.0", "HTTP/1.0")]
    {
        let mut once = TcpStream::connect(addr).unwrap();
        let resp = http(&mut once, head, b"");
        assert_eq!(resp.version, version, "hyper answers in the request's version");
        assert_eq!((resp.status, resp.body.as_slice()), (200, &b"hello from wasock\n"[..]), "{head}");
        assert_closed(&mut once);
    }

    // Ten clients at once, three requests each on one connection.
    let clients: Vec<_> = (0..PARALLEL)
        .map(|i| {
            thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                for k in 0..3 {
                    let body = format!("client {i} request {k}").repeat(100 * (k + 1));
                    let head = format!("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: {}", body.len());
                    let resp = http(&mut s, &head, body.as_bytes());
                    assert!(resp.status == 200 && resp.body == body.as_bytes(), "client {i} request {k}");
                }
            })
        })
        .collect();
    clients.into_iter().for_each(|c| c.join().unwrap());

    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has(&format!("closed {local}\n")), "{f}");
    assert!(!f.stdout_has("failed"), "{f}");
}

/// hyper as it is usually written, over tokio's own `TcpListener` (on a
/// wasock listener handed over edge-triggered): it answers, and with
/// keep-alive connections open and idle it sleeps.
#[test]
fn hyper_on_tokios_own_listener_answers_and_idles() {
    const CONNECTIONS: usize = 5;
    let (g, addr) = http_server(CONNECTIONS, &["tokio-accept"]);
    let streams: Vec<TcpStream> = (0..CONNECTIONS)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            let resp = http(&mut s, "GET /hello HTTP/1.1\r\nHost: test", b"");
            assert_eq!((resp.status, resp.body.as_slice()), (200, &b"hello from wasock\n"[..]));
            // tokio's accept on wasip1 knows no peer address.
            let peer = http(&mut s, "GET /peer HTTP/1.1\r\nHost: test", b"");
            assert_eq!(peer.body, b"0.0.0.0:0");
            s
        })
        .collect();
    thread::sleep(Duration::from_millis(200));

    let before = cpu_time(g.pid());
    thread::sleep(Duration::from_millis(1500));
    let used = cpu_time(g.pid()) - before;
    println!("idle hyper server, {CONNECTIONS} keep-alive connections: {used:?} CPU in 1.5 s");
    assert!(used < Duration::from_millis(200), "the idle guest used {used:?} of CPU in 1.5 s");

    drop(streams);
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("done"), "{f}");
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

/// A native HTTP/1.1 server for ureq_get: keep-alive, `/hello`, `/echo`,
/// `/slow` (answers after 2 s), 404 otherwise. Returns its address and a
/// count of the connections it accepted.
fn native_http_server() -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    thread::spawn(move || {
        for s in listener.incoming() {
            count.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || serve_http(s.unwrap()));
        }
    });
    (addr, accepted)
}

/// Answers requests on `s` until the client closes it.
fn serve_http(mut s: TcpStream) {
    loop {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if s.read(&mut byte).unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
        let len =
            head.split("\r\n").find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
        let mut body = vec![0u8; len];
        s.read_exact(&mut body).unwrap();
        let path = head.split(' ').nth(1).unwrap().to_string();
        let (status, reply) = match path.as_str() {
            "/hello" => ("200 OK", b"hello from native\n".to_vec()),
            "/echo" => ("200 OK", body),
            "/slow" => {
                thread::sleep(Duration::from_secs(2));
                ("200 OK", b"late\n".to_vec())
            }
            _ => ("404 Not Found", b"not found\n".to_vec()),
        };
        let resp = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n", reply.len());
        if s.write_all(resp.as_bytes()).and_then(|()| s.write_all(&reply)).is_err() {
            return;
        }
    }
}

/// ureq 3 through wasock::ureq: `localhost` through the pool, a reused
/// keep-alive connection, a POST body echoed, a 404, a timeout.
#[test]
fn ureq_client_fetches_from_native_server() {
    let (addr, accepted) = native_http_server();
    let f = Guest::new("rust-tests", "ureq_get")
        .allow("--allow-connect", &addr.to_string())
        .allow("--allow-resolve", "localhost")
        .arg(addr.port())
        .run();
    f.assert_success();
    for line in ["got hello twice", "echoed 100000 bytes", "404 as StatusCode(404)", "ureq ok"] {
        assert!(f.stdout_has(line), "no {line:?}:\n{f}");
    }
    let waited: u64 =
        f.stdout.split("timed out after ").nth(1).and_then(|r| r.split(' ').next()?.parse().ok()).unwrap();
    assert!((300..2000).contains(&waited), "a 300 ms timeout took {waited} ms:\n{f}");
    // The first agent's four requests share one pooled connection (it
    // checks reuse with a peek); the timed-out agent opens the second.
    let n = accepted.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(n, 2, "{n} connections:\n{f}");
}
