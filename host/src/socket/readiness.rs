//! Edge-triggered readiness, opted into per socket by async runtimes.
//!
//! `poll_oneoff` is level-triggered: a writable socket makes every call
//! return at once. tokio (through mio's wasip1 selector) subscribes every
//! socket for reading and writing on every poll and expects edge-triggered
//! readiness, so an idle connection would spin a CPU. Because the host
//! serves both `poll_oneoff` and every operation on the socket, it can give
//! such a socket epoll's `EPOLLET` contract: once a direction has been
//! reported ready, `poll_oneoff` stops watching it until an operation in
//! that direction answers `again` (the guest has drained it), which re-arms
//! it. A socket starts armed both ways. Level-triggered (the default, and
//! what C `poll()` relies on) is unchanged.
//!
//! A short transfer ends readiness too, as it does for tokio on Linux:
//! there, a read that fills less than its buffer (or a write that takes
//! less than it was given) shows that the socket is drained (full), so tokio
//! clears its readiness and waits for epoll's next edge. On wasip1 tokio
//! does not draw that conclusion (its `cfg` names the epoll and kqueue
//! targets), so every short read would be followed by one that fails with
//! `again`: a host call and a system call per message. In edge mode the
//! host draws the conclusion for it: after a short non-blocking stream
//! transfer the direction is re-armed and *spent*, and the next non-blocking
//! call in it answers `again` without asking the kernel. `poll_oneoff` asks
//! the kernel when it next watches the direction, so nothing that arrived in
//! between is missed; it is reported then, and the call after that is the
//! kernel's. A TLS connection's short transfer re-arms its direction too,
//! but does not spend it (its session may hold more than the kernel shows),
//! so a guest may take any short transfer as the end of readiness, as
//! `wasock::tokio::TcpStream` does.

use crate::abi::Errno;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering::Relaxed};

/// A direction of readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Read = 1,
    Write = 2,
}

const BOTH: u8 = Direction::Read as u8 | Direction::Write as u8;

/// One socket's readiness mode and, when edge-triggered, which directions
/// `poll_oneoff` watches.
pub struct Readiness {
    edge: AtomicBool,
    armed: AtomicU8,
    /// Directions whose last non-blocking stream transfer was short (edge
    /// mode only): the next call in them answers `again` by itself.
    spent: AtomicU8,
}

impl Default for Readiness {
    fn default() -> Readiness {
        Readiness { edge: AtomicBool::new(false), armed: AtomicU8::new(BOTH), spent: AtomicU8::new(0) }
    }
}

impl Readiness {
    pub fn is_edge(&self) -> bool {
        self.edge.load(Relaxed)
    }

    /// Switches the mode; either way both directions start armed.
    pub fn set_edge(&self, on: bool) {
        self.edge.store(on, Relaxed);
        self.armed.store(BOTH, Relaxed);
        self.spent.store(0, Relaxed);
    }

    /// Whether `poll_oneoff` should watch `dir` now.
    pub fn watches(&self, dir: Direction) -> bool {
        !self.edge.load(Relaxed) || self.armed.load(Relaxed) & dir as u8 != 0
    }

    /// `poll_oneoff` reported `dir` ready: in edge mode, stop watching it.
    /// The kernel has just said that `dir` is ready, so it is no longer spent.
    pub fn reported(&self, dir: Direction) {
        if self.edge.load(Relaxed) {
            self.armed.fetch_and(!(dir as u8), Relaxed);
            if self.spent.load(Relaxed) & dir as u8 != 0 {
                self.spent.fetch_and(!(dir as u8), Relaxed);
            }
        }
    }

    /// Before a non-blocking stream transfer in `dir`: whether it must
    /// answer `again` without asking the kernel, because the last one was
    /// short and `poll_oneoff` has not seen the direction ready since. The
    /// answer is given once; the direction is armed already.
    pub fn take_spent(&self, dir: Direction) -> bool {
        // One load in the common case (nothing spent, or level-triggered).
        self.spent.load(Relaxed) & dir as u8 != 0 && self.spent.fetch_and(!(dir as u8), Relaxed) & dir as u8 != 0
    }

    /// After a non-blocking stream transfer in `dir` that was given `asked`
    /// bytes: in edge mode, one that moved fewer (but some) re-arms the
    /// direction and marks it spent. The result is passed on unchanged.
    pub fn after_transfer(&self, dir: Direction, r: Result<usize, Errno>, asked: usize) -> Result<usize, Errno> {
        self.after_short(dir, r, asked, true)
    }

