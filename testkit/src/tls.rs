//! Native TLS peers on loopback for the host-side TLS tests (docs/tls.md):
//! certificates made at test time ([`Pki`]), rustls configurations built
//! from them, an echo server that records what each client did
//! ([`TlsEchoServer`]), a client ([`tls_client_echo`]) and a server that is
//! not TLS at all ([`garbage_tls_server`]).
//!
//! rustls runs on the ring provider, named explicitly (as the host does),
//! so no process-wide default provider is needed. Every wait is bounded by
//! [`PEER_TIMEOUT`].

mod pki;
#[cfg(test)]
mod tests;

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};

pub use pki::{Authority, Identity, Pki, CLIENT_CN, CLIENT_DNS, CLIENT_EMAIL, SERVER_NAME, WRONG_NAME};

use crate::peers::{connect_retry, PEER_TIMEOUT};

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A root store holding `ca` alone.
pub fn roots(ca: &Authority) -> Arc<RootCertStore> {
    let mut store = RootCertStore::empty();
    store.add(ca.cert_der()).expect("a usable CA certificate");
    Arc::new(store)
}

/// A server configuration presenting `id`, without client authentication.
pub fn server_config(id: &Identity) -> Arc<ServerConfig> {
    let builder = ServerConfig::builder_with_provider(provider()).with_safe_default_protocol_versions().unwrap();
    Arc::new(builder.with_no_client_auth().with_single_cert(id.chain(), id.private_key()).expect("a server identity"))
}

/// A server configuration presenting `id` that requires a client
/// certificate issued by `client_ca`.
pub fn server_config_client_auth(id: &Identity, client_ca: &Authority) -> Arc<ServerConfig> {
    let verifier = WebPkiClientVerifier::builder_with_provider(roots(client_ca), provider()).build().unwrap();
    let builder = ServerConfig::builder_with_provider(provider()).with_safe_default_protocol_versions().unwrap();
    Arc::new(builder.with_client_cert_verifier(verifier).with_single_cert(id.chain(), id.private_key()).unwrap())
}

/// A client configuration trusting `ca` alone, presenting `id` if a server asks.
pub fn client_config(ca: &Authority, id: Option<&Identity>) -> Arc<ClientConfig> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots(ca));
    Arc::new(match id {
        Some(id) => builder.with_client_auth_cert(id.chain(), id.private_key()).expect("a client identity"),
        None => builder.with_no_client_auth(),
    })
}

/// What a [`TlsEchoServer`] saw of one connection, once it ended.
#[derive(Debug, Default, Clone)]
pub struct Session {
    /// The handshake or record-layer failure, in rustls' words; `None` if
    /// the connection ran to its end.
    pub error: Option<String>,
    /// The DER of the certificate the client presented.
    pub client_cert: Option<Vec<u8>>,
    /// The SNI the client sent.
    pub server_name: Option<String>,
    /// The negotiated version (0x0304 for TLS 1.3) and cipher suite (IANA number).
    pub version: Option<u16>,
    pub cipher: Option<u16>,
    /// The plaintext received (and echoed).
    pub received: Vec<u8>,
    /// Whether the client ended its side with close_notify (not merely a TCP FIN).
    pub close_notify: bool,
}

/// How the echo server hands its records to the kernel.
#[derive(Clone, Copy, Debug)]
enum Records {
    /// Each flight in one write.
    Whole,
    /// Each echoed flight in two halves, this long apart, so that the peer
    /// has part of a record for that long (the handshake and close_notify
    /// go whole).
    Split(Duration),
}

/// A TLS echo server on loopback: each connection (on a thread of its own)
/// is echoed until the client's end of stream, then answered with
/// close_notify and closed. It listens on 127.0.0.1 and, where there is
/// IPv6, on ::1 at the same port, so a client that resolves `localhost`
/// to either reaches it. It runs until the test process ends.
pub struct TlsEchoServer {
    /// The port on both addresses.
    pub port: u16,
    sessions: mpsc::Receiver<Session>,
}

impl TlsEchoServer {
    /// Starts a server with `config`.
    pub fn start(config: Arc<ServerConfig>) -> TlsEchoServer {
        Self::spawn(config, Records::Whole)
    }

    /// Starts a server that writes each echoed record in two halves with
    /// `pause` between them.
    pub fn start_split(config: Arc<ServerConfig>, pause: Duration) -> TlsEchoServer {
        Self::spawn(config, Records::Split(pause))
    }

    fn spawn(config: Arc<ServerConfig>, records: Records) -> TlsEchoServer {
        let (tx, sessions) = mpsc::channel();
        let (listeners, port) = loopback_listeners();
        for l in listeners {
            let (config, tx) = (config.clone(), tx.clone());
            thread::spawn(move || {
                for tcp in l.incoming().flatten() {
                    let (config, tx) = (config.clone(), tx.clone());
                    thread::spawn(move || {
                        let _ = tx.send(serve(config, tcp, records));
                    });
                }
            });
        }
        TlsEchoServer { port, sessions }
    }

    /// The server's IPv4 address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The next connection to end, within [`PEER_TIMEOUT`]; panics if none does.
    pub fn session(&self) -> Session {
        self.sessions.recv_timeout(PEER_TIMEOUT).expect("a TLS connection to the native echo server ended")
    }
}

/// A listener on 127.0.0.1 and, if this machine has IPv6, one on ::1 at the
/// same port (a port free on one address may be taken on the other: retried).
fn loopback_listeners() -> (Vec<TcpListener>, u16) {
    for _ in 0..20 {
        let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1");
        let port = v4.local_addr().unwrap().port();
        if TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_err() {
            return (vec![v4], port);
        }
        if let Ok(v6) = TcpListener::bind((Ipv6Addr::LOCALHOST, port)) {
            return (vec![v4, v6], port);
        }
    }
    panic!("no port free on both 127.0.0.1 and ::1");
}

