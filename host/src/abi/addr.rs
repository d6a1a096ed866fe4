//! The 28-byte `addr` record of `wasi_ephemeral_sock`.
//!
//! | offset | field | |
//! |---|---|---|
//! | 0 | u8 family | 1 inet4, 2 inet6, 3 unix (written only, see [`UNNAMED_UNIX`]) |
//! | 1 | u8 reserved | must be 0 |
//! | 2 | u16 port | host (little-endian) order |
//! | 4 | u32 flowinfo | inet6 only |
//! | 8 | u8\[16\] ip | network order; inet4 uses the first 4 bytes |
//! | 24 | u32 scope_id | inet6 only |

use super::Errno;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Size of the record in guest memory.
pub const ADDR_SIZE: usize = 28;

/// Address family values of the ABI.
pub const FAMILY_INET4: u8 = 1;
/// The record's family byte for IPv6.
pub const FAMILY_INET6: u8 = 2;
/// The record's family byte for a Unix-domain socket (no address).
pub const FAMILY_UNIX: u8 = 3;

/// The record `addr_local`/`addr_remote` write for a `socketpair` socket:
/// family unix and nothing else, what Linux's `getsockname` gives for an
/// unnamed `AF_UNIX` socket (a `sockaddr` of just `sun_family`). A unix
/// record is never accepted as input (`inval`): no call can name one.
pub const UNNAMED_UNIX: [u8; ADDR_SIZE] = {
    let mut b = [0u8; ADDR_SIZE];
    b[0] = FAMILY_UNIX;
    b
};

fn u32_at(b: &[u8; ADDR_SIZE], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Decodes a record; an unknown family or a non-zero reserved byte is `inval`,
/// as are inet4 records with bytes set past the address or in inet6 fields.
pub fn decode_addr(b: &[u8; ADDR_SIZE]) -> Result<SocketAddr, Errno> {
    if b[1] != 0 {
        return Err(Errno::INVAL);
    }
    let port = u16::from_le_bytes([b[2], b[3]]);
    match b[0] {
        FAMILY_INET4 => {
            if b[4..8].iter().chain(&b[12..]).any(|&x| x != 0) {
                return Err(Errno::INVAL);
            }
            let ip = Ipv4Addr::new(b[8], b[9], b[10], b[11]);
            Ok(SocketAddr::V4(SocketAddrV4::new(ip, port)))
        }
        FAMILY_INET6 => {
            let mut ip = [0u8; 16];
            ip.copy_from_slice(&b[8..24]);
            Ok(SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(ip), port, u32_at(b, 4), u32_at(b, 24))))
        }
        _ => Err(Errno::INVAL),
    }
}

/// Encodes a socket address as a record.
pub fn encode_addr(a: &SocketAddr) -> [u8; ADDR_SIZE] {
    let mut b = [0u8; ADDR_SIZE];
    b[2..4].copy_from_slice(&a.port().to_le_bytes());
    match a {
        SocketAddr::V4(v4) => {
            b[0] = FAMILY_INET4;
            b[8..12].copy_from_slice(&v4.ip().octets());
        }
        SocketAddr::V6(v6) => {
            b[0] = FAMILY_INET6;
            b[4..8].copy_from_slice(&v6.flowinfo().to_le_bytes());
            b[8..24].copy_from_slice(&v6.ip().octets());
            b[24..28].copy_from_slice(&v6.scope_id().to_le_bytes());
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in ["127.0.0.1:80", "0.0.0.0:0", "[::1]:65535", "[fe80::1%3]:9"] {
            let a: SocketAddr = s.parse().unwrap();
            assert_eq!(decode_addr(&encode_addr(&a)).unwrap(), a);
        }
        let b = encode_addr(&"1.2.3.4:258".parse().unwrap());
        assert_eq!(&b[..4], &[1, 0, 2, 1]);
        assert_eq!(&b[8..12], &[1, 2, 3, 4]);
    }

    #[test]
    fn rejects_malformed() {
        let mut b = encode_addr(&"1.2.3.4:1".parse().unwrap());
        b[1] = 1;
        assert_eq!(decode_addr(&b), Err(Errno::INVAL));
        let mut b = encode_addr(&"1.2.3.4:1".parse().unwrap());
        b[0] = 7;
        assert_eq!(decode_addr(&b), Err(Errno::INVAL));
        let mut b = encode_addr(&"1.2.3.4:1".parse().unwrap());
        b[20] = 1;
        assert_eq!(decode_addr(&b), Err(Errno::INVAL));
    }
}
