//! A guest's socket: a real OS socket plus the pool it was opened from.
//!
//! Every operation that names a network address checks the pool here
//! ([`policy`]), so the ABI layer (`sock/`) and the preview-1 router (`p1/`)
//! share one path for each operation and cannot disagree about what a pool
//! grants. The inbound half (which peers may reach the socket) is enforced
//! in the kernel by a [`crate::filter::PeerFilter`], with the check here as
//! a second line.

mod batch;
mod policy;
mod readiness;
mod shared;
mod tls;
#[cfg(test)]
mod tls_tests;
mod transport;
mod wait;

pub use readiness::{Direction, Readiness};

pub use crate::abi::Kind;

use crate::abi::Errno;
use crate::audit::{Hooks, Operation, Target};
use crate::pool::{Pool, Right};
use crate::sys::{self, IoVecs, Received};
use shared::{Flag, Latest, Number};
use socket2::{Domain, SockAddr, Type};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use transport::Transport;
use wait::Deadline;

/// The name of the empty pool a `socketpair` socket holds, for the rare log
/// line that names a socket's pool.
pub const UNIX_POOL: &str = "(socketpair: no network)";

/// The kernel socket type for `kind`, close-on-exec.
fn socket_type(kind: Kind) -> Type {
    match kind {
        Kind::Stream => Type::STREAM.cloexec(),
        Kind::Datagram => Type::DGRAM.cloexec(),
    }
}

/// One socket in the guest's fd table (under one or more numbers, see
/// [`crate::table`]).
pub struct Socket {
    /// What carries its bytes (a kernel socket; the seam for TLS).
    transport: Transport,
    /// The pool it was opened from; for a Unix-domain socket an empty pool
    /// that grants nothing (see [`Socket::pair`]).
    pool: Arc<Pool>,
    /// A Unix-domain socket of a `socketpair`: it has no inet address, and
    /// every call that names one is refused before the pool is asked.
    unix: bool,
    /// Where this socket's pool decisions are reported.
    hooks: Arc<Hooks>,
    kind: Kind,
    ipv6: bool,
    /// `O_NONBLOCK`, shared by every number of the socket as Linux shares it
    /// between the fds of one open file description.
    nonblocking: Flag,
    /// One of the guest's numbers for this socket (kept by the fd table), for logs.
    fd: Number,
    /// The local address was granted by a bind rule (an explicit `bind`, the
    /// implicit one of `listen`, or an accepted connection's). A port the
    /// kernel assigned by itself (a failed connect leaves one) is not.
    bound: Flag,
    /// Whether an IPv6 socket's dual-stack mode has been decided against
    /// the pool (see [`policy`]); IPv4 sockets start decided.
    family_settled: Flag,
    /// The kernel filter of inbound peers is attached (it cannot be twice).
    filtered: Flag,
    /// `listen` succeeded: the socket has no bytes to count (`FIONREAD`
    /// would be `EINVAL`), only connections.
    listening: Flag,
    /// The last `send_to` destination reported as granted, so that a
    /// datagram stream to one peer is one audit record, not one per datagram.
    last_send_to: Latest<Option<SocketAddr>>,
    /// Level- or edge-triggered readiness for `poll_oneoff`.
    readiness: Readiness,
    /// Opened as a TLS socket (ABI type 7): it connects by name and
    /// listens through TLS rules only (see [`tls`]).
    tls_typed: bool,
}

impl Socket {
    /// A socket in its initial state: blocking, unbound, level-triggered.
    fn new(os: socket2::Socket, pool: Arc<Pool>, hooks: Arc<Hooks>, kind: Kind, ipv6: bool) -> Socket {
        Socket {
            transport: Transport::plain(os),
            pool,
            unix: false,
            hooks,
            kind,
            ipv6,
            nonblocking: Flag::new(false),
            fd: Number::new(u32::MAX),
            bound: Flag::new(false),
            family_settled: Flag::new(!ipv6),
            filtered: Flag::new(false),
            listening: Flag::new(false),
            last_send_to: Latest::default(),
            readiness: Readiness::default(),
            tls_typed: false,
        }
    }

