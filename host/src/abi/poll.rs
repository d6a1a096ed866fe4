//! preview-1's `subscription` (48 bytes) and `event` (32 bytes) records
//! for `poll_oneoff`, and the `eventrwflags` bits wasock adds (the spec's
//! notes define them).
//!
//! subscription: userdata u64 @0, tag u8 @8 (0 clock, 1 fd_read,
//! 2 fd_write); clock: id u32 @16, timeout u64 @24, precision u64 @32,
//! flags u16 @40; fd_read/fd_write: fd u32 @16.
//! event: userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16,
//! flags u16 @24.

use super::Errno;

/// Bytes of a `subscription` record.
pub const SUB_SIZE: usize = 48;
/// Bytes of an `event` record.
pub const EVENT_SIZE: usize = 32;
/// `eventtype::clock`.
pub const EVENTTYPE_CLOCK: u8 = 0;
/// `eventtype::fd_read`.
pub const EVENTTYPE_FD_READ: u8 = 1;
/// `eventtype::fd_write`.
pub const EVENTTYPE_FD_WRITE: u8 = 2;
const CLOCK_REALTIME: u32 = 0;
const CLOCK_MONOTONIC: u32 = 1;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;

/// preview-1 `fd_readwrite_hangup`: Linux's `POLLHUP` (both directions
/// shut, reset, refused), not a peer's half-close, which is only readable.
pub const EVENTRWFLAGS_HANGUP: u16 = 1;
/// wasock: an error is pending (`POLLERR`).
pub const EVENTRWFLAGS_ERROR: u16 = 2;
/// wasock: the peer shut its write half (`POLLRDHUP`); read events only.
pub const EVENTRWFLAGS_READ_CLOSED: u16 = 4;
/// wasock: the event is for the conditions above alone; Linux does not
/// report the socket readable (`POLLIN`) or writable (`POLLOUT`).
pub const EVENTRWFLAGS_NOT_READY: u16 = 8;

/// What one subscription asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscription {
    /// A relative timeout on the realtime or monotonic clock, in ns: what
    /// `poll()`, `select()` and `sleep` make. The host serves it.
    RelativeClock {
        /// Nanoseconds from now.
        timeout: u64,
    },
    /// Any other clock subscription (absolute, or another clock): left to
    /// wasmtime-wasi.
    OtherClock,
    /// Readiness of `fd` for reading or writing.
    Fd {
        /// The guest's fd.
        fd: i32,
        /// Writability (`fd_write`) rather than readability.
        write: bool,
    },
}

/// Decodes a subscription record: its userdata and what it asks for. An
/// unknown tag is `inval`.
pub fn decode_subscription(rec: &[u8; SUB_SIZE]) -> Result<(u64, Subscription), Errno> {
    let userdata = u64_at(rec, 0);
    let sub = match rec[8] {
        EVENTTYPE_CLOCK => {
            let id = u32_at(rec, 16);
            let relative = u16::from_le_bytes([rec[40], rec[41]]) & SUBCLOCKFLAGS_ABSTIME == 0;
            if relative && (id == CLOCK_REALTIME || id == CLOCK_MONOTONIC) {
                Subscription::RelativeClock { timeout: u64_at(rec, 24) }
            } else {
                Subscription::OtherClock
            }
        }
        t @ (EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE) => {
            Subscription::Fd { fd: u32_at(rec, 16) as i32, write: t == EVENTTYPE_FD_WRITE }
        }
        _ => return Err(Errno::INVAL),
    };
    Ok((userdata, sub))
}

/// The record with its fd replaced (an fd subscription handed to
/// wasmtime-wasi under wasmtime-wasi's own number).
pub fn with_fd(mut rec: [u8; SUB_SIZE], fd: u32) -> [u8; SUB_SIZE] {
    rec[16..20].copy_from_slice(&fd.to_le_bytes());
    rec
}

/// A relative monotonic timeout of `ns` as a subscription record.
pub fn monotonic_timeout(userdata: u64, ns: u64) -> [u8; SUB_SIZE] {
    let mut rec = [0u8; SUB_SIZE];
    rec[0..8].copy_from_slice(&userdata.to_le_bytes());
    rec[8] = EVENTTYPE_CLOCK;
    rec[16..20].copy_from_slice(&CLOCK_MONOTONIC.to_le_bytes());
    rec[24..32].copy_from_slice(&ns.to_le_bytes());
    rec
}

/// An event to hand back to the guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The subscription's userdata.
    pub userdata: u64,
    /// About the subscription (a bad fd), never about a socket's condition.
    pub error: Errno,
    /// The `eventtype`.
    pub kind: u8,
    /// Bytes ready to read, for a read event.
    pub nbytes: u64,
    /// `eventrwflags`.
    pub flags: u16,
}

impl Event {
    /// The event record.
    pub fn encode(&self) -> [u8; EVENT_SIZE] {
        let mut b = [0u8; EVENT_SIZE];
        b[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&self.error.0.to_le_bytes());
        b[10] = self.kind;
        b[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&self.flags.to_le_bytes());
        b
    }

    /// Decodes an event record (one wasmtime-wasi wrote).
    pub fn decode(e: &[u8]) -> Event {
        Event {
            userdata: u64_at(e, 0),
            error: Errno(u16::from_le_bytes([e[8], e[9]])),
            kind: e[10],
            nbytes: u64_at(e, 16),
            flags: u16::from_le_bytes([e[24], e[25]]),
        }
    }
}

fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let rec = monotonic_timeout(7, 1_000);
        assert_eq!(decode_subscription(&rec), Ok((7, Subscription::RelativeClock { timeout: 1_000 })));
        let mut fd = [0u8; SUB_SIZE];
        fd[8] = EVENTTYPE_FD_WRITE;
        let fd = with_fd(fd, 9);
        assert_eq!(decode_subscription(&fd), Ok((0, Subscription::Fd { fd: 9, write: true })));
        let mut bad = [0u8; SUB_SIZE];
        bad[8] = 3;
        assert_eq!(decode_subscription(&bad), Err(Errno::INVAL));
        let e = Event { userdata: 1, error: Errno::BADF, kind: 1, nbytes: 5, flags: EVENTRWFLAGS_HANGUP };
        assert_eq!(Event::decode(&e.encode()), e);
    }
}
