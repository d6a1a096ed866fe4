//! tokio on wasock (feature `tokio`): [`TcpListener::bind`],
//! [`TcpStream::connect`], and [`IntoTokio`] to hand `wasock::net` sockets
//! to tokio.
//!
//! tokio on `wasm32-wasip1` cannot open sockets (`tokio::net::TcpStream::connect`
//! and `TcpListener::bind` do not exist there), its `accept` reports every
//! peer as `0.0.0.0:0`, and std, under it, answers "unsupported" for
//! `peer_addr`, `take_error` and options. This module opens and accepts
//! sockets through wasock's address pools and hands them to tokio with
//! `from_std`, non-blocking and with edge-triggered readiness (without it a
//! tokio guest spins a CPU; see [`Socket::set_edge_triggered`](crate::Socket::set_edge_triggered)).
//! The streams are [`TcpStream`]s: tokio's stream, reading and writing by
//! the rule tokio keeps on Linux (a short transfer ends readiness), which
//! saves a host call per message. Reach addresses and options with
//! [`SockRef`] or [`TcpStream`]'s own getters. Accept with
//! [`TcpListener`] for the real peer address; tokio's own listener over a
//! wasock listener works too (the host gives accepted sockets the
//! listener's edge-triggered mode) but reports every peer as `0.0.0.0:0`.
//!
//! tokio needs `--cfg tokio_unstable` for `net` on wasip1 and the
//! `current_thread` runtime (wasip1 has no threads):
//!
//! ```toml
//! # .cargo/config.toml
//! [target.wasm32-wasip1]
//! rustflags = ["--cfg", "tokio_unstable"]
//! ```
//!
//! ```ignore
//! // (ignore: the doctests build without tokio's `rt` and `macros`)
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> std::io::Result<()> {
//!     let listener = wasock::tokio::TcpListener::bind("127.0.0.1:8080").await?;
//!     loop {
//!         let (mut conn, peer) = listener.accept().await?;
//!         tokio::spawn(async move {
//!             let mut buf = [0u8; 4096];
//!             loop {
//!                 match conn.read(&mut buf).await {
//!                     Ok(0) => break,
//!                     Ok(n) if conn.write_all(&buf[..n]).await.is_ok() => {}
//!                     Ok(_) => break,
//!                     Err(e) => break eprintln!("{peer}: {e}"),
//!                 }
//!             }
//!         });
//!     }
//! }
//! ```
//!
//! Every function here that makes a tokio socket must run inside a tokio
//! runtime, as tokio's own `from_std` must.
//!
//! What else works on wasip1 (checked with tokio 1.54; README.md, "Async",
//! has the whole list and the TLS build variables): the features `rt`
//! (`current_thread`), `net`, `io-util`, `time`, `macros` and `sync`, and
//! hyper 1.x over either listener. `rt-multi-thread` builds but its runtime
//! panics (no threads), as do `tokio::fs` and `spawn_blocking` (they need
//! the blocking pool); `process` and `signal` are empty; tokio has no
//! `TcpSocket` or `UdpSocket` there. A connect is started with
//! [`TcpStream::connect_nonblocking`](crate::net::TcpStream::connect_nonblocking),
//! whose [`Connecting`](crate::net::Connecting) says "in progress" without an errno.
//!
//! TLS (see [`crate::tls`]): [`connect_tls`] connects by name and makes the
//! handshake without blocking the runtime, and [`IntoTokio`] hands a
//! [`TlsListener`](crate::tls::TlsListener) to tokio as a [`TcpListener`]
//! whose accepted streams are TLS. Either way the result is a
//! [`TcpStream`] over the TLS socket's fd: its reads and writes move
//! plaintext, and the TLS getters are reached with [`SockRef`]
//! (`SockRef::from(&stream).tls_peer_identity()`).

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd};

use ::tokio::io::Interest;
use ::tokio::net as tnet;

use crate::net::{self as wnet, ToSocketAddrs};
use crate::pool::Pool;
use crate::runtime;
use crate::socket::Socket;
use crate::sockref::SockRef;
use crate::tls::{self, ServerName, TlsListener as WasockTlsListener, TlsStream};

mod stream;

pub use stream::{ReadHalf, TcpStream, WriteHalf};

/// Connects to `addr` without blocking the runtime: names resolve through
/// the default pool, each address is tried in turn with a non-blocking
/// connect, awaiting writability, then the socket's pending error.
/// A closed port fails with [`ConnectionRefused`](io::ErrorKind::ConnectionRefused),
/// a destination the pool does not grant with `PermissionDenied`.
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// let stream = wasock::tokio::connect("127.0.0.1:8080").await?;
/// # Ok(()) }
/// ```
pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
    connect_through(addr, None).await
}

/// [`connect`] through `pool`: names resolve through it and the socket is
/// opened from it.
pub async fn connect_in<A: ToSocketAddrs>(pool: &Pool, addr: A) -> io::Result<TcpStream> {
    connect_through(addr, Some(pool)).await
}

async fn connect_through<A: ToSocketAddrs>(addr: A, pool: Option<&Pool>) -> io::Result<TcpStream> {
    let (pool, addrs) = runtime::resolve(addr, pool)?;
    let mut last = None;
    for a in addrs {
        match connect_one(&pool, &a).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(wnet::no_addresses))
}

async fn connect_one(pool: &Pool, addr: &SocketAddr) -> io::Result<TcpStream> {
    let stream = tnet::TcpStream::from_std(runtime::start_connect(pool, addr)?)?;
    stream.writable().await?;
    runtime::finish_connect(&SockRef::from(&stream), addr)?;
    Ok(TcpStream::from_tokio(stream))
}

