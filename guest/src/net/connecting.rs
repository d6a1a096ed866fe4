//! A non-blocking connect whose "in progress" is a variant, not an errno.
//!
//! std's `io::ErrorKind::InProgress` is unstable, so on stable Rust an
//! in-progress connect is an `Other` error that only its raw errno tells
//! apart. [`TcpStream::connect_nonblocking`] answers with [`Connecting`]
//! instead, and the `tokio` and `mio` modules start their connects with it.

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
pub enum Connecting {
    /// Connected at once.
    Connected(TcpStream),
    /// Under way: once the stream is writable, [`TcpStream::take_error`]
    /// says whether it failed (or call [`Connecting::wait`]).
    InProgress {
        /// The connecting stream, non-blocking.
        stream: TcpStream,
        /// Where it is connecting to.
        addr: SocketAddr,
    },
}

impl Connecting {
    /// Whether the connect is still under way.
    pub fn is_in_progress(&self) -> bool {
        matches!(self, Connecting::InProgress { .. })
    }

    /// The stream, connected or not yet.
    pub fn into_stream(self) -> TcpStream {
        match self {
            Connecting::Connected(s) | Connecting::InProgress { stream: s, .. } => s,
        }
    }

    /// Waits up to `timeout` for the connect to finish: the stream once
    /// connected (still non-blocking), the connect's error
    /// (`ConnectionRefused`, ...), or [`TimedOut`](io::ErrorKind::TimedOut).
    pub fn wait(self, timeout: Duration) -> io::Result<TcpStream> {
        let (stream, addr) = match self {
            Connecting::Connected(s) => return Ok(s),
            Connecting::InProgress { stream, addr } => (stream, addr),
        };
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !fd::wait_writable(stream.as_fd(), left)? {
                return Err(Errno::TIMEDOUT.error("connect to", Some(addr)));
            }
            match finish(stream.socket(), &addr) {
                Ok(()) => return Ok(stream),
                // Writable with nothing pending but not yet connected: the
                // host woke us early; wait again.
                Err(e) if Errno::of(&e) == Some(Errno::NOTCONN) => continue,
                Err(e) => return Err(e),
            }
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
    match sock.connect(addr) {
        Ok(()) => Ok(Connecting::Connected(sock.into())),
        // `again` too: what a non-blocking connect that cannot finish at once
        // may also answer (Linux does for Unix sockets).
        Err(e) if matches!(Errno::of(&e), Some(Errno::INPROGRESS | Errno::AGAIN)) => {
            Ok(Connecting::InProgress { stream: sock.into(), addr: *addr })
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