    /// [`after_transfer`](Readiness::after_transfer) for a TLS connection:
    /// a short transfer re-arms the direction but does not spend it. Its
    /// session may hold more than the kernel shows, so the next call is
    /// always the session's; re-arming keeps the rule a runtime relies on
    /// (after a short transfer, wait for the next report) from stalling it.
    pub fn after_tls_transfer(&self, dir: Direction, r: Result<usize, Errno>, asked: usize) -> Result<usize, Errno> {
        self.after_short(dir, r, asked, false)
    }

    fn after_short(&self, dir: Direction, r: Result<usize, Errno>, asked: usize, spend: bool) -> Result<usize, Errno> {
        match r {
            Ok(n) if n > 0 && n < asked && self.edge.load(Relaxed) => {
                self.armed.fetch_or(dir as u8, Relaxed);
                if spend {
                    self.spent.fetch_or(dir as u8, Relaxed);
                }
            }
            _ => {}
        }
        self.after(dir, r)
    }

    /// Passes on an operation's result, re-arming `dir` when it says the
    /// guest must wait (`again`, or `inprogress` for a connect's write side).
    pub fn after<T>(&self, dir: Direction, r: Result<T, Errno>) -> Result<T, Errno> {
        if matches!(r, Err(Errno::AGAIN) | Err(Errno::INPROGRESS)) {
            // Usually armed already (and always, level-triggered): a load
            // spares the locked read-modify-write.
            if self.armed.load(Relaxed) & dir as u8 == 0 {
                self.armed.fetch_or(dir as u8, Relaxed);
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_mode_reports_once_until_again() {
        let r = Readiness::default();
        r.reported(Direction::Write);
        assert!(r.watches(Direction::Write), "level-triggered by default");
        r.set_edge(true);
        assert!(r.watches(Direction::Read) && r.watches(Direction::Write));
        r.reported(Direction::Write);
        assert!(!r.watches(Direction::Write) && r.watches(Direction::Read));
        assert_eq!(r.after(Direction::Write, Ok::<_, Errno>(5)), Ok(5));
        assert!(!r.watches(Direction::Write), "a successful send does not re-arm");
        assert_eq!(r.after::<()>(Direction::Write, Err(Errno::AGAIN)), Err(Errno::AGAIN));
        assert!(r.watches(Direction::Write));
        r.reported(Direction::Read);
        let _ = r.after::<()>(Direction::Read, Err(Errno::CONNRESET));
        assert!(!r.watches(Direction::Read), "only `again` re-arms");
        r.set_edge(false);
        assert!(r.watches(Direction::Read));
    }

    #[test]
    fn a_short_transfer_spends_its_direction_in_edge_mode_only() {
        let r = Readiness::default();
        assert_eq!(r.after_transfer(Direction::Read, Ok(3), 16), Ok(3));
        assert!(!r.take_spent(Direction::Read), "level-triggered: every call is the kernel's");
        r.set_edge(true);
        r.reported(Direction::Read);
        assert_eq!(r.after_transfer(Direction::Read, Ok(16), 16), Ok(16));
        assert!(!r.watches(Direction::Read) && !r.take_spent(Direction::Read), "a full read proves nothing");
        assert_eq!(r.after_transfer(Direction::Read, Ok(0), 16), Ok(0));
        assert!(!r.take_spent(Direction::Read), "the end of the stream is read again");
        assert_eq!(r.after_transfer(Direction::Read, Ok(3), 16), Ok(3));
        assert!(r.watches(Direction::Read), "a short read re-arms, as again would");
        assert!(!r.take_spent(Direction::Write), "per direction");
        assert!(r.take_spent(Direction::Read));
        assert!(!r.take_spent(Direction::Read), "answered once");
        let _ = r.after_transfer(Direction::Write, Ok(1), 2);
        r.reported(Direction::Write);
        assert!(!r.take_spent(Direction::Write), "poll saw it ready: the next call is the kernel's");
        let _ = r.after_transfer(Direction::Write, Ok(1), 2);
        r.set_edge(true);
        assert!(!r.take_spent(Direction::Write), "setting the mode forgets it");
        assert_eq!(r.after_transfer(Direction::Write, Err(Errno::AGAIN), 2), Err(Errno::AGAIN));
        assert!(r.watches(Direction::Write) && !r.take_spent(Direction::Write));
    }

    #[test]
    fn a_short_tls_transfer_rearms_without_spending() {
        let r = Readiness::default();
        r.set_edge(true);
        for dir in [Direction::Read, Direction::Write] {
            r.reported(dir);
            assert_eq!(r.after_tls_transfer(dir, Ok(16), 16), Ok(16));
            assert!(!r.watches(dir), "a full transfer proves nothing");
            assert_eq!(r.after_tls_transfer(dir, Ok(3), 16), Ok(3));
            assert!(r.watches(dir), "watched again after a short one");
            assert!(!r.take_spent(dir), "the session answers the next call");
        }
    }
}
