//! [`Socket`]'s options, every one through the generic `sockopt_set` /
//! `sockopt_get` pair with the numbers of [`sys::opt`]: a value is its
//! little-endian bytes (a bool a `u32` 0 or 1, an int an `i32`, a timeout
//! `u64` nanoseconds), so each method is one line over [`Socket::set_raw_option`]
//! or [`Socket::raw_option`].

use std::io;
use std::time::Duration;

use super::Socket;
use crate::error::cvt;
use crate::sys::{self, opt, opt::Opt};

/// Converts an optional timeout to the ABI's nanoseconds (0 = none),
/// refusing a zero duration like std does.
fn timeout_ns(t: Option<Duration>) -> io::Result<u64> {
    match t {
        None => Ok(0),
        Some(d) if d.is_zero() => Err(io::Error::new(io::ErrorKind::InvalidInput, "cannot set a 0 duration timeout")),
        // Sub-nanosecond remainders are impossible; saturate absurdly long ones.
        Some(d) => Ok(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
    }
}

/// A count or size as the kernel's `int`, saturating.
fn int(v: u64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// An option, or an option with an IPv4 and an IPv6 variant (`IP_TTL`,
/// `IPV6_UNICAST_HOPS`) that the methods choose by the socket's family.
enum Which {
    One(Opt),
    ByFamily(Opt, Opt),
}

impl From<Opt> for Which {
    fn from(o: Opt) -> Which {
        Which::One(o)
    }
}

impl From<(Opt, Opt)> for Which {
    fn from((v4, v6): (Opt, Opt)) -> Which {
        Which::ByFamily(v4, v6)
    }
}

/// Defines a boolean option's setter and getter.
macro_rules! flag_option {
    ($(#[$sdoc:meta])* $set:ident, $(#[$gdoc:meta])* $get:ident => $opt:expr) => {
        $(#[$sdoc])*
        pub fn $set(&self, on: bool) -> io::Result<()> {
            self.set_int(self.pick($opt)?, on.into(), stringify!($set))
        }

        $(#[$gdoc])*
        pub fn $get(&self) -> io::Result<bool> {
            Ok(self.get_int(self.pick($opt)?, stringify!($get))? != 0)
        }
    };
}

/// Defines an int option's setter and getter over `u32` (the kernel
/// answers for values out of its range).
macro_rules! number_option {
    ($(#[$sdoc:meta])* $set:ident, $(#[$gdoc:meta])* $get:ident => $opt:expr) => {
        $(#[$sdoc])*
        pub fn $set(&self, value: u32) -> io::Result<()> {
            self.set_int(self.pick($opt)?, value as i32, stringify!($set))
        }

        $(#[$gdoc])*
        pub fn $get(&self) -> io::Result<u32> {
            Ok(self.get_int(self.pick($opt)?, stringify!($get))? as u32)
        }
    };
}

/// Defines a seconds option (`TCP_KEEPIDLE`, ...) over [`Duration`] (whole seconds).
macro_rules! seconds_option {
    ($(#[$sdoc:meta])* $set:ident, $(#[$gdoc:meta])* $get:ident => $opt:expr) => {
        $(#[$sdoc])*
        pub fn $set(&self, d: Duration) -> io::Result<()> {
            self.set_int($opt, int(d.as_secs()), stringify!($set))
        }

        $(#[$gdoc])*
        pub fn $get(&self) -> io::Result<Duration> {
            Ok(Duration::from_secs(self.get_int($opt, stringify!($get))?.max(0) as u64))
        }
    };
}

impl Socket {
    /// Sets any option of the spec from its value's bytes (see [`sys::opt`]
    /// for the numbers and the spec for each type's encoding).
    ///
    /// ```no_run
    /// use wasock::sys::opt;
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
    /// sock.set_raw_option(opt::TCP_KEEPCNT, &5i32.to_le_bytes())?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_raw_option(&self, opt: Opt, value: &[u8]) -> io::Result<()> {
        self.set_bytes(opt, value, "set_raw_option")
    }

    /// Reads any option of the spec into `buf` (cut to its length, as
    /// `getsockopt` does); returns how many bytes were written.
    pub fn raw_option(&self, opt: Opt, buf: &mut [u8]) -> io::Result<usize> {
        self.get_bytes(opt, buf, "raw_option")
    }

    fn set_bytes(&self, opt: Opt, value: &[u8], op: &'static str) -> io::Result<()> {
        let len = super::len32(value.len());
        // SAFETY: `value` is valid for `len` bytes.
        cvt(unsafe { sys::sockopt_set(self.raw(), opt.level, opt.name, value.as_ptr(), len) }, op, None)
    }

    pub(super) fn get_bytes(&self, opt: Opt, buf: &mut [u8], op: &'static str) -> io::Result<usize> {
        let mut n = 0u32;
        let len = super::len32(buf.len());
        // SAFETY: `buf` is valid for `len` bytes, `n` for the count.
        let r = unsafe { sys::sockopt_get(self.raw(), opt.level, opt.name, buf.as_mut_ptr(), len, &mut n) };
        cvt(r, op, None)?;
        Ok(n as usize)
    }

    fn set_int(&self, opt: Opt, v: i32, op: &'static str) -> io::Result<()> {
        self.set_bytes(opt, &v.to_le_bytes(), op)
    }

    pub(super) fn get_int(&self, opt: Opt, op: &'static str) -> io::Result<i32> {
        let mut b = [0u8; 4];
        self.get_bytes(opt, &mut b, op)?;
        Ok(i32::from_le_bytes(b))
    }

    fn set_timeout(&self, opt: Opt, t: Option<Duration>, op: &'static str) -> io::Result<()> {
        self.set_bytes(opt, &timeout_ns(t)?.to_le_bytes(), op)
    }

    fn timeout(&self, opt: Opt, op: &'static str) -> io::Result<Option<Duration>> {
        let mut b = [0u8; 8];
        self.get_bytes(opt, &mut b, op)?;
        let ns = u64::from_le_bytes(b);
        Ok((ns != 0).then(|| Duration::from_nanos(ns)))
    }

    /// The option itself, or of an (IPv4, IPv6) pair the one for the socket's family.
    fn pick(&self, which: impl Into<Which>) -> io::Result<Opt> {
        Ok(match which.into() {
            Which::One(o) => o,
            Which::ByFamily(v4, v6) => {
                if self.local_addr()?.is_ipv6() {
                    v6
                } else {
                    v4
                }
            }
        })
    }

    flag_option! {
        /// Sets `SO_REUSEADDR` (before `bind`).
        set_reuse_address,
        /// Gets `SO_REUSEADDR`.
        reuse_address => opt::SOCKET_REUSE_ADDR
    }

    flag_option! {
        /// Sets `SO_REUSEPORT` (before `bind`).
        set_reuse_port,
        /// Gets `SO_REUSEPORT`.
        reuse_port => opt::SOCKET_REUSE_PORT
    }

    /// Sets `SO_RCVBUF` (the kernel may round or double it).
    pub fn set_recv_buffer_size(&self, size: usize) -> io::Result<()> {
        self.set_int(opt::SOCKET_RECV_BUF_SIZE, int(size as u64), "set_recv_buffer_size")
    }

    /// Gets `SO_RCVBUF`.
    pub fn recv_buffer_size(&self) -> io::Result<usize> {
        Ok(self.get_int(opt::SOCKET_RECV_BUF_SIZE, "recv_buffer_size")?.max(0) as usize)
    }

    /// Sets `SO_SNDBUF` (the kernel may round or double it).
    pub fn set_send_buffer_size(&self, size: usize) -> io::Result<()> {
        self.set_int(opt::SOCKET_SEND_BUF_SIZE, int(size as u64), "set_send_buffer_size")
    }

    /// Gets `SO_SNDBUF`.
    pub fn send_buffer_size(&self) -> io::Result<usize> {
        Ok(self.get_int(opt::SOCKET_SEND_BUF_SIZE, "send_buffer_size")?.max(0) as usize)
    }

    /// Sets the read timeout (`SO_RCVTIMEO`); `None` blocks forever. A read
    /// that times out fails with [`WouldBlock`](io::ErrorKind::WouldBlock),
    /// as on Unix. A zero duration is `InvalidInput`.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
    /// sock.set_read_timeout(Some(Duration::from_millis(200)))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_timeout(opt::SOCKET_RECV_TIMEOUT, timeout, "set_read_timeout")
    }

    /// Gets the read timeout.
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.timeout(opt::SOCKET_RECV_TIMEOUT, "read_timeout")
    }

    /// Sets the write timeout (`SO_SNDTIMEO`); `None` blocks forever.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_timeout(opt::SOCKET_SEND_TIMEOUT, timeout, "set_write_timeout")
    }

    /// Gets the write timeout.
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.timeout(opt::SOCKET_SEND_TIMEOUT, "write_timeout")
    }

    flag_option! {
        /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
        ///
        /// The other options work the same way: a setter and a getter each.
        ///
        /// ```no_run
        /// use std::time::Duration;
        /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
        /// sock.set_nodelay(true)?;
        /// sock.set_keepalive(true)?;
        /// sock.set_keepalive_time(Duration::from_secs(30))?;
        /// sock.set_send_buffer_size(256 * 1024)?;
        /// assert!(sock.nodelay()? && sock.keepalive()?);
        /// # Ok::<(), std::io::Error>(())
        /// ```
        set_nodelay,
        /// Gets `TCP_NODELAY`.
        nodelay => opt::TCP_NODELAY
    }

    flag_option! {
        /// Makes `poll_oneoff` readiness for this socket edge-triggered, as
        /// epoll's `EPOLLET`: a direction reported ready is not reported
        /// again until an operation in it answers `WouldBlock`. For async
        /// runtimes (mio, tokio) that subscribe every socket both ways on
        /// every poll; level-triggered (the default) is what `poll()` wants.
        /// A short non-blocking read or write on a TCP socket ends readiness
        /// too: the next call in that direction is `WouldBlock` without
        /// asking the kernel, until `poll_oneoff` reports it again (tokio's
        /// assumption on Linux; the spec's `wasock.edge_triggered`).
        ///
        /// ```no_run
        /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Stream)?;
        /// sock.set_edge_triggered(true)?;
        /// assert!(sock.edge_triggered()?);
        /// # Ok::<(), std::io::Error>(())
        /// ```
        set_edge_triggered,
        /// Whether readiness is edge-triggered.
        edge_triggered => opt::WASOCK_EDGE_TRIGGERED
    }

    flag_option! {
        /// Sets `SO_KEEPALIVE`.
        set_keepalive,
        /// Gets `SO_KEEPALIVE`.
        keepalive => opt::SOCKET_KEEPALIVE
    }

    seconds_option! {
        /// Sets how long a connection is idle before keepalive probes start
        /// (`TCP_KEEPIDLE`, whole seconds).
        set_keepalive_time,
        /// Gets `TCP_KEEPIDLE`.
        keepalive_time => opt::TCP_KEEPIDLE
    }

    seconds_option! {
        /// Sets the time between keepalive probes (`TCP_KEEPINTVL`, whole seconds).
        set_keepalive_interval,
        /// Gets `TCP_KEEPINTVL`.
        keepalive_interval => opt::TCP_KEEPINTVL
    }

    number_option! {
        /// Sets how many unanswered keepalive probes drop the connection (`TCP_KEEPCNT`).
        set_keepalive_retries,
        /// Gets `TCP_KEEPCNT`.
        keepalive_retries => opt::TCP_KEEPCNT
    }

    /// Sets `TCP_USER_TIMEOUT`: how long sent data may stay unacknowledged
    /// before the connection is dropped (milliseconds; `None` is the system's default).
    pub fn set_tcp_user_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let ms = timeout.map_or(0, |d| int(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)));
        self.set_int(opt::TCP_USER_TIMEOUT, ms, "set_tcp_user_timeout")
    }

    /// Gets `TCP_USER_TIMEOUT`.
    pub fn tcp_user_timeout(&self) -> io::Result<Option<Duration>> {
        let ms = self.get_int(opt::TCP_USER_TIMEOUT, "tcp_user_timeout")?;
        Ok((ms > 0).then(|| Duration::from_millis(ms as u64)))
    }

    number_option! {
        /// Sets the maximum segment size (`TCP_MAXSEG`, before `connect`).
        set_mss,
        /// Gets `TCP_MAXSEG`.
        mss => opt::TCP_MAXSEG
    }

    flag_option! {
        /// Sets `TCP_QUICKACK` (acknowledge at once, for now).
        set_quickack,
        /// Gets `TCP_QUICKACK`.
        quickack => opt::TCP_QUICKACK
    }

    /// Sets the congestion control algorithm (`TCP_CONGESTION`, e.g. `b"cubic"`).
    pub fn set_tcp_congestion(&self, name: &[u8]) -> io::Result<()> {
        self.set_bytes(opt::TCP_CONGESTION, name, "set_tcp_congestion")
    }

    /// Gets the congestion control algorithm's name.
    pub fn tcp_congestion(&self) -> io::Result<Vec<u8>> {
        let mut b = [0u8; 16];
        let n = self.get_bytes(opt::TCP_CONGESTION, &mut b, "tcp_congestion")?;
        Ok(b[..n].split(|&c| c == 0).next().unwrap_or_default().to_vec())
    }

    /// Sets `SO_LINGER`: `Some(d)` makes close wait up to `d` (whole
    /// seconds) for unsent data; `None` turns lingering off.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        let (on, secs) = linger.map_or((0u32, 0), |d| (1, int(d.as_secs())));
        let mut v = on.to_le_bytes().to_vec();
        v.extend_from_slice(&secs.to_le_bytes());
        self.set_bytes(opt::SOCKET_LINGER, &v, "set_linger")
    }

    /// Gets `SO_LINGER`.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        let mut b = [0u8; 8];
        self.get_bytes(opt::SOCKET_LINGER, &mut b, "linger")?;
        let (on, secs) = (b[..4] != [0; 4], i32::from_le_bytes(b[4..].try_into().unwrap()));
        Ok(on.then(|| Duration::from_secs(secs.max(0) as u64)))
    }

    flag_option! {
        /// Sets `IPV6_V6ONLY` on an IPv6 socket (before `bind`): `true` keeps
        /// IPv4-mapped traffic out.
        set_only_v6,
        /// Gets `IPV6_V6ONLY`.
        only_v6 => opt::IPV6_V6ONLY
    }

    flag_option! {
        /// Sets `SO_BROADCAST` (a datagram socket may then send to a broadcast
        /// address the pool grants).
        set_broadcast,
        /// Gets `SO_BROADCAST`.
        broadcast => opt::SOCKET_BROADCAST
    }

    number_option! {
        /// Sets the unicast TTL (`IP_TTL`, or `IPV6_UNICAST_HOPS` on IPv6).
        set_ttl,
        /// Gets the unicast TTL.
        ttl => (opt::IP_TTL, opt::IPV6_UNICAST_HOPS)
    }

    number_option! {
        /// Sets the type of service (`IP_TOS`, or `IPV6_TCLASS` on IPv6).
        set_tos,
        /// Gets the type of service.
        tos => (opt::IP_TOS, opt::IPV6_TCLASS)
    }

    flag_option! {
        /// Sets multicast loopback (`IP_MULTICAST_LOOP`/`IPV6_MULTICAST_LOOP`,
        /// by the socket's family).
        set_multicast_loop,
        /// Gets multicast loopback.
        multicast_loop => (opt::IP_MULTICAST_LOOP, opt::IPV6_MULTICAST_LOOP)
    }

    number_option! {
        /// Sets the multicast TTL (`IP_MULTICAST_TTL`/`IPV6_MULTICAST_HOPS`).
        set_multicast_ttl,
        /// Gets the multicast TTL.
        multicast_ttl => (opt::IP_MULTICAST_TTL, opt::IPV6_MULTICAST_HOPS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(timeout_ns(None).unwrap(), 0);
        assert_eq!(timeout_ns(Some(Duration::from_millis(200))).unwrap(), 200_000_000);
        assert_eq!(timeout_ns(Some(Duration::ZERO)).unwrap_err().kind(), io::ErrorKind::InvalidInput);
        assert_eq!(timeout_ns(Some(Duration::MAX)).unwrap(), u64::MAX);
        assert_eq!(int(u64::MAX), i32::MAX);
    }
}
