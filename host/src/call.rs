//! How a host function reaches the guest's memory and its [`WasockCtx`].
//!
//! Every function the host serves itself runs through [`served`]: it finds
//! the guest's memory (plain or shared), views it as a checked [`Mem`],
//! reaches the context through the embedder's [`CtxView`], and turns the
//! result into the function's errno. A bad pointer or argument is an errno,
//! never a trap; only a guest without memory traps.
//!
//! Calls that wasmtime-wasi serves go through [`crate::wasi_p1::delegated`],
//! built on the same [`GuestMem`].

use crate::abi::{Errno, Mem};
use crate::ctx::{CtxView, GuestMem, WasockCtx};
use wasmtime::{Caller, Extern};

/// The guest's memory, looked up by name on the first call and kept.
pub(crate) fn guest_memory<T>(c: &mut Caller<'_, T>, get: impl CtxView<T>) -> wasmtime::Result<GuestMem> {
    if let Some(m) = &get(c.data_mut()).memory {
        return Ok(m.clone());
    }
    let m = match c.get_export("memory") {
        Some(Extern::Memory(m)) => GuestMem::Plain(m),
        Some(Extern::SharedMemory(m)) => GuestMem::Shared(m),
        _ => wasmtime::bail!("the guest exports no memory named `memory`"),
    };
    get(c.data_mut()).memory = Some(m.clone());
    Ok(m)
}

/// Runs `f` with the guest's memory as raw bytes (a plain memory's slice, or
/// a shared memory's cells) and the context.
pub(crate) fn with_memory<T, R>(
    c: &mut Caller<'_, T>,
    get: impl CtxView<T>,
    f: impl FnOnce(MemoryView<'_>, &mut WasockCtx) -> R,
) -> wasmtime::Result<R> {
    match guest_memory(c, get)? {
        GuestMem::Plain(m) => {
            let (bytes, data) = m.data_and_store_mut(&mut *c);
            Ok(f(MemoryView::Plain(bytes), get(data)))
        }
        GuestMem::Shared(m) => Ok(f(MemoryView::Shared(m.data()), get(c.data_mut()))),
    }
}

/// Guest memory borrowed for one call, in the form its kind allows.
pub(crate) enum MemoryView<'a> {
    Plain(&'a mut [u8]),
    Shared(&'a [std::cell::UnsafeCell<u8>]),
}

impl<'a> MemoryView<'a> {
    /// The memory as a checked [`Mem`].
    pub(crate) fn checked(self) -> Mem<'a> {
        match self {
            MemoryView::Plain(b) => Mem::new(b),
            MemoryView::Shared(cells) => Mem::shared(cells),
        }
    }
}

/// Runs a host-served call: `f` gets checked memory and the context; its
/// `Errno` becomes the function's return value.
#[inline]
pub(crate) fn served<T>(
    c: &mut Caller<'_, T>,
    get: impl CtxView<T>,
    f: impl FnOnce(&mut Mem<'_>, &mut WasockCtx) -> Result<(), Errno>,
) -> wasmtime::Result<i32> {
    with_memory(c, get, |view, ctx| {
        let mut mem = view.checked();
        match f(&mut mem, ctx) {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    })
}
