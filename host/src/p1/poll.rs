//! `poll_oneoff` over sockets, clocks and every other fd at once.
//!
//! When a call names only sockets and relative clocks (what `poll()`,
//! `select()` and `sleep` produce), the host makes one `ppoll` on the
//! sockets with the earliest clock as its timeout (an event loop's
//! edge-triggered sockets wait in an epoll set instead, with `ppoll`'s
//! contract: `edge_set.rs`). When it also names fds
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

use super::edge_set::EdgeSet;
use crate::abi::poll::{
    decode_subscription, monotonic_timeout, with_fd, Event, Subscription, EVENTRWFLAGS_ERROR, EVENTRWFLAGS_HANGUP,
    EVENTRWFLAGS_NOT_READY, EVENTRWFLAGS_READ_CLOSED, EVENTTYPE_CLOCK, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE,
    EVENT_SIZE, SUB_SIZE,
};
use crate::abi::{Errno, Mem};
use crate::call::with_memory;
use crate::ctx::{CtxView, WasockCtx};
use crate::socket::{Direction, Socket};
use crate::table::{Entry, FdTable, SocketRef};
use crate::wasi_p1::{self, block_on_runtime, Fail};
use std::collections::HashMap;
use std::future::Future;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use wasmtime::{AsContextMut, Caller};

/// More subscriptions than this is `inval`, as `poll()` past the fd limit
/// is on Linux; it bounds what one call can make the host allocate.
const MAX_SUBSCRIPTIONS: u32 = 1 << 20;
/// At most this many subscriptions go to wasmtime-wasi (see [`wait_mixed`]).
const MAX_DELEGATED: usize = 1 << 16;

/// One socket subscription, ready to become a `pollfd`.
struct SocketSub {
    userdata: u64,
    /// The guest's number, to tell an edge-triggered socket it was reported.
    guest_fd: i32,
    /// The socket's address: who it is, for the epoll set (never dereferenced).
    socket: usize,
    fd: RawFd,
    write: bool,
    /// The socket is edge-triggered: reporting it changes its state.
    edge: bool,
    /// A listener: nothing to count for `nbytes`.
    listening: bool,
    /// A TLS connection: the kernel events it waits on depend on its
    /// session, and what the kernel reports is taken in before the socket
    /// counts as ready (see [`poll_sockets`]).
    tls: Option<SocketRef>,
}

impl SocketSub {
    /// The `ppoll` events to wait on. Only a read subscription asks for
    /// `POLLRDHUP`: on a write one it would wake a socket that cannot take data.
    fn events(&self) -> libc::c_short {
        if let Some(wants) = self.tls.as_ref().and_then(|t| t.tls_wants(self.direction())) {
            return wants | if self.write { 0 } else { libc::POLLRDHUP };
        }
        if self.write {
            libc::POLLOUT
        } else {
            libc::POLLIN | libc::POLLRDHUP
        }
    }

    fn direction(&self) -> Direction {
        if self.write {
            Direction::Write
        } else {
            Direction::Read
        }
    }
}

/// An event, and the socket subscription it answers (an index into
/// `Plan::sockets`), if any.
struct Ready {
    event: Event,
    socket: Option<usize>,
}

