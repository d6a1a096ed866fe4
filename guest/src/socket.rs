//! [`Socket`]: an owned socket fd with every operation and option of the
//! `wasi_ephemeral_sock` spec, the layer [`crate::net`] is built on.
//!
//! The fd is a [`std::os::fd::OwnedFd`], so it is closed on drop (with
//! `fd_close`, which the ABI makes equivalent to the module's `close`) and
//! moves freely to and from std types.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::mem::MaybeUninit;
use std::net::{IpAddr, Shutdown, SocketAddr};
use std::ops::BitOr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use crate::addr::{Family, RawAddr, SockType};
use crate::error::{cvt, Errno};
use crate::fd;
use crate::pool::Pool;
use crate::sys::{self, Fd};

mod options;
mod tls;

pub use tls::{IdentityEntry, PeerIdentity, ServerName};

/// Flags for [`Socket::recv_with_flags`].
///
/// ```no_run
/// use wasock::{RecvFlags, Socket};
/// # fn f(sock: &Socket) -> std::io::Result<()> {
/// let mut header = [0u8; 8];
/// // Block until all 8 bytes are there (or EOF).
/// let n = sock.recv_with_flags(&mut header, RecvFlags::WAITALL)?;
/// # Ok(()) }
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RecvFlags(u16);

impl RecvFlags {
    /// No flags.
    pub const NONE: RecvFlags = RecvFlags(0);
    /// Look at the data without consuming it (`MSG_PEEK`).
    pub const PEEK: RecvFlags = RecvFlags(1);
    /// Wait for the whole buffer, unless EOF, an error or a timeout comes first (`MSG_WAITALL`).
    pub const WAITALL: RecvFlags = RecvFlags(2);

    /// The ABI value.
    pub fn raw(self) -> u16 {
        self.0
    }
}

impl BitOr for RecvFlags {
    type Output = RecvFlags;
    fn bitor(self, rhs: RecvFlags) -> RecvFlags {
        RecvFlags(self.0 | rhs.0)
    }
}

/// An owned socket: one fd from the host, closed when dropped.
///
/// `Socket` is the low-level layer: it takes addresses already resolved,
/// and offers every option the host implements, including those that must be
/// set before `bind` (such as [`set_only_v6`](Socket::set_only_v6) and
/// [`set_reuse_port`](Socket::set_reuse_port)). Build a
/// [`TcpStream`](crate::net::TcpStream), [`TcpListener`](crate::net::TcpListener)
/// or [`UdpSocket`](crate::net::UdpSocket) from it with `From`.
///
/// ```no_run
/// use wasock::{Family, SockType, Socket, net::TcpListener};
/// // A dual-stack-off IPv6 listener on a port other programs may share.
/// let sock = Socket::new(Family::Inet6, SockType::Stream)?;
/// sock.set_only_v6(true)?;
/// sock.set_reuse_port(true)?;
/// sock.bind(&"[::1]:8080".parse().unwrap())?;
/// sock.listen(128)?;
/// let listener = TcpListener::from(sock);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Socket {
    fd: OwnedFd,
}

/// Clamps a buffer length to the ABI's `u32`.
fn len32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

impl Pool {
    /// Opens a socket from this pool: shorthand for [`Socket::new_in`].
    ///
    /// Defined here rather than in `pool.rs` so that `socket` depends on
    /// `pool` and not the other way round.
    pub fn open(&self, family: Family, ty: SockType) -> io::Result<Socket> {
        Socket::new_in(self, family, ty)
    }
}

