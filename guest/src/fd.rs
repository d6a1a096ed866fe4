//! Preview-1 fd plumbing: the few `wasi_snapshot_preview1` calls the socket
//! layer makes on socket fds, with their `#[repr(C)]` argument structs.
//!
//! Reads and writes go through `fd_read`/`fd_write` because they are the
//! host's fast path (scatter-gather straight into guest memory);
//! non-blocking mode through `fd_fdstat_*`, exactly as std does it, so a
//! socket converted to a std type stays in a consistent state; waiting with a
//! timeout through `poll_oneoff`; pools are found with `fd_prestat_*`.

use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

use crate::error::Errno;

/// The few preview-1 functions the fd plumbing needs, declared here (beside
/// their argument structs, so `sys` need not know them) rather than through a
/// crate so the guest has no dependencies. Their signatures
/// match wasi-libc's imports of the same names (all `i32`).
mod p1 {
    use super::{Ciovec, Event, Fdstat, Iovec, Prestat, Subscription};

    crate::sys::import_module! { "wasi_snapshot_preview1" {
        pub fn fd_read(fd: i32, iovs: *const Iovec, iovs_len: usize, nread: *mut usize) -> i32;
        pub fn fd_write(fd: i32, iovs: *const Ciovec, iovs_len: usize, nwritten: *mut usize)
            -> i32;
        pub fn fd_fdstat_get(fd: i32, stat: *mut Fdstat) -> i32;
        pub fn fd_fdstat_set_flags(fd: i32, flags: u16) -> i32;
        pub fn fd_prestat_get(fd: i32, buf: *mut Prestat) -> i32;
        pub fn fd_prestat_dir_name(fd: i32, path: *mut u8, path_len: usize) -> i32;
        pub fn poll_oneoff(
            subs: *const Subscription,
            events: *mut Event,
            nsubscriptions: usize,
            nevents: *mut usize,
        ) -> i32;
    } }
}

/// `__wasi_iovec_t`.
#[derive(Copy, Clone)]
#[repr(C)]
pub(crate) struct Iovec {
    buf: *mut u8,
    len: usize,
}

/// `__wasi_ciovec_t`.
#[derive(Copy, Clone)]
#[repr(C)]
pub(crate) struct Ciovec {
    buf: *const u8,
    len: usize,
}

/// `__wasi_fdstat_t` (24 bytes).
#[derive(Default)]
#[repr(C)]
pub(crate) struct Fdstat {
    filetype: u8,
    flags: u16,
    rights_base: u64,
    rights_inheriting: u64,
}

/// `__wasi_prestat_t` (8 bytes): a tag and, for both directories (tag 0) and
/// wasock address pools (tag 1), the length of the name.
#[derive(Copy, Clone, Default)]
#[repr(C)]
pub(crate) struct Prestat {
    pub(crate) tag: u8,
    pub(crate) name_len: u32,
}

/// `__wasi_subscription_t` (48 bytes), spelt out field by field instead of
/// with a union: `id_or_fd` is the clock id of a clock subscription and the
/// fd of an fd_read/fd_write one (both sit at offset 16).
#[derive(Copy, Clone, Default)]
#[repr(C)]
pub(crate) struct Subscription {
    userdata: u64,
    tag: u8,
    _pad0: [u8; 7],
    id_or_fd: u32,
    _pad1: u32,
    timeout: u64,
    precision: u64,
    clock_flags: u16,
    _pad2: [u8; 6],
}

/// `__wasi_event_t` (32 bytes).
#[derive(Copy, Clone, Default)]
#[repr(C)]
pub(crate) struct Event {
    userdata: u64,
    error: u16,
    ty: u8,
    _pad0: [u8; 5],
    nbytes: u64,
    flags: u16,
    _pad1: [u8; 6],
}

const _: () = assert!(std::mem::size_of::<Fdstat>() == 24);
const _: () = assert!(std::mem::size_of::<Prestat>() == 8);
const _: () = assert!(std::mem::size_of::<Subscription>() == 48);
const _: () = assert!(std::mem::offset_of!(Subscription, id_or_fd) == 16);
const _: () = assert!(std::mem::offset_of!(Subscription, timeout) == 24);
const _: () = assert!(std::mem::offset_of!(Subscription, clock_flags) == 40);
const _: () = assert!(std::mem::size_of::<Event>() == 32);
const _: () = assert!(std::mem::offset_of!(Event, nbytes) == 16);
const _: () = assert!(std::mem::offset_of!(Event, flags) == 24);