/// Connects over TLS to the server `name` on `port` (through the default
/// pool, which needs a TLS connect rule for them) without blocking the
/// runtime: a non-blocking `connect_name`, then awaiting writability, which
/// the host reports when the handshake has finished, then the socket's
/// pending error. A refused certificate fails with `PermissionDenied`
/// (`acces`), a failed handshake with `ConnectionRefused`; the families are
/// tried as [`TlsStream::connect`] tries them.
///
/// ```no_run
/// use tokio::io::AsyncWriteExt;
/// # async fn f() -> std::io::Result<()> {
/// let mut stream = wasock::tokio::connect_tls("localhost", 8443).await?;
/// stream.write_all(b"hello").await?;
/// let id = wasock::SockRef::from(&stream).tls_peer_identity()?;
/// # Ok(()) }
/// ```
pub async fn connect_tls(name: &str, port: u16) -> io::Result<TcpStream> {
    connect_tls_in(&Pool::default()?, name, port).await
}

/// [`connect_tls`] with a socket from `pool`.
pub async fn connect_tls_in(pool: &Pool, name: &str, port: u16) -> io::Result<TcpStream> {
    // Connected at once or in progress, the stream is awaited the same way.
    let stream = stream_into_tokio(TlsStream::connect_nonblocking_in(pool, name, port)?.into_stream().into())?;
    let target = ServerName::new(name, port);
    // Awaits writability until the handshake is done; an early wake-up
    // (not done yet) is `WouldBlock`, which makes tokio wait again.
    let done = || match tls::handshake_done(&SockRef::from(&stream), &target)? {
        true => Ok(()),
        false => Err(io::ErrorKind::WouldBlock.into()),
    };
    stream.async_io(Interest::WRITABLE, done).await?;
    Ok(stream)
}

/// A TCP listener whose [`accept`](TcpListener::accept) gives
/// [`TcpStream`]s and the real peer address.
///
/// tokio's own `TcpListener` offers no readiness API to accept by other
/// means than std's, so the listener is registered with tokio's reactor as
/// a `tokio::net::TcpStream` over the listening fd: that registration is
/// only ever used to await readability, never read from or written to.
#[derive(Debug)]
pub struct TcpListener {
    registration: tnet::TcpStream,
}

impl TcpListener {
    /// Binds and listens as [`wasock::net::TcpListener::bind`](wnet::TcpListener::bind)
    /// does (through the default pool), then hands the listener to tokio.
    ///
    /// ```no_run
    /// # async fn f() -> std::io::Result<()> {
    /// let listener = wasock::tokio::TcpListener::bind("127.0.0.1:0").await?;
    /// println!("listening on {}", listener.local_addr()?);
    /// # Ok(()) }
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        wnet::TcpListener::bind(addr)?.into_tokio()
    }

    /// Binds through `pool`.
    pub async fn bind_in<A: ToSocketAddrs>(pool: &Pool, addr: A) -> io::Result<TcpListener> {
        wnet::TcpListener::bind_in(pool, addr)?.into_tokio()
    }

    /// Waits for a connection and returns it as a tokio stream (non-blocking,
    /// edge-triggered) with the peer's address. The host checks the peer
    /// against the pool's accept rules, as for a blocking accept.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let listener = SockRef::from(&self.registration);
        let (sock, peer) = self.registration.async_io(Interest::READABLE, || listener.accept()).await?;
        Ok((stream_into_tokio(sock)?, peer))
    }

    /// The local address (std's `local_addr` is unsupported on wasip1).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        SockRef::from(&self.registration).local_addr()
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.registration.as_fd()
    }
}

/// Hands a `wasock::net` socket to tokio, made non-blocking and
/// edge-triggered. Call it inside a tokio runtime.
///
/// ```no_run
/// use wasock::tokio::IntoTokio;
/// # async fn f() -> std::io::Result<()> {
/// let blocking = wasock::net::TcpStream::connect("127.0.0.1:8080")?;
/// let stream: wasock::tokio::TcpStream = blocking.into_tokio()?;
/// # Ok(()) }
/// ```
pub trait IntoTokio {
    /// The tokio type.
    type Tokio;

    /// Converts, registering the socket with the current runtime.
    fn into_tokio(self) -> io::Result<Self::Tokio>;
}

impl IntoTokio for wnet::TcpStream {
    type Tokio = TcpStream;

    fn into_tokio(self) -> io::Result<TcpStream> {
        stream_into_tokio(self.into())
    }
}

impl IntoTokio for wnet::TcpListener {
    type Tokio = TcpListener;

    fn into_tokio(self) -> io::Result<TcpListener> {
        listener_into_tokio(self.into())
    }
}

impl IntoTokio for TlsStream {
    type Tokio = TcpStream;

    fn into_tokio(self) -> io::Result<TcpStream> {
        stream_into_tokio(self.into())
    }
}

/// The accepted streams are TLS sockets (each makes its handshake as it is
/// first used; non-blocking, tokio hears of a stream only after it).
impl IntoTokio for WasockTlsListener {
    type Tokio = TcpListener;

    fn into_tokio(self) -> io::Result<TcpListener> {
        listener_into_tokio(self.into())
    }
}

fn stream_into_tokio(sock: Socket) -> io::Result<TcpStream> {
    runtime::hand_over(&sock)?;
    Ok(TcpStream::from_tokio(tnet::TcpStream::from_std(runtime::into_std_stream(sock))?))
}

fn listener_into_tokio(sock: Socket) -> io::Result<TcpListener> {
    runtime::hand_over(&sock)?;
    Ok(TcpListener { registration: tnet::TcpStream::from_std(runtime::into_std_stream(sock))? })
}