impl Socket {
    /// Opens a socket from the [default pool](Pool::default).
    ///
    /// ```no_run
    /// use wasock::{Family, SockType, Socket};
    /// let udp = Socket::new(Family::Inet4, SockType::Datagram)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(family: Family, ty: SockType) -> io::Result<Socket> {
        Socket::new_in(&Pool::default()?, family, ty)
    }

    /// Opens a socket from `pool`; every address it binds, connects or sends
    /// to is checked against that pool's rules.
    ///
    /// ```no_run
    /// use wasock::{Family, Pool, SockType, Socket};
    /// let pool = Pool::by_name("backend")?;
    /// let sock = Socket::new_in(&pool, Family::Inet4, SockType::Stream)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new_in(pool: &Pool, family: Family, ty: SockType) -> io::Result<Socket> {
        let mut fd: Fd = -1;
        // SAFETY: `fd` is a valid place for the new descriptor.
        let r = unsafe { sys::open(pool.as_raw_fd(), family.raw(), ty.raw(), &mut fd) };
        cvt(r, "open socket", None)?;
        // SAFETY: on success the host handed us a fresh fd that nothing else owns.
        Ok(Socket { fd: unsafe { OwnedFd::from_raw_fd(fd) } })
    }

    fn raw(&self) -> Fd {
        self.fd.as_raw_fd()
    }

    /// Another handle to the same socket, as `dup` makes: a new fd (the
    /// lowest free number) for the one socket, which stays open until every
    /// handle is dropped. Options and non-blocking mode are the socket's,
    /// so setting them through one handle changes them for all.
    ///
    /// ```no_run
    /// # use wasock::{Family, SockType, Socket};
    /// let a = Socket::new(Family::Inet4, SockType::Datagram)?;
    /// let b = a.try_clone()?;
    /// b.set_broadcast(true)?;
    /// assert!(a.broadcast()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_clone(&self) -> io::Result<Socket> {
        let mut fd: Fd = -1;
        // SAFETY: `fd` is a valid place for the new descriptor.
        cvt(unsafe { sys::fd_dup(self.raw(), 0, &mut fd) }, "duplicate socket", None)?;
        // SAFETY: on success the host handed us a fresh fd that nothing else owns.
        Ok(Socket { fd: unsafe { OwnedFd::from_raw_fd(fd) } })
    }

    /// Wraps an error of a call on a connected socket with its peer address
    /// (only on the error path, and never for the frequent would-block case).
    fn fail_peer(&self, errno: Errno, op: &'static str) -> io::Error {
        if errno == Errno::AGAIN {
            return errno.error(op, None);
        }
        errno.error(op, self.peer_addr().ok())
    }

    /// Same, naming the local address (for listeners and unconnected sockets).
    fn fail_local(&self, errno: Errno, op: &'static str) -> io::Error {
        if errno == Errno::AGAIN {
            return errno.error(op, None);
        }
        errno.error(op, self.local_addr().ok())
    }

    /// Re-labels an error from the fd plumbing with the peer address.
    fn relabel(&self, e: io::Error, op: &'static str) -> io::Error {
        match Errno::of(&e) {
            Some(errno) if errno != Errno::AGAIN => self.fail_peer(errno, op),
            _ => e,
        }
    }

    /// Binds to a local address the pool grants; port 0 asks for an ephemeral port.
    ///
    /// ```no_run
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Datagram)?;
    /// sock.bind(&"127.0.0.1:0".parse().unwrap())?;
    /// println!("bound to {}", sock.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(&self, addr: &SocketAddr) -> io::Result<()> {
        let raw = RawAddr::from(*addr);
        // SAFETY: `raw` is a valid address record.
        cvt(unsafe { sys::bind(self.raw(), &raw) }, "bind to", Some(*addr))
    }

    /// Marks a bound stream socket as listening, with room for `backlog`
    /// pending connections.
    ///
    /// ```no_run
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
    /// sock.bind(&"127.0.0.1:8080".parse().unwrap())?;
    /// sock.listen(128)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn listen(&self, backlog: u32) -> io::Result<()> {
        // SAFETY: no pointers.
        let r = unsafe { sys::listen(self.raw(), backlog) };
        Errno::check(r).map_err(|e| self.fail_local(e, "listen on"))
    }

    /// Accepts a connection: the new socket (blocking, from the listener's
    /// pool) and the peer's address. On a non-blocking listener with nothing
    /// pending this is [`WouldBlock`](io::ErrorKind::WouldBlock).
    ///
    /// ```no_run
    /// # fn f(listener: &wasock::Socket) -> std::io::Result<()> {
    /// let (conn, peer) = listener.accept()?;
    /// println!("connection from {peer}");
    /// # Ok(()) }
    /// ```
    pub fn accept(&self) -> io::Result<(Socket, SocketAddr)> {
        let mut fd: Fd = -1;
        let mut raw = RawAddr::default();
        // SAFETY: `fd` and `raw` are valid places for the results.
        let r = unsafe { sys::accept(self.raw(), 0, &mut fd, &mut raw) };
        Errno::check(r).map_err(|e| self.fail_local(e, "accept on"))?;
        // SAFETY: on success the host handed us a fresh fd that nothing else owns.
        let sock = Socket { fd: unsafe { OwnedFd::from_raw_fd(fd) } };
        Ok((sock, raw.to_socket_addr()?))
    }

    /// Connects to an address the pool grants. On a non-blocking socket the
    /// usual result is an error whose [`Errno`] is
    /// [`INPROGRESS`](Errno::INPROGRESS); wait for writability, then call
    /// [`take_error`](Socket::take_error).
    ///
    /// ```no_run
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
    /// sock.connect(&"127.0.0.1:8080".parse().unwrap())?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect(&self, addr: &SocketAddr) -> io::Result<()> {
        let raw = RawAddr::from(*addr);
        // SAFETY: `raw` is a valid address record.
        cvt(unsafe { sys::connect(self.raw(), &raw) }, "connect to", Some(*addr))
    }

    /// Connects with a time limit: a non-blocking connect, then one
    /// `poll_oneoff` on write readiness and a monotonic clock, then
    /// `take_error`. The socket's blocking mode is restored afterwards.
    /// Fails with [`TimedOut`](io::ErrorKind::TimedOut) when the time runs
    /// out, and with `InvalidInput` for a zero timeout.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
    /// sock.connect_timeout(&"192.0.2.1:80".parse().unwrap(), Duration::from_secs(2))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_timeout(&self, addr: &SocketAddr, timeout: Duration) -> io::Result<()> {
        if timeout.is_zero() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "cannot set a 0 duration timeout"));
        }
        let was_nonblocking = self.nonblocking()?;
        self.set_nonblocking(true)?;
        let result = self.connect_and_wait(addr, timeout);
        let restored = if was_nonblocking { Ok(()) } else { self.set_nonblocking(false) };
        result.and(restored)
    }

    fn connect_and_wait(&self, addr: &SocketAddr, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        let raw = RawAddr::from(*addr);
        // SAFETY: `raw` is a valid address record.
        match Errno::check(unsafe { sys::connect(self.raw(), &raw) }) {
            Ok(()) => return Ok(()),
            Err(Errno::INPROGRESS | Errno::AGAIN | Errno::ALREADY) => {}
            Err(e) => return Err(e.error("connect to", Some(*addr))),
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !fd::wait_writable(self.fd.as_fd(), left)? {
                return Err(Errno::TIMEDOUT.error("connect to", Some(*addr)));
            }
            if let Some(e) = self.take_errno()? {
                return Err(e.error("connect to", Some(*addr)));
            }
            // Writable with no error pending should mean connected; confirm,
            // and keep waiting if the host woke us early.
            match self.peer_addr() {
                Ok(_) => return Ok(()),
                Err(e) if Errno::of(&e) == Some(Errno::NOTCONN) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Receives into `buf` (on a stream: up to `buf.len()` bytes, 0 at EOF;
    /// on a datagram socket: one datagram, truncated to `buf.len()`).
    ///
    /// ```no_run
    /// # fn f(sock: &wasock::Socket) -> std::io::Result<()> {
    /// let mut buf = [0u8; 4096];
    /// match sock.recv(&mut buf)? {
    ///     0 => println!("peer closed"),
    ///     n => println!("got {n} bytes"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_with_flags(buf, RecvFlags::NONE)
    }

    /// Receives with [`RecvFlags`] (peek, waitall).
    pub fn recv_with_flags(&self, buf: &mut [u8], flags: RecvFlags) -> io::Result<usize> {
        // SAFETY: initialized bytes are valid `MaybeUninit` bytes, and the
        // host only ever writes them (with bytes), never de-initializes them.
        let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
        self.recv_uninit(uninit, flags)
    }

    /// [`recv_with_flags`](Socket::recv_with_flags) into memory that need
    /// not be initialized (a tokio `ReadBuf`'s spare capacity): the host
    /// only writes it. The first `n` bytes returned are initialized.
    pub(crate) fn recv_uninit(&self, buf: &mut [MaybeUninit<u8>], flags: RecvFlags) -> io::Result<usize> {
        let mut n = 0u32;
        // SAFETY: `buf` is valid for writes of `len32(buf.len())` bytes, `n` for the count.
        let r = unsafe { sys::recv(self.raw(), buf.as_mut_ptr().cast(), len32(buf.len()), flags.raw(), &mut n) };
        let op = if flags.0 & RecvFlags::PEEK.0 != 0 { "peek from" } else { "recv from" };
        Errno::check(r).map_err(|e| self.fail_peer(e, op))?;
        Ok(n as usize)
    }

    /// Receives without consuming: the next read returns the same bytes.
    ///
    /// ```no_run
    /// # fn f(sock: &wasock::Socket) -> std::io::Result<()> {
    /// let mut first = [0u8; 1];
    /// if sock.peek(&mut first)? == 1 && first[0] == 0x16 {
    ///     println!("looks like TLS");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_with_flags(buf, RecvFlags::PEEK)
    }

    /// Receives a datagram and the address it came from.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.recv_from_with_flags(buf, RecvFlags::NONE)
    }

    /// Like [`recv_from`](Socket::recv_from), leaving the datagram queued.
    pub fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.recv_from_with_flags(buf, RecvFlags::PEEK)
    }

    /// [`recv_from`](Socket::recv_from) with [`RecvFlags`].
    pub fn recv_from_with_flags(&self, buf: &mut [u8], flags: RecvFlags) -> io::Result<(usize, SocketAddr)> {
        let mut n = 0u32;
        let mut raw = RawAddr::default();
        // SAFETY: `buf` is valid for `len32(buf.len())` bytes; `n` and `raw`
        // are valid places for the results.
        let r =
            unsafe { sys::recv_from(self.raw(), buf.as_mut_ptr(), len32(buf.len()), flags.raw(), &mut n, &mut raw) };
        Errno::check(r).map_err(|e| self.fail_local(e, "recv_from on"))?;
        // A stream has no source (an all-zero record): its peer is the source.
        let from = if raw.family == 0 { self.peer_addr()? } else { raw.to_socket_addr()? };
        Ok((n as usize, from))
    }

    /// Sends `buf` (on a datagram socket: as one datagram to the connected peer).
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let mut n = 0u32;
        // SAFETY: `buf` is valid for `len32(buf.len())` bytes, `n` for the count.
        let r = unsafe { sys::send(self.raw(), buf.as_ptr(), len32(buf.len()), 0, &mut n) };
        Errno::check(r).map_err(|e| self.fail_peer(e, "send to"))?;
        Ok(n as usize)
    }

    /// Sends a datagram to `addr`, which the pool must grant (`connect` right).
    ///
    /// ```no_run
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Datagram)?;
    /// sock.send_to(b"ping", &"127.0.0.1:9000".parse().unwrap())?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_to(&self, buf: &[u8], addr: &SocketAddr) -> io::Result<usize> {
        let raw = RawAddr::from(*addr);
        let mut n = 0u32;
        // SAFETY: `buf` is valid for `len32(buf.len())` bytes, `raw` is a valid
        // address record, `n` a valid place for the count.
        let r = unsafe { sys::send_to(self.raw(), buf.as_ptr(), len32(buf.len()), 0, &raw, &mut n) };
        cvt(r, "send to", Some(*addr))?;
        Ok(n as usize)
    }

    /// Shuts down the read half, the write half or both.
    ///
    /// ```no_run
    /// # fn f(sock: &wasock::Socket) -> std::io::Result<()> {
    /// sock.shutdown(std::net::Shutdown::Write)?; // send EOF, keep reading
    /// # Ok(()) }
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => 1,
            Shutdown::Write => 2,
            Shutdown::Both => 3,
        };
        // SAFETY: no pointers.
        let r = unsafe { sys::shutdown(self.raw(), how) };
        Errno::check(r).map_err(|e| self.fail_peer(e, "shutdown of connection to"))
    }

    fn get_addr(&self, op: &'static str, f: impl FnOnce(Fd, *mut RawAddr) -> i32) -> io::Result<SocketAddr> {
        let mut raw = RawAddr::default();
        cvt(f(self.raw(), &mut raw), op, None)?;
        raw.to_socket_addr()
    }

    /// The local address (after `bind`, `connect` or `accept`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        // SAFETY: `p` points to `raw` in `get_addr`.
        self.get_addr("local_addr", |fd, p| unsafe { sys::addr_local(fd, p) })
    }

    /// The peer's address; [`NotConnected`](io::ErrorKind::NotConnected) when unconnected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        // SAFETY: `p` points to `raw` in `get_addr`.
        self.get_addr("peer_addr", |fd, p| unsafe { sys::addr_remote(fd, p) })
    }

    /// The socket's type, from `fd_fdstat_get`'s filetype.
    pub fn sock_type(&self) -> io::Result<SockType> {
        match fd::filetype(self.fd.as_fd())? {
            5 => Ok(SockType::Datagram),
            6 => Ok(SockType::Stream),
            other => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("fd is not a socket (filetype {other})"))),
        }
    }

    /// Joins multicast `group` on `interface`. The pool must grant the group
    /// (a `connect` or `accept` rule). `interface` is 0 for "any"; for IPv6 it
    /// is an interface index, for IPv4 the interface's address with its bytes
    /// in memory order, as C's `in_addr.s_addr`
    /// (`u32::from_le_bytes(addr.octets())`).
    ///
    /// ```no_run
    /// use std::net::Ipv4Addr;
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Datagram)?;
    /// sock.join_multicast(&Ipv4Addr::new(239, 1, 2, 3).into(), 0)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn join_multicast(&self, group: &IpAddr, interface: u32) -> io::Result<()> {
        let addr = SocketAddr::new(*group, 0);
        let raw = RawAddr::from(addr);
        // SAFETY: `raw` is a valid address record.
        let r = unsafe { sys::join_multicast(self.raw(), &raw, interface) };
        cvt(r, "join multicast group", Some(addr))
    }

    /// Leaves multicast `group` on `interface` (as in [`join_multicast`](Socket::join_multicast)).
    pub fn leave_multicast(&self, group: &IpAddr, interface: u32) -> io::Result<()> {
        let addr = SocketAddr::new(*group, 0);
        let raw = RawAddr::from(addr);
        // SAFETY: `raw` is a valid address record.
        let r = unsafe { sys::leave_multicast(self.raw(), &raw, interface) };
        cvt(r, "leave multicast group", Some(addr))
    }

    pub(crate) fn take_errno(&self) -> io::Result<Option<Errno>> {
        let mut e = 0u16;
        // SAFETY: `e` is a valid place for the error.
        cvt(unsafe { sys::take_error(self.raw(), &mut e) }, "take_error", None)?;
        Ok((e != 0).then_some(Errno::from_raw(e)))
    }

    /// Reads and clears the pending socket error (`SO_ERROR`), for example
    /// the outcome of a non-blocking connect.
    ///
    /// ```no_run
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
    /// sock.set_nonblocking(true)?;
    /// let _ = sock.connect(&"127.0.0.1:8080".parse().unwrap()); // in progress
    /// // ... later, once poll says it is writable:
    /// if let Some(e) = sock.take_error()? {
    ///     eprintln!("connect failed: {e}");
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        Ok(self.take_errno()?.map(|e| self.fail_peer(e, "pending error on connection to")))
    }

    /// Switches non-blocking mode (`fd_fdstat_set_flags`, exactly as std
    /// does, so std types built from this socket agree about it).
    ///
    /// ```no_run
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
    /// sock.set_nonblocking(true)?;
    /// assert!(sock.nonblocking()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        fd::set_nonblocking(self.fd.as_fd(), on)
    }

    /// Whether the socket is in non-blocking mode.
    pub fn nonblocking(&self) -> io::Result<bool> {
        fd::nonblocking(self.fd.as_fd())
    }

    pub(crate) fn read_impl(&self, buf: &mut [u8]) -> io::Result<usize> {
        fd::read(self.fd.as_fd(), buf).map_err(|e| self.relabel(e, "read from"))
    }

    pub(crate) fn read_vectored_impl(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        fd::read_vectored(self.fd.as_fd(), bufs).map_err(|e| self.relabel(e, "read from"))
    }

    pub(crate) fn write_impl(&self, buf: &[u8]) -> io::Result<usize> {
        fd::write(self.fd.as_fd(), buf).map_err(|e| self.relabel(e, "write to"))
    }

    pub(crate) fn write_vectored_impl(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        fd::write_vectored(self.fd.as_fd(), bufs).map_err(|e| self.relabel(e, "write to"))
    }
}

