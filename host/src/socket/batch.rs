//! Batched datagrams: one `sendmmsg` or `recvmmsg` for many messages, with
//! the pool's checks of the single calls applied to every message.

use super::wait::Deadline;
use super::{Direction, Kind, Socket};
use crate::abi::Errno;
use crate::audit::Operation;
use crate::pool::Right;
use crate::sys::{self, IoVecs, Received};
use std::net::SocketAddr;

impl Socket {
    /// Sends each message to its destination (or the connected peer).
    /// Every destination is checked before anything is sent; when message
    /// `k` is the first one denied, only `0..k` are sent, and `k == 0` is
    /// the denial itself (`notcapable`, logged). Returns the bytes sent of each
    /// message the kernel sent.
    pub fn send_batch(&self, msgs: &mut [(IoVecs, Option<SocketAddr>)], flags: i32) -> Result<Vec<usize>, Errno> {
        // The batch calls move bytes straight between the kernel and guest
        // memory: on a TLS connection they would bypass its session.
        if self.is_tls() {
            return Err(Errno::NOTSUP);
        }
        let mut allowed = msgs.len();
        for (k, to) in msgs.iter().enumerate().filter_map(|(k, (_, to))| Some((k, to.as_ref()?))) {
            // A denial past the first message only ends the batch: the
            // guest learns of it from its next call, which starts with that
            // message and reports (and logs) it, so it is logged once.
            if k > 0 && (self.unix || self.pool.decide(Right::Connect, to).is_none()) {
                allowed = k;
                break;
            }
            self.check_destination(to)?;
        }
        let r = sys::sendmmsg(self.wait_fd(), &mut msgs[..allowed], flags).map_err(Errno::from);
        self.readiness.after(Direction::Write, r)
    }

    /// Receives up to `iovs.len()` messages, message `i` into `iovs[i]`
    /// (`flags` may hold `MSG_WAITFORONE`). In a pool that filters peers a
    /// message from a peer it does not admit is logged and removed as if it
    /// had never arrived (see [`compact`]); when none is left the wait goes
    /// on within `SO_RCVTIMEO`, as in [`Socket::recv`].
    pub fn recv_batch(&self, iovs: &mut [IoVecs], flags: i32) -> Result<Vec<Received>, Errno> {
        if self.is_tls() {
            return Err(Errno::NOTSUP);
        }
        self.readiness.after(Direction::Read, self.recv_batch_admitted(iovs, flags))
    }

    fn recv_batch_admitted(&self, iovs: &mut [IoVecs], flags: i32) -> Result<Vec<Received>, Errno> {
        let filter = self.kind == Kind::Datagram && self.pool.filters_peers();
        let mut deadline = Deadline::start();
        loop {
            let mut got = sys::recvmmsg(self.wait_fd(), iovs, flags)?;
            if !filter {
                return Ok(got);
            }
            let admitted: Vec<bool> =
                got.iter().map(|m| m.from.is_none_or(|from| self.admits(Operation::Receive, &from))).collect();
            compact(iovs, &mut got, &admitted);
            if !got.is_empty() {
                return Ok(got);
            }
            if flags & libc::MSG_PEEK != 0 {
                // Every record peeked the same denied datagram: consume it
                // so the next one can be seen.
                sys::recv(self.wait_fd(), &mut IoVecs::new(), 0, false, true)?;
            }
            deadline.wait_readable(self)?;
        }
    }
}

/// Removes the messages not `admitted` from a batch as if they had never
/// arrived: each admitted message after the first removed one moves down
/// into the earliest free record's buffers (cut to them, `truncated` if
/// cut, as the kernel would have put it there), and every byte a removed
/// or moved message left in a buffer is zeroed first, so no denied byte
/// stays in guest memory.
fn compact(iovs: &mut [IoVecs], got: &mut Vec<Received>, admitted: &[bool]) {
    let Some(first) = admitted.iter().position(|a| !a) else { return };
    let tail: Vec<Received> = got.drain(first..).collect();
    let moved: Vec<(Vec<u8>, Received)> = tail
        .iter()
        .zip(&iovs[first..])
        .zip(&admitted[first..])
        .filter(|(_, &a)| a)
        .map(|((m, iov), _)| (iov.gather(m.len), Received { len: m.len, from: m.from, truncated: m.truncated }))
        .collect();
    for (iov, m) in iovs[first..].iter_mut().zip(&tail) {
        iov.zero(m.len);
    }
    for ((data, m), iov) in moved.into_iter().zip(&mut iovs[first..]) {
        let len = iov.scatter(&data);
        got.push(Received { len, from: m.from, truncated: m.truncated || len < data.len() });
    }
}

#[cfg(test)]
mod tests {
    use super::super::wait::tests::{unfiltered, Denials};
    use super::*;
    use std::net::UdpSocket;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    /// The second line on a batch: denied messages (from 127.0.0.3) are
    /// removed, the admitted ones after them move down, and no denied byte
    /// is left in any buffer.
    #[test]
    fn denied_messages_are_removed_and_their_bytes_zeroed() {
        let denials = Arc::new(Denials::default());
        let sock = unfiltered(Kind::Datagram, &denials);
        sock.os().bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into()).unwrap();
        let to = sock.local_addr().unwrap();
        let (ok, bad) = (UdpSocket::bind("127.0.0.2:0").unwrap(), UdpSocket::bind("127.0.0.3:0").unwrap());
        for (s, m) in [(&ok, &b"a1"[..]), (&bad, b"DENIED-DENIED"), (&ok, b"a2"), (&bad, b"D"), (&ok, b"a3-longer")] {
            s.send_to(m, to).unwrap();
        }
        let mut bufs = [[0u8; 16]; 6];
        let mut iovs: Vec<IoVecs> = bufs
            .iter_mut()
            .map(|b| {
                let mut v = IoVecs::new();
                v.push(b.as_mut_ptr(), b.len());
                v
            })
            .collect();
        let got = sock.recv_batch(&mut iovs, libc::MSG_WAITFORONE).unwrap();
        drop(iovs);
        let lens: Vec<usize> = got.iter().map(|m| m.len).collect();
        assert_eq!(lens, [2, 2, 9]);
        assert!(got.iter().all(|m| m.from == Some(ok.local_addr().unwrap()) && !m.truncated));
        assert_eq!(&bufs[0][..], b"a1\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
        assert_eq!(&bufs[1][..], b"a2\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "the denied bytes were zeroed");
        assert_eq!(&bufs[2][..9], b"a3-longer");
        assert!(bufs[2][9..].iter().chain(bufs[3..].iter().flatten()).all(|&b| b == 0));
        assert_eq!(denials.0.load(Ordering::Relaxed), 2, "each denied message logged");
    }
}
