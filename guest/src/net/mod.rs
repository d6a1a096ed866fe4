//! Networking primitives shaped like [`std::net`]: [`TcpStream`],
//! [`TcpListener`], [`UdpSocket`], [`lookup_host`] and a
//! [`ToSocketAddrs`] trait whose host names resolve through the host's
//! address pool.
//!
//! Each constructor opens its socket from the [default pool](crate::Pool::default);
//! the `*_in` variants take a pool explicitly. The address types are std's
//! own, re-exported here so `use wasock::net::*` works like `use std::net::*`.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use wasock::net::TcpStream;
//!
//! let mut stream = TcpStream::connect("localhost:8080")?;
//! stream.write_all(b"hello")?;
//! let mut reply = [0u8; 5];
//! stream.read_exact(&mut reply)?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::borrow::Cow;
use std::io;

pub use std::net::{AddrParseError, IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, SocketAddrV4, SocketAddrV6};

pub(crate) mod connecting;
mod interop;
mod lookup;
mod tcp;
mod udp;

pub use connecting::Connecting;
pub use interop::{Pooled, StdAddrs};
pub use lookup::{lookup_host, lookup_host_in, LookupHost, ToSocketAddrs};
pub use tcp::{Incoming, TcpListener, TcpStream};
pub use udp::UdpSocket;

use crate::pool::Pool;

/// Resolves `addr` through `pool` (the default pool when `None`) and runs
/// `f` on each address in turn until one succeeds, like std does for
/// `connect` and `bind`. Returns the last error, or `InvalidInput` when the
/// name resolved to nothing.
fn each_addr<A: ToSocketAddrs, T>(
    addr: A,
    pool: Option<&Pool>,
    mut f: impl FnMut(&Pool, &SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let pool = match pool {
        Some(p) => Cow::Borrowed(p),
        None => Cow::Owned(Pool::default()?),
    };
    try_each(addr.to_socket_addrs_in(&pool)?, |a| f(&pool, a))
}

/// Runs `f` on each address until one succeeds; returns the last error, or
/// `InvalidInput` when there was no address at all.
fn try_each<T>(
    addrs: impl Iterator<Item = SocketAddr>,
    mut f: impl FnMut(&SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for a in addrs {
        match f(&a) {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(no_addresses))
}

/// The error for a name that resolved to no address, as std words it.
pub(crate) fn no_addresses() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "could not resolve to any addresses")
}
