//! The two shapes of host function: those the host serves itself, which see
//! the guest's memory as a [`Mem`] and the fd table, and those delegated to
//! wasmtime-wasi's preview-1 implementation.
//!
//! Both keep one contract: a bad pointer or argument is an errno, never a
//! trap. wasmtime-wasi follows the witx rule that a bad pointer traps; the
//! conversion into [`Fail`] turns those traps back into errnos (see
//! [`guest_errno`]), so every delegated call, whatever its fd, answers as a
//! socket call would.

use crate::abi::{Errno, Mem};
use crate::state::HostState;
use wasmtime::{AsContextMut, Caller, Extern, Memory};
use wasmtime_wasi::p1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasmtime_wasi::p1::WasiP1Ctx;
use wiggle::GuestError;

pub(crate) fn memory(caller: &mut Caller<'_, HostState>) -> wasmtime::Result<Memory> {
    if let Some(m) = caller.data().memory {
        return Ok(m);
    }
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Ok(m),
        _ => wasmtime::bail!("the guest exports no memory named `memory`"),
    }
}

/// Runs a host-served call: `f` gets checked memory and the state; its
/// `Errno` becomes the function's return value. Only a missing memory traps.
pub fn served(
    caller: &mut Caller<'_, HostState>,
    f: impl FnOnce(&mut Mem<'_>, &mut HostState) -> Result<(), Errno>,
) -> wasmtime::Result<i32> {
    let m = memory(caller)?;
    let (bytes, state) = m.data_and_store_mut(caller);
    let mut mem = Mem::new(bytes);
    Ok(match f(&mut mem, state) {
        Ok(()) => 0,
        Err(e) => e.code(),
    })
}

/// Why a delegated call did not produce an errno of its own.
pub enum Fail {
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
pub struct Delegate<'a, 'm> {
    pub wasi: &'a mut WasiP1Ctx,
    pub mem: &'a mut wiggle::GuestMemory<'m>,
    pub table: &'a mut crate::table::FdTable,
}

impl Delegate<'_, '_> {
    /// The guest memory as a checked [`Mem`]: to check, before wasmtime-wasi
    /// acts, what it would only find wrong afterwards, and to fix up what it
    /// wrote. [`delegated`] only ever makes unshared memory.
    pub fn checked(&mut self) -> Result<Mem<'_>, Errno> {
        match self.mem {
            wiggle::GuestMemory::Unshared(bytes) => Ok(Mem::new(bytes)),
            wiggle::GuestMemory::Shared(_) => Err(Errno::FAULT),
        }
    }
}

/// Runs a call delegated to wasmtime-wasi.
pub fn delegated(
    caller: &mut Caller<'_, HostState>,
    f: impl FnOnce(Delegate<'_, '_>) -> Result<i32, Fail>,
) -> wasmtime::Result<i32> {
    let fuel = caller.as_context_mut().hostcall_fuel();
    let m = memory(caller)?;
    let (bytes, state) = m.data_and_store_mut(caller);
    // wasmtime-wasi bounds its copies by this fuel; its context starts with none.
    state.wasi.set_hostcall_fuel(fuel);
    let mut mem = wiggle::GuestMemory::Unshared(bytes);
    let d = Delegate { wasi: &mut state.wasi, mem: &mut mem, table: &mut state.table };
    match f(d) {
        Ok(code) => Ok(code),
        Err(Fail::Errno(e)) => Ok(e.code()),
        Err(Fail::Trap(t)) => Err(t),
    }
}

/// Runs one of wasmtime-wasi's async preview-1 functions to completion.
pub fn block<F: std::future::Future>(f: F) -> F::Output {
    wasmtime_wasi::runtime::in_tokio(f)
}
