//! [`TcpStream`] and [`TcpListener`], with the methods of their std
//! namesakes, on top of [`Socket`].

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::lookup::{each_addr, ToSocketAddrs};
use crate::addr::{Family, SockType};
use crate::pool::Pool;
use crate::socket::Socket;

/// The backlog std uses for `TcpListener::bind`.
const BACKLOG: u32 = 128;

/// A TCP connection, like [`std::net::TcpStream`].
///
/// Data is read and written with [`Read`](std::io::Read) and
/// [`Write`](std::io::Write), on the value or on a shared reference
/// (`&TcpStream`), vectored I/O included.
///
/// ```no_run
/// // Run with: wasock run --allow-connect 127.0.0.1:8080 client.wasm
/// use std::io::{Read, Write};
/// use wasock::net::TcpStream;
///
/// let mut stream = TcpStream::connect("127.0.0.1:8080")?;
/// stream.write_all(b"ping")?;
/// let mut buf = [0u8; 4];
/// stream.read_exact(&mut buf)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpStream {
    inner: Socket,
}

impl TcpStream {
    fn connect_one(pool: &Pool, addr: &SocketAddr) -> io::Result<TcpStream> {
        let sock = Socket::new_in(pool, Family::of(addr), SockType::Stream)?;
        sock.connect(addr)?;
        Ok(TcpStream { inner: sock })
    }

    /// Connects to `addr`, trying each resolved address in turn; names
    /// resolve through the default pool and the socket is opened from it.
    ///
    /// A destination the pool does not grant fails with
    /// [`PermissionDenied`](io::ErrorKind::PermissionDenied) before any
    /// packet leaves; a closed port with
    /// [`ConnectionRefused`](io::ErrorKind::ConnectionRefused).
    ///
    /// ```no_run
    /// use wasock::net::TcpStream;
    /// let s = TcpStream::connect(("localhost", 8080))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        each_addr(addr, None, TcpStream::connect_one)
    }

    /// Connects through `pool`: names resolve through it and the socket is
    /// opened from it.
    ///
    /// ```no_run
    /// use wasock::{net::TcpStream, Pool};
    /// let s = TcpStream::connect_in(&Pool::by_name("backend")?, "10.0.0.5:5432")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_in<A: ToSocketAddrs>(pool: &Pool, addr: A) -> io::Result<TcpStream> {
        each_addr(addr, Some(pool), TcpStream::connect_one)
    }

    /// Connects with a time limit (see [`Socket::connect_timeout`]); fails
    /// with [`TimedOut`](io::ErrorKind::TimedOut) when it runs out.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use wasock::net::TcpStream;
    /// let addr = "127.0.0.1:8080".parse().unwrap();
    /// let s = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_timeout(addr: &SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
        let sock = Socket::new(Family::of(addr), SockType::Stream)?;
        sock.connect_timeout(addr, timeout)?;
        Ok(TcpStream { inner: sock })
    }

    /// The remote address.
    ///
    /// ```no_run
    /// # let s = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
    /// println!("connected to {}", s.peer_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address (the ephemeral port the host picked).
    ///
    /// ```no_run
    /// # let s = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
    /// println!("connected from {}", s.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Shuts down the read half, the write half or both.
    ///
    /// ```no_run
    /// use std::net::Shutdown;
    /// # let s = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
    /// s.shutdown(Shutdown::Write)?; // the peer reads EOF
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// Another handle to the same connection (the host's `fd_dup`, as
    /// `dup` on Unix): reads and writes through either go to the one
    /// socket, which closes when both are dropped.
    pub fn try_clone(&self) -> io::Result<TcpStream> {
        Ok(TcpStream { inner: self.inner.try_clone()? })
    }

    /// Sets the read timeout; `None` blocks forever. A read that times out
    /// fails with [`WouldBlock`](io::ErrorKind::WouldBlock), as on Unix.
    ///
    /// ```no_run
    /// use std::{io::Read, time::Duration};
    /// # let mut s = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
    /// s.set_read_timeout(Some(Duration::from_millis(200)))?;
    /// let mut buf = [0u8; 16];
    /// match s.read(&mut buf) {
    ///     Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => println!("nothing yet"),
    ///     other => println!("{other:?}"),
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
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

    /// Reads without consuming: the next read returns the same bytes.
    ///
    /// ```no_run
    /// # let s = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
    /// let mut first = [0u8; 4];
    /// let n = s.peek(&mut first)?;
    /// if &first[..n] == b"GET " {
    ///     println!("an HTTP request is coming");
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf)
    }

    /// Sets `SO_LINGER` (whole seconds).
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        self.inner.set_linger(linger)
    }

    /// Gets `SO_LINGER`.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.inner.linger()
    }

    /// Sets `TCP_NODELAY`.
    ///
    /// ```no_run
    /// # let s = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
    /// s.set_nodelay(true)?;
    /// assert!(s.nodelay()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    /// Gets `TCP_NODELAY`.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.nodelay()
    }

    /// Sets the IP TTL of outgoing packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.set_ttl(ttl)
    }

    /// Gets the IP TTL.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.ttl()
    }

    /// Reads and clears the pending socket error.
    ///
    /// ```no_run
    /// # let s = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
    /// if let Some(e) = s.take_error()? {
    ///     eprintln!("socket error: {e}");
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Switches non-blocking mode: reads and writes that would wait fail
    /// with [`WouldBlock`](io::ErrorKind::WouldBlock) instead.
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.inner.set_nonblocking(nonblocking)
    }

    /// The underlying [`Socket`], for options std does not offer (keepalive,
    /// buffer sizes, ...).
    ///
    /// ```no_run
    /// # let s = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
    /// s.socket().set_keepalive(true)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn socket(&self) -> &Socket {
        &self.inner
    }
}

