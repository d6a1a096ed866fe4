//! What the store holds for one guest.

use crate::audit::Hooks;
use crate::table::FdTable;
use std::sync::Arc;
use wasmtime::{Memory, StoreLimits};
use wasmtime_wasi::p1::WasiP1Ctx;

pub struct HostState {
    /// wasmtime-wasi's preview-1 context: serves every fd that is not a socket or pool.
    pub wasi: WasiP1Ctx,
    /// The guest's fd table.
    pub table: FdTable,
    /// Where pool decisions are reported (the stderr log, the audit file).
    pub hooks: Arc<Hooks>,
    /// The guest's memory and table limits (wasmtime's `ResourceLimiter`).
    pub limits: StoreLimits,
    /// The guest's exported memory, looked up once after instantiation so
    /// host calls do not search the exports by name each time.
    pub memory: Option<Memory>,
}

impl HostState {
    /// A state with no decision hooks and wasmtime's default limits.
    pub fn new(wasi: WasiP1Ctx, table: FdTable) -> HostState {
        HostState { wasi, table, hooks: Arc::default(), limits: StoreLimits::default(), memory: None }
    }
}
