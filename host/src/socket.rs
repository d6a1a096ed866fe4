//! A guest's socket: a real OS socket plus the pool it was opened from.
//!
//! Every operation that names a network address checks the pool here, so the
//! ABI layer (`sock/`) and the preview-1 router (`p1/`) share one path for
//! each operation and cannot disagree about what a pool grants.

use crate::abi::Errno;
use crate::pool::{Pool, Right};
use crate::sys::{self, IoVecs, Received};
use socket2::{Domain, SockAddr, Type};
use std::cell::Cell;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;

/// Stream or datagram, with the preview-1 `filetype` value as discriminant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Datagram = 5,
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

/// Decodes the ABI `family` (1 inet4, 2 inet6).
pub fn domain_from_abi(f: i32) -> Result<Domain, Errno> {
    match f {
        1 => Ok(Domain::IPV4),
        2 => Ok(Domain::IPV6),
        _ => Err(Errno::INVAL),
    }
}

/// One socket in the guest's fd table.
pub struct Socket {
    os: socket2::Socket,
    pool: Arc<Pool>,
    kind: Kind,
    nonblocking: bool,
    /// A pending error (`SO_ERROR`) that `poll_oneoff` read to report on an
    /// event; the kernel forgot it then, so it is kept here for the next
    /// `take_error`, `recv` or `send`, as the kernel would have.
    pending_error: Cell<Option<Errno>>,
}

/// Logs a denial: one line naming the operation, the address and the pool.
pub fn deny(op: &str, what: &dyn std::fmt::Display, pool: &Pool) -> Errno {
    eprintln!("wasock: denied {op} {what}: not granted by {pool}");
    Errno::NOTCAPABLE
}

