//! A non-blocking connect whose "in progress" is a variant, not an errno.
//!
//! std's `io::ErrorKind::InProgress` is unstable, so on stable Rust an
//! in-progress connect is an `Other` error that only its raw errno tells
//! apart. [`TcpStream::connect_nonblocking`] and
//! [`TlsStream::connect_nonblocking`](crate::tls::TlsStream::connect_nonblocking)
//! answer with [`Connecting`] instead, and the `tokio` and `mio` modules
//! start their connects with it. The two kinds of stream differ only in
//! what they connect to and how "done" is told (the [`Connect`] trait).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use super::tcp::TcpStream;
use crate::addr::{Family, SockType};
use crate::error::Errno;
use crate::fd;
use crate::pool::Pool;
use crate::socket::Socket;

/// A stream that a non-blocking connect makes: [`TcpStream`] (to an
/// address) or [`TlsStream`](crate::tls::TlsStream) (to a server name, the
/// handshake included). Sealed: only this crate implements it.
pub trait Connect: AsFd + From<Socket> + sealed::Sealed {
    /// What the connect aims at: a [`SocketAddr`], or a
    /// [`ServerName`](crate::tls::ServerName).
    type Target: fmt::Display + fmt::Debug + Clone;

    /// Once the stream has been reported writable: `Ok(true)` when the
    /// connect is done (for TLS: the handshake too), `Ok(false)` when it is
    /// not yet (the wake-up came early), or the connect's error
    /// (`ConnectionRefused`, ...). For code that drives its own reactor.
    fn connect_done(&self, target: &Self::Target) -> io::Result<bool>;
}

pub(crate) mod sealed {
    /// Keeps [`Connect`](super::Connect) to this crate's streams.
    pub trait Sealed {}
}

/// How a non-blocking connect started.
///
/// ```no_run
/// use std::time::Duration;
/// use wasock::net::{Connecting, TcpStream};
///
/// let addr = "127.0.0.1:8080".parse().unwrap();
/// let stream = match TcpStream::connect_nonblocking(&addr)? {
///     Connecting::Connected(s) => s,
///     // Do other work, or hand the stream to a reactor; here, just wait.
///     c @ Connecting::InProgress { .. } => c.wait(Duration::from_secs(5))?,
/// };
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub enum Connecting<S: Connect = TcpStream> {
    /// Connected at once.
    Connected(S),
    /// Under way: once the stream is writable,
    /// [`Connect::connect_done`] says whether it finished or failed (or
    /// call [`Connecting::wait`]).
    InProgress {
        /// The connecting stream, non-blocking.
        stream: S,
        /// Where it is connecting to.
        addr: S::Target,
    },
}

impl<S: Connect> Connecting<S> {
    /// Whether the connect is still under way.
    pub fn is_in_progress(&self) -> bool {
        matches!(self, Connecting::InProgress { .. })
    }

    /// The stream, connected or not yet.
    pub fn into_stream(self) -> S {
        match self {
            Connecting::Connected(s) | Connecting::InProgress { stream: s, .. } => s,
        }
    }

    /// Waits up to `timeout` for the connect to finish: the stream once
    /// connected (still non-blocking), the connect's error
    /// (`ConnectionRefused`, ...), or [`TimedOut`](io::ErrorKind::TimedOut).
    pub fn wait(self, timeout: Duration) -> io::Result<S> {
        let (stream, target) = match self {
            Connecting::Connected(s) => return Ok(s),
            Connecting::InProgress { stream, addr } => (stream, addr),
        };
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !fd::wait_writable(stream.as_fd(), left)? {
                return Err(Errno::TIMEDOUT.error_for_name("connect to", &target.to_string()));
            }
            if stream.connect_done(&target)? {
                return Ok(stream);
            }
        }
    }
}

impl sealed::Sealed for TcpStream {}

impl Connect for TcpStream {
    type Target = SocketAddr;

    fn connect_done(&self, addr: &SocketAddr) -> io::Result<bool> {
        match finish(self.socket(), addr) {
            Ok(()) => Ok(true),
            // Writable with nothing pending but not yet connected: the host
            // woke us early.
            Err(e) if Errno::of(&e) == Some(Errno::NOTCONN) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl TcpStream {
    /// Starts connecting to `addr` (through the default pool) without
    /// waiting; the stream is non-blocking. A destination the pool does not
    /// grant fails at once with `PermissionDenied`.
    pub fn connect_nonblocking(addr: &SocketAddr) -> io::Result<Connecting> {
        TcpStream::connect_nonblocking_in(&Pool::default()?, addr)
    }

    /// [`connect_nonblocking`](TcpStream::connect_nonblocking) with a socket from `pool`.
    pub fn connect_nonblocking_in(pool: &Pool, addr: &SocketAddr) -> io::Result<Connecting> {
        let sock = Socket::new_in(pool, Family::of(addr), SockType::Stream)?;
        sock.set_nonblocking(true)?;
        start(sock, addr)
    }
}

/// Connects the non-blocking `sock` to `addr` and says how that started.
pub(crate) fn start(sock: Socket, addr: &SocketAddr) -> io::Result<Connecting> {
    start_with(sock, *addr, |s| s.connect(addr))
}

/// Runs `connect` (a connect or connect_name) on the non-blocking `sock`
/// and says how it started: `inprogress` is [`Connecting::InProgress`].
pub(crate) fn start_with<S: Connect>(
    sock: Socket,
    target: S::Target,
    connect: impl FnOnce(&Socket) -> io::Result<()>,
) -> io::Result<Connecting<S>> {
    match connect(&sock) {
        Ok(()) => Ok(Connecting::Connected(sock.into())),
        // `again` too: what a non-blocking connect that cannot finish at once
        // may also answer (Linux does for Unix sockets).
        Err(e) if matches!(Errno::of(&e), Some(Errno::INPROGRESS | Errno::AGAIN)) => {
            Ok(Connecting::InProgress { stream: sock.into(), addr: target })
        }
        Err(e) => Err(e),
    }
}

/// The outcome of a connect once the socket has been reported writable:
/// the pending error (`ConnectionRefused`, ...) if there is one. Writable
/// with nothing pending means connected; the peer address confirms it
/// (`notconn` if the wake-up came early).
pub(crate) fn finish(sock: &Socket, addr: &SocketAddr) -> io::Result<()> {
    if let Some(e) = sock.take_errno()? {
        return Err(e.error("connect to", Some(*addr)));
    }
    sock.peer_addr().map(drop)
}