/// `fdflags.nonblock`.
const FDFLAGS_NONBLOCK: u16 = 4;
/// `eventtype`: clock, fd_write.
const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_WRITE: u8 = 2;
/// `clockid.monotonic`.
const CLOCK_MONOTONIC: u32 = 1;

/// How many buffers one vectored call passes on; the rest wait for the next
/// call, which `Read`/`Write` allow (like a short read or write).
const MAX_IOV: usize = 64;

/// `fd_read` into `bufs`. The iovec array is left uninitialised past the
/// buffers given, so a call costs no more than the buffers it passes.
pub(crate) fn read_vectored(fd: BorrowedFd<'_>, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
    let mut iovs = [const { MaybeUninit::<Iovec>::uninit() }; MAX_IOV];
    let n = bufs.len().min(MAX_IOV);
    for (iov, b) in iovs.iter_mut().zip(bufs.iter_mut()) {
        iov.write(Iovec { buf: b.as_mut_ptr(), len: b.len() });
    }
    // SAFETY: the first `n` iovecs are initialised and describe live,
    // exclusively borrowed buffers.
    unsafe { fd_read(fd, iovs.as_ptr().cast(), n) }
}

/// `fd_read` into one buffer.
pub(crate) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    let iov = Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
    // SAFETY: one iovec over a live, exclusively borrowed buffer.
    unsafe { fd_read(fd, &iov, 1) }
}

/// # Safety
/// `iovs` points to `n` iovecs over live, writable buffers.
unsafe fn fd_read(fd: BorrowedFd<'_>, iovs: *const Iovec, n: usize) -> io::Result<usize> {
    let mut nread = 0;
    // SAFETY: the caller vouches for `iovs`; `nread` is a valid place for the result.
    let r = unsafe { p1::fd_read(fd.as_raw_fd(), iovs, n, &mut nread) };
    Errno::check(r).map_err(|e| e.error("read", None))?;
    Ok(nread)
}

/// `fd_write` from `bufs` (see [`read_vectored`] on the iovec array).
pub(crate) fn write_vectored(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    let mut iovs = [const { MaybeUninit::<Ciovec>::uninit() }; MAX_IOV];
    let n = bufs.len().min(MAX_IOV);
    for (iov, b) in iovs.iter_mut().zip(bufs) {
        iov.write(Ciovec { buf: b.as_ptr(), len: b.len() });
    }
    // SAFETY: the first `n` ciovecs are initialised and describe live buffers.
    unsafe { fd_write(fd, iovs.as_ptr().cast(), n) }
}

/// `fd_write` from one buffer.
pub(crate) fn write(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    let iov = Ciovec { buf: buf.as_ptr(), len: buf.len() };
    // SAFETY: one ciovec over a live buffer.
    unsafe { fd_write(fd, &iov, 1) }
}

/// # Safety
/// `iovs` points to `n` ciovecs over live buffers.
unsafe fn fd_write(fd: BorrowedFd<'_>, iovs: *const Ciovec, n: usize) -> io::Result<usize> {
    let mut written = 0;
    // SAFETY: the caller vouches for `iovs`; `written` is a valid place for the result.
    let r = unsafe { p1::fd_write(fd.as_raw_fd(), iovs, n, &mut written) };
    Errno::check(r).map_err(|e| e.error("write", None))?;
    Ok(written)
}

fn fdflags(fd: BorrowedFd<'_>) -> io::Result<u16> {
    let mut st = Fdstat::default();
    // SAFETY: `st` is a valid, writable fdstat.
    let r = unsafe { p1::fd_fdstat_get(fd.as_raw_fd(), &mut st) };
    Errno::check(r).map_err(|e| e.error("fd_fdstat_get", None))?;
    Ok(st.flags)
}

