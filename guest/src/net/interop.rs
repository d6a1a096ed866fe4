//! Address interop with [`std::net::ToSocketAddrs`], both ways.
//!
//! wasock's [`ToSocketAddrs`] is implemented for every type std's is (so
//! `TcpStream::connect(("localhost", 80))` reads the same), but it is a
//! trait of its own: std's resolves names with `getaddrinfo`, which
//! wasm32-wasip1 lacks, while wasock's asks the host through a pool. Code
//! written against std's trait crosses over with these two wrappers:
//!
//! - [`StdAddrs`] takes any `impl std::net::ToSocketAddrs` where wasock
//!   wants addresses. std resolves it, so it must be numeric: a host name
//!   fails as std fails on wasip1.
//! - [`Pooled`] gives wasock's resolution (names through the pool) to code
//!   that wants `impl std::net::ToSocketAddrs`.

use std::io;
use std::net::SocketAddr;
use std::vec;

use super::lookup::ToSocketAddrs;
use crate::pool::Pool;

/// Any [`std::net::ToSocketAddrs`] as wasock's [`ToSocketAddrs`], resolved
/// by std (numeric addresses; std has no name lookup on wasip1).
///
/// ```no_run
/// use wasock::net::{StdAddrs, TcpStream};
/// fn connect_any(addr: impl std::net::ToSocketAddrs) -> std::io::Result<TcpStream> {
///     TcpStream::connect(StdAddrs(addr))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct StdAddrs<A>(pub A);

impl<A: std::net::ToSocketAddrs> ToSocketAddrs for StdAddrs<A> {
    type Iter = A::Iter;

    fn to_socket_addrs(&self) -> io::Result<A::Iter> {
        std::net::ToSocketAddrs::to_socket_addrs(&self.0)
    }

    fn to_socket_addrs_in(&self, _pool: &Pool) -> io::Result<A::Iter> {
        self.to_socket_addrs()
    }
}

/// wasock's [`ToSocketAddrs`] as std's: host names resolve through a pool
/// (the default pool unless [`Pooled::in_pool`]), numeric addresses in the
/// guest, for code that takes `impl std::net::ToSocketAddrs`.
///
/// ```no_run
/// use wasock::net::Pooled;
/// fn first(addr: impl std::net::ToSocketAddrs) -> Option<std::net::SocketAddr> {
///     addr.to_socket_addrs().ok()?.next()
/// }
/// let a = first(Pooled::new("localhost:8080"));
/// ```
#[derive(Debug, Clone)]
pub struct Pooled<A> {
    addr: A,
    pool: Option<Pool>,
}

impl<A: ToSocketAddrs> Pooled<A> {
    /// Resolves through the default pool.
    pub fn new(addr: A) -> Pooled<A> {
        Pooled { addr, pool: None }
    }

    /// Resolves through `pool`.
    pub fn in_pool(pool: &Pool, addr: A) -> Pooled<A> {
        Pooled { addr, pool: Some(pool.clone()) }
    }
}

impl<A: ToSocketAddrs> std::net::ToSocketAddrs for Pooled<A> {
    // Collected, since std's trait names one iterator type for every A.
    type Iter = vec::IntoIter<SocketAddr>;

    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        let addrs: Vec<SocketAddr> = match &self.pool {
            Some(p) => self.addr.to_socket_addrs_in(p)?.collect(),
            // Without a pool, numeric addresses need no host at all.
            None => ToSocketAddrs::to_socket_addrs(&self.addr)?.collect(),
        };
        Ok(addrs.into_iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddrV6};

    fn wasock_side(a: impl ToSocketAddrs) -> Vec<String> {
        a.to_socket_addrs().unwrap().map(|a| a.to_string()).collect()
    }

    fn std_side(a: impl std::net::ToSocketAddrs) -> Vec<String> {
        a.to_socket_addrs().unwrap().map(|a| a.to_string()).collect()
    }

    #[test]
    fn std_addresses_for_wasock() {
        assert_eq!(wasock_side(StdAddrs("127.0.0.1:80")), ["127.0.0.1:80"]);
        assert_eq!(wasock_side(StdAddrs((Ipv4Addr::LOCALHOST, 7))), ["127.0.0.1:7"]);
        let v6: SocketAddrV6 = "[::1]:9".parse().unwrap();
        assert_eq!(wasock_side(StdAddrs(v6)), ["[::1]:9"]);
        assert!(StdAddrs("no-port").to_socket_addrs().is_err());
    }

    #[test]
    fn wasock_addresses_for_std() {
        assert_eq!(std_side(Pooled::new("10.0.0.1:5")), ["10.0.0.1:5"]);
        assert_eq!(std_side(Pooled::new(("::1", 443))), ["[::1]:443"]);
        let list: [SocketAddr; 2] = ["1.2.3.4:1".parse().unwrap(), "[::2]:2".parse().unwrap()];
        assert_eq!(std_side(Pooled::new(&list[..])), ["1.2.3.4:1", "[::2]:2"]);
        let e = std::net::ToSocketAddrs::to_socket_addrs(&Pooled::new("host:99999")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }
}
