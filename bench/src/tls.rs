//! The TLS workloads: what the peer's TLS service and the three TLS clients
//! agree on, and the clients' timed loops, written once over any
//! `Read + Write` stream whose handshake is done.
//!
//! The three clients differ only in how they get such a stream:
//! - `bench-tls-client` natively: rustls with the ring provider over
//!   `std::net::TcpStream`;
//! - `bench-tls-client` as a guest: the same rustls code with the pure-Rust
//!   `rustls-rustcrypto` provider over `wasock::net::TcpStream` (TLS in the
//!   guest);
//! - `bench-tls-host` (a guest only): `wasock::tls::TlsStream`, plaintext to
//!   the host, which runs TLS with rustls and ring.
//!
//! Every variant speaks TLS 1.3 with one cipher suite and one key exchange
//! ([`pinned`]): the peer offers nothing else, so whatever a client offers,
//! these are what it gets. The peer's certificate is ECDSA P-256 (rcgen's
//! default) for [`SERVER_NAME`], issued by a CA made at the peer's start.
//!
//! The protocol: the client sends a request, 8 bytes big-endian: how many
//! plaintext bytes it wants; the server sends them, then `close_notify`, and
//! closes (so TIME_WAIT stays on the server's side, as in `tcp_connect`).

use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use rustls::crypto::CryptoProvider;
use rustls::{CipherSuite, NamedGroup};

use crate::{result_line, Workload, BULK_CHUNK};

/// The name the clients verify (and the host-TLS client connects to).
pub const SERVER_NAME: &str = "localhost";
/// The one cipher suite of every variant. AES-128-GCM is what rustls (and
/// most servers) choose first given the choice; with it the host and the
/// native client run AES-NI code, the in-guest client RustCrypto's portable
/// AES (wasm has no AES instructions).
pub const SUITE: CipherSuite = CipherSuite::TLS13_AES_128_GCM_SHA256;
/// The one key exchange group.
pub const GROUP: NamedGroup = NamedGroup::X25519;
/// MiB one `tls_bulk` run downloads by default.
pub const BULK_MIB: u64 = 64;
/// Plaintext bytes the server sends per `tls_handshakes` connection.
pub const HANDSHAKE_BYTES: u64 = 32;
/// The largest request the server honours (a bound on a confused client).
pub const MAX_REQUEST: u64 = 64 << 30;

/// `p` cut down to [`SUITE`] and [`GROUP`]: the peer's and the rustls
/// clients' provider, whichever provider it starts from.
pub fn pinned(mut p: CryptoProvider) -> CryptoProvider {
    p.cipher_suites.retain(|s| s.suite() == SUITE);
    p.kx_groups.retain(|g| g.name() == GROUP);
    p
}

/// The server's side of one connection, after its handshake: reads the
/// request and sends that many bytes. The caller then sends `close_notify`.
pub fn serve(s: &mut (impl Read + Write)) -> io::Result<()> {
    let mut req = [0u8; 8];
    s.read_exact(&mut req)?;
    let mut left = u64::from_be_bytes(req);
    if left > MAX_REQUEST {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("request for {left} bytes")));
    }
    let chunk: Vec<u8> = (0..BULK_CHUNK).map(|i| (i % 251) as u8).collect();
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        s.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    s.flush()
}

/// Sends the request for `n` bytes and reads the reply to the end of the
/// stream (`close_notify`: a stream cut without one is an error in every
/// variant); the bytes received.
fn fetch(s: &mut (impl Read + Write), n: u64, buf: &mut [u8]) -> io::Result<u64> {
    s.write_all(&n.to_be_bytes())?;
    s.flush()?;
    let mut got = 0u64;
    loop {
        match s.read(buf)? {
            0 => break,
            k => got += k as u64,
        }
    }
    if got != n {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("asked for {n} bytes, got {got}")));
    }
    Ok(got)
}

/// Runs `ops` operations of TLS workload `w`; `connect` makes a connection
/// and completes its handshake. Returns the seconds the timed part took:
/// - `tls_bulk`: one connection, connected before the clock starts; timed
///   from the request to the end of `ops` MiB;
/// - `tls_handshakes`: `ops` connections one after another, each connect,
///   handshake, request, [`HANDSHAKE_BYTES`] back, end of stream, close.
pub fn run<S: Read + Write>(w: Workload, ops: u64, mut connect: impl FnMut() -> io::Result<S>) -> io::Result<f64> {
    let mut buf = vec![0u8; BULK_CHUNK];
    match w {
        Workload::TlsBulk => {
            let mut s = connect()?;
            let start = Instant::now();
            fetch(&mut s, ops << 20, &mut buf)?;
            Ok(start.elapsed().as_secs_f64())
        }
        Workload::TlsHandshakes => {
            let start = Instant::now();
            for _ in 0..ops {
                let mut s = connect()?;
                fetch(&mut s, HANDSHAKE_BYTES, &mut buf)?;
                drop(s);
            }
            Ok(start.elapsed().as_secs_f64())
        }
        _ => Err(io::Error::new(io::ErrorKind::Unsupported, format!("{w} is not a TLS workload"))),
    }
}

