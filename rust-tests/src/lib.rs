//! Helpers shared by the guest test programs in `src/bin/`.
//!
//! Every program takes what it needs from argv, prints what it did, and
//! ends with status 0 on success or a message and status 1 on failure
//! (`main` returns [`Res`]).

use std::fmt::Debug;
use std::io::{self, Write};
use std::net::SocketAddr;

/// What each program's `main` returns.
pub type Res = Result<(), Box<dyn std::error::Error>>;

/// Fails the program with a message unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+).into());
        }
    };
}

/// The `i`-th program argument (1-based, like argv), or an error naming it.
pub fn arg(i: usize, what: &str) -> Result<String, String> {
    std::env::args().nth(i).ok_or_else(|| format!("missing argument {i}: {what}"))
}

/// The `i`-th argument parsed as a socket address.
pub fn addr_arg(i: usize, what: &str) -> Result<SocketAddr, String> {
    let s = arg(i, what)?;
    s.parse().map_err(|e| format!("argument {i} ({what}) {s:?}: {e}"))
}

/// Prints a line on stdout and flushes it, so the test harness sees it at once.
pub fn say(line: impl AsRef<str>) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{}", line.as_ref());
    let _ = out.flush();
}

/// Checks that `r` failed with `kind` and returns the error for further checks.
pub fn expect_err<T: Debug>(r: io::Result<T>, kind: io::ErrorKind, what: &str) -> Result<io::Error, String> {
    match r {
        Ok(v) => Err(format!("{what}: expected {kind:?}, got Ok({v:?})")),
        Err(e) if e.kind() == kind => {
            say(format!("{what}: {kind:?} as expected ({e})"));
            Ok(e)
        }
        Err(e) => Err(format!("{what}: expected {kind:?}, got {:?}: {e}", e.kind())),
    }
}

/// A recognisable test payload of `len` bytes, different for each `seed`.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

/// The TLS programs' message when none is given.
pub const TLS_MESSAGE: &str = "hello tls\n";

/// An error as the TLS programs print it, the same as their C twins'
/// `err_name` (c-tests/oracle.h): the C name of its errno (`EACCES`,
/// `ECONNREFUSED`, `ENOTCAPABLE`: `E` and the WASI name in capitals), or
/// the `ErrorKind` when it carries none.
pub fn errno_name(e: &io::Error) -> String {
    match wasock::Errno::of(e) {
        Some(errno) => format!("E{}", errno.name().to_uppercase()),
        None => format!("{:?}", e.kind()),
    }
}

/// Ends a TLS program: an error prints `error: ENAME` and exits with 1.
pub fn tls_exit(r: io::Result<()>) -> Res {
    if let Err(e) = r {
        say(format!("error: {}", errno_name(&e)));
        std::process::exit(1);
    }
    Ok(())
}

/// Prints `PREFIX: ENTRY` for each entry of the peer's identity, or
/// `PREFIX: none` (reading it waits for the handshake, and fails with it).
pub fn print_identity(sock: &wasock::Socket, prefix: &str) -> io::Result<()> {
    let id = sock.tls_peer_identity()?;
    if id.is_empty() {
        say(format!("{prefix}: none"));
    }
    for entry in id.entries() {
        say(format!("{prefix}: {entry}"));
    }
    Ok(())
}

/// A TLS client's reply and what it learnt of the session, as tls_client.c
/// prints them: `reply: TEXT` (one trailing newline dropped), then version,
/// cipher, server name and the peer's identity.
pub fn print_tls_session(sock: &wasock::Socket, reply: &[u8]) -> io::Result<()> {
    let text = String::from_utf8_lossy(reply);
    say(format!("reply: {}", text.strip_suffix('\n').unwrap_or(&text)));
    say(format!("version: {:#06x}", sock.tls_version()?));
    say(format!("cipher: {:#06x}", sock.tls_cipher_suite()?));
    say(format!("server_name: {}", sock.tls_server_name()?.as_deref().unwrap_or("none")));
    print_identity(sock, "peer_identity")
}

/// wasock's tokio listener, or tokio's own over a wasock socket (what
/// `axum::serve` and hyper's examples accept with): the async programs take
/// `tokio-accept` to pick the second.
#[cfg(feature = "async")]
pub enum Listener {
    Wasock(wasock::tokio::TcpListener),
    Tokio(tokio::net::TcpListener),
}

#[cfg(feature = "async")]
impl Listener {
    pub async fn bind(addr: SocketAddr, tokio_accept: bool) -> io::Result<Listener> {
        if !tokio_accept {
            return Ok(Listener::Wasock(wasock::tokio::TcpListener::bind(addr).await?));
        }
        let listener = wasock::net::TcpListener::bind(addr)?;
        listener.socket().set_nonblocking(true)?;
        listener.socket().set_edge_triggered(true)?;
        Ok(Listener::Tokio(tokio::net::TcpListener::from_std(listener.into())?))
    }

    /// The next connection; tokio's own accept reports the peer as `0.0.0.0:0` on wasip1.
    pub async fn accept(&self) -> io::Result<(wasock::tokio::TcpStream, SocketAddr)> {
        match self {
            Listener::Wasock(l) => l.accept().await,
            Listener::Tokio(l) => l.accept().await.map(|(s, peer)| (wasock::tokio::TcpStream::from_tokio(s), peer)),
        }
    }
}
