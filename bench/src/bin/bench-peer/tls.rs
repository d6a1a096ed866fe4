//! The TLS service: rustls with ring, TLS 1.3 and the one suite and group
//! of `wasock_bench::tls::pinned`, a certificate for `localhost` issued by
//! a CA made at start-up (rcgen, ECDSA P-256). The CA's PEM goes to a file
//! for the clients' roots and the host-TLS guest's `ca=` rule.
//!
//! No resumption: no tickets and no session cache, so every connection is a
//! full handshake whatever the client offers. Each connection, on a thread
//! of its own: handshake, `wasock_bench::tls::serve`, `close_notify`, close.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::thread;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::NoServerSessionStorage;
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use wasock_bench::tls::{pinned, serve, SERVER_NAME};

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Makes the CA and the server's certificate, writes the CA to `ca_file`,
/// and returns the server's configuration.
fn config(ca_file: &Path) -> io::Result<Arc<ServerConfig>> {
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    ca.distinguished_name.push(DnType::CommonName, "wasock bench CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().map_err(other)?).map_err(other)?;
    let key = KeyPair::generate().map_err(other)?;
    let cert =
        CertificateParams::new(vec![SERVER_NAME.to_string()]).map_err(other)?.signed_by(&key, &ca).map_err(other)?;
    std::fs::write(ca_file, ca.pem()).map_err(|e| other(format!("{}: {e}", ca_file.display())))?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut cfg = ServerConfig::builder_with_provider(Arc::new(pinned(rustls::crypto::ring::default_provider())))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .map_err(other)?;
    cfg.send_tls13_tickets = 0;
    cfg.session_storage = Arc::new(NoServerSessionStorage {});
    Ok(Arc::new(cfg))
}

/// Starts serving `listener` on a thread; the CA is in `ca_file` when this
/// returns.
pub fn start(listener: TcpListener, ca_file: &Path) -> io::Result<()> {
    let cfg = config(ca_file)?;
    thread::spawn(move || {
        for conn in listener.incoming() {
            match conn {
                Ok(c) => {
                    let cfg = Arc::clone(&cfg);
                    thread::spawn(move || {
                        if let Err(e) = connection(cfg, c) {
                            eprintln!("bench-peer: tls: {e}");
                        }
                    });
                }
                Err(e) => eprintln!("bench-peer: tls accept: {e}"),
            }
        }
    });
    Ok(())
}

fn connection(cfg: Arc<ServerConfig>, tcp: TcpStream) -> io::Result<()> {
    tcp.set_nodelay(true)?;
    let conn = ServerConnection::new(cfg).map_err(other)?;
    let mut s = StreamOwned::new(conn, tcp);
    serve(&mut s)?;
    s.conn.send_close_notify();
    s.flush()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    use rustls::{ClientConfig, ClientConnection, HandshakeKind, ProtocolVersion, RootCertStore};
    use wasock_bench::tls::{GROUP, SUITE};

    use super::*;

    /// A client that offers all of ring's suites and groups and keeps
    /// sessions still gets the pinned suite and group, TLS 1.3, a full
    /// handshake every time, and the bytes it asked for up to close_notify.
    #[test]
    fn pinned_full_handshakes_and_the_bytes_asked_for() {
        let dir = std::env::temp_dir().join(format!("bench-peer-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        start(listener, &ca).unwrap();
        let mut roots = RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(&ca).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        // ring's whole provider, resumption on (rustls' default).
        let cfg = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let cfg = Arc::new(cfg);
        for _ in 0..3 {
            let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let mut conn = ClientConnection::new(Arc::clone(&cfg), ServerName::try_from(SERVER_NAME).unwrap()).unwrap();
            let mut got = Vec::new();
            {
                let mut s = rustls::Stream::new(&mut conn, &mut tcp);
                s.write_all(&100_000u64.to_be_bytes()).unwrap();
                s.read_to_end(&mut got).unwrap();
            }
            assert_eq!(got.len(), 100_000);
            assert_eq!(conn.negotiated_cipher_suite().map(|s| s.suite()), Some(SUITE));
            assert_eq!(conn.negotiated_key_exchange_group().map(|g| g.name()), Some(GROUP));
            assert_eq!(conn.protocol_version(), Some(ProtocolVersion::TLSv1_3));
            assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Full));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