/// A TLS client's command line: `WORKLOAD PORT [CA_FILE] [OPS]` (CA_FILE
/// only for the clients that verify the peer themselves).
pub struct Args {
    pub workload: Workload,
    pub port: u16,
    pub ca: Option<String>,
    pub ops: u64,
}

/// Parses the arguments after the program name; `with_ca`: whether CA_FILE
/// is among them.
pub fn parse_args(args: &[String], with_ca: bool) -> Option<Args> {
    let workload = Workload::from_name(args.first()?).filter(|w| w.is_tls())?;
    let port = args.get(1)?.parse().ok()?;
    let (ca, rest) = if with_ca { (Some(args.get(2)?.clone()), &args[3..]) } else { (None, &args[2..]) };
    let ops = match rest {
        [] => workload.default_ops(),
        [n] => n.parse().ok().filter(|&n| n > 0)?,
        _ => return None,
    };
    Some(Args { workload, port, ca, ops })
}

/// A TLS client's `main`: parses the arguments, runs, prints the result
/// line or the error.
pub fn client_main(name: &str, with_ca: bool, run: impl FnOnce(&Args) -> io::Result<f64>) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(a) = parse_args(&args, with_ca) else {
        let ca = if with_ca { " CA_FILE" } else { "" };
        eprintln!("usage: {name} tls_bulk|tls_handshakes PORT{ca} [OPS]");
        return ExitCode::from(2);
    };
    match run(&a) {
        Ok(secs) => {
            println!("{}", result_line(a.workload, a.ops, secs));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{name} {}: {e}", a.workload);
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str], with_ca: bool) -> Option<Args> {
        parse_args(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>(), with_ca)
    }

    #[test]
    fn command_lines() {
        let a = args(&["tls_bulk", "21000", "/tmp/ca.pem"], true).unwrap();
        assert_eq!((a.workload, a.port, a.ca.as_deref(), a.ops), (Workload::TlsBulk, 21000, Some("/tmp/ca.pem"), 64));
        let a = args(&["tls_handshakes", "21000", "7"], false).unwrap();
        assert_eq!((a.workload, a.ca, a.ops), (Workload::TlsHandshakes, None, 7));
        assert!(args(&["tcp_bulk", "21000", "ca"], true).is_none(), "not a TLS workload");
        assert!(args(&["tls_bulk", "21000"], true).is_none(), "CA_FILE missing");
        assert!(args(&["tls_bulk", "21000", "0"], false).is_none(), "zero operations");
    }

    /// A duplex pipe: reads from `input`, collects what is written.
    struct Pipe {
        input: io::Cursor<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Read for Pipe {
        fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
            self.input.read(b)
        }
    }

    impl Write for Pipe {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.output.write(b)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_server_sends_what_was_asked() {
        let n = 3 * BULK_CHUNK as u64 + 5;
        let mut p = Pipe { input: io::Cursor::new(n.to_be_bytes().to_vec()), output: Vec::new() };
        serve(&mut p).unwrap();
        assert_eq!(p.output.len() as u64, n);
        assert_eq!(p.output[BULK_CHUNK + 252], 1, "each chunk starts the pattern again");
        let mut p = Pipe { input: io::Cursor::new((MAX_REQUEST + 1).to_be_bytes().to_vec()), output: Vec::new() };
        assert!(serve(&mut p).is_err());
    }

    #[test]
    fn a_short_reply_is_an_error() {
        // The "server" replies 10 bytes to a request for HANDSHAKE_BYTES.
        let mut calls = 0;
        let r = run(Workload::TlsHandshakes, 3, || {
            calls += 1;
            Ok(Pipe { input: io::Cursor::new(vec![0; 10]), output: Vec::new() })
        });
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::InvalidData);
        assert_eq!(calls, 1);
        let r = run(Workload::TlsHandshakes, 3, || {
            Ok(Pipe { input: io::Cursor::new(vec![0; HANDSHAKE_BYTES as usize]), output: Vec::new() })
        });
        assert!(r.is_ok());
    }
}
