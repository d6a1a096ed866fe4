//! The session on its own: a client and a server session over a Unix
//! socket pair, each driven the way the socket layer drives it (try, and on
//! `Step::Wait` poll for what it asked and try again).

use super::session::{Info, Session, Step, Use};
use crate::abi::Errno;
use crate::sys::IoVecs;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;

struct Pki {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

fn pki() -> Pki {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    Pki { cert: c.cert.der().clone(), key: PrivatePkcs8KeyDer::from(c.signing_key.serialize_der()) }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_config(p: &Pki) -> Arc<ServerConfig> {
    let cfg = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![p.cert.clone()], PrivateKeyDer::Pkcs8(p.key.clone_key()))
        .unwrap();
    Arc::new(cfg)
}

fn client_config(trusted: &Pki) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(trusted.cert.clone()).unwrap();
    let cfg = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(cfg)
}

/// Waits (bounded) for what a session asked of the kernel.
fn wait(fd: RawFd, events: libc::c_short) {
    let mut fds = [libc::pollfd { fd, events, revents: 0 }];
    crate::sys::poll(&mut fds, Some(std::time::Duration::from_secs(5))).unwrap();
}

/// Runs both handshakes to the end (each side waits only for what it asked).
fn handshake(a: (&Session, RawFd), b: (&Session, RawFd)) -> (Result<(), Errno>, Result<(), Errno>) {
    let mut done: [Option<Result<(), Errno>>; 2] = [None, None];
    for _ in 0..100 {
        for (i, (s, fd)) in [a, b].into_iter().enumerate() {
            if done[i].is_none() {
                match s.handshake(fd) {
                    Ok(()) => done[i] = Some(Ok(())),
                    Err(Step::Fail(e)) => done[i] = Some(Err(e)),
                    Err(Step::Wait(_)) => {}
                }
            }
        }
        if done.iter().all(Option::is_some) {
            break;
        }
    }
    (done[0].unwrap_or(Err(Errno::AGAIN)), done[1].unwrap_or(Err(Errno::AGAIN)))
}

fn send(s: &Session, fd: RawFd, data: &[u8]) -> usize {
    let mut buf = data.to_vec();
    let mut iov = IoVecs::new();
    iov.push(buf.as_mut_ptr(), buf.len());
    s.send(fd, &iov).unwrap()
}

/// Reads what is there, waiting for it if need be.
fn recv(s: &Session, fd: RawFd, peek: bool) -> Result<Vec<u8>, Errno> {
    let mut buf = vec![0u8; 1 << 16];
    for _ in 0..50 {
        let mut iov = IoVecs::new();
        iov.push(buf.as_mut_ptr(), buf.len());
        match s.recv(fd, &mut iov, peek) {
            Ok(n) => return Ok(buf[..n].to_vec()),
            Err(Step::Fail(e)) => return Err(e),
            Err(Step::Wait(ev)) => wait(fd, ev),
        }
    }
    Err(Errno::AGAIN)
}

fn pair(p: &Pki, trusted: &Pki, name: &str) -> (Session, UnixStream, Session, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    let name = ServerName::try_from(name.to_string()).unwrap();
    (Session::client(client_config(trusted), name).unwrap(), a, Session::server(server_config(p)).unwrap(), b)
}

#[test]
fn handshake_data_peek_and_close_notify() {
    let p = pki();
    let (c, cs, s, ss) = pair(&p, &p, "localhost");
    let (cfd, sfd) = (cs.as_raw_fd(), ss.as_raw_fd());
    assert!(!c.ready(Use::Write), "not writable before the handshake");
    assert_eq!(handshake((&c, cfd), (&s, sfd)), (Ok(()), Ok(())));
    assert!(c.ready(Use::Write));
    assert!(!s.ready(Use::Read), "no plaintext yet");
    assert_eq!(send(&c, cfd, b"hello"), 5);
    assert_eq!(recv(&s, sfd, true).unwrap(), b"hello", "peek");
    assert!(s.ready(Use::Read) && s.buffered() == 5, "peek leaves it buffered");
    assert_eq!(recv(&s, sfd, false).unwrap(), b"hello");
    assert_eq!(s.buffered(), 0);
    assert_eq!(s.info(sfd, Info::ServerName).unwrap(), b"localhost", "the SNI the client sent");
    assert_eq!(c.info(cfd, Info::Version).unwrap(), 0x0304i32.to_le_bytes());
    assert!(c.info(cfd, Info::PeerIdentity).unwrap().starts_with(b"dns:localhost\n"));
    assert!(s.info(sfd, Info::PeerCertificate).unwrap().is_empty(), "no client certificate");
    c.close_notify(cfd);
    assert_eq!(recv(&s, sfd, false).unwrap(), b"", "close_notify is the end of the stream");
}

