//! The few system calls the socket hot path makes directly.
//!
//! socket2 covers creation and options; these are the calls where the host
//! hands the kernel pointers straight into guest memory (no copy through a
//! host buffer), or needs flags socket2 does not pass: `MSG_NOSIGNAL` on
//! every send, `accept4` with the guest's flags in one call, `ppoll` and
//! epoll with nanosecond timeouts.

use std::io;
use std::mem::{size_of, MaybeUninit};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// Most guests pass one or two iovecs; more than this go to the heap.
const INLINE_IOVECS: usize = 4;
/// The kernel refuses more than this many in one call (`IOV_MAX`).
pub const MAX_IOVECS: usize = 1024;

/// A list of `iovec`s pointing into guest memory, built by
/// [`crate::sock::io::guest_iovecs`] after bounds checks. The inline slots
/// are left uninitialised until pushed: this value is built on every socket
/// read and write.
pub struct IoVecs {
    inline: [MaybeUninit<libc::iovec>; INLINE_IOVECS],
    heap: Vec<libc::iovec>,
    len: usize,
}

impl IoVecs {
    #[inline]
    /// No iovecs.
    pub fn new() -> IoVecs {
        IoVecs { inline: [MaybeUninit::uninit(); INLINE_IOVECS], heap: Vec::new(), len: 0 }
    }

    /// Appends one buffer; the caller has checked that it lies in guest memory.
    #[inline]
    pub fn push(&mut self, base: *mut u8, len: usize) {
        let v = libc::iovec { iov_base: base.cast(), iov_len: len };
        if self.len < INLINE_IOVECS {
            self.inline[self.len].write(v);
        } else {
            if self.heap.is_empty() {
                // SAFETY: all inline slots were written before the list grew past them.
                self.heap.extend(self.inline.iter().map(|v| unsafe { v.assume_init() }));
            }
            self.heap.push(v);
        }
        self.len += 1;
    }

    fn as_mut_ptr(&mut self) -> *mut libc::iovec {
        if self.len > INLINE_IOVECS {
            self.heap.as_mut_ptr()
        } else {
            self.inline.as_mut_ptr().cast()
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// The same buffers without their first `n` bytes (a receive that
    /// fills them in several steps).
    pub fn skip(&self, n: usize) -> IoVecs {
        let mut out = IoVecs::new();
        let mut left = n;
        for (base, len) in self.each() {
            if left >= len {
                left -= len;
                continue;
            }
            // SAFETY: `left < len`: still inside the same checked buffer.
            out.push(unsafe { base.add(left) }, len - left);
            left = 0;
        }
        out
    }

    /// The buffers' total length.
    pub fn total(&self) -> usize {
        self.each().map(|(_, n)| n).sum()
    }

    /// No buffer at all: [`crate::sock::io::guest_iovecs`] leaves out empty ones.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The buffers in order, as (base, len).
    fn each(&self) -> impl Iterator<Item = (*mut u8, usize)> + '_ {
        let slots: &[libc::iovec] = if self.len > INLINE_IOVECS {
            &self.heap
        } else {
            // SAFETY: the first `len` inline slots were written by `push`.
            unsafe { std::slice::from_raw_parts(self.inline.as_ptr().cast(), self.len) }
        };
        slots.iter().map(|v| (v.iov_base.cast::<u8>(), v.iov_len))
    }

    /// The first `len` bytes of the buffers, copied out (the rare path of
    /// [`crate::socket::Socket::recv_batch`] that moves a message).
    pub fn gather(&self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        for (base, n) in self.each() {
            let n = n.min(len - out.len());
            // SAFETY: `base` points to `n` or more bytes of checked guest memory.
            out.extend_from_slice(unsafe { std::slice::from_raw_parts(base, n) });
        }
        out
    }

    /// Writes `data` into the buffers (cut to them); returns the bytes written.
    pub fn scatter(&mut self, data: &[u8]) -> usize {
        let mut done = 0;
        for (base, n) in self.each() {
            let n = n.min(data.len() - done);
            // SAFETY: as in `gather`; `data` is host memory, never overlapping.
            unsafe { std::ptr::copy_nonoverlapping(data[done..].as_ptr(), base, n) };
            done += n;
        }
        done
    }

    /// Zeroes the first `len` bytes of the buffers.
    pub fn zero(&mut self, len: usize) {
        let mut left = len;
        for (base, n) in self.each() {
            let n = n.min(left);
            // SAFETY: as in `gather`.
            unsafe { std::ptr::write_bytes(base, 0, n) };
            left -= n;
        }
    }

    /// The only buffer (or an empty one), when there is at most one.
    fn single(&self) -> Option<(*mut libc::c_void, usize)> {
        match self.len {
            0 => Some((std::ptr::null_mut(), 0)),
            1 => {
                // SAFETY: slot 0 was written by the one push.
                let v = unsafe { self.inline[0].assume_init() };
                Some((v.iov_base, v.iov_len))
            }
            _ => None,
        }
    }
}

impl Default for IoVecs {
    fn default() -> IoVecs {
        IoVecs::new()
    }
}

fn cvt(r: isize) -> io::Result<usize> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r as usize)
    }
}

