//! [`UdpSocket`], with the methods of [`std::net::UdpSocket`], on top of
//! [`Socket`]. (std's own `UdpSocket` on `wasm32-wasip1` supports none of
//! them.)

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::lookup::{each_addr, try_each, ToSocketAddrs};
use super::tcp::fd_conversions;
use crate::addr::{Family, RawAddr, SockType};
use crate::error::cvt;
use crate::pool::Pool;
use crate::socket::Socket;
use crate::sys;

/// A UDP socket, like [`std::net::UdpSocket`].
///
/// Destinations (`send_to`, `connect`) must be granted by the pool's
/// `connect` rules, local addresses by its `bind` rules, and when the pool
/// has `accept` rules, `recv_from` only sees datagrams from granted sources.
/// Host names given to `send_to` and `connect` resolve through the default
/// pool.
///
/// ```no_run
/// // Run with: wasock run --allow-bind "127.0.0.1:*" --allow-connect 127.0.0.1:9000 udp.wasm
/// use wasock::net::UdpSocket;
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.send_to(b"ping", "127.0.0.1:9000")?;
/// let mut buf = [0u8; 1500];
/// let (n, from) = socket.recv_from(&mut buf)?;
/// println!("{n} bytes from {from}");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UdpSocket {
    inner: Socket,
}

/// The host takes at most this many datagrams per batch (Linux's `UIO_MAXIOV`).
const MAX_BATCH: usize = 1024;

/// A count for the ABI (at most [`MAX_BATCH`] here).
fn len32(n: usize) -> u32 {
    n as u32
}

/// The ABI's `interface` for an IPv4 group: the address's bytes in memory
/// order, as C's `in_addr.s_addr` (0 = any), see [`Socket::join_multicast`].
fn v4_interface(interface: &Ipv4Addr) -> u32 {
    u32::from_le_bytes(interface.octets())
}

impl UdpSocket {
    fn bind_one(pool: &Pool, addr: &SocketAddr) -> io::Result<UdpSocket> {
        let sock = Socket::new_in(pool, Family::of(addr), SockType::Datagram)?;
        sock.bind(addr)?;
        Ok(UdpSocket { inner: sock })
    }

