//! The native peers against each other: what the e2e TLS tests take for
//! granted about them holds without a guest in between.

use std::io::ErrorKind;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::*;

/// One set of certificates for every test here (generating is cheap, but
/// sharing also checks that the files are not consumed by use).
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(Pki::generate)
}

const MSG: &[u8] = b"hello tls\n";

#[test]
fn the_pki_writes_pem_files() {
    let p = pki();
    for f in [&p.ca.cert, &p.untrusted_ca.cert, &p.server.cert, &p.client.cert, &p.wrong_name.cert, &p.expired.cert] {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(text.starts_with("-----BEGIN CERTIFICATE-----"), "{}: {text}", f.display());
    }
    for f in [&p.server.key, &p.client.key, &p.wrong_name.key, &p.expired.key] {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{}: {text}", f.display());
    }
    assert!(p.server.cert.starts_with(p.dir()));
}

#[test]
fn a_verified_client_gets_its_echo_and_close_notify() {
    let p = pki();
    let server = TlsEchoServer::start(server_config(&p.server));
    let back = tls_client_echo(server.port, SERVER_NAME, client_config(&p.ca, None), MSG).unwrap();
    assert_eq!(back, MSG);
    let s = server.session();
    assert_eq!(s.error, None);
    assert_eq!(s.received, MSG);
    assert!(s.close_notify, "the client ended with close_notify: {s:?}");
    assert_eq!(s.client_cert, None);
    assert_eq!(s.server_name.as_deref(), Some(SERVER_NAME));
    assert_eq!(s.version, Some(0x0304));
    assert!(s.cipher.is_some_and(|c| c >> 8 == 0x13), "a TLS 1.3 suite: {s:?}");
}

#[test]
fn the_server_certificate_holds_for_the_loopback_addresses() {
    let p = pki();
    let server = TlsEchoServer::start(server_config(&p.server));
    let back = tls_client_echo(server.port, "127.0.0.1", client_config(&p.ca, None), MSG).unwrap();
    assert_eq!(back, MSG);
    // An IP address sends no SNI.
    assert_eq!(server.session().server_name, None);
}

/// The client's error, in rustls' words.
fn refused(port: u16, name: &str, config: Arc<ClientConfig>) -> String {
    let e = tls_client_echo(port, name, config, MSG).expect_err("the handshake must fail");
    assert_eq!(e.kind(), ErrorKind::InvalidData, "{e}");
    e.to_string()
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let p = pki();
    let server = TlsEchoServer::start(server_config(&p.wrong_name));
    let e = refused(server.port, SERVER_NAME, client_config(&p.ca, None));
    assert!(e.contains("not valid for name"), "{e}");
    let s = server.session();
    assert!(s.error.as_ref().is_some_and(|e| e.contains("BadCertificate")), "the client's alert reached the server");
}

#[test]
fn an_untrusted_issuer_and_an_expired_certificate_are_refused() {
    let p = pki();
    let server = TlsEchoServer::start(server_config(&p.server));
    let e = refused(server.port, SERVER_NAME, client_config(&p.untrusted_ca, None));
    assert!(e.contains("UnknownIssuer"), "{e}");
    let expired = TlsEchoServer::start(server_config(&p.expired));
    let e = refused(expired.port, SERVER_NAME, client_config(&p.ca, None));
    assert!(e.contains("expired"), "{e}");
}

#[test]
fn client_authentication_records_the_client_and_refuses_one_without_a_certificate() {
    let p = pki();
    let server = TlsEchoServer::start(server_config_client_auth(&p.server, &p.ca));
    let back = tls_client_echo(server.port, SERVER_NAME, client_config(&p.ca, Some(&p.client)), MSG).unwrap();
    assert_eq!(back, MSG);
    let s = server.session();
    assert_eq!(s.error, None);
    assert_eq!(s.client_cert.as_deref(), Some(p.client.cert_der()));

    // TLS 1.3: the client finishes its side first, and learns of the
    // refusal from the server's alert when it reads (or, when its write
    // meets the closed connection first, from the alert left behind).
    let e = tls_client_echo(server.port, SERVER_NAME, client_config(&p.ca, None), MSG).unwrap_err();
    assert!(e.to_string().contains("CertificateRequired"), "{e}");
    let s = server.session();
    assert!(s.error.as_ref().is_some_and(|e| e.contains("no certificates")), "{s:?}");
    assert!(s.received.is_empty());
}

#[test]
fn the_split_server_holds_back_the_second_half_of_each_record() {
    let p = pki();
    let pause = Duration::from_millis(300);
    let server = TlsEchoServer::start_split(server_config(&p.server), pause);
    let t = Instant::now();
    let back = tls_client_echo(server.port, SERVER_NAME, client_config(&p.ca, None), MSG).unwrap();
    assert_eq!(back, MSG);
    assert!(t.elapsed() >= pause, "the echo came in {:?}, before the pause ended", t.elapsed());
    assert!(server.session().close_notify);
}

#[test]
fn the_echo_server_answers_on_ipv6_too() {
    let p = pki();
    let server = TlsEchoServer::start(server_config(&p.server));
    if TcpListener::bind("[::1]:0").is_err() {
        return;
    }
    let at = SocketAddr::from((Ipv6Addr::LOCALHOST, server.port));
    let back = tls_client_echo_at(at, SERVER_NAME, client_config(&p.ca, None), MSG).unwrap();
    assert_eq!(back, MSG);
}

#[test]
fn the_garbage_server_is_not_tls() {
    let p = pki();
    let port = garbage_tls_server();
    let e = refused(port, SERVER_NAME, client_config(&p.ca, None));
    assert!(e.contains("corrupt message") || e.contains("InvalidContentType"), "{e}");
}
