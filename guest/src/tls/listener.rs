//! [`TlsListener`]: a listener whose connections are TLS, with the
//! certificate and client authentication the pool's TLS bind rule names.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

use super::TlsStream;
use crate::addr::SockType;
use crate::net::lookup::{each_addr, ToSocketAddrs};
use crate::net::tcp::{fd_conversions, listening};
use crate::pool::Pool;
use crate::socket::Socket;

/// A TLS listener, like [`std::net::TcpListener`] for TLS connections.
///
/// The pool must grant the address with a TLS bind rule
/// (`--allow-bind-tls CIDR:PORTS,cert=F,key=F[,client-ca=F]`), which also
/// names the certificate presented and whether clients must present one.
/// [`accept`](TlsListener::accept) returns at once, before the new
/// connection's handshake; the handshake runs as the stream is first used,
/// so a slow or silent client holds up only its own stream, never the
/// listener (non-blocking, a stream is reported ready only after its
/// handshake). A failed handshake is that stream's error.
///
/// ```no_run
/// use wasock::tls::TlsListener;
/// let listener = TlsListener::bind("127.0.0.1:8443")?;
/// let (stream, peer) = listener.accept()?;
/// let id = stream.peer_identity()?; // waits for the handshake
/// println!("{peer}: {}", if id.is_empty() { "no client certificate".to_string() } else { id.to_string() });
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TlsListener {
    inner: Socket,
}

impl TlsListener {
    fn bind_one(pool: &Pool, addr: &SocketAddr) -> io::Result<TlsListener> {
        Ok(TlsListener { inner: listening(pool, addr, SockType::Tls)? })
    }

    /// Binds a TLS socket to `addr` (the first resolved address that
    /// works) through the default pool and starts listening. An address no
    /// TLS bind rule grants is `PermissionDenied` (a plain `--allow-bind`
    /// grants nothing here).
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TlsListener> {
        each_addr(addr, None, TlsListener::bind_one)
    }

    /// Binds through `pool`.
    pub fn bind_in<A: ToSocketAddrs>(pool: &Pool, addr: A) -> io::Result<TlsListener> {
        each_addr(addr, Some(pool), TlsListener::bind_one)
    }

    /// Accepts a connection: the new stream (blocking, handshake still to
    /// come) and the TCP peer's address, which the pool's accept rules
    /// checked as for a plain listener.
    pub fn accept(&self) -> io::Result<(TlsStream, SocketAddr)> {
        let (sock, peer) = self.inner.accept()?;
        Ok((TlsStream::from(sock), peer))
    }

    /// An endless iterator over accepted connections.
    pub fn incoming(&self) -> TlsIncoming<'_> {
        TlsIncoming { listener: self }
    }

    /// The local address (with the actual port after binding port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Switches non-blocking mode: `accept` with nothing pending then fails
    /// with [`WouldBlock`](io::ErrorKind::WouldBlock).
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.inner.set_nonblocking(nonblocking)
    }

    /// Another handle to the same listener (the host's `fd_dup`).
    pub fn try_clone(&self) -> io::Result<TlsListener> {
        Ok(TlsListener { inner: self.inner.try_clone()? })
    }

    /// Reads and clears the pending socket error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// The underlying [`Socket`].
    pub fn socket(&self) -> &Socket {
        &self.inner
    }
}

impl fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TlsListener");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.inner.as_raw_fd()).finish()
    }
}

/// The iterator of [`TlsListener::incoming`]: `accept` forever.
#[derive(Debug)]
pub struct TlsIncoming<'a> {
    listener: &'a TlsListener,
}

impl Iterator for TlsIncoming<'_> {
    type Item = io::Result<TlsStream>;
    fn next(&mut self) -> Option<io::Result<TlsStream>> {
        Some(self.listener.accept().map(|(s, _)| s))
    }
}

fd_conversions!(TlsListener, std::net::TcpListener);
