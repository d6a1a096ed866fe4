//! [`add_to_linker`]: both import modules, for any store type.

use crate::ctx::CtxView;
use wasmtime::Linker;

/// Defines every function a wasock guest may import (all of
/// `wasi_snapshot_preview1` and `wasi_ephemeral_sock`) in `linker`, each
/// reaching its [`crate::WasockCtx`] through `get`. It replaces
/// `wasmtime_wasi::p1::add_to_linker_sync` (both define
/// `wasi_snapshot_preview1`).
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: impl CtxView<T>) -> wasmtime::Result<()> {
    crate::p1::add_to_linker(linker, get)?;
    crate::sock::add_to_linker(linker, get)
}
