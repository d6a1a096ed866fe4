//! Name resolution: [`ToSocketAddrs`] and [`lookup_host`].
//!
//! Numeric addresses are parsed in the guest and never reach the host, so
//! they work without any `--allow-resolve` rule (and without a pool at all
//! for plain parsing). Names go to the host's `addr_resolve` through a pool,
//! which must grant them.

use std::borrow::Cow;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::{option, slice, vec};

use crate::addr::SockType;
use crate::pool::Pool;

/// Things that can become socket addresses, resolving host names through an
/// address pool; the counterpart of [`std::net::ToSocketAddrs`].
///
/// Implemented for the same types as std's trait: `SocketAddr`,
/// `SocketAddrV4`/`V6`, `(IpAddr, u16)`, `(Ipv4Addr, u16)`,
/// `(Ipv6Addr, u16)`, `(&str, u16)`, `(String, u16)`, `str` and `String`
/// (`"host:port"`, `"[v6]:port"`), `&[SocketAddr]`, and references to them.
///
/// ```no_run
/// use wasock::net::ToSocketAddrs;
/// // Numeric: parsed locally.
/// let a: Vec<_> = "127.0.0.1:80".to_socket_addrs()?.collect();
/// // A name: resolved by the host through the default pool
/// // (needs e.g. `--allow-resolve localhost`).
/// let b: Vec<_> = ("localhost", 80).to_socket_addrs()?.collect();
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ToSocketAddrs {
    /// The addresses, in the order to try them.
    type Iter: Iterator<Item = SocketAddr>;

    /// Converts, resolving names through the [default pool](Pool::default).
    fn to_socket_addrs(&self) -> io::Result<Self::Iter>;

    /// Converts, resolving names through `pool`.
    fn to_socket_addrs_in(&self, pool: &Pool) -> io::Result<Self::Iter>;
}

macro_rules! literal {
    ($($t:ty => |$s:ident| $e:expr;)*) => {$(
        impl ToSocketAddrs for $t {
            type Iter = option::IntoIter<SocketAddr>;
            fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
                let $s = self;
                Ok(Some(SocketAddr::from($e)).into_iter())
            }
            fn to_socket_addrs_in(&self, _pool: &Pool) -> io::Result<Self::Iter> {
                self.to_socket_addrs()
            }
        }
    )*};
}

literal! {
    SocketAddr => |s| *s;
    SocketAddrV4 => |s| *s;
    SocketAddrV6 => |s| *s;
    (IpAddr, u16) => |s| *s;
    (Ipv4Addr, u16) => |s| *s;
    (Ipv6Addr, u16) => |s| *s;
}

/// Resolves `host` (a numeric IP or a name) with `port`; `pool` is only
/// consulted (or, when `None`, looked up) for names.
fn resolve(host: &str, port: u16, pool: Option<&Pool>) -> io::Result<vec::IntoIter<SocketAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)].into_iter());
    }
    let addrs = match pool {
        Some(p) => p.resolve(host, port, None, Some(SockType::Stream))?,
        None => Pool::default()?.resolve(host, port, None, Some(SockType::Stream))?,
    };
    Ok(addrs.into_iter())
}

/// Parses `"host:port"` (or a numeric socket address) and resolves it.
fn resolve_str(s: &str, pool: Option<&Pool>) -> io::Result<vec::IntoIter<SocketAddr>> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(vec![a].into_iter());
    }
    let (host, port) = split_host_port(s)?;
    resolve(host, port, pool)
}

/// Splits `"host:port"` at the last colon, with std's error messages.
fn split_host_port(s: &str) -> io::Result<(&str, u16)> {
    let (host, port) =
        s.rsplit_once(':').ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "invalid socket address"))?;
    let port = port.parse().map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "invalid port value"))?;
    Ok((host, port))
}

impl ToSocketAddrs for (&str, u16) {
    type Iter = vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        resolve(self.0, self.1, None)
    }
    fn to_socket_addrs_in(&self, pool: &Pool) -> io::Result<Self::Iter> {
        resolve(self.0, self.1, Some(pool))
    }
}

impl ToSocketAddrs for (String, u16) {
    type Iter = vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        resolve(&self.0, self.1, None)
    }
    fn to_socket_addrs_in(&self, pool: &Pool) -> io::Result<Self::Iter> {
        resolve(&self.0, self.1, Some(pool))
    }
}

impl ToSocketAddrs for str {
    type Iter = vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        resolve_str(self, None)
    }
    fn to_socket_addrs_in(&self, pool: &Pool) -> io::Result<Self::Iter> {
        resolve_str(self, Some(pool))
    }
}

impl ToSocketAddrs for String {
    type Iter = vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        resolve_str(self, None)
    }
    fn to_socket_addrs_in(&self, pool: &Pool) -> io::Result<Self::Iter> {
        resolve_str(self, Some(pool))
    }
}