#[test]
fn a_stream_cut_without_close_notify_is_connreset() {
    let p = pki();
    let (c, cs, s, ss) = pair(&p, &p, "localhost");
    assert_eq!(handshake((&c, cs.as_raw_fd()), (&s, ss.as_raw_fd())), (Ok(()), Ok(())));
    // The client takes the server's session tickets: a socket closed with
    // unread bytes would be a reset, not an end of stream.
    c.advance(cs.as_raw_fd());
    drop(cs);
    assert_eq!(recv(&s, ss.as_raw_fd(), false), Err(Errno::CONNRESET));
    assert!(s.failure().unwrap().contains("close_notify"));
    assert_eq!(recv(&s, ss.as_raw_fd(), false), Err(Errno::CONNRESET), "sticky");
}

#[test]
fn verification_failures_are_acces_and_the_peer_sees_connrefused() {
    let (p, other) = (pki(), pki());
    for (trusted, name) in [(&other, "localhost"), (&p, "wrong.example")] {
        let (c, cs, s, ss) = pair(&p, trusted, name);
        let (client, server) = handshake((&c, cs.as_raw_fd()), (&s, ss.as_raw_fd()));
        assert_eq!(client, Err(Errno::ACCES), "{name}");
        assert_eq!(server, Err(Errno::CONNREFUSED), "the server gets the client's alert");
        assert!(c.failure().unwrap().contains("certificate"));
        assert_eq!(c.take_error(), Some(Errno::ACCES));
        assert_eq!(c.take_error(), None, "take_error reports it once");
        assert!(c.ready(Use::Read) && c.ready(Use::Write), "a failed session is ready (its calls fail)");
    }
}

#[test]
fn garbage_instead_of_tls_is_connrefused() {
    let p = pki();
    let (a, mut b) = UnixStream::pair().unwrap();
    let s = Session::server(server_config(&p)).unwrap();
    std::io::Write::write_all(&mut b, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    wait(a.as_raw_fd(), libc::POLLIN);
    assert_eq!(s.handshake(a.as_raw_fd()), Err(Step::Fail(Errno::CONNREFUSED)));
    assert!(s.failure().is_some());
}

#[test]
fn a_send_leaves_at_most_one_send_of_records_and_then_waits() {
    let p = pki();
    let (c, cs, s, ss) = pair(&p, &p, "localhost");
    let (cfd, sfd) = (cs.as_raw_fd(), ss.as_raw_fd());
    assert_eq!(handshake((&c, cfd), (&s, sfd)), (Ok(()), Ok(())));
    // Nobody reads: the pair's buffer fills, records wait in the session.
    let chunk = vec![7u8; 1 << 16];
    let mut sent = 0;
    let mut waited = false;
    for _ in 0..64 {
        let mut buf = chunk.clone();
        let mut iov = IoVecs::new();
        iov.push(buf.as_mut_ptr(), buf.len());
        match c.send(cfd, &iov) {
            Ok(n) => sent += n,
            Err(Step::Wait(ev)) => {
                assert_eq!(ev & libc::POLLOUT, libc::POLLOUT);
                waited = true;
                break;
            }
            Err(Step::Fail(e)) => panic!("{e:?}"),
        }
    }
    assert!(waited, "a full kernel buffer makes send wait");
    assert!(c.unsent() && !c.ready(Use::Write));
    // Everything taken arrives.
    let mut got = 0;
    while got < sent {
        got += recv(&s, sfd, false).unwrap().len();
        let _ = c.flush(cfd);
    }
    assert_eq!(got, sent);
}