/// The fd's preview-1 filetype (5 socket_dgram, 6 socket_stream, ...).
pub(crate) fn filetype(fd: BorrowedFd<'_>) -> io::Result<u8> {
    let mut st = Fdstat::default();
    // SAFETY: `st` is a valid, writable fdstat.
    let r = unsafe { p1::fd_fdstat_get(fd.as_raw_fd(), &mut st) };
    Errno::check(r).map_err(|e| e.error("fd_fdstat_get", None))?;
    Ok(st.filetype)
}

/// Whether the fd is in non-blocking mode.
pub(crate) fn nonblocking(fd: BorrowedFd<'_>) -> io::Result<bool> {
    Ok(fdflags(fd)? & FDFLAGS_NONBLOCK != 0)
}

/// Turns non-blocking mode on or off, keeping the other fd flags.
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>, on: bool) -> io::Result<()> {
    let flags = fdflags(fd)?;
    let new = if on { flags | FDFLAGS_NONBLOCK } else { flags & !FDFLAGS_NONBLOCK };
    if new == flags {
        return Ok(());
    }
    // SAFETY: no pointers.
    let r = unsafe { p1::fd_fdstat_set_flags(fd.as_raw_fd(), new) };
    Errno::check(r).map_err(|e| e.error("set_nonblocking", None))
}

/// `fd_prestat_get`; errors stay raw so the pool scan can tell `badf` (the
/// end of the preopens) from the rest.
pub(crate) fn prestat(fd: RawFd) -> Result<Prestat, Errno> {
    let mut p = Prestat::default();
    // SAFETY: `p` is a valid, writable prestat.
    Errno::check(unsafe { p1::fd_prestat_get(fd, &mut p) })?;
    Ok(p)
}

/// The name of a preopened fd whose prestat says it is `len` bytes long.
pub(crate) fn prestat_name(fd: RawFd, len: u32) -> io::Result<String> {
    let mut buf = vec![0u8; len as usize];
    // SAFETY: `buf` is valid for `buf.len()` bytes.
    let r = unsafe { p1::fd_prestat_dir_name(fd, buf.as_mut_ptr(), buf.len()) };
    Errno::check(r).map_err(|e| e.error("fd_prestat_dir_name", None))?;
    // Hosts may or may not NUL-terminate within the length; drop any NULs.
    if let Some(end) = buf.iter().position(|&b| b == 0) {
        buf.truncate(end);
    }
    String::from_utf8(buf).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "pool name is not UTF-8"))
}

/// Waits until `fd` is writable or `timeout` passes, in one `poll_oneoff`.
/// Returns `Ok(true)` when writable (including "writable because the
/// connection failed": the caller asks `take_error`), `Ok(false)` on timeout.
pub(crate) fn wait_writable(fd: BorrowedFd<'_>, timeout: Duration) -> io::Result<bool> {
    let subs = [
        Subscription {
            userdata: 1,
            tag: EVENTTYPE_FD_WRITE,
            id_or_fd: fd.as_raw_fd() as u32,
            ..Subscription::default()
        },
        Subscription {
            userdata: 2,
            tag: EVENTTYPE_CLOCK,
            id_or_fd: CLOCK_MONOTONIC,
            timeout: u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX),
            // Relative timeout (no `abstime` flag), default precision.
            ..Subscription::default()
        },
    ];
    let mut events = [Event::default(); 2];
    let mut n = 0;
    // SAFETY: `subs` and `events` are valid arrays of 2 elements each, and
    // `n` is a valid place for the count.
    let r = unsafe { p1::poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), 2, &mut n) };
    Errno::check(r).map_err(|e| e.error("poll_oneoff", None))?;
    // The fd event (if any) says writable, or that the connection failed
    // (the host reports that in the event's flags, keeping the error for
    // `take_error`); an event `error` is about the subscription itself (a
    // bad fd). Only the clock firing means the time ran out.
    match events[..n.min(2)].iter().find(|e| e.ty == EVENTTYPE_FD_WRITE) {
        Some(ev) if ev.error != 0 => Err(Errno::from_raw(ev.error).error("poll", None)),
        Some(_) => Ok(true),
        None => Ok(false),
    }
}