    /// Opens a socket of `domain` and `kind` from `pool`. A datagram socket
    /// in a pool with accept rules gets its kernel peer filter at once.
    pub fn open(pool: Arc<Pool>, hooks: Arc<Hooks>, domain: Domain, kind: Kind) -> Result<Socket, Errno> {
        let os = socket2::Socket::new(domain, socket_type(kind), None)?;
        let sock = Socket::new(os, pool, hooks, kind, domain == Domain::IPV6);
        if kind == Kind::Datagram {
            sock.attach_peer_filter()?;
        }
        Ok(sock)
    }

    /// Opens a TLS socket (ABI type 7): a stream socket that connects by
    /// name and listens through the pool's TLS rules.
    pub fn open_tls(pool: Arc<Pool>, hooks: Arc<Hooks>, domain: Domain) -> Result<Socket, Errno> {
        let os = socket2::Socket::new(domain, socket_type(Kind::Stream), None)?;
        Ok(Socket { tls_typed: true, ..Socket::new(os, pool, hooks, Kind::Stream, domain == Domain::IPV6) })
    }

    /// A connection accepted on this listener: same pool, bound, filtered
    /// (the kernel copies the listener's filter to it).
    fn accepted(&self, os: socket2::Socket, nonblocking: bool) -> Result<Socket, Errno> {
        let session = self.accepted_session()?;
        let s = Socket {
            unix: self.unix,
            tls_typed: self.tls_typed,
            ..Socket::new(os, self.pool.clone(), self.hooks.clone(), self.kind, self.ipv6)
        };
        if let Some(session) = session {
            s.transport.set_tls(transport::Tls::Session(Box::new(session)));
        }
        s.nonblocking.set(nonblocking);
        s.bound.set(true);
        s.family_settled.set(true);
        s.filtered.set(self.filtered.get());
        // A runtime's own accept (tokio's, axum's) cannot switch the new
        // socket over, so it inherits the listener's readiness mode.
        s.readiness.set_edge(self.readiness.is_edge());
        Ok(s)
    }

    /// A connected pair of Unix-domain sockets (`socketpair`). They never
    /// leave the process, so they need no pool: each gets an empty one named
    /// for what it is, which grants nothing, and [`Socket::inet_only`] stops
    /// every call that names an address before it would be asked.
    pub fn pair(hooks: Arc<Hooks>, kind: Kind) -> Result<(Socket, Socket), Errno> {
        let (a, b) = socket2::Socket::pair(Domain::UNIX, socket_type(kind), None)?;
        let pool = Arc::new(Pool::new(UNIX_POOL));
        let make = |os| {
            let s = Socket { unix: true, ..Socket::new(os, pool.clone(), hooks.clone(), kind, false) };
            s.bound.set(true);
            s.filtered.set(true);
            s
        };
        Ok((make(a), make(b)))
    }

    /// Whether this is a Unix-domain socket (of a `socketpair`).
    pub fn is_unix(&self) -> bool {
        self.unix
    }

    /// Refuses, on a Unix-domain socket, a call that names an inet address,
    /// with what Linux answers for such an address there (`inval`), so that
    /// no address reaches the kernel or the pool.
    pub(crate) fn inet_only(&self) -> Result<(), Errno> {
        if self.unix {
            return Err(Errno::INVAL);
        }
        Ok(())
    }

    /// Stream or datagram.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The pool it was opened from.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The kernel socket underneath its transport (options, addresses).
    pub fn os(&self) -> &socket2::Socket {
        self.transport.kernel()
    }

    /// Whether the socket is ready in `dir` before the kernel says so (a
    /// transport's buffered data); `poll_oneoff` asks this first.
    #[inline]
    pub(crate) fn ready_now(&self, dir: Direction) -> bool {
        self.tls_ready(dir)
    }

    /// The fd whose kernel readiness `poll_oneoff` waits on.
    #[inline]
    pub(crate) fn wait_fd(&self) -> RawFd {
        self.transport.wait_fd()
    }

    /// Records the guest's number for this socket (the fd table calls this).
    pub(crate) fn set_fd(&self, fd: u32) {
        self.fd.set(fd);
    }

    /// How `poll_oneoff` reports this socket's readiness.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// The guest number this socket's logs name.
    pub(crate) fn fd(&self) -> u32 {
        self.fd.get()
    }

    /// Whether `listen` succeeded on this socket.
    pub fn is_listening(&self) -> bool {
        self.listening.get()
    }

    /// `O_NONBLOCK`.
    pub fn is_nonblocking(&self) -> bool {
        self.nonblocking.get()
    }

