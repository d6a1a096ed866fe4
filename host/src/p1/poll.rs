//! `poll_oneoff` over sockets, clocks and every other fd at once.
//!
//! When a call names only sockets and relative clocks (what `poll()`,
//! `select()` and `sleep` produce), the host makes one `ppoll` on the
//! sockets with the earliest clock as its timeout. When it also names fds
//! that wasmtime-wasi serves (stdin, files) or absolute clocks, those go to
//! wasmtime-wasi's own `poll_oneoff` on a scratch copy of the subscriptions,
//! and the sockets wait in the same tokio runtime; whichever is ready first
//! answers. Neither path busy-waits, and both report a socket on exactly
//! the conditions `ppoll` reports.
//!
//! A socket's condition goes in the event's `eventrwflags`, never in its
//! `error`: preview-1's event error is about the subscription (a bad fd),
//! and consumers such as mio take any event error as the failure of the
//! whole poll. A socket in error or hung up is ready; the error itself is
//! left in the kernel for the next `recv`, `send` or `SO_ERROR`. The bits
//! are documented in the notes of `include/wasi_ephemeral_sock.spec`.

use crate::abi::{Errno, Mem};
use crate::call::{block, memory, Fail};
use crate::socket::Direction;
use crate::state::HostState;
use crate::table::Entry;
use std::collections::HashMap;
use std::future::Future;
use std::os::fd::{AsRawFd, RawFd};
use std::task::Poll;
use std::time::{Duration, Instant};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use wasmtime::{AsContextMut, Caller};
use wasmtime_wasi::p1::wasi_snapshot_preview1::{self as wasi, WasiSnapshotPreview1};

const SUB_SIZE: usize = 48;
/// More subscriptions than this is `inval`, as `poll()` past the fd limit
/// is on Linux; it bounds what one call can make the host allocate.
const MAX_SUBSCRIPTIONS: u32 = 1 << 20;
/// At most this many subscriptions go to wasmtime-wasi (see [`wait_mixed`]).
const MAX_DELEGATED: usize = 1 << 16;
const EVENT_SIZE: usize = 32;
const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const CLOCK_REALTIME: u32 = 0;
const CLOCK_MONOTONIC: u32 = 1;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
/// preview-1 `fd_readwrite_hangup`: Linux's `POLLHUP` (both directions
/// shut, reset, refused), not a peer's half-close, which is only readable.
const EVENTRWFLAGS_HANGUP: u16 = 1;
/// wasock: an error is pending (`POLLERR`).
const EVENTRWFLAGS_ERROR: u16 = 2;
/// wasock: the peer shut its write half (`POLLRDHUP`); read events only.
const EVENTRWFLAGS_READ_CLOSED: u16 = 4;
/// wasock: the event is for the conditions above alone; Linux does not
/// report the socket readable (`POLLIN`) or writable (`POLLOUT`).
const EVENTRWFLAGS_NOT_READY: u16 = 8;

/// One socket subscription, ready to become a `pollfd`.
struct SocketSub {
    userdata: u64,
    /// The guest's number, to tell an edge-triggered socket it was reported.
    guest_fd: i32,
    fd: RawFd,
    write: bool,
    /// The socket is edge-triggered: reporting it changes its state.
    edge: bool,
}

impl SocketSub {
    fn direction(&self) -> Direction {
        if self.write {
            Direction::Write
        } else {
            Direction::Read
        }
    }
}

/// An event to hand back to the guest.
struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    /// `eventrwflags`.
    flags: u16,
    /// The socket subscription it answers (an index into `Plan::sockets`).
    socket: Option<usize>,
}

impl Event {
    fn encode(&self) -> [u8; EVENT_SIZE] {
        let mut b = [0u8; EVENT_SIZE];
        b[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&self.error.0.to_le_bytes());
        b[10] = self.kind;
        b[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&self.flags.to_le_bytes());
        b
    }
}

/// The subscriptions of one call, sorted by who serves them.
#[derive(Default)]
struct Plan {
    sockets: Vec<SocketSub>,
    /// Relative clocks: (userdata, deadline).
    clocks: Vec<(u64, Instant)>,
    /// Subscriptions for wasmtime-wasi, fds already translated, as raw records.
    delegated: Vec<[u8; SUB_SIZE]>,
    /// Answered at once (bad fd): no waiting when one of these exists.
    immediate: Vec<Event>,
    /// Subscriptions of edge-triggered sockets not watched now (see
    /// [`crate::socket::Readiness`]): they wait for nothing.
    parked: usize,
}

