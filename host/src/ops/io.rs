//! The check-then-operate steps of socket I/O that every read and write
//! import shares (`fd_read`, `fd_write`, `sock_recv`, `sock_send`, `recv`,
//! `send`, `recv_from`, `send_to`): check the result slots, build iovecs
//! straight into guest memory, operate, write the results. A bad slot fails
//! before the socket is touched, so nothing received is lost to it.

use crate::abi::{guest_buffer, guest_iovecs, Errno, Mem};
use crate::socket::Socket;
use crate::sys::{IoVecs, Received};
use std::net::SocketAddr;

/// Where the data goes or comes from: an iovec array or one buffer.
#[derive(Clone, Copy)]
pub(crate) enum Buffers {
    /// `count` `iovec` records at `ptr`.
    Iovecs { ptr: i32, count: i32 },
    /// One buffer.
    Buffer { ptr: i32, len: i32 },
}

impl Buffers {
    fn iovecs(self, mem: &mut Mem<'_>) -> Result<IoVecs, Errno> {
        match self {
            Buffers::Iovecs { ptr, count } => guest_iovecs(mem, ptr, count),
            Buffers::Buffer { ptr, len } => guest_buffer(mem, ptr, len),
        }
    }
}

/// Receives into `bufs` and writes the length at `ret_len`; `want_from`
/// also asks for the source. `ret_len` (and every other out slot the
/// caller checked) lies in memory before anything is received.
pub(crate) fn recv(
    mem: &mut Mem<'_>,
    sock: &Socket,
    bufs: Buffers,
    flags: i32,
    want_from: bool,
    ret_len: i32,
) -> Result<Received, Errno> {
    mem.range(ret_len, 4)?;
    let mut iov = bufs.iovecs(mem)?;
    let got = sock.recv(&mut iov, flags, want_from)?;
    mem.write_u32(ret_len, got.len as u32)?;
    Ok(got)
}

/// `read`/`readv` on a socket (`fd_read`): as [`recv`] with no flags,
/// except that zero bytes of buffers read nothing at once, as Linux's
/// `sock_read_iter` answers 0 before it looks at the socket (a zero-length
/// `recv` would block, fail with `again` or consume a datagram).
pub(crate) fn read(mem: &mut Mem<'_>, sock: &Socket, iovs: i32, count: i32, ret_len: i32) -> Result<(), Errno> {
    mem.range(ret_len, 4)?;
    let mut iov = guest_iovecs(mem, iovs, count)?;
    let n = if iov.is_empty() { 0 } else { sock.recv(&mut iov, 0, false)?.len };
    mem.write_u32(ret_len, n as u32)
}

/// Sends from `bufs` (to `to`, which the pool must grant, or the connected
/// peer) and writes the length sent at `ret_len`.
pub(crate) fn send(
    mem: &mut Mem<'_>,
    sock: &Socket,
    bufs: Buffers,
    flags: i32,
    to: Option<&SocketAddr>,
    ret_len: i32,
) -> Result<(), Errno> {
    mem.range(ret_len, 4)?;
    let mut iov = bufs.iovecs(mem)?;
    let n = sock.send(&mut iov, flags, to)?;
    mem.write_u32(ret_len, n as u32)
}
