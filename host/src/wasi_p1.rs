//! The one door into wasmtime-wasi's preview-1 implementation.
//!
//! The router ([`crate::p1`]) serves sockets and pools itself and hands every
//! other preview-1 call to the functions wasmtime-wasi generates from the
//! witx (`wasmtime_wasi::p1::wasi_snapshot_preview1::*`), argument for
//! argument, with fd numbers translated to wasmtime-wasi's own. Those
//! functions are public but upstream calls them an implementation detail,
//! not a stable API: their signatures follow wiggle's code generation and
//! may change in any release. That is why `host/Cargo.toml` pins
//! `wasmtime`, `wasmtime-wasi` and `wiggle` to one exact version
//! (`=48.0.8`), and why nothing outside this module names them: moving to a
//! new wasmtime means reading this file (and the macros below) against the
//! new generated code, and nothing else.
//!
//! What this module provides:
//! - [`delegated`]: a host function's way in, with wasmtime-wasi's context,
//!   the guest memory in wiggle's form (plain or shared) and the fd table;
//! - [`Fail`]: the conversion of wasmtime-wasi's traps on bad guest
//!   arguments back into errnos, so every delegated call answers as a
//!   socket call would;
//! - the `pass!`/`pass_unless_ours!` macros that register or forward a
//!   generated function, and the few calls the router makes by hand
//!   ([`fd_close`], [`path_open`], [`poll_oneoff`]);
//! - [`block`]: runs one of the async generated functions to completion.

use crate::abi::{Errno, Mem};
use crate::call::{with_memory, MemoryView};
use crate::ctx::{CtxView, WasockCtx};
use crate::table::FdTable;
use wasmtime::{AsContextMut, Caller};
pub(crate) use wasmtime_wasi::p1::wasi_snapshot_preview1 as generated;
use wasmtime_wasi::p1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasmtime_wasi::p1::WasiP1Ctx;
use wiggle::{GuestError, GuestMemory};

/// Why a delegated call did not produce an errno of its own.
pub(crate) enum Fail {
    /// The router answers with this errno (for example `badf` for an unknown fd).
    Errno(Errno),
    /// wasmtime-wasi trapped (for example `proc_exit`).
    Trap(wasmtime::Error),
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Fail {
        Fail::Errno(e)
    }
}

impl From<wasmtime::Error> for Fail {
    /// Every result of wasmtime-wasi passes through here. A trap caused by
    /// the guest's arguments carries wiggle's [`GuestError`] (in its chain:
    /// wasmtime-wasi sometimes adds context) and becomes its errno; any
    /// other trap (`proc_raise`, a host failure) stays a trap.
    fn from(e: wasmtime::Error) -> Fail {
        match e.downcast_ref::<GuestError>() {
            Some(g) => Fail::Errno(guest_errno(g)),
            None => Fail::Trap(e),
        }
    }
}

impl Fail {
    /// The host function's result: an errno, or the trap.
    pub(crate) fn into_result(r: Result<i32, Fail>) -> wasmtime::Result<i32> {
        match r {
            Ok(code) => Ok(code),
            Err(Fail::Errno(e)) => Ok(e.code()),
            Err(Fail::Trap(t)) => Err(t),
        }
    }
}

/// The errno for a guest error wasmtime-wasi (or the code wiggle generates
/// around it) would trap on. Pointers outside memory, wrapping or misaligned
/// are `fault`, as the host's own functions answer; an argument that is not
/// a value of its type (an unknown clock id, flags or a `u16` past 65535)
/// is `inval`, as POSIX answers for an unknown clock or flag. The match is
/// exhaustive so that a new variant in wiggle is a compile error here.
fn guest_errno(g: &GuestError) -> Errno {
    match g {
        GuestError::InFunc { err, .. } => guest_errno(err),
        GuestError::PtrOverflow
        | GuestError::PtrOutOfBounds(_)
        | GuestError::PtrNotAligned(..)
        | GuestError::SliceLengthsDiffer => Errno::FAULT,
        GuestError::InvalidFlagValue(_) | GuestError::InvalidEnumValue(_) | GuestError::TryFromIntError(_) => {
            Errno::INVAL
        }
        // wasmtime-wasi's own mapping (it never traps on this one today).
        GuestError::InvalidUtf8(_) => ERRNO_ILSEQ,
    }
}