fn read_plan(mem: &Mem<'_>, st: &HostState, subs: i32, n: u32) -> Result<Plan, Errno> {
    let start = mem.check_array(subs, n, SUB_SIZE)?.start;
    let now = Instant::now();
    let mut plan = Plan::default();
    for i in 0..n as usize {
        let at = start + i * SUB_SIZE;
        let mut rec = [0u8; SUB_SIZE];
        rec.copy_from_slice(mem.bytes(at as i32, SUB_SIZE as u32)?);
        let userdata = u64::from_le_bytes(rec[0..8].try_into().unwrap_or_default());
        let u32_at = |o: usize| u32::from_le_bytes([rec[o], rec[o + 1], rec[o + 2], rec[o + 3]]);
        match rec[8] {
            EVENTTYPE_CLOCK => {
                let id = u32_at(16);
                let timeout = u64::from_le_bytes(rec[24..32].try_into().unwrap_or_default());
                let flags = u16::from_le_bytes([rec[40], rec[41]]);
                let relative = flags & SUBCLOCKFLAGS_ABSTIME == 0;
                if relative && (id == CLOCK_REALTIME || id == CLOCK_MONOTONIC) {
                    // A timeout too far to represent is as good as forever.
                    let deadline =
                        now.checked_add(Duration::from_nanos(timeout)).unwrap_or(now + Duration::from_secs(1 << 40));
                    plan.clocks.push((userdata, deadline));
                } else {
                    plan.delegated.push(rec);
                }
            }
            kind @ (EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE) => {
                let fd = u32_at(16) as i32;
                let bad = |error| Event { userdata, error, kind, nbytes: 0, flags: 0, socket: None };
                match st.table.get(fd) {
                    Ok(Entry::Socket(s)) => {
                        let (write, edge) = (kind == EVENTTYPE_FD_WRITE, s.readiness().is_edge());
                        let sub = SocketSub { userdata, guest_fd: fd, fd: s.as_raw_fd(), write, edge };
                        if s.readiness().watches(sub.direction()) {
                            plan.sockets.push(sub);
                        } else {
                            plan.parked += 1;
                        }
                    }
                    Ok(Entry::Wasi(inner)) => {
                        rec[16..20].copy_from_slice(&inner.to_le_bytes());
                        plan.delegated.push(rec);
                    }
                    Ok(Entry::Pool(_)) | Err(_) => plan.immediate.push(bad(Errno::BADF)),
                }
            }
            _ => return Err(Errno::INVAL),
        }
    }
    Ok(plan)
}

/// The event flags for what `ppoll` reported on a read or write subscription.
fn rw_flags(revents: libc::c_short, write: bool) -> u16 {
    let mut flags = 0;
    if revents & libc::POLLHUP != 0 {
        flags |= EVENTRWFLAGS_HANGUP;
    }
    if revents & libc::POLLERR != 0 {
        flags |= EVENTRWFLAGS_ERROR;
    }
    if revents & libc::POLLRDHUP != 0 {
        flags |= EVENTRWFLAGS_READ_CLOSED;
    }
    if revents & (if write { libc::POLLOUT } else { libc::POLLIN }) == 0 {
        flags |= EVENTRWFLAGS_NOT_READY;
    }
    flags
}

/// Polls the sockets once, waiting at most `timeout` (`None`: forever).
/// Only a read subscription asks for `POLLRDHUP`: on a write one it would
/// wake a socket that cannot take data.
fn poll_sockets(subs: &[SocketSub], timeout: Option<Duration>) -> Result<Vec<Event>, Errno> {
    let mut fds: Vec<libc::pollfd> = subs
        .iter()
        .map(|s| libc::pollfd {
            fd: s.fd,
            events: if s.write { libc::POLLOUT } else { libc::POLLIN | libc::POLLRDHUP },
            revents: 0,
        })
        .collect();
    if crate::sys::poll(&mut fds, timeout)? == 0 {
        return Ok(Vec::new());
    }
    Ok(subs
        .iter()
        .zip(&fds)
        .enumerate()
        .filter(|(_, (_, p))| p.revents != 0)
        .map(|(i, (s, p))| {
            let nval = p.revents & libc::POLLNVAL != 0;
            Event {
                userdata: s.userdata,
                error: if nval { Errno::BADF } else { Errno::SUCCESS },
                kind: if s.write { EVENTTYPE_FD_WRITE } else { EVENTTYPE_FD_READ },
                nbytes: if s.write { 0 } else { crate::sys::bytes_readable(s.fd).unwrap_or(0) as u64 },
                flags: if nval { 0 } else { rw_flags(p.revents, s.write) },
                socket: Some(i),
            }
        })
        .collect())
}