impl Ready {
    fn other(event: Event) -> Ready {
        Ready { event, socket: None }
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
    immediate: Vec<Ready>,
    /// Sockets ready before the kernel says so (a transport's buffered
    /// data): answered at once, with whatever else is ready then.
    buffered: Vec<Ready>,
    /// The sockets waited on, held while the guest has threads.
    keep: Vec<SocketRef>,
    /// Subscriptions of edge-triggered sockets not watched now (see
    /// [`crate::socket::Readiness`]): they wait for nothing.
    parked: usize,
}

/// Sorts the subscriptions. With `keep_alive` (the guest has threads) the
/// plan holds a reference to each socket it waits on, so that another
/// thread closing one cannot free it, or let its number be reused, while
/// this one waits.
fn read_plan(mem: &Mem<'_>, table: &FdTable, keep_alive: bool, subs: i32, n: u32) -> Result<Plan, Errno> {
    let start = mem.check_array(subs, n, SUB_SIZE)?.start;
    let now = Instant::now();
    // Usually every subscription names a socket (an event loop's poll).
    let mut plan = Plan { sockets: Vec::with_capacity((n as usize).min(4096)), ..Plan::default() };
    for i in 0..n as usize {
        let rec: [u8; SUB_SIZE] = mem.array((start + i * SUB_SIZE) as i32)?;
        let (userdata, sub) = decode_subscription(&rec)?;
        match sub {
            Subscription::RelativeClock { timeout } => {
                // A timeout too far to represent is as good as forever.
                let deadline =
                    now.checked_add(Duration::from_nanos(timeout)).unwrap_or(now + Duration::from_secs(1 << 40));
                plan.clocks.push((userdata, deadline));
            }
            Subscription::OtherClock => plan.delegated.push(rec),
            Subscription::Fd { fd, write } => {
                let kind = if write { EVENTTYPE_FD_WRITE } else { EVENTTYPE_FD_READ };
                let event = |error, flags| Event { userdata, error, kind, nbytes: 0, flags };
                match table.get(fd) {
                    Ok(Entry::Socket(s)) => {
                        if keep_alive {
                            plan.keep.push(s.clone());
                        }
                        let edge = s.readiness().is_edge();
                        let tls = s.is_tls_connection().then(|| s.clone());
                        let listening = s.is_listening();
                        let socket = Arc::as_ptr(s) as usize;
                        let sub =
                            SocketSub { userdata, guest_fd: fd, socket, fd: s.wait_fd(), write, edge, listening, tls };
                        if !s.readiness().watches(sub.direction()) {
                            plan.parked += 1;
                        } else if s.ready_now(sub.direction()) {
                            let mut ready = event(Errno::SUCCESS, 0);
                            if !write {
                                ready.nbytes = s.bytes_readable() as u64;
                            }
                            plan.buffered.push(Ready { event: ready, socket: Some(plan.sockets.len()) });
                            plan.sockets.push(sub);
                        } else {
                            plan.sockets.push(sub);
                        }
                    }
                    Ok(Entry::Wasi(inner)) => plan.delegated.push(with_fd(rec, *inner)),
                    Ok(Entry::File(f)) => {
                        plan.immediate.push(Ready::other(super::files::poll_event(f, event(Errno::SUCCESS, 0), write)))
                    }
                    Ok(Entry::Pool(_)) | Err(_) => plan.immediate.push(Ready::other(event(Errno::BADF, 0))),
                }
            }
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

/// A read event's `nbytes`. Counting the queued bytes is one more system
/// call (`FIONREAD`) per ready socket, and event loops polling hundreds of
/// sockets never read the count, so it is exact only when the call waits
/// on a single socket for reading (what the C library's
/// `ioctl(FIONREAD)` makes, and a one-socket wait); otherwise it is 1 for a
/// readable socket (at least a byte, or the end of the stream), as
/// wasmtime-wasi reports streams it cannot measure, and 0 for one that is
/// not readable. A listener is 0 either way, as `FIONREAD` on it used to
/// answer through the failed count, without the call.
fn read_nbytes(s: &SocketSub, revents: libc::c_short, exact: bool) -> u64 {
    if let Some(n) = s.tls.as_ref().and_then(|t| t.tls_buffered()) {
        return n as u64;
    }
    if s.listening {
        // FIONREAD would fail (EINVAL): a listener holds connections, not bytes.
        0
    } else if exact {
        crate::sys::bytes_readable(s.fd).unwrap_or(0) as u64
    } else {
        u64::from(revents & libc::POLLIN != 0)
    }
}

/// Whether what the kernel reported makes the subscription ready. A TLS
/// connection first takes in what arrived (decrypting it, answering its
/// handshake); it is ready only if that gave it plaintext, finished what
/// it waited for, or ended it, or if the kernel reports an error or hang-up.
/// Otherwise the wait goes on (the kernel condition was consumed, so this
/// never spins).
fn kernel_ready(s: &SocketSub, revents: libc::c_short) -> bool {
    match &s.tls {
        None => revents != 0,
        Some(t) => {
            revents != 0
                && (t.tls_advance(s.direction()) || revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0)
        }
    }
}

/// Polls the sockets once, waiting at most `timeout` (`None`: forever).
fn poll_sockets(subs: &[SocketSub], timeout: Option<Duration>) -> Result<Vec<Ready>, Errno> {
    poll_sockets_by(subs, |fds| crate::sys::poll(fds, timeout))
}

/// [`poll_sockets`] with `wait` in `ppoll`'s place.
fn poll_sockets_by(
    subs: &[SocketSub],
    wait: impl FnOnce(&mut [libc::pollfd]) -> std::io::Result<usize>,
) -> Result<Vec<Ready>, Errno> {
    let exact = subs.iter().filter(|s| !s.write).count() == 1;
    let mut fds: Vec<libc::pollfd> =
        subs.iter().map(|s| libc::pollfd { fd: s.fd, events: s.events(), revents: 0 }).collect();
    let reported = wait(&mut fds)?;
    if reported == 0 {
        return Ok(Vec::new());
    }
    let mut ready = Vec::with_capacity(reported);
    ready.extend(subs.iter().zip(&fds).enumerate().filter(|(_, (s, p))| kernel_ready(s, p.revents)).map(
        |(i, (s, p))| {
            let nval = p.revents & libc::POLLNVAL != 0;
            let mut flags = if nval { 0 } else { rw_flags(p.revents, s.write) };
            if s.tls.is_some() {
                // Ready by its session, whatever the kernel's own POLLIN/POLLOUT.
                flags &= !EVENTRWFLAGS_NOT_READY;
            }
            let event = Event {
                userdata: s.userdata,
                error: if nval { Errno::BADF } else { Errno::SUCCESS },
                kind: if s.write { EVENTTYPE_FD_WRITE } else { EVENTTYPE_FD_READ },
                nbytes: if s.write { 0 } else { read_nbytes(s, p.revents, exact) },
                flags,
            };
            Ready { event, socket: Some(i) }
        },
    ));
    Ok(ready)
}

fn expired_clocks(clocks: &[(u64, Instant)]) -> Vec<Ready> {
    let now = Instant::now();
    clocks
        .iter()
        .filter(|(_, d)| *d <= now)
        .map(|&(userdata, _)| {
            Ready::other(Event { userdata, error: Errno::SUCCESS, kind: EVENTTYPE_CLOCK, nbytes: 0, flags: 0 })
        })
        .collect()
}

/// Sockets and relative clocks only: one `ppoll`, or a wait on the
/// context's epoll set when `set` is given (see [`use_edge_set`]).
fn wait_native(plan: &Plan, mut set: Option<(&mut EdgeSet<Socket>, &FdTable)>) -> Result<Vec<Ready>, Errno> {
    let ids: Vec<usize> = match set {
        Some(_) => plan.sockets.iter().map(|s| s.socket).collect(),
        None => Vec::new(),
    };
    loop {
        let deadline = plan.clocks.iter().map(|c| c.1).min();
        let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let events = match set.as_mut() {
            None => poll_sockets(&plan.sockets, timeout)?,
            Some((set, table)) => poll_sockets_by(&plan.sockets, |fds| {
                let socket = |i: usize| match table.get(plan.sockets[i].guest_fd) {
                    Ok(Entry::Socket(s)) => Some(Arc::downgrade(s)),
                    _ => None,
                };
                // The set keeps ppoll's contract; should it fail (no memory
                // for a registration), ppoll serves this wait.
                set.poll(fds, &ids, socket, timeout).or_else(|_| crate::sys::poll(fds, timeout))
            })?,
        };
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

/// Whether a wait goes to the context's epoll set (`edge_set.rs`): the
/// guest has no threads (one thread owns the set, and no socket closes
/// while it waits), and every socket named is an edge-triggered plain
/// socket, whose event loop names the same sockets call after call. A C
/// `poll()` (level-triggered), TLS sockets and mixed sets keep `ppoll`.
fn use_edge_set(plan: &Plan, keep_alive: bool) -> bool {
    !keep_alive && !plan.sockets.is_empty() && plan.sockets.iter().all(|s| s.edge && s.tls.is_none())
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
        let ev = s.events();
        let i = match (ev & libc::POLLIN != 0, ev & libc::POLLOUT != 0) {
            (true, true) => Interest::READABLE.add(Interest::WRITABLE),
            (false, true) => Interest::WRITABLE,
            _ => Interest::READABLE,
        };
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
fn wait_mixed(ctx: &mut WasockCtx, fuel: usize, plan: &Plan) -> Result<Vec<Ready>, Fail> {
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
        let ns = deadline.saturating_duration_since(now).as_nanos().min(u128::from(u64::MAX)) as u64;
        delegated.push(monotonic_timeout(userdata, ns));
    }
    let k = delegated.len();
    let (events_at, nevents_at) = (k * SUB_SIZE, k * (SUB_SIZE + EVENT_SIZE));
    let mut scratch = vec![0u8; nevents_at + 4];
    for (i, rec) in delegated.iter().enumerate() {
        scratch[i * SUB_SIZE..(i + 1) * SUB_SIZE].copy_from_slice(rec);
    }
    let mut wasi = ctx.process.wasi();
    wasi_p1::set_fuel(&mut wasi, fuel);
    let outcome = {
        let mut gm = wiggle::GuestMemory::Unshared(&mut scratch);
        let wasi_ctx = &mut *wasi;
        block_on_runtime(async {
            let mut theirs = std::pin::pin!(wasi_p1::poll_oneoff(
                wasi_ctx,
                &mut gm,
                0,
                events_at as i32,
                k as i32,
                nevents_at as i32
            ));
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
        // wasmtime-wasi sets at most the hang-up bit.
        .map(|e| Ready::other(Event::decode(e)))
        .collect())
}

/// `poll_oneoff`: the host's own wait when only sockets and relative
/// clocks are named, the mixed wait otherwise (see the module docs).
pub(crate) fn poll_oneoff<T>(
    c: &mut Caller<'_, T>,
    get: impl CtxView<T>,
    subs: i32,
    events: i32,
    n: i32,
    ret: i32,
) -> wasmtime::Result<i32> {
    let fuel = c.as_context_mut().hostcall_fuel();
    let result = with_memory(c, get, |view, ctx| poll_in(&mut view.checked(), ctx, fuel, subs, events, n, ret))?;
    Fail::into_result(result.map(|()| 0))
}

fn poll_in(
    mem: &mut Mem<'_>,
    ctx: &mut WasockCtx,
    fuel: usize,
    subs: i32,
    events: i32,
    n: i32,
    ret: i32,
) -> Result<(), Fail> {
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
    let keep_alive = ctx.process.is_shared();
    let mut plan = read_plan(mem, &ctx.table(), keep_alive, subs, n)?;
    let ready = if !plan.immediate.is_empty() {
        std::mem::take(&mut plan.immediate)
    } else if !plan.buffered.is_empty() {
        // Ready without waiting: report with them whatever else is ready now.
        let mut ready = std::mem::take(&mut plan.buffered);
        let already: Vec<usize> = ready.iter().filter_map(|r| r.socket).collect();
        let others = poll_sockets(&plan.sockets, Some(Duration::ZERO))?;
        ready.extend(others.into_iter().filter(|r| !r.socket.is_some_and(|i| already.contains(&i))));
        ready
    } else if plan.delegated.is_empty() {
        match use_edge_set(&plan, keep_alive) {
            // Without threads the table is not locked: holding it while
            // waiting stops nobody.
            true => {
                let WasockCtx { process, edge_set, .. } = ctx;
                let table = process.table();
                wait_native(&plan, edge_set.get().map(|s| (s, &*table)))?
            }
            false => wait_native(&plan, None)?,
        }
    } else {
        wait_mixed(ctx, fuel, &plan)?
    };
    // An edge-triggered socket is not watched again in a direction
    // reported now until an operation there answers `again`.
    let mut edge = ready.iter().filter_map(|r| r.socket).map(|i| &plan.sockets[i]).filter(|s| s.edge).peekable();
    if edge.peek().is_some() {
        let table = ctx.table();
        for sub in edge {
            if let Ok(s) = table.socket(sub.guest_fd) {
                s.readiness().reported(sub.direction());
            }
        }
    }
    for (i, r) in ready.iter().take(n as usize).enumerate() {
        mem.write((out + i * EVENT_SIZE) as i32, &r.event.encode())?;
    }
    mem.write_u32(ret, ready.len().min(n as usize) as u32)?;
    Ok(())
}
