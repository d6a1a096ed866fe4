//! [`TlsStream`]: a TLS connection whose handshake and records the host
//! runs, with [`TcpStream`](crate::net::TcpStream)'s methods and the TLS
//! getters.

use std::fmt;
use std::io;
use std::net::{IpAddr, Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::{Connecting, PeerIdentity, ServerName};
use crate::addr::{Family, SockType};
use crate::error::Errno;
use crate::net::connecting::{self, sealed, Connect};
use crate::net::tcp::{fd_conversions, stream_io};
use crate::pool::Pool;
use crate::socket::Socket;

/// A TLS connection: plaintext in and out, TLS on the host's side.
///
/// Data is read and written with [`Read`](std::io::Read) and
/// [`Write`](std::io::Write), on the value or on `&TlsStream`. A stream
/// from [`TlsListener::accept`](super::TlsListener::accept) makes its
/// handshake as it is first used, so its first read, write or getter waits
/// for it (or is `WouldBlock`, non-blocking) and reports its failure.
/// Dropping the stream (or [`shutdown`](TlsStream::shutdown) of the write
/// half) sends `close_notify`.
///
/// ```no_run
/// use std::io::{Read, Write};
/// use wasock::tls::TlsStream;
///
/// let mut s = TlsStream::connect("localhost", 8443)?;
/// s.write_all(b"ping")?;
/// s.shutdown(std::net::Shutdown::Write)?;
/// let mut reply = String::new();
/// s.read_to_string(&mut reply)?;
/// let id = s.peer_identity()?;
/// println!("{reply} from {:?}", id.dns_names().collect::<Vec<_>>());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TlsStream {
    inner: Socket,
}

/// The families to try for `name`: a numeric address its own, a name IPv4
/// then IPv6 (the host resolves in the socket's family only).
fn families(name: &str) -> &'static [Family] {
    match name.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => &[Family::Inet4],
        Ok(IpAddr::V6(_)) => &[Family::Inet6],
        Err(_) => &[Family::Inet4, Family::Inet6],
    }
}

/// Whether a failed attempt in one family leaves the other worth trying:
/// the name has no address there, or that family cannot reach it.
fn other_family_may_work(e: &io::Error) -> bool {
    matches!(
        Errno::of(e),
        Some(Errno::NOENT | Errno::ADDRNOTAVAIL | Errno::AFNOSUPPORT | Errno::NETUNREACH | Errno::HOSTUNREACH)
    )
}

