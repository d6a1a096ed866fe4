//! What the `tokio` and `mio` modules share: how a socket is prepared for
//! an async runtime, and the two halves of a non-blocking connect.

use std::io;
use std::net::SocketAddr;

use crate::addr::{Family, SockType};
use crate::net::connecting;
use crate::pool::Pool;
use crate::socket::Socket;

/// Makes `sock` fit for a runtime's reactor: non-blocking, and with
/// edge-triggered readiness. mio's wasip1 selector subscribes every
/// registered socket in both directions on every poll; level-triggered, a
/// writable socket would make each poll return at once and the runtime spin.
pub(crate) fn hand_over(sock: &Socket) -> io::Result<()> {
    sock.set_nonblocking(true)?;
    sock.set_edge_triggered(true)
}

/// Opens a stream socket from `pool`, hands it over and starts connecting
/// to `addr` without waiting: the caller waits for writability (whether the
/// connect is already done or [in progress](crate::net::Connecting)), then
/// calls [`finish_connect`].
pub(crate) fn start_connect(pool: &Pool, addr: &SocketAddr) -> io::Result<std::net::TcpStream> {
    let sock = Socket::new_in(pool, Family::of(addr), SockType::Stream)?;
    hand_over(&sock)?;
    Ok(connecting::start(sock, addr)?.into_stream().into())
}

/// The outcome of a connect once the socket has been reported writable:
/// `Ok` when connected, else the connect's error (`ConnectionRefused`, ...).
pub(crate) fn finish_connect(sock: &Socket, addr: &SocketAddr) -> io::Result<()> {
    connecting::finish(sock, addr)
}

/// Resolves `addr` through `pool` (the default pool when `None`) into the
/// pool used and the addresses to try, in order. (mio's `connect` takes one
/// address, so only tokio's resolves.)
#[cfg(feature = "tokio")]
pub(crate) fn resolve<A: crate::net::ToSocketAddrs>(
    addr: A,
    pool: Option<&Pool>,
) -> io::Result<(Pool, Vec<SocketAddr>)> {
    let pool = match pool {
        Some(p) => p.clone(),
        None => Pool::default()?,
    };
    let addrs = addr.to_socket_addrs_in(&pool)?.collect();
    Ok((pool, addrs))
}

/// A socket as the std stream type runtimes take in `from_std`.
pub(crate) fn into_std_stream(sock: Socket) -> std::net::TcpStream {
    std::os::fd::OwnedFd::from(sock).into()
}
