//! Keeping a blocking call's timeout when the host drops what the kernel
//! delivered (a denied peer's datagram or connection).
//!
//! The kernel restarts `SO_RCVTIMEO` at every `recv`/`accept`; a loop that
//! drops a denied datagram and calls again would let one denied datagram a
//! second keep a 3 s timeout waiting forever. Instead the deadline is fixed
//! when the guest's call starts, and after a drop the host waits for the
//! socket to be readable again only for the time left.

use super::Socket;
use crate::abi::Errno;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// The deadline of one blocking call, read from `SO_RCVTIMEO` only if a
/// drop happens (the common path makes no extra system call).
pub(super) struct Deadline {
    started: Instant,
    /// `None`: not read yet; `Some(None)`: no timeout.
    at: Option<Option<Instant>>,
}

impl Deadline {
    pub fn start() -> Deadline {
        Deadline { started: Instant::now(), at: None }
    }

    /// After a drop: returns once the socket may have something else to
    /// give, `again` when the guest's timeout has run out. A non-blocking
    /// socket returns at once (its next call answers `again` by itself).
    pub fn wait_readable(&mut self, sock: &Socket) -> Result<(), Errno> {
        if sock.is_nonblocking() {
            return Ok(());
        }
        let at = match self.at {
            Some(at) => at,
            None => {
                let timeout = sock.os().read_timeout()?;
                let at = timeout.map(|t| self.started + t);
                self.at = Some(at);
                at
            }
        };
        let left: Option<Duration> = at.map(|d| d.saturating_duration_since(Instant::now()));
        if left == Some(Duration::ZERO) {
            return Err(Errno::AGAIN);
        }
        let mut fds = [libc::pollfd { fd: sock.as_raw_fd(), events: libc::POLLIN, revents: 0 }];
        match crate::sys::poll(&mut fds, left)? {
            0 => Err(Errno::AGAIN),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    //! The user-space second line on its own: a socket built without its
    //! kernel filter, so denied datagrams and connections reach the host.
    use super::super::{Kind, Socket};
    use crate::abi::Errno;
    use crate::audit::{Decision, DecisionHook, Hooks};
    use crate::pool::{AddrRule, Pool, Right};
    use crate::sys::IoVecs;
    use socket2::Domain;
    use std::net::{SocketAddr, TcpStream, UdpSocket};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Counts the denials reported (the batch tests use it too).
    #[derive(Default)]
    pub(in crate::socket) struct Denials(pub AtomicUsize);

    impl DecisionHook for Denials {
        fn decided(&self, d: &Decision<'_>) {
            if !d.granted() {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// A socket whose pool admits only 127.0.0.2, without the kernel filter.
    pub(in crate::socket) fn unfiltered(kind: Kind, denials: &Arc<Denials>) -> Socket {
        let mut pool = Pool::new("t");
        pool.addr_rules.push(AddrRule::parse(Right::Accept, "127.0.0.2").unwrap());
        let hooks = Arc::new(Hooks::new(vec![denials.clone()]));
        let sock = Socket::open(Arc::new(Pool::new("t")), hooks, Domain::IPV4, kind).unwrap();
        // The filtering pool, after the (empty) pool's open attached no filter.
        Socket { pool: Arc::new(pool), ..sock }
    }

    #[test]
    fn denied_datagrams_keep_the_receive_timeout() {
        let denials = Arc::new(Denials::default());
        let sock = unfiltered(Kind::Datagram, &denials);
        sock.os().bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into()).unwrap();
        sock.os().set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        let to = sock.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let sender = {
            let stop = stop.clone();
            let s = UdpSocket::bind("127.0.0.3:0").unwrap();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    s.send_to(b"denied", to).unwrap();
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        };
        let t0 = Instant::now();
        let mut buf = [0u8; 16];
        let mut iov = IoVecs::new();
        iov.push(buf.as_mut_ptr(), buf.len());
        let got = sock.recv(&mut iov, 0, false).map(|r| r.len);
        let took = t0.elapsed();
        stop.store(true, Ordering::Relaxed);
        sender.join().unwrap();
        assert_eq!(got, Err(Errno::AGAIN));
        assert!(took >= Duration::from_millis(900) && took < Duration::from_millis(2500), "{took:?}");
        assert!(denials.0.load(Ordering::Relaxed) >= 5, "the denied datagrams reached the host and were refused");
    }

    #[test]
    fn denied_connections_keep_the_accept_timeout() {
        let denials = Arc::new(Denials::default());
        let sock = unfiltered(Kind::Stream, &denials);
        sock.os().bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into()).unwrap();
        sock.os().listen(16).unwrap();
        sock.os().set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        let to = sock.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            (0..16)
                .map(|_| {
                    std::thread::sleep(Duration::from_millis(150));
                    TcpStream::connect(to).unwrap()
                })
                .collect::<Vec<_>>()
        });
        let t0 = Instant::now();
        let got = sock.accept(false).map(|(_, peer)| peer);
        let took = t0.elapsed();
        drop(client.join().unwrap());
        assert_eq!(got.err(), Some(Errno::AGAIN));
        assert!(took >= Duration::from_millis(900) && took < Duration::from_millis(2500), "{took:?}");
        assert!(denials.0.load(Ordering::Relaxed) >= 3);
    }
}
