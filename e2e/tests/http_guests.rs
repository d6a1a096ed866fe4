//! End-to-end tests of HTTP over wasock, against native peers on loopback:
//! rust-tests/src/bin/http_server.rs (hyper 1.x on `wasock::tokio`, checked
//! by a hand-written client) and ureq_get.rs (ureq 3 on `wasock::ureq`,
//! against a hand-written native server).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use wasock_e2e::{free_port, Guest, Running};

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

    let before = g.cpu_time();
    thread::sleep(Duration::from_millis(1500));
    let used = g.cpu_time() - before;
    println!("idle hyper server, {CONNECTIONS} keep-alive connections: {used:?} CPU in 1.5 s");
    assert!(used < Duration::from_millis(200), "the idle guest used {used:?} of CPU in 1.5 s");

    drop(streams);
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("done"), "{f}");
}

/// A native HTTP/1.1 server for ureq_get: keep-alive, `/hello`, `/echo`,
/// `/slow` (answers after 2 s), 404 otherwise. Returns its address and a
/// count of the connections it accepted.
fn native_http_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
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
    let n = accepted.load(Ordering::SeqCst);
    assert_eq!(n, 2, "{n} connections:\n{f}");
}