/// What one `recvmsg` produced.
pub struct Received {
    /// Bytes received.
    pub len: usize,
    /// The source, when asked for and the socket names one.
    pub from: Option<SocketAddr>,
    /// The datagram was longer than the buffers (`MSG_TRUNC`).
    pub truncated: bool,
}

/// Receives into `iov`, with the source address when `want_from`.
///
/// One buffer without an address (every stream read, a connected datagram
/// socket) is a plain `recv`, the kernel's shortest path; a datagram socket
/// passes `MSG_TRUNC` so the real length tells whether it was truncated.
/// Anything else is one `recvmsg`.
pub fn recv(fd: RawFd, iov: &mut IoVecs, flags: i32, want_from: bool, datagram: bool) -> io::Result<Received> {
    match iov.single() {
        Some((base, len)) if !want_from => {
            let flags = flags | if datagram { libc::MSG_TRUNC } else { 0 };
            // SAFETY: `base` points to `len` bytes of checked guest memory.
            let n = cvt(unsafe { libc::recv(fd, base, len, flags) })?;
            Ok(Received { len: n.min(len), from: None, truncated: n > len })
        }
        _ => recvmsg(fd, iov, flags, want_from),
    }
}

fn recvmsg(fd: RawFd, iov: &mut IoVecs, flags: i32, want_from: bool) -> io::Result<Received> {
    // The address storage is only set up when the caller wants the address.
    let mut storage = want_from.then(socket2::SockAddrStorage::zeroed);
    // SAFETY: an all-zero msghdr is valid; the pointers set below outlive the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    if let Some(storage) = storage.as_mut() {
        // SAFETY: SockAddrStorage is a sockaddr_storage.
        msg.msg_name = unsafe { storage.view_as::<libc::sockaddr_storage>() } as *mut _ as *mut libc::c_void;
        msg.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    }
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = iov.len();
    // SAFETY: every iovec points into guest memory that was bounds-checked and
    // cannot move or shrink during this host call.
    let len = cvt(unsafe { libc::recvmsg(fd, &mut msg, flags) })?;
    let from = match storage {
        // SAFETY: the kernel initialised `msg_namelen` bytes of the storage.
        Some(storage) if msg.msg_namelen > 0 => unsafe { socket2::SockAddr::new(storage, msg.msg_namelen) }.as_socket(),
        _ => None,
    };
    Ok(Received { len, from, truncated: msg.msg_flags & libc::MSG_TRUNC != 0 })
}

/// `preadv` into `iov` at `offset` (a regular file the host serves, see
/// `crate::file`).
pub fn preadv(fd: RawFd, iov: &mut IoVecs, offset: i64) -> io::Result<usize> {
    // SAFETY: every iovec points into checked guest memory, which cannot move
    // or shrink during this host call; the count is at most IOV_MAX.
    cvt(unsafe { libc::preadv(fd, iov.as_mut_ptr(), iov.len() as libc::c_int, offset) })
}