/// `Read` and `Write` on a stream type and on a shared reference to it,
/// vectored I/O included, through its `inner` [`Socket`]'s `fd_read` /
/// `fd_write` (`flush` has nothing to do: there is no buffer in the guest).
/// Shared by [`TcpStream`] and [`TlsStream`](crate::tls::TlsStream).
macro_rules! stream_io {
    // Both `T` and `&T`, as std's streams: several handles may read and write.
    ($t:ty) => {
        $crate::net::tcp::stream_io!(@impl $t);
        $crate::net::tcp::stream_io!(@impl &$t);
    };
    (@impl $t:ty) => {
        impl std::io::Read for $t {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.inner.read_impl(buf)
            }
            fn read_vectored(&mut self, bufs: &mut [std::io::IoSliceMut<'_>]) -> std::io::Result<usize> {
                self.inner.read_vectored_impl(bufs)
            }
        }

        impl std::io::Write for $t {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.inner.write_impl(buf)
            }
            fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
                self.inner.write_vectored_impl(bufs)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
    };
}

pub(crate) use stream_io;

stream_io!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpStream");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        if let Ok(a) = self.peer_addr() {
            d.field("peer", &a);
        }
        d.field("fd", &self.inner.as_raw_fd()).finish()
    }
}

/// A TCP listening socket, like [`std::net::TcpListener`].
///
/// ```no_run
/// // Run with: wasock run --allow-bind 127.0.0.1:8080 server.wasm
/// use std::io::{Read, Write};
/// use wasock::net::TcpListener;
///
/// let listener = TcpListener::bind("127.0.0.1:8080")?;
/// for stream in listener.incoming() {
///     let mut stream = stream?;
///     let mut buf = [0u8; 1024];
///     let n = stream.read(&mut buf)?;
///     stream.write_all(&buf[..n])?;
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpListener {
    inner: Socket,
}

impl TcpListener {
    fn bind_one(pool: &Pool, addr: &SocketAddr) -> io::Result<TcpListener> {
        Ok(TcpListener { inner: listening(pool, addr, SockType::Stream)? })
    }

    /// Binds to `addr` (the first resolved address that works) and starts
    /// listening; the pool must grant binding it (`--allow-bind`). Port 0
    /// gets an ephemeral port when the bind rule covers all ports.
    ///
    /// ```no_run
    /// let listener = wasock::net::TcpListener::bind("127.0.0.1:0")?;
    /// println!("listening on {}", listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        each_addr(addr, None, TcpListener::bind_one)
    }

    /// Binds through `pool`.
    pub fn bind_in<A: ToSocketAddrs>(pool: &Pool, addr: A) -> io::Result<TcpListener> {
        each_addr(addr, Some(pool), TcpListener::bind_one)
    }

    /// The local address (with the actual port after binding port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Another handle to the same listener (the host's `fd_dup`).
    pub fn try_clone(&self) -> io::Result<TcpListener> {
        Ok(TcpListener { inner: self.inner.try_clone()? })
    }

    /// Accepts a connection and returns it with the peer's address. The new
    /// stream is blocking and belongs to the listener's pool.
    ///
    /// ```no_run
    /// # let listener = wasock::net::TcpListener::bind("127.0.0.1:8080")?;
    /// let (stream, peer) = listener.accept()?;
    /// println!("connection from {peer}");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (sock, peer) = self.inner.accept()?;
        Ok((TcpStream { inner: sock }, peer))
    }

    /// An endless iterator over accepted connections.
    ///
    /// ```no_run
    /// use std::io::Write;
    /// let listener = wasock::net::TcpListener::bind("127.0.0.1:8080")?;
    /// for stream in listener.incoming().take(3) {
    ///     stream?.write_all(b"hello\n")?;
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// Sets the IP TTL of accepted connections' packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.set_ttl(ttl)
    }

    /// Gets the IP TTL.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.ttl()
    }

    /// Sets `IPV6_V6ONLY`. As with std, this only has an effect before
    /// binding, which `bind` already did; use [`Socket::set_only_v6`] and
    /// `TcpListener::from(socket)` to control it.
    pub fn set_only_v6(&self, only_v6: bool) -> io::Result<()> {
        self.inner.set_only_v6(only_v6)
    }

    /// Gets `IPV6_V6ONLY`.
    pub fn only_v6(&self) -> io::Result<bool> {
        self.inner.only_v6()
    }

    /// Reads and clears the pending socket error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Switches non-blocking mode: `accept` with nothing pending then fails
    /// with [`WouldBlock`](io::ErrorKind::WouldBlock).
    ///
    /// ```no_run
    /// # let listener = wasock::net::TcpListener::bind("127.0.0.1:8080")?;
    /// listener.set_nonblocking(true)?;
    /// match listener.accept() {
    ///     Ok((s, peer)) => println!("{peer}"),
    ///     Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => println!("nobody yet"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.inner.set_nonblocking(nonblocking)
    }

    /// The underlying [`Socket`].
    pub fn socket(&self) -> &Socket {
        &self.inner
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpListener");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.inner.as_raw_fd()).finish()
    }
}

