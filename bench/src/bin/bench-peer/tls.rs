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
