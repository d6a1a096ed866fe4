//! A TLS workload run once with rustls in the program:
//! `bench-tls-client tls_bulk|tls_handshakes PORT CA_FILE [OPS]`.
//!
//! Connects to 127.0.0.1:PORT and verifies the peer as `localhost` against
//! CA_FILE. The same source is the native client (ring, std::net) and the
//! in-guest-TLS guest (rustls-rustcrypto, wasock::net; the guest needs
//! `--dir` for CA_FILE's directory and `--allow-connect` for the port).
//! Resumption is off, so every connection is a full handshake.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use wasock_bench::tls::{self, pinned, Args, SERVER_NAME};

#[cfg(not(target_os = "wasi"))]
use std::net::TcpStream;
#[cfg(target_os = "wasi")]
use wasock::net::TcpStream;

/// The build's crypto: ring natively, pure Rust in the guest.
fn provider() -> CryptoProvider {
    #[cfg(not(target_os = "wasi"))]
    return rustls::crypto::ring::default_provider();
    #[cfg(target_os = "wasi")]
    return rustls_rustcrypto::provider();
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

fn config(ca: &str) -> io::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| other(format!("{ca}: {e}")))? {
        roots.add(cert.map_err(|e| other(format!("{ca}: {e}")))?).map_err(other)?;
    }
    let mut cfg = ClientConfig::builder_with_provider(Arc::new(pinned(provider())))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(cfg))
}

/// A connection whose handshake is done; dropping it sends `close_notify`
/// (best effort: the server has usually closed by then), as the host does
/// when a guest closes a TLS socket.
struct Tls(StreamOwned<ClientConnection, TcpStream>);

impl Read for Tls {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        self.0.read(b)
    }
}

impl Write for Tls {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.write(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Drop for Tls {
    fn drop(&mut self) {
        self.0.conn.send_close_notify();
        let _ = self.0.flush();
    }
}

fn connect(cfg: &Arc<ClientConfig>, port: u16) -> io::Result<Tls> {
    let mut sock = TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    // The handshake's flights and the few-byte request are small writes:
    // without this, Nagle would hold one back for the server's delayed ACK.
    sock.set_nodelay(true)?;
    let name = ServerName::try_from(SERVER_NAME).map_err(other)?;
    let mut conn = ClientConnection::new(Arc::clone(cfg), name).map_err(other)?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)?;
    }
    Ok(Tls(StreamOwned::new(conn, sock)))
}

fn run(a: &Args) -> io::Result<f64> {
    let cfg = config(a.ca.as_deref().unwrap_or_default())?;
    tls::run(a.workload, a.ops, || connect(&cfg, a.port))
}

fn main() -> ExitCode {
    tls::client_main("bench-tls-client", true, run)
}
