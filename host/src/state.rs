//! What the store holds for one guest.

use crate::table::FdTable;
use wasmtime::Memory;
use wasmtime_wasi::p1::WasiP1Ctx;

pub struct HostState {
    /// wasmtime-wasi's preview-1 context: serves every fd that is not a socket or pool.
    pub wasi: WasiP1Ctx,
    /// The guest's fd table.
    pub table: FdTable,
    /// The guest's exported memory, looked up once after instantiation so
    /// host calls do not search the exports by name each time.
    pub memory: Option<Memory>,
}
