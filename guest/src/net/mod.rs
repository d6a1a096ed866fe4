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

pub use std::net::{AddrParseError, IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, SocketAddrV4, SocketAddrV6};

pub(crate) mod connecting;
mod interop;
pub(crate) mod lookup;
pub(crate) mod tcp;
mod udp;

pub use connecting::{Connect, Connecting};
pub use interop::{Pooled, StdAddrs};
#[cfg(feature = "tokio")]
pub(crate) use lookup::no_addresses;
pub use lookup::{lookup_host, lookup_host_in, LookupHost, ToSocketAddrs};
pub use tcp::{Incoming, TcpListener, TcpStream};
pub use udp::UdpSocket;