impl<'a> ToSocketAddrs for &'a [SocketAddr] {
    type Iter = std::iter::Copied<slice::Iter<'a, SocketAddr>>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        Ok(self.iter().copied())
    }
    fn to_socket_addrs_in(&self, _pool: &Pool) -> io::Result<Self::Iter> {
        self.to_socket_addrs()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {
    type Iter = T::Iter;
    fn to_socket_addrs(&self) -> io::Result<T::Iter> {
        (**self).to_socket_addrs()
    }
    fn to_socket_addrs_in(&self, pool: &Pool) -> io::Result<T::Iter> {
        (**self).to_socket_addrs_in(pool)
    }
}

/// The addresses a host name resolved to; see [`lookup_host`].
#[derive(Debug)]
pub struct LookupHost {
    addrs: vec::IntoIter<SocketAddr>,
}

impl Iterator for LookupHost {
    type Item = SocketAddr;
    fn next(&mut self) -> Option<SocketAddr> {
        self.addrs.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.addrs.size_hint()
    }
}

/// Resolves a host name to its addresses (with port 0) through the default
/// pool, like std's `lookup_host`.
///
/// A numeric address comes back as itself without asking the host. A name
/// the pool does not grant (`--allow-resolve`) is
/// [`PermissionDenied`](io::ErrorKind::PermissionDenied); a name that does
/// not exist is [`NotFound`](io::ErrorKind::NotFound).
///
/// ```no_run
/// // Run with: wasock run --allow-resolve localhost lookup.wasm
/// for addr in wasock::net::lookup_host("localhost")? {
///     println!("localhost is {}", addr.ip());
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn lookup_host(host: &str) -> io::Result<LookupHost> {
    Ok(LookupHost { addrs: resolve(host, 0, None)? })
}

/// [`lookup_host`] through a given pool.
///
/// ```no_run
/// let pool = wasock::Pool::by_name("dns")?;
/// let addrs: Vec<_> = wasock::net::lookup_host_in(&pool, "example.com")?.collect();
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn lookup_host_in(pool: &Pool, host: &str) -> io::Result<LookupHost> {
    Ok(LookupHost { addrs: resolve(host, 0, Some(pool))? })
}

/// Resolves `addr` through `pool` (the default pool when `None`) and runs
/// `f` on each address in turn until one succeeds, like std does for
/// `connect` and `bind`. Returns the last error, or `InvalidInput` when the
/// name resolved to nothing.
pub(crate) fn each_addr<A: ToSocketAddrs, T>(
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
pub(super) fn try_each<T>(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn v(it: impl Iterator<Item = SocketAddr>) -> Vec<String> {
        it.map(|a| a.to_string()).collect()
    }

    #[test]
    fn literals_need_no_host() {
        let a: SocketAddr = "10.0.0.1:5".parse().unwrap();
        assert_eq!(v(a.to_socket_addrs().unwrap()), ["10.0.0.1:5"]);
        assert_eq!(v("127.0.0.1:80".to_socket_addrs().unwrap()), ["127.0.0.1:80"]);
        assert_eq!(v("[::1]:443".to_socket_addrs().unwrap()), ["[::1]:443"]);
        assert_eq!(v(String::from("1.2.3.4:9").to_socket_addrs().unwrap()), ["1.2.3.4:9"]);
        assert_eq!(v(("::1", 7).to_socket_addrs().unwrap()), ["[::1]:7"]);
        assert_eq!(v((String::from("8.8.8.8"), 53).to_socket_addrs().unwrap()), ["8.8.8.8:53"]);
        assert_eq!(v((Ipv4Addr::LOCALHOST, 1).to_socket_addrs().unwrap()), ["127.0.0.1:1"]);
        assert_eq!(v((IpAddr::from(Ipv6Addr::LOCALHOST), 2).to_socket_addrs().unwrap()), ["[::1]:2"]);
        let list = [a, "[::1]:1".parse().unwrap()];
        assert_eq!(v((&list[..]).to_socket_addrs().unwrap()), ["10.0.0.1:5", "[::1]:1"]);
        assert_eq!(v((&&"1.1.1.1:1").to_socket_addrs().unwrap()), ["1.1.1.1:1"]);
        assert_eq!(v(lookup_host("192.0.2.7").unwrap()), ["192.0.2.7:0"]);
        assert_eq!(v(lookup_host("::1").unwrap()), ["[::1]:0"]);
    }

    #[test]
    fn malformed() {
        for (s, msg) in [
            ("no-port", "invalid socket address"),
            ("host:99999", "invalid port value"),
            ("host:", "invalid port value"),
            ("127.0.0.1:x", "invalid port value"),
        ] {
            let e = s.to_socket_addrs().unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{s}");
            assert_eq!(e.to_string(), msg, "{s}");
        }
    }

    #[test]
    fn split() {
        assert_eq!(split_host_port("example.com:80").unwrap(), ("example.com", 80));
        assert_eq!(split_host_port("a:b:1").unwrap(), ("a:b", 1));
    }

    /// Names go to the host; off WASI the stubs say "unsupported".
    #[cfg(not(target_os = "wasi"))]
    #[test]
    fn names_need_the_host() {
        let e = "localhost:80".to_socket_addrs().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
        assert_eq!(lookup_host("localhost").unwrap_err().kind(), io::ErrorKind::Unsupported);
    }
}