    /// Binds to `addr` (the first resolved address that works), opening the
    /// socket from the default pool.
    ///
    /// ```no_run
    /// let socket = wasock::net::UdpSocket::bind("127.0.0.1:0")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        each_addr(addr, None, UdpSocket::bind_one)
    }

    /// Binds through `pool`.
    pub fn bind_in<A: ToSocketAddrs>(pool: &Pool, addr: A) -> io::Result<UdpSocket> {
        each_addr(addr, Some(pool), UdpSocket::bind_one)
    }

    /// Receives a datagram and the address it came from. A datagram longer
    /// than `buf` is truncated.
    ///
    /// ```no_run
    /// # let socket = wasock::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let mut buf = [0u8; 1500];
    /// let (n, from) = socket.recv_from(&mut buf)?;
    /// socket.send_to(&buf[..n], from)?; // echo it
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.recv_from(buf)
    }

    /// Like [`recv_from`](UdpSocket::recv_from), leaving the datagram queued.
    ///
    /// ```no_run
    /// # let socket = wasock::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let mut buf = [0u8; 1];
    /// let (_, from) = socket.peek_from(&mut buf)?; // who is it from?
    /// println!("next datagram is from {from}");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.peek_from(buf)
    }

    /// Sends `buf` to the first address `addr` resolves to.
    ///
    /// ```no_run
    /// # let socket = wasock::net::UdpSocket::bind("127.0.0.1:0")?;
    /// socket.send_to(b"hello", ("127.0.0.1", 9000))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], addr: A) -> io::Result<usize> {
        match addr.to_socket_addrs()?.next() {
            Some(a) => self.inner.send_to(buf, &a),
            None => Err(io::Error::new(io::ErrorKind::InvalidInput, "no addresses to send data to")),
        }
    }

    /// Sends each `(buf, to)` as one datagram, to `to` or, for `None`, the
    /// connected peer, in one host call (one `sendmmsg`); at most 1024 per
    /// call. Returns how many were sent, from the first: every destination
    /// is checked against the pool before anything is sent, and the first
    /// one it denies ends the batch there (if that is the first datagram,
    /// the call fails with [`PermissionDenied`](io::ErrorKind::PermissionDenied)).
    ///
    /// ```no_run
    /// # let socket = wasock::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let to = Some("127.0.0.1:9000".parse().unwrap());
    /// let sent = socket.send_batch(&[(b"one", to), (b"two", to)])?;
    /// assert_eq!(sent, 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_batch(&self, msgs: &[(&[u8], Option<SocketAddr>)]) -> io::Result<usize> {
        let msgs = &msgs[..msgs.len().min(MAX_BATCH)];
        let iovs: Vec<sys::RawIovec> =
            msgs.iter().map(|(b, _)| sys::RawIovec { buf: b.as_ptr().cast_mut(), len: b.len() }).collect();
        let mut recs: Vec<sys::Dgram> = msgs
            .iter()
            .zip(&iovs)
            .map(|((_, to), iov)| sys::Dgram::new(iov, 1, to.map(RawAddr::from).unwrap_or_default()))
            .collect();
        let mut n = 0u32;
        // SAFETY: each record points to one iovec of a live buffer (the host
        // only reads it); `n` is a valid place for the count.
        let r = unsafe { sys::send_batch(self.inner.as_raw_fd(), recs.as_mut_ptr(), len32(recs.len()), 0, &mut n) };
        cvt(r, "send_batch to", msgs.first().and_then(|(_, to)| *to))?;
        Ok(n as usize)
    }

    /// Receives up to `bufs.len()` datagrams (and at most `out.len()` and
    /// 1024) in one host call (one `recvmmsg`), datagram `i` into `bufs[i]`
    /// with its length and source in `out[i]`; a datagram longer than its
    /// buffer is cut. Waits for the first datagram only (Linux's
    /// `MSG_WAITFORONE`), then takes what is queued; returns how many.
    ///
    /// ```no_run
    /// # let socket = wasock::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let mut storage = vec![[0u8; 1500]; 32];
    /// let mut bufs: Vec<&mut [u8]> = storage.iter_mut().map(|b| &mut b[..]).collect();
    /// let mut out = [(0, "0.0.0.0:0".parse().unwrap()); 32];
    /// let n = socket.recv_batch(&mut bufs, &mut out)?;
    /// for (len, from) in &out[..n] {
    ///     println!("{len} bytes from {from}");
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv_batch(&self, bufs: &mut [&mut [u8]], out: &mut [(usize, SocketAddr)]) -> io::Result<usize> {
        let count = bufs.len().min(out.len()).min(MAX_BATCH);
        let iovs: Vec<sys::RawIovec> =
            bufs[..count].iter_mut().map(|b| sys::RawIovec { buf: b.as_mut_ptr(), len: b.len() }).collect();
        let mut recs: Vec<sys::Dgram> = iovs.iter().map(|iov| sys::Dgram::new(iov, 1, RawAddr::default())).collect();
        let mut n = 0u32;
        // SAFETY: each record points to one iovec of a live, exclusively
        // borrowed buffer; `n` is a valid place for the count.
        let r = unsafe {
            sys::recv_batch(self.inner.as_raw_fd(), recs.as_mut_ptr(), len32(count), sys::RECV_WAITFORONE, &mut n)
        };
        cvt(r, "recv_batch on", None)?;
        for (o, rec) in out.iter_mut().zip(&recs[..n as usize]) {
            *o = (rec.len as usize, rec.addr.to_socket_addr()?);
        }
        Ok(n as usize)
    }

    /// The address this socket is connected to.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Another handle to the same socket (the host's `fd_dup`).
    pub fn try_clone(&self) -> io::Result<UdpSocket> {
        Ok(UdpSocket { inner: self.inner.try_clone()? })
    }

    /// Sets the read timeout; `None` blocks forever. A receive that times
    /// out fails with [`WouldBlock`](io::ErrorKind::WouldBlock).
    pub fn set_read_timeout(&self, dur: Option<Duration>) -> io::Result<()> {
        self.inner.set_read_timeout(dur)
    }

    /// Sets the write timeout; `None` blocks forever.
    pub fn set_write_timeout(&self, dur: Option<Duration>) -> io::Result<()> {
        self.inner.set_write_timeout(dur)
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.inner.read_timeout()
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.inner.write_timeout()
    }

    /// Sets `SO_BROADCAST`.
    ///
    /// ```no_run
    /// // Run with: wasock run --allow-bind "0.0.0.0:*" --allow-connect 255.255.255.255:9 ...
    /// let socket = wasock::net::UdpSocket::bind("0.0.0.0:0")?;
    /// socket.set_broadcast(true)?;
    /// socket.send_to(b"anyone?", "255.255.255.255:9")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_broadcast(&self, broadcast: bool) -> io::Result<()> {
        self.inner.set_broadcast(broadcast)
    }

    /// Gets `SO_BROADCAST`.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.inner.broadcast()
    }

    /// Sets `IP_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.inner.set_multicast_loop(on)
    }

    /// Gets `IP_MULTICAST_LOOP`.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.inner.multicast_loop()
    }

    /// Sets `IP_MULTICAST_TTL`.
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.inner.set_multicast_ttl(ttl)
    }

    /// Gets `IP_MULTICAST_TTL`.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.inner.multicast_ttl()
    }

    /// Sets `IPV6_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.inner.set_multicast_loop(on)
    }

    /// Gets `IPV6_MULTICAST_LOOP`.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.inner.multicast_loop()
    }

    /// Sets the IP TTL (unicast hops on IPv6).
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.set_ttl(ttl)
    }

    /// Gets the IP TTL.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.ttl()
    }

    /// Joins IPv4 multicast group `multiaddr` on the interface with address
    /// `interface` (`0.0.0.0`: any). The pool must grant the group.
    ///
    /// ```no_run
    /// use std::net::Ipv4Addr;
    /// // Run with: wasock run --allow-bind 0.0.0.0:5353 --allow-accept 239.255.0.0/16 ...
    /// let socket = wasock::net::UdpSocket::bind("0.0.0.0:5353")?;
    /// socket.join_multicast_v4(&Ipv4Addr::new(239, 255, 0, 1), &Ipv4Addr::UNSPECIFIED)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn join_multicast_v4(&self, multiaddr: &Ipv4Addr, interface: &Ipv4Addr) -> io::Result<()> {
        self.inner.join_multicast(&IpAddr::V4(*multiaddr), v4_interface(interface))
    }

    /// Joins IPv6 multicast group `multiaddr` on interface index `interface`
    /// (0: any).
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.inner.join_multicast(&IpAddr::V6(*multiaddr), interface)
    }

    /// Leaves an IPv4 multicast group.
    pub fn leave_multicast_v4(&self, multiaddr: &Ipv4Addr, interface: &Ipv4Addr) -> io::Result<()> {
        self.inner.leave_multicast(&IpAddr::V4(*multiaddr), v4_interface(interface))
    }

    /// Leaves an IPv6 multicast group.
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.inner.leave_multicast(&IpAddr::V6(*multiaddr), interface)
    }

    /// Reads and clears the pending socket error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Connects to `addr` (the first resolved address that works), so
    /// [`send`](UdpSocket::send) and [`recv`](UdpSocket::recv) use it and
    /// datagrams from elsewhere are dropped. The pool must grant it.
    ///
    /// ```no_run
    /// # let socket = wasock::net::UdpSocket::bind("127.0.0.1:0")?;
    /// socket.connect("127.0.0.1:9000")?;
    /// socket.send(b"ping")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        // The socket exists already: only names need a pool (the default
        // one), so a socket from a named pool can connect to literal addresses.
        try_each(addr.to_socket_addrs()?, |a| self.inner.connect(a))
    }

    /// Sends `buf` to the connected peer.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.send(buf)
    }

    /// Receives a datagram from the connected peer.
    ///
    /// ```no_run
    /// # let socket = wasock::net::UdpSocket::bind("127.0.0.1:0")?;
    /// socket.connect("127.0.0.1:9000")?;
    /// let mut buf = [0u8; 1500];
    /// let n = socket.recv(&mut buf)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.recv(buf)
    }

    /// Like [`recv`](UdpSocket::recv), leaving the datagram queued.
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf)
    }

    /// Switches non-blocking mode: receives with nothing queued then fail
    /// with [`WouldBlock`](io::ErrorKind::WouldBlock).
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.inner.set_nonblocking(nonblocking)
    }

    /// The underlying [`Socket`], for options std does not offer.
    pub fn socket(&self) -> &Socket {
        &self.inner
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UdpSocket");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.inner.as_raw_fd()).finish()
    }
}

fd_conversions!(UdpSocket, std::net::UdpSocket);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_numbering() {
        assert_eq!(v4_interface(&Ipv4Addr::UNSPECIFIED), 0);
        // The bytes of an `in_addr` in memory: 127.0.0.1 is 0x0100_007f on little-endian wasm.
        assert_eq!(v4_interface(&Ipv4Addr::new(127, 0, 0, 1)).to_le_bytes(), [127, 0, 0, 1]);
    }
}