/// Sends from `iov` to `to` (or the connected peer), never raising SIGPIPE:
/// `send`/`sendto` for one buffer, `sendmsg` for several.
pub fn send(fd: RawFd, iov: &mut IoVecs, flags: i32, to: Option<&SocketAddr>) -> io::Result<usize> {
    let flags = flags | libc::MSG_NOSIGNAL;
    let to = to.map(|a| socket2::SockAddr::from(*a));
    if let Some((base, len)) = iov.single() {
        let (name, namelen) = to.as_ref().map_or((std::ptr::null(), 0), |a| (a.as_ptr(), a.len()));
        // SAFETY: `base` points to `len` bytes of checked guest memory; `name`
        // is null or a valid address of `namelen` bytes.
        return cvt(unsafe { libc::sendto(fd, base, len, flags, name.cast(), namelen) });
    }
    // SAFETY: an all-zero msghdr is valid; the pointers set below outlive the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    if let Some(to) = &to {
        msg.msg_name = to.as_ptr() as *mut libc::c_void;
        msg.msg_namelen = to.len();
    }
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = iov.len();
    // SAFETY: as in `recvmsg`; the kernel only reads the buffers.
    cvt(unsafe { libc::sendmsg(fd, &msg, flags) })
}

/// One header of a batch. A batch's headers are one allocation per call,
/// far below the cost of the system call they save.
fn mmsghdr(iov: &mut IoVecs, name: *mut libc::c_void, namelen: libc::socklen_t) -> libc::mmsghdr {
    // SAFETY: an all-zero msghdr is valid; the caller keeps the pointers alive.
    let mut h: libc::mmsghdr = unsafe { std::mem::zeroed() };
    h.msg_hdr.msg_name = name;
    h.msg_hdr.msg_namelen = namelen;
    h.msg_hdr.msg_iov = iov.as_mut_ptr();
    h.msg_hdr.msg_iovlen = iov.len();
    h
}

/// One `sendmmsg`: message `i` is `msgs[i].0` to `msgs[i].1` (or the
/// connected peer). Returns the bytes sent of each message sent (as many
/// as the kernel sent, at least one); never raises SIGPIPE.
pub fn sendmmsg(fd: RawFd, msgs: &mut [(IoVecs, Option<SocketAddr>)], flags: i32) -> io::Result<Vec<usize>> {
    let names: Vec<Option<socket2::SockAddr>> = msgs.iter().map(|(_, to)| to.map(socket2::SockAddr::from)).collect();
    let mut hdrs: Vec<libc::mmsghdr> = msgs
        .iter_mut()
        .zip(&names)
        .map(|((iov, _), to)| {
            let (name, len) = to.as_ref().map_or((std::ptr::null_mut(), 0), |a| (a.as_ptr() as *mut _, a.len()));
            mmsghdr(iov, name, len)
        })
        .collect();
    // SAFETY: every header points to checked guest memory and to `names`,
    // both alive and unmoved for the call; the kernel only reads them.
    let r = unsafe { libc::sendmmsg(fd, hdrs.as_mut_ptr(), hdrs.len() as libc::c_uint, flags | libc::MSG_NOSIGNAL) };
    let n = cvt(r as isize)?;
    Ok(hdrs[..n].iter().map(|h| h.msg_len as usize).collect())
}

/// One `recvmmsg` into `iovs` (one list per message), with each source
/// address; `MSG_WAITFORONE` may be in `flags`. No timeout: the socket's
/// `SO_RCVTIMEO` applies per message, as for `recvmmsg(..., NULL)`.
pub fn recvmmsg(fd: RawFd, iovs: &mut [IoVecs], flags: i32) -> io::Result<Vec<Received>> {
    let mut names: Vec<_> = (0..iovs.len()).map(|_| socket2::SockAddrStorage::zeroed()).collect();
    let namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let mut hdrs: Vec<libc::mmsghdr> = iovs
        .iter_mut()
        .zip(names.iter_mut())
        // SAFETY: SockAddrStorage is a sockaddr_storage.
        .map(|(iov, st)| mmsghdr(iov, unsafe { st.view_as::<libc::sockaddr_storage>() } as *mut _ as *mut _, namelen))
        .collect();
    // SAFETY: as in `sendmmsg`; the kernel writes the guest buffers (checked)
    // and the address storage (ours).
    let r = unsafe { libc::recvmmsg(fd, hdrs.as_mut_ptr(), hdrs.len() as libc::c_uint, flags, std::ptr::null_mut()) };
    let n = cvt(r as isize)?;
    Ok(hdrs[..n]
        .iter()
        .zip(names)
        .map(|(h, st)| {
            let len = h.msg_hdr.msg_namelen;
            // SAFETY: the kernel initialised `len` bytes of the storage.
            let from = (len > 0).then(|| unsafe { socket2::SockAddr::new(st, len) }.as_socket()).flatten();
            Received { len: h.msg_len as usize, from, truncated: h.msg_hdr.msg_flags & libc::MSG_TRUNC != 0 }
        })
        .collect())
}

