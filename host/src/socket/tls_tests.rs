//! A TLS socket's calls against a native rustls server on loopback: the
//! timeouts and non-blocking answers of plain sockets, close_notify on
//! shutdown, a transparent upgrade, batches refused, and UDP getting
//! nothing from TLS rules.

use super::{Kind, Socket};
use crate::abi::Errno;
use crate::audit::Hooks;
use crate::pool::{Pool, TlsFlag};
use crate::sys::IoVecs;
use crate::tls::testcerts::Certs;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use socket2::Domain;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the server saw: the bytes before the end, and whether the end was
/// the client's close_notify (a clean end) rather than a cut.
type Seen = (Vec<u8>, bool);

/// A one-connection rustls server: handshakes, echoes what it reads after
/// `delay`, and reports how the stream ended.
fn server(certs: &Certs, delay: Duration) -> (u16, JoinHandle<Seen>) {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(certs.path("server.pem")).unwrap().map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_file(certs.path("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            match tls.read(&mut buf) {
                Ok(0) => {
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                    return (got, true);
                }
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    std::thread::sleep(delay);
                    let _ = tls.write_all(&buf[..n]);
                }
                Err(_) => return (got, false),
            }
        }
    });
    (port, t)
}

fn pool(flag: Option<TlsFlag>, rule: &str) -> Arc<Pool> {
    let p = Pool::new("t");
    Arc::new(match flag {
        Some(f) => p.allow_tls(f, rule).unwrap(),
        None => p.allow_connect_tls(rule).unwrap(),
    })
}

fn hooks() -> Arc<Hooks> {
    Arc::new(Hooks::new(Vec::new()))
}

fn send(s: &Socket, data: &[u8]) -> Result<usize, Errno> {
    let mut buf = data.to_vec();
    let mut iov = IoVecs::new();
    iov.push(buf.as_mut_ptr(), buf.len());
    s.send(&mut iov, 0, None)
}

fn recv(s: &Socket) -> Result<Vec<u8>, Errno> {
    let mut buf = vec![0u8; 1024];
    let mut iov = IoVecs::new();
    iov.push(buf.as_mut_ptr(), buf.len());
    let n = s.recv(&mut iov, 0, false)?.len;
    Ok(buf[..n].to_vec())
}

#[test]
fn blocking_calls_keep_the_socket_timeouts_and_shutdown_sends_close_notify() {
    let certs = Certs::new("sock-timeouts");
    let (port, seen) = server(&certs, Duration::from_millis(600));
    let p = pool(None, &format!("localhost:{port},ca={}", certs.path("ca.pem")));
    let s = Socket::open_tls(p, hooks(), Domain::IPV4).unwrap();
    assert_eq!(s.connect(SocketAddr::from(([127, 0, 0, 1], port))), Err(Errno::INVAL), "a TLS socket connects by name");
    s.connect_name("localhost", port).unwrap();
    assert_eq!(s.connect_name("localhost", port), Err(Errno::ISCONN));
    assert_eq!(send(&s, b"ping"), Ok(4));
    s.os().set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let t = Instant::now();
    assert_eq!(recv(&s), Err(Errno::AGAIN), "the echo comes after 600 ms");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(180) && took < Duration::from_millis(550), "{took:?}");
    s.os().set_read_timeout(None).unwrap();
    assert_eq!(recv(&s).unwrap(), b"ping");
    s.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(recv(&s).unwrap(), b"", "the server ends with close_notify too");
    assert_eq!(seen.join().unwrap(), (b"ping".to_vec(), true), "the server saw a clean end");
}

#[test]
fn non_blocking_calls_answer_inprogress_and_again() {
    let certs = Certs::new("sock-nonblocking");
    let (port, seen) = server(&certs, Duration::ZERO);
    let p = pool(None, &format!("localhost:{port},ca={}", certs.path("ca.pem")));
    let s = Socket::open_tls(p, hooks(), Domain::IPV4).unwrap();
    s.set_nonblocking(true).unwrap();
    assert_eq!(s.connect_name("localhost", port), Err(Errno::INPROGRESS));
    let t = Instant::now();
    loop {
        match send(&s, b"x") {
            Ok(1) => break,
            Err(Errno::AGAIN) => {
                assert!(t.elapsed() < Duration::from_secs(5), "the handshake never finished");
                let mut fds = [libc::pollfd {
                    fd: s.wait_fd(),
                    events: s.tls_wants(super::Direction::Write).unwrap(),
                    revents: 0,
                }];
                crate::sys::poll(&mut fds, Some(Duration::from_millis(100))).unwrap();
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(s.take_error(), Ok(None));
    let echo = loop {
        match recv(&s) {
            Err(Errno::AGAIN) => {
                assert!(t.elapsed() < Duration::from_secs(5), "no echo");
                std::thread::sleep(Duration::from_millis(10));
            }
            other => break other,
        }
    };
    assert_eq!(echo.unwrap(), b"x");
    drop(s);
    assert_eq!(seen.join().unwrap(), (b"x".to_vec(), true), "closing sends close_notify");
}

#[test]
fn a_transparent_rule_makes_a_plain_connect_tls_and_grants_udp_nothing() {
    let certs = Certs::new("sock-transparent");
    let (port, seen) = server(&certs, Duration::ZERO);
    let rule = format!("127.0.0.1:{port},name=localhost,ca={}", certs.path("ca.pem"));
    let p = pool(Some(TlsFlag::TlsConnect), &rule);
    let to = SocketAddr::from(([127, 0, 0, 1], port));
    let udp = Socket::open(p.clone(), hooks(), Domain::IPV4, Kind::Datagram).unwrap();
    assert_eq!(udp.connect(to), Err(Errno::NOTCAPABLE), "a TLS rule grants no UDP");
    let s = Socket::open(p, hooks(), Domain::IPV4, Kind::Stream).unwrap();
    s.connect(to).unwrap();
    assert!(s.is_tls_connection());
    // The batch calls would move bytes past the session.
    let mut buf = *b"raw";
    let mut iov = IoVecs::new();
    iov.push(buf.as_mut_ptr(), buf.len());
    assert_eq!(s.send_batch(&mut [(iov, None)], 0).err(), Some(Errno::NOTSUP));
    assert_eq!(s.recv_batch(&mut [IoVecs::new()], 0).err(), Some(Errno::NOTSUP));
    assert_eq!(send(&s, b"plain to"), Ok(8));
    assert_eq!(send(&s, b" the guest"), Ok(10));
    // MSG_WAITALL over two buffers: filled in place across the two echoes.
    let (mut a, mut b) = ([0u8; 5], [0u8; 13]);
    let mut iov = IoVecs::new();
    iov.push(a.as_mut_ptr(), a.len());
    iov.push(b.as_mut_ptr(), b.len());
    assert_eq!(s.recv(&mut iov, libc::MSG_WAITALL, false).map(|r| r.len), Ok(18));
    assert_eq!([&a[..], &b[..]].concat(), b"plain to the guest");
    drop(s);
    assert_eq!(seen.join().unwrap(), (b"plain to the guest".to_vec(), true));
}