impl Socket {
    /// Opens a socket of `domain` and `kind` from `pool`.
    pub fn open(pool: Arc<Pool>, domain: Domain, kind: Kind) -> Result<Socket, Errno> {
        let ty = match kind {
            Kind::Stream => Type::STREAM,
            Kind::Datagram => Type::DGRAM,
        };
        let os = socket2::Socket::new(domain, ty.cloexec(), None)?;
        Ok(Socket { os, pool, kind, nonblocking: false, pending_error: Cell::new(None) })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn os(&self) -> &socket2::Socket {
        &self.os
    }

    pub fn is_nonblocking(&self) -> bool {
        self.nonblocking
    }

    pub fn set_nonblocking(&mut self, on: bool) -> Result<(), Errno> {
        if on != self.nonblocking {
            self.os.set_nonblocking(on)?;
            self.nonblocking = on;
        }
        Ok(())
    }

    fn check(&self, right: Right, op: &str, addr: &SocketAddr) -> Result<(), Errno> {
        if self.pool.allows(right, addr) {
            Ok(())
        } else {
            Err(deny(op, addr, &self.pool))
        }
    }

    /// Binds to `addr`. Port 0 on an address whose rule grants only a port
    /// range binds the first free port of that range, so the guest never
    /// holds a port the pool did not grant.
    pub fn bind(&self, addr: SocketAddr) -> Result<(), Errno> {
        if addr.port() != 0 {
            self.check(Right::Bind, "bind to", &addr)?;
            return Ok(self.os.bind(&addr.into())?);
        }
        let ranges: Vec<_> = self.pool.bind_ports_for(addr.ip()).cloned().collect();
        if ranges.iter().any(|p| p.is_all()) {
            return Ok(self.os.bind(&addr.into())?);
        }
        if ranges.is_empty() {
            return Err(deny("bind to", &addr, &self.pool));
        }
        let mut last = Errno::ADDRINUSE;
        for port in ranges.iter().flat_map(|r| r.iter()).filter(|&p| p != 0) {
            match self.os.bind(&SocketAddr::new(addr.ip(), port).into()) {
                Ok(()) => return Ok(()),
                Err(e) if e.raw_os_error() == Some(libc::EADDRINUSE) => last = Errno::ADDRINUSE,
                Err(e) => return Err(e.into()),
            }
        }
        Err(last)
    }

    /// Listens. An unbound socket is first bound through the pool's rules
    /// to the wildcard address and port 0, exactly as `bind` would: left to
    /// itself the kernel would bind it there with no check at all.
    pub fn listen(&self, backlog: u32) -> Result<(), Errno> {
        let local = self.local_addr()?;
        if local.port() == 0 {
            self.bind(local)?;
        }
        Ok(self.os.listen(backlog.min(i32::MAX as u32) as i32)?)
    }

    /// Connects; a non-blocking socket gets `inprogress`.
    pub fn connect(&self, addr: SocketAddr) -> Result<(), Errno> {
        self.check(Right::Connect, "connect to", &addr)?;
        Ok(self.os.connect(&addr.into())?)
    }

    /// Accepts the next connection the pool admits; refused peers are closed
    /// and logged, and the wait goes on.
    pub fn accept(&self, nonblocking: bool) -> Result<(Socket, SocketAddr), Errno> {
        loop {
            let (os, peer) = sys::accept(self.os.as_raw_fd(), nonblocking)?;
            let Some(peer) = peer else { return Err(Errno::CONNABORTED) };
            if self.pool.allows(Right::Accept, &peer) {
                let sock = Socket {
                    os,
                    pool: self.pool.clone(),
                    kind: self.kind,
                    nonblocking,
                    pending_error: Cell::new(None),
                };
                return Ok((sock, peer));
            }
            deny("accept from", &peer, &self.pool);
        }
    }

    /// Receives into `iov`. For datagram sockets in a pool that filters
    /// peers, datagrams from peers it does not admit are dropped and logged.
    pub fn recv(&self, iov: &mut IoVecs, flags: i32, want_from: bool) -> Result<Received, Errno> {
        self.check_pending()?;
        let filter = self.kind == Kind::Datagram && self.pool.filters_peers();
        loop {
            let datagram = self.kind == Kind::Datagram;
            let got = sys::recv(self.os.as_raw_fd(), iov, flags, want_from || filter, datagram)?;
            match got.from {
                Some(from) if filter && !self.pool.allows(Right::Accept, &from) => {
                    deny("datagram from", &from, &self.pool);
                    if flags & libc::MSG_PEEK != 0 {
                        // Consume the peeked datagram so the next one can be seen.
                        sys::recv(self.os.as_raw_fd(), &mut IoVecs::new(), 0, false, true)?;
                    }
                }
                _ => return Ok(got),
            }
        }
    }

    /// Sends from `iov` to the connected peer, or to `to` (which the pool must grant).
    pub fn send(&self, iov: &mut IoVecs, flags: i32, to: Option<&SocketAddr>) -> Result<usize, Errno> {
        self.check_pending()?;
        if let Some(to) = to {
            self.check(Right::Connect, "send to", to)?;
        }
        Ok(sys::send(self.os.as_raw_fd(), iov, flags, to)?)
    }

    fn check_pending(&self) -> Result<(), Errno> {
        match self.pending_error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Reads the pending error for a poll event, keeping it for the guest's
    /// next call; `None` if there is none.
    pub fn peek_error(&self) -> Option<Errno> {
        if self.pending_error.get().is_none() {
            let e = self.os.take_error().ok().flatten().map(Errno::from);
            self.pending_error.set(e);
        }
        self.pending_error.get()
    }

    /// `SO_ERROR`: the pending error, cleared by reading it.
    pub fn take_error(&self) -> Result<Option<Errno>, Errno> {
        if let Some(e) = self.pending_error.take() {
            return Ok(Some(e));
        }
        Ok(self.os.take_error()?.map(Errno::from))
    }

    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        sock_addr(self.os.local_addr()?)
    }

    pub fn peer_addr(&self) -> Result<SocketAddr, Errno> {
        sock_addr(self.os.peer_addr()?)
    }

    /// Joins or leaves a multicast group, which a connect or accept rule must grant.
    pub fn multicast(&self, join: bool, group: SocketAddr, interface: u32) -> Result<(), Errno> {
        if !group.ip().is_multicast() {
            return Err(Errno::INVAL);
        }
        let granted = self.pool.allows(Right::Connect, &group)
            || (self.pool.filters_peers() && self.pool.allows(Right::Accept, &group));
        if !granted {
            return Err(deny("multicast group", &group.ip(), &self.pool));
        }
        // For IPv4 `interface` is the interface's address as the bytes of an
        // `in_addr` (what C passes in `imr_interface.s_addr`); for IPv6 an index.
        let v4_if = std::net::Ipv4Addr::from(interface.to_le_bytes());
        let r = match (group.ip(), join) {
            (IpAddr::V4(g), true) => self.os.join_multicast_v4(&g, &v4_if),
            (IpAddr::V4(g), false) => self.os.leave_multicast_v4(&g, &v4_if),
            (IpAddr::V6(g), true) => self.os.join_multicast_v6(&g, interface),
            (IpAddr::V6(g), false) => self.os.leave_multicast_v6(&g, interface),
        };
        Ok(r?)
    }

    /// Bytes ready to read, for `poll_oneoff`'s `nbytes`.
    pub fn bytes_readable(&self) -> usize {
        sys::bytes_readable(self.os.as_raw_fd()).unwrap_or(0)
    }

    /// Whether the socket is IPv6 (options such as TTL have per-family names).
    pub fn is_ipv6(&self) -> Result<bool, Errno> {
        Ok(self.os.domain()? == Domain::IPV6)
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.os.as_raw_fd()
    }
}

fn sock_addr(a: SockAddr) -> Result<SocketAddr, Errno> {
    a.as_socket().ok_or_else(|| Errno::from(io::Error::from(io::ErrorKind::InvalidInput)))
}
