//! The `wasi_snapshot_preview1` router.
//!
//! The guest has one fd table ([`crate::table::FdTable`]). A call on a
//! socket or pool fd is served here; a call on any other fd has its fd
//! numbers translated to wasmtime-wasi's and is passed to wasmtime-wasi's
//! generated preview-1 function, argument for argument. Calls without fds
//! pass straight through.

mod poll;

use crate::abi::{Errno, Mem};
use crate::call::{block, delegated, served, Delegate, Fail};
use crate::sock::{accept, io, shutdown, FDFLAGS_NONBLOCK};
use crate::state::HostState;
use crate::table::{Entry, FdTable};
use wasmtime::{Caller, Linker};
use wasmtime_wasi::p1::wasi_snapshot_preview1 as wasi;
use wasmtime_wasi::p1::WasiP1Ctx;
use wiggle::GuestMemory;

pub const MODULE: &str = "wasi_snapshot_preview1";

type C<'a> = Caller<'a, HostState>;

/// preview-1 `filetype::unknown`, what a pool reports.
const FILETYPE_UNKNOWN: u8 = 0;
/// preview-1 `roflags::recv_data_truncated`.
const ROFLAGS_TRUNCATED: u16 = 1;
/// preview-1 `preopentype` of an address pool (0 is a directory).
const PREOPEN_POOL: u8 = 1;
const ERRNO_NAMETOOLONG: Errno = Errno(37);

/// The rights a socket fd reports (preview-1 `rights` bits): fd_read (1),
/// fd_fdstat_set_flags (3), fd_write (6), fd_filestat_get (21),
/// poll_fd_readwrite (27), sock_shutdown (28), sock_accept (29).
const SOCKET_RIGHTS: u64 = (1 << 1) | (1 << 3) | (1 << 6) | (1 << 21) | (1 << 27) | (1 << 28) | (1 << 29);

/// Whether the fd is one the router serves itself (a socket or a pool).
fn is_ours(c: &C<'_>, fd: i32) -> bool {
    matches!(c.data().table.get(fd), Ok(Entry::Socket(_) | Entry::Pool(_)))
}

/// Calls a generated preview-1 function: `sync` ones directly, `async` ones
/// to completion on wasmtime-wasi's runtime.
macro_rules! invoke {
    (sync, $e:expr) => {
        $e?
    };
    (async, $e:expr) => {
        block($e)?
    };
}

/// In a function the router serves for sockets and pools: passes the call
/// on to wasmtime-wasi (its fd translated) when `fd` is neither, after the
/// `checked by` check (see [`io_args`]) if there is one.
macro_rules! pass_unless_ours {
    ($c:ident, $mode:ident, $name:ident($fd:ident $(, $a:ident)*) $(checked by $check:expr)?) => {
        if !is_ours(&$c, $fd) {
            return delegated(&mut $c, |d| {
                let $fd = d.table.wasi($fd, Errno::BADF)? as i32;
                $(let mut d = d; $check(&mut d.checked()?)?;)?
                Ok(invoke!($mode, wasi::$name(d.wasi, d.mem, $fd $(, $a)*)))
            });
        }
    };
}

/// Registers a pass-through function. `[fd, ...] on ERRNO` names the
/// arguments that are fds, translated to wasmtime-wasi's numbers; a socket
/// or pool there gets ERRNO (what POSIX gives for that call on a socket).
/// A `checked by` check runs on guest memory before wasmtime-wasi is called.
macro_rules! pass {
    ($l:ident, $mode:ident, $name:ident ($($a:ident: $t:ty),*)) => {
        $l.func_wrap(MODULE, stringify!($name), |mut c: C<'_>, $($a: $t),*| {
            delegated(&mut c, |d| Ok(invoke!($mode, wasi::$name(d.wasi, d.mem, $($a),*))))
        })?;
    };
    ($l:ident, $mode:ident, $name:ident [$($fd:ident),*] on $err:expr, ($($a:ident: $t:ty),*)
        $(checked by $check:expr)?) => {
        $l.func_wrap(MODULE, stringify!($name), |mut c: C<'_>, $($a: $t),*| {
            delegated(&mut c, |d| {
                $(let $fd = d.table.wasi($fd, $err)? as i32;)*
                $(let mut d = d; $check(&mut d.checked()?)?;)?
                Ok(invoke!($mode, wasi::$name(d.wasi, d.mem, $($a),*)))
            })
        })?;
    };
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
    io::guest_iovecs(mem, iovs, iovs_len).map(drop)
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