const ERRNO_ILSEQ: Errno = Errno(25);

/// What a delegated call gets: wasmtime-wasi's context, the guest memory in
/// wiggle's form, and the fd table (to translate fd numbers).
pub(crate) struct Delegate<'a, 'm> {
    pub wasi: &'a mut WasiP1Ctx,
    pub mem: &'a mut GuestMemory<'m>,
    pub table: &'a mut FdTable,
}

impl Delegate<'_, '_> {
    /// The guest memory as a checked [`Mem`]: to check, before wasmtime-wasi
    /// acts, what it would only find wrong afterwards, and to fix up what it
    /// wrote.
    pub fn checked(&mut self) -> Result<Mem<'_>, Errno> {
        Ok(match self.mem {
            GuestMemory::Unshared(bytes) => Mem::new(bytes),
            GuestMemory::Shared(cells) => Mem::shared(cells),
        })
    }
}

/// Runs a call delegated to wasmtime-wasi.
pub(crate) fn delegated<T>(
    c: &mut Caller<'_, T>,
    get: impl CtxView<T>,
    f: impl FnOnce(Delegate<'_, '_>) -> Result<i32, Fail>,
) -> wasmtime::Result<i32> {
    let fuel = c.as_context_mut().hostcall_fuel();
    let r = with_memory(c, get, |view, ctx: &mut WasockCtx| {
        let (mut wasi, mut table) = ctx.process.both();
        // wasmtime-wasi bounds its copies by this fuel; its context starts with none.
        wasi.set_hostcall_fuel(fuel);
        let mut mem = match view {
            MemoryView::Plain(bytes) => GuestMemory::Unshared(bytes),
            MemoryView::Shared(cells) => GuestMemory::Shared(cells),
        };
        f(Delegate { wasi: &mut wasi, mem: &mut mem, table: &mut table })
    })?;
    Fail::into_result(r)
}

/// Runs one of wasmtime-wasi's async preview-1 functions to completion
/// (never from inside another tokio context).
///
/// The runner's context allows blocking on the current thread, so a file
/// call does its work within the future's first poll. That poll is made
/// here, in the tokio runtime's context (which wasmtime-wasi's code may
/// ask for) but without `block_on`: `in_tokio` would enter the runtime's
/// blocking region and yield once before polling, on every call (together
/// about 1 µs of a 12 µs stat-open-read-close of a small file, measured in
/// bench/findings.md). A call that does wait (stdin, a sleep) is finished
/// by the runtime (`crate::local_runtime`), which polls it again with a
/// real waker.
pub(crate) fn block<F: std::future::Future>(f: F) -> F::Output {
    crate::local_runtime::block(f)
}

/// Runs a future to completion on the thread's tokio runtime (its own, or
/// wasmtime-wasi's), as wasmtime-wasi's own synchronous wrappers do: for
/// `poll_oneoff`, whose future waits.
pub(crate) fn block_on_runtime<F: std::future::Future>(f: F) -> F::Output {
    crate::local_runtime::block_on(f)
}

/// Sets the hostcall fuel of a context the router drives by hand.
pub(crate) fn set_fuel(wasi: &mut WasiP1Ctx, fuel: usize) {
    wasi.set_hostcall_fuel(fuel);
}

/// wasmtime-wasi's `fd_close` of its own fd `n`; its errno.
pub(crate) fn fd_close(wasi: &mut WasiP1Ctx, mem: &mut GuestMemory<'_>, n: u32) -> Result<i32, Fail> {
    Ok(block(generated::fd_close(wasi, mem, n as i32))?)
}

/// wasmtime-wasi's `path_open` in its directory fd `dir`; it writes its
/// own number for the new fd at `ret`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn path_open(
    d: &mut Delegate<'_, '_>,
    dir: i32,
    dirflags: i32,
    path: i32,
    len: i32,
    oflags: i32,
    base: i64,
    inh: i64,
    fdflags: i32,
    ret: i32,
) -> Result<i32, Fail> {
    Ok(block(generated::path_open(d.wasi, d.mem, dir, dirflags, path, len, oflags, base, inh, fdflags, ret))?)
}