    /// Sets `O_NONBLOCK` (for every number of the socket).
    pub fn set_nonblocking(&self, on: bool) -> Result<(), Errno> {
        if on != self.nonblocking.get() {
            self.os().set_nonblocking(on)?;
            self.nonblocking.set(on);
        }
        Ok(())
    }

    /// Accepts the next connection the pool admits. A refused peer (one the
    /// kernel filter could not stop) is closed and logged, and the wait
    /// goes on within the listener's `SO_RCVTIMEO`, never past it.
    pub fn accept(&self, nonblocking: bool) -> Result<(Socket, SocketAddr), Errno> {
        self.readiness.after(Direction::Read, self.accept_admitted(nonblocking))
    }

    fn accept_admitted(&self, nonblocking: bool) -> Result<(Socket, SocketAddr), Errno> {
        let mut deadline = Deadline::start();
        loop {
            let (os, peer) = sys::accept(self.wait_fd(), nonblocking)?;
            let Some(peer) = peer else { return Err(Errno::CONNABORTED) };
            if self.admits(Operation::Accept, &peer) {
                return Ok((self.accepted(os, nonblocking)?, peer));
            }
            drop(os);
            deadline.wait_readable(self)?;
        }
    }

    /// Receives into `iov`. For datagram sockets in a pool that filters
    /// peers, datagrams from peers it does not admit are dropped and logged
    /// (the kernel filter drops them first; this is the second line), and
    /// the wait for an admitted one keeps to the socket's `SO_RCVTIMEO`.
    pub fn recv(&self, iov: &mut IoVecs, flags: i32, want_from: bool) -> Result<Received, Errno> {
        if self.transport.session().is_some() {
            let asked = iov.total();
            let len = self.readiness.after_tls_transfer(Direction::Read, self.tls_recv(iov, flags), asked)?;
            return Ok(Received { len, from: None, truncated: false });
        }
        if !self.nonblocking_stream(Direction::Read, flags)? {
            return self.readiness.after(Direction::Read, self.recv_admitted(iov, flags, want_from));
        }
        let asked = iov.total();
        let got = self.recv_admitted(iov, flags, want_from);
        let len = got.as_ref().map(|g| g.len).map_err(|e| *e);
        self.readiness.after_transfer(Direction::Read, len, asked).and(got)
    }

    fn recv_admitted(&self, iov: &mut IoVecs, flags: i32, want_from: bool) -> Result<Received, Errno> {
        let datagram = self.kind == Kind::Datagram;
        let filter = datagram && self.pool.filters_peers();
        if !filter {
            // Nothing is dropped, so there is no deadline to keep (and no clock to read).
            return Ok(sys::recv(self.wait_fd(), iov, flags, want_from, datagram)?);
        }
        let mut deadline = Deadline::start();
        loop {
            let got = sys::recv(self.wait_fd(), iov, flags, true, datagram)?;
            match got.from {
                Some(from) if !self.admits(Operation::Receive, &from) => {
                    if flags & libc::MSG_PEEK != 0 {
                        // Consume the peeked datagram so the next one can be seen.
                        sys::recv(self.wait_fd(), &mut IoVecs::new(), 0, false, true)?;
                    }
                    deadline.wait_readable(self)?;
                }
                _ => return Ok(got),
            }
        }
    }

    /// Sends from `iov` to the connected peer, or to `to` (which the pool must grant).
    pub fn send(&self, iov: &mut IoVecs, flags: i32, to: Option<&SocketAddr>) -> Result<usize, Errno> {
        if let Some(to) = to {
            self.check_destination(to)?;
        }
        if self.transport.session().is_some() {
            let asked = iov.total();
            return self.readiness.after_tls_transfer(Direction::Write, self.tls_send(iov), asked);
        }
        if to.is_none() && self.nonblocking_stream(Direction::Write, flags)? {
            let asked = iov.total();
            let sent = sys::send(self.wait_fd(), iov, flags, None).map_err(Errno::from);
            return self.readiness.after_transfer(Direction::Write, sent, asked);
        }
        self.readiness.after(Direction::Write, sys::send(self.wait_fd(), iov, flags, to).map_err(Errno::from))
    }

