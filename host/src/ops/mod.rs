//! Operations on the guest's fds, beneath both import modules.
//!
//! `wasi_snapshot_preview1` ([`crate::p1`]) and `wasi_ephemeral_sock`
//! ([`crate::sock`]) only decode their ABI and call down here; neither
//! imports the other. What both need lives here once: closing and
//! renumbering (which must close a wasmtime-wasi fd exactly when its last
//! guest number goes), duplicating, accepting, shutting down, and the
//! check-then-operate steps of socket I/O ([`io`]).

pub(crate) mod io;

use crate::abi::{Errno, Mem, ShutdownHow};
use crate::ctx::WasockCtx;
use crate::socket::Socket;
use crate::table::{Entry, FdTable, FD_LIMIT};
use crate::wasi_p1::{self, Delegate, Fail};
use std::net::SocketAddr;
use wasmtime_wasi::p1::WasiP1Ctx;
use wiggle::GuestMemory;

/// `fd_close` (and `wasi_ephemeral_sock::close`): sockets and pools are
/// dropped here, which closes the host socket when this was its last number;
/// a wasmtime-wasi fd is closed by wasmtime-wasi first when this is its last
/// number, and leaves the table only if that succeeded.
pub(crate) fn close(d: Delegate<'_, '_>, fd: i32) -> Result<i32, Fail> {
    d.table.get(fd)?;
    let code = release(d.wasi, d.mem, d.table, fd)?;
    if code == 0 {
        d.table.remove(fd)?;
    }
    Ok(code)
}

/// Before `fd` leaves the table (closed, or replaced by `fd_renumber` or
/// `fd_dup2`): closes it in wasmtime-wasi when it is the last guest number
/// of a wasmtime-wasi fd. Returns wasmtime-wasi's errno (0 when there was
/// nothing to close); the caller changes the table only on 0, so a failed
/// close leaves everything as it was.
fn release(wasi: &mut WasiP1Ctx, mem: &mut GuestMemory<'_>, table: &mut FdTable, fd: i32) -> Result<i32, Fail> {
    match table.get(fd) {
        Ok(&Entry::Wasi(n)) if table.last_wasi_ref(fd) => {
            let code = wasi_p1::fd_close(wasi, mem, n)?;
            if code == 0 {
                table.forget_wasi(n);
            }
            Ok(code)
        }
        _ => Ok(0),
    }
}

/// `fd_renumber`: moves `from` to `to`, closing what `to` held (`to` must be
/// open, as wasmtime-wasi requires). Either may be one of several numbers
/// of one entry: the move keeps the entry's count.
pub(crate) fn renumber(d: Delegate<'_, '_>, from: i32, to: i32) -> Result<i32, Fail> {
    d.table.get(from)?;
    d.table.get(to)?;
    if from == to {
        return Ok(0);
    }
    let code = release(d.wasi, d.mem, d.table, to)?;
    if code != 0 {
        return Ok(code);
    }
    let e = d.table.remove(from)?;
    d.table.replace(to as u32, e);
    Ok(0)
}

/// `fd_dup` (dup, `F_DUPFD`): another number for `fd`'s entry, the lowest
/// free one at or above `min_fd`.
pub(crate) fn dup(table: &mut FdTable, fd: i32, min_fd: i32) -> Result<u32, Errno> {
    let e = table.get(fd)?.clone();
    // As F_DUPFD: a lower bound past the fd limit is `inval`, no free
    // number below the limit `mfile`.
    let min = u32::try_from(min_fd).ok().filter(|&m| m < FD_LIMIT).ok_or(Errno::INVAL)?;
    if matches!(e, Entry::Socket(_)) {
        table.room_for_socket()?;
    }
    let new_fd = table.lowest_free(min);
    if new_fd >= FD_LIMIT {
        return Err(Errno::MFILE);
    }
    table.replace(new_fd, e);
    Ok(new_fd)
}

/// `fd_dup2`: `to` becomes another number for `fd`'s entry, after whatever
/// `to` held is closed as `fd_close` would close it. Every check comes
/// first, so a refused call closes nothing.
pub(crate) fn dup2(d: Delegate<'_, '_>, fd: i32, to: i32) -> Result<i32, Fail> {
    let e = d.table.get(fd)?.clone();
    // Linux: a target past RLIMIT_NOFILE (or negative) is EBADF.
    let to = u32::try_from(to).ok().filter(|&t| t < FD_LIMIT).ok_or(Errno::BADF)?;
    if to as i32 == fd {
        return Ok(0);
    }
    // A socket onto a socket leaves the count as it is, as Linux's dup2
    // onto an open fd never fails with EMFILE.
    let onto_socket = matches!(d.table.get(to as i32), Ok(Entry::Socket(_)));
    if matches!(e, Entry::Socket(_)) && !onto_socket {
        d.table.room_for_socket()?;
    }
    let code = release(d.wasi, d.mem, d.table, to as i32)?;
    if code != 0 {
        return Ok(code);
    }
    d.table.replace(to, e);
    Ok(0)
}

/// `accept` for both `wasi_ephemeral_sock::accept` and preview-1
/// `sock_accept`: checks `ret_fd`, accepts, and writes the new fd (lowest
/// free). A full table leaves the connection queued, as Linux's `EMFILE`
/// does.
pub(crate) fn accept(
    mem: &mut Mem<'_>,
    ctx: &mut WasockCtx,
    fd: i32,
    nonblocking: bool,
    ret_fd: i32,
) -> Result<SocketAddr, Errno> {
    mem.range(ret_fd, 4)?;
    // The listener is held by reference while the call may block, not
    // through the table (another thread may use the table meanwhile).
    let listener = ctx.table().socket_ref(fd)?;
    ctx.table().room_for_socket()?;
    let (sock, peer) = listener.accept(nonblocking)?;
    let new_fd = ctx.table().insert(Entry::socket(sock));
    mem.write_u32(ret_fd, new_fd)?;
    Ok(peer)
}

/// `shutdown` for both modules (same `how` values).
pub(crate) fn shutdown(sock: &Socket, how: ShutdownHow) -> Result<(), Errno> {
    sock.shutdown(how.0)
}
