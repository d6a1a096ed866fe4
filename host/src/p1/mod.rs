//! The `wasi_snapshot_preview1` router.
//!
//! The guest has one fd table ([`crate::table::FdTable`]). A call on a
//! socket or pool fd is served here; a call on any other fd has its fd
//! numbers translated to wasmtime-wasi's and is passed to wasmtime-wasi's
//! generated preview-1 function, argument for argument. Calls without fds
//! pass straight through.

mod edge_set;
mod files;
mod poll;

pub(crate) use edge_set::LazyEdgeSet;

use crate::abi::stat::{self, Served, ROFLAGS_TRUNCATED};
use crate::abi::{accept_nonblocking, recv_flags, send_flags, Errno, Mem, ShutdownHow, FDFLAGS_NONBLOCK};
use crate::call::served;
use crate::ctx::{CtxView, WasockCtx};
use crate::file::HostFile;
use crate::ops::io::Buffers;
use crate::ops::{self, io};
use crate::table::Entry;
use crate::wasi_p1::{delegated, pass, pass_unless_ours, path_open};
use wasmtime::{Caller, Linker};

/// The import module's name.
pub const MODULE: &str = "wasi_snapshot_preview1";

const ERRNO_NAMETOOLONG: Errno = Errno(37);

/// Whether the fd is one the router serves itself (a socket, a pool or a
/// host-served file).
pub(crate) fn is_ours(ctx: &mut WasockCtx, fd: i32) -> bool {
    matches!(ctx.table().get(fd), Ok(Entry::Socket(_) | Entry::Pool(_) | Entry::File(_)))
}

/// What a socket or pool fd is, for its stat records (`badf` if closed).
fn served_kind(ctx: &mut WasockCtx, fd: i32) -> Result<Served, Errno> {
    Ok(match ctx.table().get(fd)? {
        Entry::Socket(s) => Served::Socket { kind: s.kind(), nonblocking: s.is_nonblocking() },
        _ => Served::Pool,
    })
}

/// wasmtime-wasi acts before it writes its result, and reads only the first
/// non-empty iovec: a bad result pointer (or a bad later iovec) would fail
/// the call after the data moved, consumed from stdin or written to a file,
/// where the guest sees `fault` and retries or gives up. So the calls that
/// move data check everything first, exactly as the socket path does: the
/// result slot (`u32`, aligned as wiggle requires), at most `IOV_MAX`
/// iovecs (`inval` past it) and every buffer in memory.
fn io_args(mem: &mut Mem<'_>, iovs: i32, iovs_len: i32, ret: i32) -> Result<(), Errno> {
    out_slot(mem, ret, 4)?;
    crate::abi::guest_iovecs(mem, iovs, iovs_len).map(drop)
}

/// A result slot of `size` bytes (4 or 8, which is also the alignment wiggle
/// checks for it when it writes the result).
fn out_slot(mem: &Mem<'_>, ptr: i32, size: u32) -> Result<(), Errno> {
    mem.range(ptr, size.into())?;
    if !(ptr as u32).is_multiple_of(size) {
        return Err(Errno::FAULT);
    }
    Ok(())
}