pub fn add_to_linker(l: &mut Linker<HostState>) -> wasmtime::Result<()> {
    pass!(l, sync, args_get(argv: i32, buf: i32));
    pass!(l, sync, args_sizes_get(argc: i32, size: i32));
    pass!(l, sync, environ_get(env: i32, buf: i32));
    pass!(l, sync, environ_sizes_get(count: i32, size: i32));
    pass!(l, sync, clock_res_get(id: i32, ret: i32));
    pass!(l, sync, clock_time_get(id: i32, precision: i64, ret: i32));
    pass!(l, sync, proc_raise(sig: i32));
    pass!(l, sync, sched_yield());
    pass!(l, sync, random_get(buf: i32, len: i32));
    l.func_wrap(MODULE, "proc_exit", |code: i32| -> wasmtime::Result<()> {
        if !(0..126).contains(&code) {
            wasmtime::bail!("exit with invalid exit status outside of [0..126)");
        }
        Err(wasmtime_wasi::I32Exit(code).into())
    })?;

    pass!(l, async, fd_advise[fd] on Errno::SPIPE, (fd: i32, offset: i64, len: i64, advice: i32));
    pass!(l, sync, fd_allocate[fd] on Errno::SPIPE, (fd: i32, offset: i64, len: i64));
    pass!(l, async, fd_datasync[fd] on Errno::INVAL, (fd: i32));
    pass!(l, async, fd_sync[fd] on Errno::INVAL, (fd: i32));
    pass!(l, sync, fd_fdstat_set_rights[fd] on Errno::NOTSUP, (fd: i32, base: i64, inheriting: i64));
    pass!(l, async, fd_filestat_set_size[fd] on Errno::INVAL, (fd: i32, size: i64));
    pass!(l, async, fd_filestat_set_times[fd] on Errno::NOTSUP, (fd: i32, atim: i64, mtim: i64, flags: i32));
    pass!(l, async, fd_pread[fd] on Errno::SPIPE, (fd: i32, iovs: i32, iovs_len: i32, offset: i64, ret: i32)
        checked by |m: &mut Mem<'_>| io_args(m, iovs, iovs_len, ret));
    pass!(l, async, fd_pwrite[fd] on Errno::SPIPE, (fd: i32, iovs: i32, iovs_len: i32, offset: i64, ret: i32)
        checked by |m: &mut Mem<'_>| io_args(m, iovs, iovs_len, ret));
    pass!(l, async, fd_readdir[fd] on Errno::NOTDIR, (fd: i32, buf: i32, len: i32, cookie: i64, ret: i32));
    // The new offset (u64): the position moves before wasmtime-wasi writes it.
    pass!(l, async, fd_seek[fd] on Errno::SPIPE, (fd: i32, offset: i64, whence: i32, ret: i32)
        checked by |m: &mut Mem<'_>| out_slot(m, ret, 8));
    pass!(l, sync, fd_tell[fd] on Errno::SPIPE, (fd: i32, ret: i32));

    pass!(l, async, path_create_directory[fd] on Errno::NOTDIR, (fd: i32, path: i32, len: i32));
    pass!(l, async, path_filestat_get[fd] on Errno::NOTDIR, (fd: i32, flags: i32, path: i32, len: i32, ret: i32));
    pass!(l, async, path_filestat_set_times[fd] on Errno::NOTDIR,
        (fd: i32, flags: i32, path: i32, len: i32, atim: i64, mtim: i64, fst: i32));
    pass!(l, async, path_link[old_fd, new_fd] on Errno::NOTDIR,
        (old_fd: i32, flags: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32));
    pass!(l, async, path_readlink[fd] on Errno::NOTDIR, (fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, ret: i32));
    pass!(l, async, path_remove_directory[fd] on Errno::NOTDIR, (fd: i32, path: i32, len: i32));
    pass!(l, async, path_rename[fd, new_fd] on Errno::NOTDIR,
        (fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32));
    pass!(l, async, path_symlink[fd] on Errno::NOTDIR, (old: i32, old_len: i32, fd: i32, new: i32, new_len: i32));
    pass!(l, async, path_unlink_file[fd] on Errno::NOTDIR, (fd: i32, path: i32, len: i32));
    l.func_wrap(
        MODULE,
        "path_open",
        |mut c: C<'_>,
         fd: i32,
         dirflags: i32,
         path: i32,
         len: i32,
         oflags: i32,
         base: i64,
         inh: i64,
         fdflags: i32,
         ret: i32| {
            delegated(&mut c, |mut d| {
                let dir = d.table.wasi(fd, Errno::NOTDIR)? as i32;
                // The file is opened (maybe created or truncated) before the fd is
                // written: a bad slot must fail first, or the open would leak.
                out_slot(&d.checked()?, ret, 4)?;
                let code =
                    block(wasi::path_open(d.wasi, d.mem, dir, dirflags, path, len, oflags, base, inh, fdflags, ret))?;
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

    l.func_wrap(MODULE, "fd_close", |mut c: C<'_>, fd: i32| delegated(&mut c, |d| close_fd(d, fd)))?;
    l.func_wrap(MODULE, "fd_renumber", |mut c: C<'_>, from: i32, to: i32| {
        delegated(&mut c, |d| renumber(d, from, to))
    })?;

    l.func_wrap(MODULE, "fd_read", |mut c: C<'_>, fd: i32, iovs: i32, iovs_len: i32, ret: i32| {
        pass_unless_ours!(c, async, fd_read(fd, iovs, iovs_len, ret) checked by |m| io_args(m, iovs, iovs_len, ret));
        served(&mut c, |mem, st| {
            let sock = st.table.socket(fd).map_err(|_| Errno::BADF)?;
            mem.range(ret, 4)?;
            let mut iov = io::guest_iovecs(mem, iovs, iovs_len)?;
            // Linux's `read`/`readv` on a socket return 0 for zero bytes before
            // looking at the socket (`sock_read_iter`); a zero-length `recv`
            // would block, fail with `again` or consume a datagram.
            if iov.is_empty() {
                return mem.write_u32(ret, 0);
            }
            let got = sock.recv(&mut iov, 0, false)?;
            mem.write_u32(ret, got.len as u32)
        })
    })?;
    l.func_wrap(MODULE, "fd_write", |mut c: C<'_>, fd: i32, iovs: i32, iovs_len: i32, ret: i32| {
        pass_unless_ours!(c, async, fd_write(fd, iovs, iovs_len, ret) checked by |m| io_args(m, iovs, iovs_len, ret));
        served(&mut c, |mem, st| {
            let sock = st.table.socket(fd).map_err(|_| Errno::BADF)?;
            mem.range(ret, 4)?;
            let mut iov = io::guest_iovecs(mem, iovs, iovs_len)?;
            let n = sock.send(&mut iov, 0, None)?;
            mem.write_u32(ret, n as u32)
        })
    })?;
    l.func_wrap(MODULE, "fd_fdstat_get", |mut c: C<'_>, fd: i32, ret: i32| {
        pass_unless_ours!(c, async, fd_fdstat_get(fd, ret));
        served(&mut c, |mem, st| {
            // fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, rights_inheriting u64 @16.
            let mut stat = [0u8; 24];
            if let Entry::Socket(s) = st.table.get(fd)? {
                stat[0] = s.kind() as u8;
                let flags = if s.is_nonblocking() { FDFLAGS_NONBLOCK as u16 } else { 0 };
                stat[2..4].copy_from_slice(&flags.to_le_bytes());
                stat[8..16].copy_from_slice(&SOCKET_RIGHTS.to_le_bytes());
            } else {
                stat[0] = FILETYPE_UNKNOWN;
            }
            mem.write(ret, &stat)
        })
    })?;
    l.func_wrap(MODULE, "fd_fdstat_set_flags", |mut c: C<'_>, fd: i32, flags: i32| {
        pass_unless_ours!(c, sync, fd_fdstat_set_flags(fd, flags));
        served(&mut c, |_, st| {
            let sock = st.table.socket(fd).map_err(|_| Errno::BADF)?;
            if flags & !FDFLAGS_NONBLOCK != 0 {
                return Err(Errno::INVAL);
            }
            sock.set_nonblocking(flags & FDFLAGS_NONBLOCK != 0)
        })
    })?;
    l.func_wrap(MODULE, "fd_filestat_get", |mut c: C<'_>, fd: i32, ret: i32| {
        pass_unless_ours!(c, async, fd_filestat_get(fd, ret));
        served(&mut c, |mem, st| {
            // filestat: dev @0, ino @8, filetype u8 @16, nlink @24, size @32, times @40..64.
            let mut stat = [0u8; 64];
            stat[16] = match st.table.get(fd)? {
                Entry::Socket(s) => s.kind() as u8,
                _ => FILETYPE_UNKNOWN,
            };
            stat[24] = 1;
            mem.write(ret, &stat)
        })
    })?;
    l.func_wrap(MODULE, "fd_prestat_get", |mut c: C<'_>, fd: i32, ret: i32| {
        pass_unless_ours!(c, sync, fd_prestat_get(fd, ret));
        served(&mut c, |mem, st| {
            // prestat: tag u8 @0, name length u32 @4.
            let pool = st.table.pool(fd).map_err(|_| Errno::BADF)?;
            let mut pre = [0u8; 8];
            pre[0] = PREOPEN_POOL;
            pre[4..8].copy_from_slice(&(pool.name.len() as u32).to_le_bytes());
            mem.write(ret, &pre)
        })
    })?;
    l.func_wrap(MODULE, "fd_prestat_dir_name", |mut c: C<'_>, fd: i32, path: i32, len: i32| {
        pass_unless_ours!(c, sync, fd_prestat_dir_name(fd, path, len));
        served(&mut c, |mem, st| {
            let pool = st.table.pool(fd).map_err(|_| Errno::BADF)?;
            if pool.name.len() > len as u32 as usize {
                return Err(ERRNO_NAMETOOLONG);
            }
            mem.write(path, pool.name.as_bytes())
        })
    })?;

    l.func_wrap(MODULE, "sock_accept", |mut c: C<'_>, fd: i32, flags: i32, ret: i32| {
        served(&mut c, |mem, st| accept(mem, st, fd, flags, ret).map(drop))
    })?;
    l.func_wrap(
        MODULE,
        "sock_recv",
        |mut c: C<'_>, fd: i32, iovs: i32, iovs_len: i32, flags: i32, ret_len: i32, ret_flags: i32| {
            served(&mut c, |mem, st| {
                let flags = io::recv_flags(flags)?;
                let sock = st.table.socket(fd)?;
                mem.range(ret_len, 4)?;
                mem.range(ret_flags, 2)?;
                let mut iov = io::guest_iovecs(mem, iovs, iovs_len)?;
                let got = sock.recv(&mut iov, flags, false)?;
                mem.write_u32(ret_len, got.len as u32)?;
                mem.write_u16(ret_flags, if got.truncated { ROFLAGS_TRUNCATED } else { 0 })
            })
        },
    )?;
    l.func_wrap(MODULE, "sock_send", |mut c: C<'_>, fd: i32, iovs: i32, iovs_len: i32, flags: i32, ret: i32| {
        served(&mut c, |mem, st| {
            let flags = io::send_flags(flags)?;
            let sock = st.table.socket(fd)?;
            mem.range(ret, 4)?;
            let mut iov = io::guest_iovecs(mem, iovs, iovs_len)?;
            let n = sock.send(&mut iov, flags, None)?;
            mem.write_u32(ret, n as u32)
        })
    })?;
    l.func_wrap(MODULE, "sock_shutdown", |mut c: C<'_>, fd: i32, how: i32| {
        served(&mut c, |_, st| shutdown(st.table.socket(fd)?, how))
    })?;
    l.func_wrap(MODULE, "poll_oneoff", |mut c: C<'_>, subs: i32, events: i32, n: i32, ret: i32| {
        poll::poll_oneoff(&mut c, subs, events, n, ret)
    })?;
    Ok(())
}

/// `fd_close` (and `wasi_ephemeral_sock::close`): sockets and pools are
/// dropped here, which closes the host socket when this was its last number;
/// a wasmtime-wasi fd is closed by wasmtime-wasi first when this is its last
/// number, and leaves the table only if that succeeded.
pub fn close_fd(d: Delegate<'_, '_>, fd: i32) -> Result<i32, Fail> {
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
pub(crate) fn release(wasi: &mut WasiP1Ctx, mem: &mut GuestMemory<'_>, table: &FdTable, fd: i32) -> Result<i32, Fail> {
    match table.get(fd) {
        Ok(Entry::Wasi(n)) if table.last_wasi_ref(fd) => Ok(block(wasi::fd_close(wasi, mem, *n as i32))?),
        _ => Ok(0),
    }
}

/// `fd_renumber`: moves `from` to `to`, closing what `to` held (`to` must be
/// open, as wasmtime-wasi requires). Either may be one of several numbers
/// of one entry: the move keeps the entry's count.
fn renumber(d: Delegate<'_, '_>, from: i32, to: i32) -> Result<i32, Fail> {
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
