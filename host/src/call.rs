//! The two shapes of host function: those the host serves itself, which see
//! the guest's memory as a [`Mem`] and the fd table, and those delegated to
//! wasmtime-wasi's preview-1 implementation.

use crate::abi::{Errno, Mem};
use crate::state::HostState;
use wasmtime::{AsContextMut, Caller, Extern, Memory};
use wasmtime_wasi::p1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasmtime_wasi::p1::WasiP1Ctx;

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
    fn from(e: wasmtime::Error) -> Fail {
        Fail::Trap(e)
    }
}

/// What a delegated call gets: wasmtime-wasi's context, the guest memory in
/// wiggle's form, and the fd table (to translate fd numbers).
pub struct Delegate<'a, 'm> {
    pub wasi: &'a mut WasiP1Ctx,
    pub mem: &'a mut wiggle::GuestMemory<'m>,
    pub table: &'a mut crate::table::FdTable,
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
