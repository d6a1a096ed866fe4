//! What preview 1 lacks for descriptors: `fd_dup` (dup, `F_DUPFD`),
//! `fd_dup2` (dup2, dup3) and `socketpair`. The host owns the guest's fd
//! table, so a duplicate is one more number for the same entry (see
//! [`crate::table`] for how sockets and wasmtime-wasi's fds are shared and
//! counted), on every kind of fd: sockets, pools, stdio, files, directories.
//!
//! A pool may be duplicated: it is a capability handle, and a second number
//! for it grants nothing the first did not (closing one keeps the other).
//!
//! `pipe` has no import of its own: the C library makes it from a stream
//! `socketpair` shut down one way on each side (see `sdk/src/descriptors.c`
//! for why), so it is served by the socket paths that already exist.

use crate::abi::Errno;
use crate::call::{delegated, served, Delegate, Fail};
use crate::p1::release;
use crate::socket::{Kind, Socket};
use crate::state::HostState;
use crate::table::{Entry, FD_LIMIT};
use wasmtime::{Caller, Linker};

use super::MODULE;

type C<'a> = Caller<'a, HostState>;

pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(MODULE, "fd_dup", |mut c: C<'_>, fd: i32, min_fd: i32, ret_fd: i32| {
        served(&mut c, |mem, st| {
            mem.range(ret_fd, 4)?;
            let e = st.table.get(fd)?.clone();
            // As F_DUPFD: a lower bound past the fd limit is `inval`, no free
            // number below the limit `mfile`.
            let min = u32::try_from(min_fd).ok().filter(|&m| m < FD_LIMIT).ok_or(Errno::INVAL)?;
            if matches!(e, Entry::Socket(_)) {
                st.table.room_for_socket()?;
            }
            let new_fd = st.table.lowest_free(min);
            if new_fd >= FD_LIMIT {
                return Err(Errno::MFILE);
            }
            st.table.replace(new_fd, e);
            mem.write_u32(ret_fd, new_fd)
        })
    })?;
    linker.func_wrap(MODULE, "fd_dup2", |mut c: C<'_>, fd: i32, to: i32| delegated(&mut c, |d| dup2(d, fd, to)))?;
    linker.func_wrap(MODULE, "socketpair", |mut c: C<'_>, ty: i32, ret_fd1: i32, ret_fd2: i32| {
        served(&mut c, |mem, st| {
            let kind = Kind::from_abi(ty)?;
            mem.range(ret_fd1, 4)?;
            mem.range(ret_fd2, 4)?;
            st.table.room_for_sockets(2)?;
            let (a, b) = Socket::pair(st.hooks.clone(), kind)?;
            let fd1 = st.table.insert(Entry::socket(a));
            let fd2 = st.table.insert(Entry::socket(b));
            mem.write_u32(ret_fd1, fd1)?;
            mem.write_u32(ret_fd2, fd2)
        })
    })?;
    Ok(())
}

/// `fd_dup2`: `to` becomes another number for `fd`'s entry, after whatever
/// `to` held is closed as `fd_close` would close it. Every check comes
/// first, so a refused call closes nothing.
fn dup2(d: Delegate<'_, '_>, fd: i32, to: i32) -> Result<i32, Fail> {
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