/// A socket of `ty` (stream or TLS) from `pool`, bound to `addr` and
/// listening, as std's `TcpListener::bind` makes one.
pub(crate) fn listening(pool: &Pool, addr: &SocketAddr, ty: SockType) -> io::Result<Socket> {
    let sock = Socket::new_in(pool, Family::of(addr), ty)?;
    // Like std on Unix, so a restarted server can rebind at once. Not
    // every host may offer the option; binding matters more than it.
    let _ = sock.set_reuse_address(true);
    sock.bind(addr)?;
    sock.listen(BACKLOG)?;
    Ok(sock)
}

/// The iterator of [`TcpListener::incoming`]: `accept` forever.
#[derive(Debug)]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl Iterator for Incoming<'_> {
    type Item = io::Result<TcpStream>;
    fn next(&mut self) -> Option<io::Result<TcpStream>> {
        Some(self.listener.accept().map(|(s, _)| s))
    }
}

/// The fd conversions shared by the socket types (TCP, UDP, TLS): borrow, take and
/// give up the fd, and move to and from [`Socket`] and the std type of the
/// same name.
macro_rules! fd_conversions {
    ($t:ident, $std:path) => {
        impl AsFd for $t {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.inner.as_fd()
            }
        }

        impl AsRawFd for $t {
            fn as_raw_fd(&self) -> RawFd {
                self.inner.as_raw_fd()
            }
        }

        impl FromRawFd for $t {
            /// Takes ownership of a socket fd.
            ///
            /// # Safety
            ///
            /// `fd` must be an open socket fd of the right type that nothing
            /// else owns or closes.
            unsafe fn from_raw_fd(fd: RawFd) -> $t {
                $t {
                    // SAFETY: forwarded to the caller.
                    inner: unsafe { Socket::from_raw_fd(fd) },
                }
            }
        }

        impl IntoRawFd for $t {
            fn into_raw_fd(self) -> RawFd {
                self.inner.into_raw_fd()
            }
        }

        impl From<OwnedFd> for $t {
            fn from(fd: OwnedFd) -> $t {
                $t { inner: Socket::from(fd) }
            }
        }

        impl From<$t> for OwnedFd {
            fn from(s: $t) -> OwnedFd {
                s.inner.into()
            }
        }

        /// Wraps a socket of the right type (no check is made).
        impl From<Socket> for $t {
            fn from(inner: Socket) -> $t {
                $t { inner }
            }
        }

        impl From<$t> for Socket {
            fn from(s: $t) -> Socket {
                s.inner
            }
        }

        /// Hands the fd to std. Under `wasock run`, std's own `read`,
        /// `write`, `set_nonblocking` and `shutdown` (and `accept` on a
        /// listener) work on it, so libraries that take std types can be used.
        impl From<$t> for $std {
            fn from(s: $t) -> $std {
                <$std>::from(OwnedFd::from(s))
            }
        }

        /// Takes the fd back from std, to reach the methods std on
        /// `wasm32-wasip1` cannot (addresses, options).
        impl From<$std> for $t {
            fn from(s: $std) -> $t {
                $t::from(OwnedFd::from(s))
            }
        }
    };
}

pub(crate) use fd_conversions;

fd_conversions!(TcpStream, std::net::TcpStream);
fd_conversions!(TcpListener, std::net::TcpListener);