/// wasmtime-wasi's `poll_oneoff` over `k` subscriptions laid out in
/// `mem` at `subs`, as a future (the router races it against sockets).
pub(crate) fn poll_oneoff<'a, 'm: 'a>(
    wasi: &'a mut WasiP1Ctx,
    mem: &'a mut GuestMemory<'m>,
    subs: i32,
    events: i32,
    k: i32,
    ret: i32,
) -> impl std::future::Future<Output = wasmtime::Result<i32>> + use<'a, 'm> {
    generated::poll_oneoff(wasi, mem, subs, events, k, ret)
}

/// Calls a generated preview-1 function: `sync` ones directly, `async` ones
/// to completion on wasmtime-wasi's runtime.
macro_rules! invoke {
    (sync, $e:expr) => {
        $e?
    };
    (async, $e:expr) => {
        $crate::wasi_p1::block($e)?
    };
}

/// In a function the router serves for sockets and pools: passes the call
/// on to wasmtime-wasi (its fd translated) when `fd` is neither (the
/// router's `is_ours`, named where the macro expands), after the
/// `checked by` check if there is one.
macro_rules! pass_unless_ours {
    ($c:ident, $get:ident, $mode:ident, $name:ident($fd:ident $(, $a:ident)*) $(checked by $check:expr)?) => {
        if !is_ours($get($c.data_mut()), $fd) {
            return $crate::wasi_p1::delegated(&mut $c, $get, |d| {
                let $fd = d.table.wasi($fd, $crate::abi::Errno::BADF)? as i32;
                $(let mut d = d; $check(&mut d.checked()?)?;)?
                Ok($crate::wasi_p1::invoke!($mode, $crate::wasi_p1::generated::$name(d.wasi, d.mem, $fd $(, $a)*)))
            });
        }
    };
}

/// Registers a pass-through function. `[fd, ...] on ERRNO` names the
/// arguments that are fds, translated to wasmtime-wasi's numbers; a socket
/// or pool there gets ERRNO (what POSIX gives for that call on a socket).
/// A `checked by` check runs on guest memory before wasmtime-wasi is called.
/// It registers under the router's `MODULE`, named where the macro expands.
macro_rules! pass {
    // `file HANDLER`: a host-served file (`crate::file`) at the fd is
    // answered by HANDLER(&file, &mut Mem), which returns the errno.
    ($l:ident, $get:ident, $mode:ident, $name:ident [$fd:ident] on $err:expr, ($($a:ident: $t:ty),*)
        $(checked by $check:expr)?, file $file:expr) => {
        $l.func_wrap(MODULE, stringify!($name), move |mut c: wasmtime::Caller<'_, T>, $($a: $t),*| {
            $crate::wasi_p1::delegated(&mut c, $get, |d| {
                let mut d = d;
                if let Some(f) = d.table.file($fd).cloned() {
                    let r: Result<(), $crate::abi::Errno> = $file(&*f, &mut d.checked()?);
                    return Ok(r.err().map_or(0, |e| e.code()));
                }
                let $fd = d.table.wasi($fd, $err)? as i32;
                $($check(&mut d.checked()?)?;)?
                Ok($crate::wasi_p1::invoke!($mode, $crate::wasi_p1::generated::$name(d.wasi, d.mem, $($a),*)))
            })
        })?;
    };
    ($l:ident, $get:ident, $mode:ident, $name:ident ($($a:ident: $t:ty),*)) => {
        $l.func_wrap(MODULE, stringify!($name), move |mut c: wasmtime::Caller<'_, T>, $($a: $t),*| {
            $crate::wasi_p1::delegated(&mut c, $get, |d| {
                Ok($crate::wasi_p1::invoke!($mode, $crate::wasi_p1::generated::$name(d.wasi, d.mem, $($a),*)))
            })
        })?;
    };
    ($l:ident, $get:ident, $mode:ident, $name:ident [$($fd:ident),*] on $err:expr, ($($a:ident: $t:ty),*)
        $(checked by $check:expr)?) => {
        $l.func_wrap(MODULE, stringify!($name), move |mut c: wasmtime::Caller<'_, T>, $($a: $t),*| {
            $crate::wasi_p1::delegated(&mut c, $get, |d| {
                $(let $fd = d.table.wasi($fd, $err)? as i32;)*
                $(let mut d = d; $check(&mut d.checked()?)?;)?
                Ok($crate::wasi_p1::invoke!($mode, $crate::wasi_p1::generated::$name(d.wasi, d.mem, $($a),*)))
            })
        })?;
    };
}

pub(crate) use {invoke, pass, pass_unless_ours};