    /// Whether a `recv` or `send` with `flags` is a non-blocking transfer on
    /// a plain TCP socket, the kind whose short result shows that the socket
    /// is drained (or full), so that [`Readiness::after_transfer`] applies.
    /// Such a transfer in a spent direction answers `again` here, without
    /// the kernel; a blocking one forgets that the direction was spent.
    fn nonblocking_stream(&self, dir: Direction, flags: i32) -> Result<bool, Errno> {
        // Flags (peek, waitall) change what a short result means.
        if self.kind != Kind::Stream || self.unix || flags != 0 {
            return Ok(false);
        }
        let spent = self.readiness.take_spent(dir);
        let nonblocking = self.nonblocking.get();
        if spent && nonblocking {
            return Err(Errno::AGAIN);
        }
        Ok(nonblocking)
    }

    /// Checks a destination the guest named: refused on a Unix socket before
    /// the pool is asked, else the pool's `send_to` check.
    fn check_destination(&self, to: &SocketAddr) -> Result<(), Errno> {
        if self.unix {
            // Linux: a destination on a connected Unix stream socket is
            // `EISCONN`; an inet one on a Unix datagram socket `EINVAL`.
            return Err(if self.kind == Kind::Stream { Errno::ISCONN } else { Errno::INVAL });
        }
        self.check_send_to(to)
    }

    /// `SO_ERROR`: the pending error, cleared by reading it. `poll_oneoff`
    /// leaves it alone, so it is the kernel's (and `recv`/`send` return it).
    pub fn take_error(&self) -> Result<Option<Errno>, Errno> {
        match self.os().take_error()? {
            Some(e) => Ok(Some(Errno::from(e))),
            None => Ok(self.tls_take_error()),
        }
    }

    /// `shutdown`; a TLS connection sends close_notify before the kernel's FIN.
    pub fn shutdown(&self, how: std::net::Shutdown) -> Result<(), Errno> {
        if how != std::net::Shutdown::Read {
            self.tls_shutdown_write();
        }
        Ok(self.os().shutdown(how)?)
    }

    /// The guest is exiting: close without lingering, and without waiting
    /// for a TLS connection's unsent records.
    pub(crate) fn prepare_exit(&self) {
        let _ = self.os().set_linger(None);
        self.transport.exiting();
    }

    /// The kernel's local address.
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        sock_addr(self.os().local_addr()?)
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> Result<SocketAddr, Errno> {
        sock_addr(self.os().peer_addr()?)
    }

    /// Joins or leaves a multicast group, which a connect or accept rule must grant.
    pub fn multicast(&self, join: bool, group: SocketAddr, interface: u32) -> Result<(), Errno> {
        if self.unix {
            // What Linux answers for IP_ADD_MEMBERSHIP on a Unix socket.
            return Err(Errno::NOPROTOOPT);
        }
        if !group.ip().is_multicast() {
            return Err(Errno::INVAL);
        }
        let op = if join { Operation::JoinMulticast } else { Operation::LeaveMulticast };
        let rule = self.pool.decide_for(Right::Connect, &group, false).or_else(|| {
            let by_accept = self.pool.filters_peers().then(|| self.pool.decide(Right::Accept, &group));
            by_accept.flatten()
        });
        self.decided(op, Target::Addr(group), rule)?;
        // For IPv4 `interface` is the interface's address as the bytes of an
        // `in_addr` (what C passes in `imr_interface.s_addr`); for IPv6 an index.
        let v4_if = std::net::Ipv4Addr::from(interface.to_le_bytes());
        let r = match (group.ip(), join) {
            (IpAddr::V4(g), true) => self.os().join_multicast_v4(&g, &v4_if),
            (IpAddr::V4(g), false) => self.os().leave_multicast_v4(&g, &v4_if),
            (IpAddr::V6(g), true) => self.os().join_multicast_v6(&g, interface),
            (IpAddr::V6(g), false) => self.os().leave_multicast_v6(&g, interface),
        };
        Ok(r?)
    }

    /// Bytes ready to read, for `poll_oneoff`'s `nbytes` (for TLS, the plaintext buffered).
    pub fn bytes_readable(&self) -> usize {
        self.tls_buffered().unwrap_or_else(|| sys::bytes_readable(self.wait_fd()).unwrap_or(0))
    }

    /// Whether the socket is IPv6 (options such as TTL have per-family names).
    pub fn is_ipv6(&self) -> Result<bool, Errno> {
        Ok(self.ipv6)
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.transport.wait_fd()
    }
}

fn sock_addr(a: SockAddr) -> Result<SocketAddr, Errno> {
    a.as_socket().ok_or_else(|| Errno::from(io::Error::from(io::ErrorKind::InvalidInput)))
}
