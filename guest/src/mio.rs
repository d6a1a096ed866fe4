//! mio on wasock (feature `mio`): [`connect`], [`accept`] with the real
//! peer address, and [`IntoMio`] to hand `wasock::net` sockets to mio.
//!
//! mio on `wasm32-wasip1` cannot open sockets, its `TcpListener::accept`
//! reports every peer as `0.0.0.0:0`, and its selector keeps every
//! registration as a level-triggered `poll_oneoff` subscription. Sockets
//! made here are non-blocking and edge-triggered, as mio expects (see
//! [`Socket::set_edge_triggered`](crate::Socket::set_edge_triggered)):
//! after an event, read or write until `WouldBlock` before polling again.
//! Reach addresses and options with [`SockRef`].
//!
//! ```no_run
//! use mio::{Events, Interest, Poll, Token};
//! use wasock::mio::IntoMio;
//!
//! let mut listener = wasock::net::TcpListener::bind("127.0.0.1:8080")?.into_mio()?;
//! let mut poll = Poll::new()?;
//! poll.registry().register(&mut listener, Token(0), Interest::READABLE)?;
//! let mut events = Events::with_capacity(16);
//! poll.poll(&mut events, None)?;
//! loop {
//!     match wasock::mio::accept(&listener) {
//!         Ok((stream, peer)) => println!("{peer} connected"),
//!         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
//!         Err(e) => return Err(e),
//!     }
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;
use std::net::SocketAddr;

use ::mio::net as mnet;

use crate::net as wnet;
use crate::pool::Pool;
use crate::runtime;
use crate::sockref::SockRef;

/// Starts connecting to `addr` through the default pool, as mio's own
/// `TcpStream::connect` does elsewhere: the stream is returned at once,
/// the connect still in progress. Register it for `WRITABLE`; once it is
/// writable, [`finish_connect`] says how the connect went.
pub fn connect(addr: SocketAddr) -> io::Result<mnet::TcpStream> {
    connect_in(&Pool::default()?, addr)
}

/// [`connect`] with a socket from `pool`.
pub fn connect_in(pool: &Pool, addr: SocketAddr) -> io::Result<mnet::TcpStream> {
    Ok(mnet::TcpStream::from_std(runtime::start_connect(pool, &addr)?))
}

/// The outcome of a [`connect`] once mio has reported the stream writable:
/// `Ok` when connected, otherwise the connect's error (`ConnectionRefused`, ...).
pub fn finish_connect(stream: &mnet::TcpStream, addr: SocketAddr) -> io::Result<()> {
    runtime::finish_connect(&SockRef::from(stream), &addr)
}

/// Accepts a pending connection with its peer's address (mio's own accept
/// gives `0.0.0.0:0` on wasip1); the stream is non-blocking and
/// edge-triggered. [`WouldBlock`](io::ErrorKind::WouldBlock) when none is pending.
pub fn accept(listener: &mnet::TcpListener) -> io::Result<(mnet::TcpStream, SocketAddr)> {
    let (sock, peer) = SockRef::from(listener).accept()?;
    runtime::hand_over(&sock)?;
    Ok((mnet::TcpStream::from_std(runtime::into_std_stream(sock)), peer))
}

/// Hands a `wasock::net` socket to mio, made non-blocking and edge-triggered.
pub trait IntoMio {
    /// The mio type.
    type Mio;

    /// Converts.
    fn into_mio(self) -> io::Result<Self::Mio>;
}

impl IntoMio for wnet::TcpStream {
    type Mio = mnet::TcpStream;

    fn into_mio(self) -> io::Result<mnet::TcpStream> {
        runtime::hand_over(self.socket())?;
        Ok(mnet::TcpStream::from_std(self.into()))
    }
}

impl IntoMio for wnet::TcpListener {
    type Mio = mnet::TcpListener;

    fn into_mio(self) -> io::Result<mnet::TcpListener> {
        runtime::hand_over(self.socket())?;
        Ok(mnet::TcpListener::from_std(self.into()))
    }
}
