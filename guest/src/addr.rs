//! The ABI's address family and socket type values, and its 28-byte address
//! record with its conversion to and from [`SocketAddr`]. A leaf module: the
//! pool and socket layers both build on it.
//!
//! The record is a `#[repr(C)]` struct whose natural layout is exactly the
//! one the ABI prescribes (offsets 0, 1, 2, 4, 8, 24; size 28; align 4), so the
//! imports can take a plain pointer to it and no byte shuffling is needed
//! beyond the port, which travels in host (little-endian) order, and the IP,
//! which travels in network order just as [`Ipv4Addr::octets`] gives it.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// An address family: IPv4 or IPv6.
///
/// The discriminants are the ABI's `family` values (equal to wasi-libc's
/// `AF_INET` and `AF_INET6`).
///
/// ```
/// use wasock::Family;
/// let a: std::net::SocketAddr = "[::1]:80".parse().unwrap();
/// assert_eq!(Family::of(&a), Family::Inet6);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Family {
    /// IPv4 (`AF_INET`, ABI value 1).
    Inet4 = 1,
    /// IPv6 (`AF_INET6`, ABI value 2).
    Inet6 = 2,
}

impl Family {
    /// The family of a socket address.
    pub fn of(addr: &SocketAddr) -> Family {
        match addr {
            SocketAddr::V4(_) => Family::Inet4,
            SocketAddr::V6(_) => Family::Inet6,
        }
    }

    /// The ABI value (1 or 2).
    pub fn raw(self) -> u8 {
        self as u8
    }
}

/// A socket type: stream (TCP), datagram (UDP), or TLS (a TCP stream
/// whose TLS the host runs).
///
/// The discriminants are the ABI's `type` values (the preview-1 filetypes
/// `socket_stream` and `socket_dgram`, equal to wasi-libc's `SOCK_STREAM` and
/// `SOCK_DGRAM`, and the ABI's own 7 for TLS).
///
/// ```
/// assert_eq!(wasock::SockType::Stream.raw(), 6);
/// assert_eq!(wasock::SockType::Tls.raw(), 7);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SockType {
    /// A datagram socket (UDP), ABI value 5.
    Datagram = 5,
    /// A stream socket (TCP), ABI value 6.
    Stream = 6,
    /// A TLS socket, ABI value 7: a stream socket in every respect but that
    /// the host runs TLS over it. It connects by name
    /// ([`Socket::connect_name`](crate::Socket::connect_name)) and binds
    /// only where a TLS bind rule grants it; see [`crate::tls`]. Once
    /// open, `fd_fdstat_get` reports it as a stream, so
    /// [`Socket::sock_type`](crate::Socket::sock_type) says `Stream`.
    Tls = 7,
}

impl SockType {
    /// The ABI value (5, 6 or 7).
    pub fn raw(self) -> u8 {
        self as u8
    }
}

/// The ABI's address record, as the raw imports in [`crate::sys`] take it.
///
/// Most code never sees this type: the safe layers convert with
/// `From<SocketAddr>` and [`RawAddr::to_socket_addr`].
///
/// ```
/// use wasock::sys::RawAddr;
/// let a: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
/// let raw = RawAddr::from(a);
/// assert_eq!((raw.family, raw.port, &raw.ip[..4]), (1, 8080, &[127, 0, 0, 1][..]));
/// assert_eq!(raw.to_socket_addr().unwrap(), a);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[repr(C, align(4))]
pub struct RawAddr {
    /// 1 = inet4, 2 = inet6.
    pub family: u8,
    /// Always 0.
    pub reserved: u8,
    /// The port, in host byte order.
    pub port: u16,
    /// IPv6 flow information; 0 for IPv4.
    pub flowinfo: u32,
    /// The IP in network byte order; IPv4 uses the first 4 bytes.
    pub ip: [u8; 16],
    /// IPv6 scope id; 0 for IPv4.
    pub scope_id: u32,
}