fn bounded(tcp: &TcpStream) {
    tcp.set_read_timeout(Some(PEER_TIMEOUT)).unwrap();
    tcp.set_write_timeout(Some(PEER_TIMEOUT)).unwrap();
    tcp.set_nodelay(true).unwrap();
}

/// Serves one connection to its end and says what happened.
fn serve(config: Arc<ServerConfig>, mut tcp: TcpStream, records: Records) -> Session {
    bounded(&tcp);
    let mut s = Session::default();
    let mut conn = ServerConnection::new(config).expect("a server connection");
    // complete_io sends our alert before it reports a failed handshake.
    let handshake = (|| {
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        send(&mut conn, &mut tcp, Records::Whole)
    })();
    s.client_cert = conn.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec());
    s.server_name = conn.server_name().map(str::to_string);
    s.version = conn.protocol_version().map(u16::from);
    s.cipher = conn.negotiated_cipher_suite().map(|c| u16::from(c.suite()));
    if let Err(e) = handshake.and_then(|()| echo(&mut conn, &mut tcp, records, &mut s)) {
        s.error = Some(e.to_string());
    }
    s
}

/// Echoes plaintext until the client's close_notify or TCP end, then sends
/// close_notify and shuts the TCP stream.
fn echo(conn: &mut ServerConnection, tcp: &mut TcpStream, records: Records, s: &mut Session) -> io::Result<()> {
    let mut buf = [0u8; 16 * 1024];
    // What arrived with the handshake's last flight is processed first.
    loop {
        let state = match conn.process_new_packets() {
            Ok(state) => state,
            Err(e) => {
                let _ = send(conn, tcp, Records::Whole); // the alert
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
        };
        let start = s.received.len();
        loop {
            match conn.reader().read(&mut buf) {
                Ok(0) => break,
                Ok(n) => s.received.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        if s.received.len() > start {
            conn.writer().write_all(&s.received[start..])?;
            send(conn, tcp, records)?;
        }
        if state.peer_has_closed() {
            s.close_notify = true;
            break;
        }
        if conn.read_tls(tcp)? == 0 {
            break; // a TCP end: close_notify stays false
        }
    }
    conn.send_close_notify();
    send(conn, tcp, Records::Whole)?;
    tcp.shutdown(Shutdown::Write)
}

/// Writes every record rustls has queued.
fn send(conn: &mut ServerConnection, tcp: &mut TcpStream, records: Records) -> io::Result<()> {
    let mut out = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut out)?;
    }
    match records {
        Records::Split(pause) if out.len() > 1 => {
            let half = out.len() / 2;
            tcp.write_all(&out[..half])?;
            tcp.flush()?;
            thread::sleep(pause);
            tcp.write_all(&out[half..])
        }
        _ => tcp.write_all(&out),
    }
}

/// Connects to 127.0.0.1:`port` (retrying until something listens, within
/// [`PEER_TIMEOUT`]) with `config`, verifying the server as `name`; sends
/// `msg`, then close_notify, and reads to the end of stream. The end must
/// be the server's close_notify: a TCP end without it is an error
/// (`UnexpectedEof`), as is a failed handshake (`InvalidData`, with
/// rustls' error inside).
pub fn tls_client_echo(port: u16, name: &str, config: Arc<ClientConfig>, msg: &[u8]) -> io::Result<Vec<u8>> {
    tls_client_echo_at(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), name, config, msg)
}

/// [`tls_client_echo`] to any address.
pub fn tls_client_echo_at(addr: SocketAddr, name: &str, config: Arc<ClientConfig>, msg: &[u8]) -> io::Result<Vec<u8>> {
    let mut tcp = connect_retry(addr);
    bounded(&tcp);
    let name = ServerName::try_from(name.to_string()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
    let sent = {
        let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
        tls.write_all(msg).and_then(|()| {
            tls.conn.send_close_notify();
            tls.flush()
        })
    };
    if let Err(e) = sent {
        return Err(alert_behind(&mut conn, &mut tcp).unwrap_or(e));
    }
    let mut back = Vec::new();
    rustls::Stream::new(&mut conn, &mut tcp).read_to_end(&mut back)?;
    Ok(back)
}

/// When a write fails because the server has already refused the session
/// (it sent an alert and closed), the alert may still be waiting in the
/// receive queue: read it, so the error names the server's reason rather
/// than the broken pipe that followed it.
fn alert_behind(conn: &mut ClientConnection, tcp: &mut TcpStream) -> Option<io::Error> {
    while conn.read_tls(tcp).ok()? > 0 {
        if let Err(e) = conn.process_new_packets() {
            return Some(io::Error::new(io::ErrorKind::InvalidData, e));
        }
    }
    None
}

/// What [`garbage_tls_server`] answers a ClientHello with.
pub const GARBAGE: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

/// A plain TCP server on 127.0.0.1 (and ::1, at the same port, where there
/// is IPv6) that answers whatever a client sends first (a ClientHello) with
/// [`GARBAGE`], then closes. Returns the port.
pub fn garbage_tls_server() -> u16 {
    let (listeners, port) = loopback_listeners();
    for l in listeners {
        thread::spawn(move || {
            for mut tcp in l.incoming().flatten() {
                bounded(&tcp);
                let mut hello = [0u8; 4096];
                if tcp.read(&mut hello).is_ok_and(|n| n > 0) {
                    let _ = tcp.write_all(GARBAGE);
                }
            }
        });
    }
    port
}
