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
}

impl Default for Readiness {
    fn default() -> Readiness {
        Readiness { edge: AtomicBool::new(false), armed: AtomicU8::new(BOTH) }
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
    }

    /// Whether `poll_oneoff` should watch `dir` now.
    pub fn watches(&self, dir: Direction) -> bool {
        !self.edge.load(Relaxed) || self.armed.load(Relaxed) & dir as u8 != 0
    }

    /// `poll_oneoff` reported `dir` ready: in edge mode, stop watching it.
    pub fn reported(&self, dir: Direction) {
        if self.edge.load(Relaxed) {
            self.armed.fetch_and(!(dir as u8), Relaxed);
        }
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
}
