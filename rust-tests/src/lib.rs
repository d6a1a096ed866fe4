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
    pub async fn accept(&self) -> io::Result<(tokio::net::TcpStream, SocketAddr)> {
        match self {
            Listener::Wasock(l) => l.accept().await,
            Listener::Tokio(l) => l.accept().await,
        }
    }
}
