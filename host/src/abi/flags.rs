//! The ABI's small values: socket type and family, recv/send/accept flags,
//! `shutdown`'s `how`, the resolver's family hint. Each decoder answers
//! `inval` for a value the spec does not define.

use super::Errno;
use socket2::Domain;
use std::net::{IpAddr, Shutdown};

/// preview-1 `fdflags::nonblock`, also `accept`'s only flag.
pub const FDFLAGS_NONBLOCK: i32 = 4;

/// Stream or datagram, with the preview-1 `filetype` value as discriminant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `SOCK_DGRAM` (filetype `socket_dgram`).
    Datagram = 5,
    /// `SOCK_STREAM` (filetype `socket_stream`).
    Stream = 6,
}

impl Kind {
    /// Decodes the ABI `type` (5 datagram, 6 stream).
    pub fn from_abi(t: i32) -> Result<Kind, Errno> {
        match t {
            5 => Ok(Kind::Datagram),
            6 => Ok(Kind::Stream),
            _ => Err(Errno::INVAL),
        }
    }
}

/// What `open` makes of the ABI `type`: a plain socket of a kind, or a TLS
/// socket (type 7, a stream the host runs TLS on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketType {
    /// 5 datagram or 6 stream.
    Plain(Kind),
    /// 7 tls.
    Tls,
}

impl SocketType {
    /// Decodes `open`'s (and `addr_resolve`'s) `type`.
    pub fn from_abi(t: i32) -> Result<SocketType, Errno> {
        match t {
            7 => Ok(SocketType::Tls),
            _ => Kind::from_abi(t).map(SocketType::Plain),
        }
    }
}

/// Decodes the ABI `family` (1 inet4, 2 inet6).
pub fn domain_from_abi(f: i32) -> Result<Domain, Errno> {
    match f {
        1 => Ok(Domain::IPV4),
        2 => Ok(Domain::IPV6),
        _ => Err(Errno::INVAL),
    }
}

/// Which addresses `addr_resolve` was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilyHint {
    /// Either family (ABI 0).
    Any,
    /// IPv4 only (ABI 1).
    V4,
    /// IPv6 only (ABI 2).
    V6,
}

impl FamilyHint {
    /// Decodes the ABI family (0 any, 1 inet4, 2 inet6).
    pub fn from_abi(f: i32) -> Result<FamilyHint, Errno> {
        match f {
            0 => Ok(FamilyHint::Any),
            1 => Ok(FamilyHint::V4),
            2 => Ok(FamilyHint::V6),
            _ => Err(Errno::INVAL),
        }
    }

    /// Whether an address of `ip`'s family was asked for.
    pub fn admits(self, ip: &IpAddr) -> bool {
        match self {
            FamilyHint::Any => true,
            FamilyHint::V4 => ip.is_ipv4(),
            FamilyHint::V6 => ip.is_ipv6(),
        }
    }
}

/// `shutdown`'s `how` (1 read, 2 write, 3 both; preview-1 `sdflags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShutdownHow(pub Shutdown);

impl ShutdownHow {
    /// Decodes `how`.
    pub fn from_abi(how: i32) -> Result<ShutdownHow, Errno> {
        Ok(ShutdownHow(match how {
            1 => Shutdown::Read,
            2 => Shutdown::Write,
            3 => Shutdown::Both,
            _ => return Err(Errno::INVAL),
        }))
    }
}

/// `accept`'s flags: whether the new socket is non-blocking.
pub fn accept_nonblocking(flags: i32) -> Result<bool, Errno> {
    if flags & !FDFLAGS_NONBLOCK != 0 {
        return Err(Errno::INVAL);
    }
    Ok(flags & FDFLAGS_NONBLOCK != 0)
}

/// The ABI's recv flags (1 peek, 2 waitall) as host `MSG_*` flags.
pub fn recv_flags(flags: i32) -> Result<i32, Errno> {
    if flags & !3 != 0 {
        return Err(Errno::INVAL);
    }
    Ok((if flags & 1 != 0 { libc::MSG_PEEK } else { 0 }) | (if flags & 2 != 0 { libc::MSG_WAITALL } else { 0 }))
}

/// The ABI's send flags: none are defined.
pub fn send_flags(flags: i32) -> Result<i32, Errno> {
    if flags != 0 {
        return Err(Errno::INVAL);
    }
    Ok(0)
}