// The ABI fixes the layout; fail the build rather than the guest if it drifts.
const _: () = assert!(std::mem::size_of::<RawAddr>() == 28);
const _: () = assert!(std::mem::align_of::<RawAddr>() == 4);
const _: () = assert!(std::mem::offset_of!(RawAddr, port) == 2);
const _: () = assert!(std::mem::offset_of!(RawAddr, flowinfo) == 4);
const _: () = assert!(std::mem::offset_of!(RawAddr, ip) == 8);
const _: () = assert!(std::mem::offset_of!(RawAddr, scope_id) == 24);

impl RawAddr {
    /// Decodes the record; an unknown family is an `InvalidData` error
    /// (it can only come from a host bug, never from the guest's own input).
    pub fn to_socket_addr(&self) -> io::Result<SocketAddr> {
        match self.family {
            1 => {
                let [a, b, c, d, ..] = self.ip;
                Ok(SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), self.port).into())
            }
            2 => Ok(SocketAddrV6::new(Ipv6Addr::from(self.ip), self.port, self.flowinfo, self.scope_id).into()),
            f => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the host returned an address of unknown family {f}"),
            )),
        }
    }
}

impl From<SocketAddr> for RawAddr {
    fn from(addr: SocketAddr) -> RawAddr {
        match addr {
            SocketAddr::V4(a) => {
                let mut ip = [0u8; 16];
                ip[..4].copy_from_slice(&a.ip().octets());
                RawAddr { family: Family::Inet4.raw(), port: a.port(), ip, ..RawAddr::default() }
            }
            SocketAddr::V6(a) => RawAddr {
                family: Family::Inet6.raw(),
                reserved: 0,
                port: a.port(),
                flowinfo: a.flowinfo(),
                ip: a.ip().octets(),
                scope_id: a.scope_id(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record as the ABI lays it out, byte by byte (little-endian).
    fn bytes(r: &RawAddr) -> [u8; 28] {
        let mut b = [0u8; 28];
        b[0] = r.family;
        b[1] = r.reserved;
        b[2..4].copy_from_slice(&r.port.to_le_bytes());
        b[4..8].copy_from_slice(&r.flowinfo.to_le_bytes());
        b[8..24].copy_from_slice(&r.ip);
        b[24..28].copy_from_slice(&r.scope_id.to_le_bytes());
        b
    }

    #[test]
    fn v4_layout() {
        let r = RawAddr::from("10.1.2.3:258".parse::<SocketAddr>().unwrap());
        let mut want = [0u8; 28];
        want[0] = 1;
        want[2] = 2; // 258 = 0x0102, little-endian
        want[3] = 1;
        want[8..12].copy_from_slice(&[10, 1, 2, 3]);
        assert_eq!(bytes(&r), want);
    }

    #[test]
    fn v6_layout() {
        let a = SocketAddrV6::new("fe80::1".parse().unwrap(), 8080, 7, 3);
        let r = RawAddr::from(SocketAddr::V6(a));
        let b = bytes(&r);
        assert_eq!(b[0], 2);
        assert_eq!(u16::from_le_bytes([b[2], b[3]]), 8080);
        assert_eq!(u32::from_le_bytes(b[4..8].try_into().unwrap()), 7);
        assert_eq!(&b[8..10], &[0xfe, 0x80]);
        assert_eq!(b[23], 1);
        assert_eq!(u32::from_le_bytes(b[24..28].try_into().unwrap()), 3);
    }

    #[test]
    fn round_trip() {
        for s in ["127.0.0.1:0", "0.0.0.0:65535", "[::1]:80", "[2001:db8::5%4]:1"] {
            let a: SocketAddr = s.parse().unwrap();
            assert_eq!(RawAddr::from(a).to_socket_addr().unwrap(), a, "{s}");
        }
    }

    #[test]
    fn unknown_family_is_an_error() {
        let r = RawAddr { family: 9, ..RawAddr::default() };
        assert_eq!(r.to_socket_addr().unwrap_err().kind(), io::ErrorKind::InvalidData);
        assert!(RawAddr::default().to_socket_addr().is_err());
    }
}