/// Reads with `fd_read`, the host's scatter-gather fast path.
impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_impl(buf)
    }
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.read_vectored_impl(bufs)
    }
}

/// Reads through a shared reference, so one thread of control can hold a
/// reader and a writer on the same socket.
impl Read for &Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_impl(buf)
    }
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.read_vectored_impl(bufs)
    }
}

/// Writes with `fd_write`; `flush` does nothing (there is no buffer).
impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_impl(buf)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.write_vectored_impl(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes through a shared reference.
impl Write for &Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_impl(buf)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.write_vectored_impl(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Socket");
        d.field("fd", &self.raw());
        if let Ok(a) = self.local_addr() {
            d.field("local", &a);
        }
        if let Ok(a) = self.peer_addr() {
            d.field("peer", &a);
        }
        d.finish()
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl FromRawFd for Socket {
    /// Takes ownership of a socket fd.
    ///
    /// # Safety
    ///
    /// `fd` must be an open socket fd that nothing else owns or closes.
    unsafe fn from_raw_fd(fd: RawFd) -> Socket {
        Socket {
            // SAFETY: forwarded to the caller.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        }
    }
}

impl IntoRawFd for Socket {
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}

impl From<OwnedFd> for Socket {
    fn from(fd: OwnedFd) -> Socket {
        Socket { fd }
    }
}

impl From<Socket> for OwnedFd {
    fn from(s: Socket) -> OwnedFd {
        s.fd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert_eq!((RecvFlags::PEEK | RecvFlags::WAITALL).raw(), 3);
        assert_eq!(RecvFlags::default(), RecvFlags::NONE);
        assert_eq!(SockType::Datagram.raw(), 5);
    }

    #[cfg(not(target_os = "wasi"))]
    #[test]
    fn unsupported_off_wasi() {
        let e = Socket::new(Family::Inet4, SockType::Stream).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
    }
}