/// `accept4` with close-on-exec and, if asked, non-blocking set in the same call.
pub fn accept(fd: RawFd, nonblocking: bool) -> io::Result<(socket2::Socket, Option<SocketAddr>)> {
    let mut storage = socket2::SockAddrStorage::zeroed();
    let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let flags = libc::SOCK_CLOEXEC | if nonblocking { libc::SOCK_NONBLOCK } else { 0 };
    // SAFETY: storage and len describe a valid, writable sockaddr buffer.
    let r = unsafe { libc::accept4(fd, storage.view_as::<libc::sockaddr>(), &mut len, flags) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `r` is a new descriptor that nothing else owns.
    let sock = unsafe { <socket2::Socket as std::os::fd::FromRawFd>::from_raw_fd(r) };
    // SAFETY: the kernel initialised `len` bytes of the storage.
    let addr = unsafe { socket2::SockAddr::new(storage, len) };
    Ok((sock, addr.as_socket()))
}

/// Bytes waiting to be read (`FIONREAD`).
pub fn bytes_readable(fd: RawFd) -> io::Result<usize> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int.
    if unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n.max(0) as usize)
}

/// `ppoll` on `fds`; `None` waits forever. Retries on EINTR with the time left.
pub fn poll(fds: &mut [libc::pollfd], timeout: Option<Duration>) -> io::Result<usize> {
    // The clock is read only for a real wait (an event loop's zero timeout
    // needs none): a wait interrupted by a signal goes on for what is left.
    let started = timeout.filter(|t| !t.is_zero()).map(|_| std::time::Instant::now());
    let mut left = timeout;
    loop {
        let ts = left.map(timespec);
        let tsp = ts.as_ref().map_or(std::ptr::null(), |t| t as *const libc::timespec);
        // SAFETY: fds is a valid slice of pollfd; tsp is null or points to `ts`.
        let r = unsafe { libc::ppoll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, tsp, std::ptr::null()) };
        if r >= 0 {
            return Ok(r as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
        if let (Some(t), Some(s)) = (timeout, started) {
            left = Some(t.saturating_sub(s.elapsed()));
        }
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (as servers do, the
/// guest's sockets being the host's fds) and returns the soft limit now in
/// force.
pub fn raise_fd_limit() -> usize {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit read and write one rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
    }
    usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
}

/// A wait's timeout as the kernel takes it.
fn timespec(d: Duration) -> libc::timespec {
    libc::timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: d.subsec_nanos() as libc::c_long,
    }
}

/// A new epoll instance (close-on-exec).
pub fn epoll_create() -> io::Result<OwnedFd> {
    // SAFETY: a plain system call; the result is checked.
    let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if ep < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `ep` is a new fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(ep) })
}

/// `epoll_ctl(ep, op, fd)` with `events`; the event's data is the fd.
pub fn epoll_ctl(ep: &OwnedFd, op: libc::c_int, fd: RawFd, events: u32) -> io::Result<()> {
    let mut ev = libc::epoll_event { events, u64: fd as u64 };
    // SAFETY: `ev` is a valid event for the duration of the call.
    if unsafe { libc::epoll_ctl(ep.as_raw_fd(), op, fd, &mut ev) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `epoll_pwait2` into `out`; `None` waits forever. A wait interrupted by
/// a signal reports nothing (the caller waits again for what is left).
pub fn epoll_wait(ep: &OwnedFd, out: &mut [libc::epoll_event], timeout: Option<Duration>) -> io::Result<usize> {
    let ts = timeout.map(timespec);
    let tsp = ts.as_ref().map_or(std::ptr::null(), |t| t as *const libc::timespec);
    let max = out.len().min(libc::c_int::MAX as usize) as libc::c_int;
    // SAFETY: `out` holds at least `max` events; `tsp` is null or points to `ts`.
    let r = unsafe { libc::epoll_pwait2(ep.as_raw_fd(), out.as_mut_ptr(), max, tsp, std::ptr::null()) };
    if r >= 0 {
        return Ok(r as usize);
    }
    match io::Error::last_os_error() {
        e if e.kind() == io::ErrorKind::Interrupted => Ok(0),
        e => Err(e),
    }
}