/// Opens a TLS socket from `pool` in each family `name` may have and runs
/// `f` on it, until one attempt succeeds or fails for a reason the other
/// family would not change. Of two failures the more telling is returned:
/// the second, unless it only says the name has no address there.
fn each_family<T>(pool: &Pool, name: &str, mut f: impl FnMut(Socket) -> io::Result<T>) -> io::Result<T> {
    let mut failed: Option<io::Error> = None;
    for &family in families(name) {
        match Socket::new_in(pool, family, SockType::Tls).and_then(&mut f) {
            Ok(v) => return Ok(v),
            Err(e) if other_family_may_work(&e) => {
                failed = match failed {
                    Some(first) if Errno::of(&e) == Some(Errno::NOENT) => Some(first),
                    _ => Some(e),
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(failed.expect("every name has a family to try"))
}

impl TlsStream {
    /// Connects to the server `name` on `port` through the default pool,
    /// which must have a TLS connect rule for them (`--allow-connect-tls`;
    /// no resolve or connect rule is needed). Returns once the handshake is
    /// done: the server's certificate was verified against `name`.
    /// See [the module docs](super) for the errors and the families tried.
    pub fn connect(name: &str, port: u16) -> io::Result<TlsStream> {
        TlsStream::connect_in(&Pool::default()?, name, port)
    }

    /// [`connect`](TlsStream::connect) with a socket from `pool`.
    ///
    /// ```no_run
    /// use wasock::{tls::TlsStream, Pool};
    /// let s = TlsStream::connect_in(&Pool::by_name("upstream")?, "api.example.com", 443)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_in(pool: &Pool, name: &str, port: u16) -> io::Result<TlsStream> {
        each_family(pool, name, |sock| {
            sock.connect_name(name, port)?;
            Ok(TlsStream { inner: sock })
        })
    }

    /// Starts connecting (and the handshake) without waiting, through the
    /// default pool; the stream is non-blocking. A name the pool does not
    /// grant fails at once with `PermissionDenied`; the handshake's own
    /// outcome comes when the stream is writable.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use wasock::tls::TlsStream;
    /// let stream = TlsStream::connect_nonblocking("localhost", 8443)?.wait(Duration::from_secs(5))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_nonblocking(name: &str, port: u16) -> io::Result<Connecting<TlsStream>> {
        TlsStream::connect_nonblocking_in(&Pool::default()?, name, port)
    }

    /// [`connect_nonblocking`](TlsStream::connect_nonblocking) with a socket from `pool`.
    pub fn connect_nonblocking_in(pool: &Pool, name: &str, port: u16) -> io::Result<Connecting<TlsStream>> {
        each_family(pool, name, |sock| {
            sock.set_nonblocking(true)?;
            connecting::start_with(sock, ServerName::new(name, port), |s| s.connect_name(name, port))
        })
    }

    /// The DER of the peer's verified certificate (empty if it sent none).
    pub fn peer_certificate(&self) -> io::Result<Vec<u8>> {
        self.inner.tls_peer_certificate()
    }

    /// The peer's verified identity (empty if it sent no certificate).
    pub fn peer_identity(&self) -> io::Result<PeerIdentity> {
        self.inner.tls_peer_identity()
    }

    /// The name verified (client) or the SNI the client sent (server).
    pub fn server_name(&self) -> io::Result<Option<String>> {
        self.inner.tls_server_name()
    }

    /// The TLS version: `0x0303` (1.2) or `0x0304` (1.3).
    pub fn protocol_version(&self) -> io::Result<u16> {
        self.inner.tls_version()
    }

    /// The IANA number of the cipher suite.
    pub fn cipher_suite(&self) -> io::Result<u16> {
        self.inner.tls_cipher_suite()
    }

    /// The remote address (the TCP peer's).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Shuts down the read half, the write half or both; shutting the write
    /// half sends `close_notify`, so the peer reads a clean end of stream.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// Another handle to the same connection (the host's `fd_dup`).
    pub fn try_clone(&self) -> io::Result<TlsStream> {
        Ok(TlsStream { inner: self.inner.try_clone()? })
    }

    /// Switches non-blocking mode: reads and writes that would wait (for
    /// plaintext, or for the handshake) fail with `WouldBlock` instead.
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.inner.set_nonblocking(nonblocking)
    }

    /// Sets the read timeout; `None` blocks forever. A read that times out
    /// fails with `WouldBlock`, as on Unix.
    pub fn set_read_timeout(&self, dur: Option<Duration>) -> io::Result<()> {
        self.inner.set_read_timeout(dur)
    }

    /// Sets the write timeout; `None` blocks forever.
    pub fn set_write_timeout(&self, dur: Option<Duration>) -> io::Result<()> {
        self.inner.set_write_timeout(dur)
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.inner.read_timeout()
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.inner.write_timeout()
    }

    /// Reads decrypted bytes without consuming them.
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf)
    }

    /// Reads and clears the pending error (a failed handshake's, say).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// The underlying [`Socket`], for the other options (`set_nodelay`,
    /// keepalive, buffer sizes, ...).
    pub fn socket(&self) -> &Socket {
        &self.inner
    }

    /// The fd as a std stream (the same as `std::net::TcpStream::from(self)`):
    /// std's `read` and `write` on it move plaintext, and tokio's and mio's
    /// `from_std` take it.
    pub fn into_std(self) -> std::net::TcpStream {
        self.into()
    }
}

stream_io!(TlsStream);

impl sealed::Sealed for TlsStream {}

impl Connect for TlsStream {
    type Target = ServerName;

    fn connect_done(&self, target: &ServerName) -> io::Result<bool> {
        handshake_done(&self.inner, target)
    }
}

/// Whether the non-blocking TLS connect on `sock`, reported writable, is
/// done: the handshake's error if it failed; done once the TLS version can
/// be read (a handshake still under way answers `again`).
pub(crate) fn handshake_done(sock: &Socket, target: &ServerName) -> io::Result<bool> {
    if let Some(e) = sock.take_errno()? {
        return Err(e.error_for_name("connect to", &target.to_string()));
    }
    match sock.tls_version() {
        Ok(_) => Ok(true),
        Err(e) if matches!(Errno::of(&e), Some(Errno::AGAIN | Errno::NOTCONN)) => Ok(false),
        Err(e) => Err(e),
    }
}

impl fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TlsStream");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        if let Ok(a) = self.peer_addr() {
            d.field("peer", &a);
        }
        d.field("fd", &self.inner.as_raw_fd()).finish()
    }
}

fd_conversions!(TlsStream, std::net::TcpStream);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_of_names_and_numbers() {
        assert_eq!(families("example.com"), [Family::Inet4, Family::Inet6]);
        assert_eq!(families("127.0.0.1"), [Family::Inet4]);
        assert_eq!(families("::1"), [Family::Inet6]);
    }

    #[test]
    fn which_failures_try_the_other_family() {
        assert!(other_family_may_work(&Errno::NOENT.error_for_name("connect to", "x:1")));
        assert!(other_family_may_work(&Errno::NETUNREACH.error("connect to", None)));
        for e in [Errno::NOTCAPABLE, Errno::ACCES, Errno::CONNREFUSED, Errno::TIMEDOUT] {
            assert!(!other_family_may_work(&e.error("connect to", None)), "{e:?}");
        }
    }
}
