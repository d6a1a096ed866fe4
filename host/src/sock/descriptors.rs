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

use crate::abi::Kind;
use crate::call::served;
use crate::ctx::CtxView;
use crate::ops;
use crate::socket::Socket;
use crate::table::Entry;
use crate::wasi_p1::delegated;
use wasmtime::{Caller, Linker};

use super::MODULE;

pub(crate) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: impl CtxView<T>) -> wasmtime::Result<()> {
    linker.func_wrap(MODULE, "fd_dup", move |mut c: Caller<'_, T>, fd: i32, min_fd: i32, ret_fd: i32| {
        served(&mut c, get, |mem, st| {
            mem.range(ret_fd, 4)?;
            let new_fd = ops::dup(&mut st.table(), fd, min_fd)?;
            mem.write_u32(ret_fd, new_fd)
        })
    })?;
    linker.func_wrap(MODULE, "fd_dup2", move |mut c: Caller<'_, T>, fd: i32, to: i32| {
        delegated(&mut c, get, |d| ops::dup2(d, fd, to))
    })?;
    linker.func_wrap(MODULE, "socketpair", move |mut c: Caller<'_, T>, ty: i32, ret_fd1: i32, ret_fd2: i32| {
        served(&mut c, get, |mem, st| {
            let kind = Kind::from_abi(ty)?;
            mem.range(ret_fd1, 4)?;
            mem.range(ret_fd2, 4)?;
            st.table().room_for_sockets(2)?;
            let (a, b) = Socket::pair(st.hooks().clone(), kind)?;
            let fd1 = st.table().insert(Entry::socket(a));
            let fd2 = st.table().insert(Entry::socket(b));
            mem.write_u32(ret_fd1, fd1)?;
            mem.write_u32(ret_fd2, fd2)
        })
    })?;
    Ok(())
}
