//! [`TcpStream`]: tokio's TCP stream, reading and writing by tokio's Linux rule.

use std::io;
use std::net::SocketAddr;
use std::ops::Deref;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use ::tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use ::tokio::net as tnet;

use crate::net::ToSocketAddrs;
use crate::pool::Pool;
use crate::socket::RecvFlags;
use crate::sockref::SockRef;

/// A TCP stream for tokio: a `tokio::net::TcpStream` (all of whose methods
/// it offers through `Deref`) whose reads and writes take a short transfer
/// as the end of readiness, as tokio's own do on Linux.
///
/// On Linux, tokio takes a read that fills less than its buffer as proof
/// that the socket is drained (a write that takes less than it was given,
/// that it is full) and waits for epoll's next edge. On wasip1 its `cfg`
/// does not name the target, so every message it reads is followed by a
/// read that answers `again`: one more host call per message, and the
/// error's way back up through the C library, std, mio and tokio. wasock's
/// edge-triggered sockets keep epoll's contract for short transfers (a
/// short transfer re-arms its direction: `wasock.edge_triggered` in
/// `include/wasi_ephemeral_sock.spec`), so this stream applies the rule and
/// makes no call until the host reports the direction again. A
/// level-triggered socket reports it again anyway, so the rule holds for
/// any socket.
///
/// `accept` on [`TcpListener`](super::TcpListener), [`TcpStream::connect`]
/// and [`IntoTokio`](super::IntoTokio) make these. [`into_inner`](TcpStream::into_inner)
/// gives tokio's own stream, for an API that names that type (it reads
/// and writes as tokio does on wasip1: correct, one call dearer).
///
/// ```no_run
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// # async fn f() -> std::io::Result<()> {
/// let mut stream = wasock::tokio::TcpStream::connect("127.0.0.1:8080").await?;
/// stream.set_nodelay(true)?;
/// stream.write_all(b"ping").await?;
/// let mut reply = [0u8; 4];
/// stream.read_exact(&mut reply).await?;
/// println!("{} answered", stream.peer_addr()?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TcpStream {
    inner: tnet::TcpStream,
}

impl TcpStream {
    /// Connects without blocking the runtime; see [`connect`](super::connect).
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        super::connect(addr).await
    }

    /// Connects through `pool`; see [`connect_in`](super::connect_in).
    pub async fn connect_in<A: ToSocketAddrs>(pool: &Pool, addr: A) -> io::Result<TcpStream> {
        super::connect_in(pool, addr).await
    }

    /// Wraps a tokio stream over a wasock socket (one made by tokio's own
    /// listener over a wasock listener, say).
    pub fn from_tokio(inner: tnet::TcpStream) -> TcpStream {
        TcpStream { inner }
    }

    /// tokio's own stream.
    pub fn into_inner(self) -> tnet::TcpStream {
        self.inner
    }

    /// The peer's address (tokio's `peer_addr` is unsupported on wasip1).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        SockRef::from(&self.inner).peer_addr()
    }

    /// The local address (tokio's `local_addr` is unsupported on wasip1).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        SockRef::from(&self.inner).local_addr()
    }

    /// Sets `TCP_NODELAY` (tokio's `set_nodelay` is unsupported on
    /// wasip1); every other option is on [`SocketExt::sock_ref`](crate::SocketExt::sock_ref).
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        SockRef::from(&self.inner).set_nodelay(on)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        SockRef::from(&self.inner).nodelay()
    }

    /// Splits the stream into a read half and a write half that borrow it,
    /// as tokio's `split` does (no lock: each half moves in one direction).
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf(&self.inner), WriteHalf(&self.inner))
    }
}

/// Runs `op`, a transfer of at most `asked` bytes, under tokio's readiness
/// for `interest`. A `WouldBlock` clears the readiness, as in tokio's own
/// I/O, and so does a short transfer (more than 0 bytes, fewer than
/// `asked`), whose count is still returned. Both clear through tokio's
/// `try_io`, which clears only the readiness seen before `op` ran, so an
/// event that arrived meanwhile is kept.
fn transfer(
    stream: &tnet::TcpStream,
    interest: Interest,
    asked: usize,
    op: impl FnOnce() -> io::Result<usize>,
) -> io::Result<usize> {
    let mut short = None;
    let result = stream.try_io(interest, || match op()? {
        n if n > 0 && n < asked => {
            short = Some(n);
            Err(io::ErrorKind::WouldBlock.into())
        }
        n => Ok(n),
    });
    short.map_or(result, Ok)
}

/// Reads as tokio's stream does on Linux (see [`TcpStream`]).
fn poll_read(stream: &tnet::TcpStream, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
    loop {
        ready!(stream.poll_read_ready(cx))?;
        // Straight into the spare capacity, uninitialized as it may be (a
        // hyper or `read_buf` buffer): zeroing it first would cost as much
        // as the copy. SAFETY: nothing here de-initializes it; the host only
        // writes into it.
        let unfilled = unsafe { buf.unfilled_mut() };
        let asked = unfilled.len();
        let recv = || SockRef::from(stream).recv_uninit(unfilled, RecvFlags::NONE);
        match transfer(stream, Interest::READABLE, asked, recv) {
            Ok(n) => {
                // SAFETY: the host wrote the first `n` bytes of `unfilled`.
                unsafe { buf.assume_init(n) };
                buf.advance(n);
                return Poll::Ready(Ok(()));
            }
            // Readiness is cleared: the next poll waits for the host.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Poll::Ready(Err(e)),
        }
    }
}

/// Writes as tokio's stream does on Linux (see [`TcpStream`]).
fn poll_write(stream: &tnet::TcpStream, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
    loop {
        ready!(stream.poll_write_ready(cx))?;
        match transfer(stream, Interest::WRITABLE, buf.len(), || SockRef::from(stream).send(buf)) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            r => return Poll::Ready(r),
        }
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        poll_read(&self.inner, cx, buf)
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        poll_write(&self.inner, cx, buf)
    }

    /// tokio's own: a gathered write is rarer, and correct either way.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The read half of a [`TcpStream`], from [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a tnet::TcpStream);

/// The write half of a [`TcpStream`], from [`TcpStream::split`]; shutting
/// it down shuts the stream's write side.
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a tnet::TcpStream);

impl AsyncRead for ReadHalf<'_> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        poll_read(self.0, cx, buf)
    }
}

impl AsyncWrite for WriteHalf<'_> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        poll_write(self.0, cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(SockRef::from(self.0).shutdown(std::net::Shutdown::Write))
    }
}

impl Deref for TcpStream {
    type Target = tnet::TcpStream;

    fn deref(&self) -> &tnet::TcpStream {
        &self.inner
    }
}

impl From<TcpStream> for tnet::TcpStream {
    fn from(s: TcpStream) -> tnet::TcpStream {
        s.inner
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}