fn expired_clocks(clocks: &[(u64, Instant)]) -> Vec<Event> {
    let now = Instant::now();
    clocks
        .iter()
        .filter(|(_, d)| *d <= now)
        .map(|&(userdata, _)| Event {
            userdata,
            error: Errno::SUCCESS,
            kind: EVENTTYPE_CLOCK,
            nbytes: 0,
            flags: 0,
            socket: None,
        })
        .collect()
}

/// Sockets and relative clocks only: one `ppoll`.
fn wait_native(plan: &Plan) -> Result<Vec<Event>, Errno> {
    loop {
        let deadline = plan.clocks.iter().map(|c| c.1).min();
        let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let events = poll_sockets(&plan.sockets, timeout)?;
        if !events.is_empty() {
            return Ok(events);
        }
        let clocks = expired_clocks(&plan.clocks);
        if !clocks.is_empty() {
            return Ok(clocks);
        }
        if plan.sockets.is_empty() && plan.clocks.is_empty() && plan.parked == 0 {
            return Err(Errno::INVAL);
        }
    }
}

/// A socket fd registered with tokio for as long as this value lives.
struct Borrowed(RawFd);

impl AsRawFd for Borrowed {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// Waits until any socket may be ready, without consuming anything.
///
/// tokio's epoll reports error and hang-up conditions whatever the interest,
/// but tokio only wakes a waiter for the readiness it asked for: each socket
/// asks for its read or write readiness plus `ERROR`, so that a socket whose
/// only condition is an error (`POLLERR`: a refused datagram on a connected
/// UDP socket) wakes this wait as it wakes `ppoll`. Hang-ups arrive as read
/// or write closed, which those interests include; `POLLNVAL` cannot occur,
/// as the fds stay open throughout. `ppoll` then decides what is reported.
async fn any_socket_ready(subs: &[SocketSub]) {
    let mut regs: HashMap<RawFd, Interest> = HashMap::new();
    for s in subs {
        let i = if s.write { Interest::WRITABLE } else { Interest::READABLE };
        regs.entry(s.fd).and_modify(|r| *r = r.add(i)).or_insert(i.add(Interest::ERROR));
    }
    // SAFETY: the sockets stay open while this future lives: the fd table is
    // not touched until the guest's `poll_oneoff` returns.
    let fds: Vec<_> = regs
        .into_iter()
        .filter_map(|(fd, i)| unsafe { AsyncFd::register_with_interest(Borrowed(fd), i) }.ok().map(|a| (a, i)))
        .collect();
    if fds.is_empty() {
        return std::future::pending().await;
    }
    let mut waits: Vec<_> = fds.iter().map(|(a, i)| Box::pin(a.ready(*i))).collect();
    std::future::poll_fn(|cx| {
        if waits.iter_mut().any(|w| w.as_mut().poll(cx).is_ready()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Mixed: wasmtime-wasi polls its fds and clocks on a scratch copy while
/// the sockets wait in the same runtime; the first to be ready answers.
fn wait_mixed(st: &mut HostState, fuel: usize, plan: &Plan) -> Result<Vec<Event>, Fail> {
    // wasmtime-wasi makes a pollable (and for a file also a stream) in its
    // resource table for every subscription it gets (relative clocks too, see
    // below) and traps when the table is full: it holds 1,000,000 entries,
    // shared with stdio and every open file (with only stdio open, 999,998
    // stdin subscriptions trap). Past this many the call is `inval`, as
    // Linux's `poll()` is past the fd limit: 2^16 is far more than a guest
    // has such fds to poll (one subscription per fd and direction), uses at
    // most 2^17 entries, and costs wasmtime-wasi about 0.2 s (3.5 s at the
    // table's limit).
    if plan.delegated.len() + plan.clocks.len() > MAX_DELEGATED {
        return Err(Errno::INVAL.into());
    }
    let ready = poll_sockets(&plan.sockets, Some(Duration::ZERO))?;
    if !ready.is_empty() {
        return Ok(ready);
    }
    let mut delegated = plan.delegated.clone();
    // Relative clocks ride along as wasmtime-wasi subscriptions.
    let now = Instant::now();
    for &(userdata, deadline) in &plan.clocks {
        let mut rec = [0u8; SUB_SIZE];
        rec[0..8].copy_from_slice(&userdata.to_le_bytes());
        rec[8] = EVENTTYPE_CLOCK;
        rec[16..20].copy_from_slice(&CLOCK_MONOTONIC.to_le_bytes());
        let ns = deadline.saturating_duration_since(now).as_nanos().min(u128::from(u64::MAX)) as u64;
        rec[24..32].copy_from_slice(&ns.to_le_bytes());
        delegated.push(rec);
    }
    let k = delegated.len();
    let (events_at, nevents_at) = (k * SUB_SIZE, k * (SUB_SIZE + EVENT_SIZE));
    let mut scratch = vec![0u8; nevents_at + 4];
    for (i, rec) in delegated.iter().enumerate() {
        scratch[i * SUB_SIZE..(i + 1) * SUB_SIZE].copy_from_slice(rec);
    }
    st.wasi.set_hostcall_fuel(fuel);
    let outcome = {
        let mut gm = wiggle::GuestMemory::Unshared(&mut scratch);
        let wasi_ctx = &mut st.wasi;
        block(async {
            let mut theirs =
                std::pin::pin!(wasi::poll_oneoff(wasi_ctx, &mut gm, 0, events_at as i32, k as i32, nevents_at as i32));
            loop {
                tokio::select! {
                    r = &mut theirs => return r.map(|code| (code, Vec::new())),
                    _ = any_socket_ready(&plan.sockets) => {
                        match poll_sockets(&plan.sockets, Some(Duration::ZERO)) {
                            Ok(ev) if !ev.is_empty() => return Ok((0, ev)),
                            Ok(_) => continue,
                            Err(e) => return Ok((e.code(), Vec::new())),
                        }
                    }
                }
            }
        })
    };
    let (code, socket_events) = outcome?;
    if code != 0 {
        return Err(Errno(code as u16).into());
    }
    if !socket_events.is_empty() {
        return Ok(socket_events);
    }
    let n = u32::from_le_bytes(scratch[nevents_at..nevents_at + 4].try_into().unwrap_or_default()) as usize;
    Ok(scratch[events_at..events_at + n.min(k) * EVENT_SIZE]
        .chunks_exact(EVENT_SIZE)
        .map(|e| Event {
            userdata: u64::from_le_bytes(e[0..8].try_into().unwrap_or_default()),
            error: Errno(u16::from_le_bytes([e[8], e[9]])),
            kind: e[10],
            nbytes: u64::from_le_bytes(e[16..24].try_into().unwrap_or_default()),
            // wasmtime-wasi sets at most the hang-up bit.
            flags: u16::from_le_bytes([e[24], e[25]]),
            socket: None,
        })
        .collect())
}

pub fn poll_oneoff(c: &mut Caller<'_, HostState>, subs: i32, events: i32, n: i32, ret: i32) -> wasmtime::Result<i32> {
    let fuel = c.as_context_mut().hostcall_fuel();
    let m = memory(c)?;
    let (bytes, st) = m.data_and_store_mut(c);
    let mut mem = Mem::new(bytes);
    let result = (|| -> Result<(), Fail> {
        let n = n as u32;
        if n == 0 {
            return Err(Errno::INVAL.into());
        }
        mem.check_array(subs, n, SUB_SIZE)?;
        let out = mem.check_array(events, n, EVENT_SIZE)?.start;
        mem.range(ret, 4)?;
        if n > MAX_SUBSCRIPTIONS {
            return Err(Errno::INVAL.into());
        }
        let plan = read_plan(&mem, st, subs, n)?;
        let ready = if !plan.immediate.is_empty() {
            plan.immediate
        } else if plan.delegated.is_empty() {
            wait_native(&plan)?
        } else {
            wait_mixed(st, fuel, &plan)?
        };
        // An edge-triggered socket is not watched again in a direction
        // reported now until an operation there answers `again`.
        for sub in ready.iter().filter_map(|e| e.socket).map(|i| &plan.sockets[i]).filter(|s| s.edge) {
            if let Ok(s) = st.table.socket(sub.guest_fd) {
                s.readiness().reported(sub.direction());
            }
        }
        for (i, e) in ready.iter().take(n as usize).enumerate() {
            mem.write((out + i * EVENT_SIZE) as i32, &e.encode())?;
        }
        mem.write_u32(ret, ready.len().min(n as usize) as u32)?;
        Ok(())
    })();
    match result {
        Ok(()) => Ok(0),
        Err(Fail::Errno(e)) => Ok(e.code()),
        Err(Fail::Trap(t)) => Err(t),
    }
}