pub(crate) fn add_to_linker<T: 'static>(l: &mut Linker<T>, get: impl CtxView<T>) -> wasmtime::Result<()> {
    pass!(l, get, sync, args_get(argv: i32, buf: i32));
    pass!(l, get, sync, args_sizes_get(argc: i32, size: i32));
    pass!(l, get, sync, environ_get(env: i32, buf: i32));
    pass!(l, get, sync, environ_sizes_get(count: i32, size: i32));
    pass!(l, get, sync, clock_res_get(id: i32, ret: i32));
    pass!(l, get, sync, clock_time_get(id: i32, precision: i64, ret: i32));
    pass!(l, get, sync, proc_raise(sig: i32));
    pass!(l, get, sync, sched_yield());
    pass!(l, get, sync, random_get(buf: i32, len: i32));
    l.func_wrap(MODULE, "proc_exit", |code: i32| -> wasmtime::Result<()> {
        if !(0..126).contains(&code) {
            wasmtime::bail!("exit with invalid exit status outside of [0..126)");
        }
        Err(wasmtime_wasi::I32Exit(code).into())
    })?;

    pass!(l, get, async, fd_advise[fd] on Errno::SPIPE, (fd: i32, offset: i64, len: i64, advice: i32),
        file |f, _| files::advise(f, offset, len, advice));
    // wasmtime-wasi has no allocate: `notsup` for every file, the host's too.
    pass!(l, get, sync, fd_allocate[fd] on Errno::SPIPE, (fd: i32, offset: i64, len: i64), file |_, _| Err(Errno::NOTSUP));
    pass!(l, get, async, fd_datasync[fd] on Errno::INVAL, (fd: i32), file |f: &HostFile, _| Ok(f.sync(true)?));
    pass!(l, get, async, fd_sync[fd] on Errno::INVAL, (fd: i32), file |f: &HostFile, _| Ok(f.sync(false)?));
    pass!(l, get, sync, fd_fdstat_set_rights[fd] on Errno::NOTSUP, (fd: i32, base: i64, inheriting: i64),
        file |_, _| Err(Errno::NOTSUP));
    pass!(l, get, async, fd_filestat_set_size[fd] on Errno::INVAL, (fd: i32, size: i64),
        file |f: &HostFile, _| Ok(f.set_size(size as u64)?));
    pass!(l, get, async, fd_filestat_set_times[fd] on Errno::NOTSUP, (fd: i32, atim: i64, mtim: i64, flags: i32),
        file |f, _| files::set_times(f, atim, mtim, flags));
    pass!(l, get, async, fd_pread[fd] on Errno::SPIPE, (fd: i32, iovs: i32, iovs_len: i32, offset: i64, ret: i32)
        checked by |m: &mut Mem<'_>| io_args(m, iovs, iovs_len, ret),
        file |f, m| files::read(f, m, iovs, iovs_len, Some(offset), ret));
    pass!(l, get, async, fd_pwrite[fd] on Errno::SPIPE, (fd: i32, iovs: i32, iovs_len: i32, offset: i64, ret: i32)
        checked by |m: &mut Mem<'_>| io_args(m, iovs, iovs_len, ret),
        file |_, _| Err(Errno::BADF));
    pass!(l, get, async, fd_readdir[fd] on Errno::NOTDIR, (fd: i32, buf: i32, len: i32, cookie: i64, ret: i32));
    // The new offset (u64): the position moves before wasmtime-wasi writes it.
    pass!(l, get, async, fd_seek[fd] on Errno::SPIPE, (fd: i32, offset: i64, whence: i32, ret: i32)
        checked by |m: &mut Mem<'_>| out_slot(m, ret, 8),
        file |f, m| files::seek(f, m, offset, whence, ret));
    pass!(l, get, sync, fd_tell[fd] on Errno::SPIPE, (fd: i32, ret: i32), file |f, m| files::tell(f, m, ret));

    pass!(l, get, async, path_create_directory[fd] on Errno::NOTDIR, (fd: i32, path: i32, len: i32));
    pass!(l, get, async, path_filestat_get[fd] on Errno::NOTDIR, (fd: i32, flags: i32, path: i32, len: i32, ret: i32));
    pass!(l, get, async, path_filestat_set_times[fd] on Errno::NOTDIR,
        (fd: i32, flags: i32, path: i32, len: i32, atim: i64, mtim: i64, fst: i32));
    pass!(l, get, async, path_link[old_fd, new_fd] on Errno::NOTDIR,
        (old_fd: i32, flags: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32));
    pass!(l, get, async, path_readlink[fd] on Errno::NOTDIR, (fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, ret: i32));
    pass!(l, get, async, path_remove_directory[fd] on Errno::NOTDIR, (fd: i32, path: i32, len: i32));
    pass!(l, get, async, path_rename[fd, new_fd] on Errno::NOTDIR,
        (fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32));
    pass!(l, get, async, path_symlink[fd] on Errno::NOTDIR, (old: i32, old_len: i32, fd: i32, new: i32, new_len: i32));
    pass!(l, get, async, path_unlink_file[fd] on Errno::NOTDIR, (fd: i32, path: i32, len: i32));
    l.func_wrap(
        MODULE,
        "path_open",
        move |mut c: Caller<'_, T>,
              fd: i32,
              dirflags: i32,
              path: i32,
              len: i32,
              oflags: i32,
              base: i64,
              inh: i64,
              fdflags: i32,
              ret: i32| {
            delegated(&mut c, get, |mut d| {
                let dir = d.table.wasi(fd, Errno::NOTDIR)? as i32;
                // The file is opened (maybe created or truncated) before the fd is
                // written: a bad slot must fail first, or the open would leak.
                out_slot(&d.checked()?, ret, 4)?;
                let request = files::OpenRequest { dir: fd, dirflags, path, len, oflags, base, fdflags };
                if let Some(fd) = files::try_open(&mut d, &request) {
                    d.checked()?.write_u32(ret, fd)?;
                    return Ok(0);
                }
                let code = path_open(&mut d, dir, dirflags, path, len, oflags, base, inh, fdflags, ret)?;
                if code != 0 {
                    return Ok(code);
                }
                // wasmtime-wasi wrote its own fd number; give the guest one from its table.
                let inner = d.checked()?.read_u32(ret)?;
                let fd = d.table.insert(Entry::Wasi(inner));
                d.checked()?.write_u32(ret, fd)?;
                Ok(0)
            })
        },
    )?;

    l.func_wrap(MODULE, "fd_close", move |mut c: Caller<'_, T>, fd: i32| {
        delegated(&mut c, get, |d| ops::close(d, fd))
    })?;
    l.func_wrap(MODULE, "fd_renumber", move |mut c: Caller<'_, T>, from: i32, to: i32| {
        delegated(&mut c, get, |d| ops::renumber(d, from, to))
    })?;

    l.func_wrap(MODULE, "fd_read", move |mut c: Caller<'_, T>, fd: i32, iovs: i32, iovs_len: i32, ret: i32| {
        pass_unless_ours!(c, get, async, fd_read(fd, iovs, iovs_len, ret) checked by |m| io_args(m, iovs, iovs_len, ret));
        served(&mut c, get, |mem, st| {
            // Bound first: the table's guard must go before the read blocks
            // (a guest with threads shares the table).
            let entry = st.table().get(fd).cloned();
            match entry {
                Ok(Entry::Socket(sock)) => io::read(mem, &sock, iovs, iovs_len, ret),
                Ok(Entry::File(f)) => files::read(&f, mem, iovs, iovs_len, None, ret),
                _ => Err(Errno::BADF),
            }
        })
    })?;
    l.func_wrap(MODULE, "fd_write", move |mut c: Caller<'_, T>, fd: i32, iovs: i32, iovs_len: i32, ret: i32| {
        pass_unless_ours!(c, get, async, fd_write(fd, iovs, iovs_len, ret) checked by |m| io_args(m, iovs, iovs_len, ret));
        served(&mut c, get, |mem, st| {
            // A host-served file is read-only: `badf`, as Linux and wasmtime-wasi answer.
            let sock = st.table().socket_ref(fd).map_err(|_| Errno::BADF)?;
            io::send(mem, &sock, Buffers::Iovecs { ptr: iovs, count: iovs_len }, 0, None, ret)
        })
    })?;
    l.func_wrap(MODULE, "fd_fdstat_get", move |mut c: Caller<'_, T>, fd: i32, ret: i32| {
        pass_unless_ours!(c, get, async, fd_fdstat_get(fd, ret));
        served(&mut c, get, |mem, st| {
            let file = st.table().file(fd).cloned();
            match file {
                Some(f) => mem.write(ret, &files::fdstat(&f)),
                None => mem.write(ret, &stat::fdstat(served_kind(st, fd)?)),
            }
        })
    })?;
    l.func_wrap(MODULE, "fd_fdstat_set_flags", move |mut c: Caller<'_, T>, fd: i32, flags: i32| {
        pass_unless_ours!(c, get, sync, fd_fdstat_set_flags(fd, flags));
        served(&mut c, get, |_, st| {
            let table = st.table();
            if let Some(f) = table.file(fd) {
                return files::set_flags(f, flags);
            }
            let sock = table.socket(fd).map_err(|_| Errno::BADF)?;
            if flags & !FDFLAGS_NONBLOCK != 0 {
                return Err(Errno::INVAL);
            }
            sock.set_nonblocking(flags & FDFLAGS_NONBLOCK != 0)
        })
    })?;
    l.func_wrap(MODULE, "fd_filestat_get", move |mut c: Caller<'_, T>, fd: i32, ret: i32| {
        pass_unless_ours!(c, get, async, fd_filestat_get(fd, ret));
        served(&mut c, get, |mem, st| {
            let file = st.table().file(fd).cloned();
            match file {
                Some(f) => mem.write(ret, &files::filestat(&f)?),
                None => mem.write(ret, &stat::filestat(served_kind(st, fd)?)),
            }
        })
    })?;
    l.func_wrap(MODULE, "fd_prestat_get", move |mut c: Caller<'_, T>, fd: i32, ret: i32| {
        pass_unless_ours!(c, get, sync, fd_prestat_get(fd, ret));
        served(&mut c, get, |mem, st| {
            let table = st.table();
            let pool = table.pool(fd).map_err(|_| Errno::BADF)?;
            mem.write(ret, &stat::pool_prestat(pool.name.len()))
        })
    })?;
    l.func_wrap(MODULE, "fd_prestat_dir_name", move |mut c: Caller<'_, T>, fd: i32, path: i32, len: i32| {
        pass_unless_ours!(c, get, sync, fd_prestat_dir_name(fd, path, len));
        served(&mut c, get, |mem, st| {
            let table = st.table();
            let pool = table.pool(fd).map_err(|_| Errno::BADF)?;
            if pool.name.len() > len as u32 as usize {
                return Err(ERRNO_NAMETOOLONG);
            }
            mem.write(path, pool.name.as_bytes())
        })
    })?;

    l.func_wrap(MODULE, "sock_accept", move |mut c: Caller<'_, T>, fd: i32, flags: i32, ret: i32| {
        served(&mut c, get, |mem, st| ops::accept(mem, st, fd, accept_nonblocking(flags)?, ret).map(drop))
    })?;
    l.func_wrap(
        MODULE,
        "sock_recv",
        move |mut c: Caller<'_, T>, fd: i32, iovs: i32, iovs_len: i32, flags: i32, ret_len: i32, ret_flags: i32| {
            served(&mut c, get, |mem, st| {
                let flags = recv_flags(flags)?;
                let sock = st.table().socket_ref(fd)?;
                mem.range(ret_flags, 2)?;
                let got = io::recv(mem, &sock, Buffers::Iovecs { ptr: iovs, count: iovs_len }, flags, false, ret_len)?;
                mem.write_u16(ret_flags, if got.truncated { ROFLAGS_TRUNCATED } else { 0 })
            })
        },
    )?;
    l.func_wrap(
        MODULE,
        "sock_send",
        move |mut c: Caller<'_, T>, fd: i32, iovs: i32, iovs_len: i32, flags: i32, ret: i32| {
            served(&mut c, get, |mem, st| {
                let flags = send_flags(flags)?;
                let sock = st.table().socket_ref(fd)?;
                io::send(mem, &sock, Buffers::Iovecs { ptr: iovs, count: iovs_len }, flags, None, ret)
            })
        },
    )?;
    l.func_wrap(MODULE, "sock_shutdown", move |mut c: Caller<'_, T>, fd: i32, how: i32| {
        served(&mut c, get, |_, st| ops::shutdown(st.table().socket(fd)?, ShutdownHow::from_abi(how)?))
    })?;
    l.func_wrap(MODULE, "poll_oneoff", move |mut c: Caller<'_, T>, subs: i32, events: i32, n: i32, ret: i32| {
        poll::poll_oneoff(&mut c, get, subs, events, n, ret)
    })?;
    Ok(())
}
