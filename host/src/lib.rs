//! The wasock host: runs `wasm32-wasip1` command modules on wasmtime with
//! all of `wasi_snapshot_preview1` (from wasmtime-wasi) plus the
//! `wasi_ephemeral_sock` import module, where sockets are ordinary guest fds
//! and the only network a guest can reach is what its address pools grant.
//!
//! Layout:
//! - [`pool`]: address pools and their rules (what a guest may touch).
//! - [`filter`]: a pool's accept rules as a kernel socket filter.
//! - [`audit`]: every pool decision, to the stderr log and the audit file.
//! - [`abi`]: errno values, the `addr` record, checked guest memory.
//! - [`table`]: the guest's one fd table (sockets, pools, wasmtime-wasi fds).
//! - [`socket`]: a guest socket: an OS socket plus its pool; every check.
//! - [`sys`]: the system calls of the I/O hot path.
//! - [`sock`]: the `wasi_ephemeral_sock` functions.
//! - [`p1`]: the `wasi_snapshot_preview1` router and `poll_oneoff`.
//! - [`runner`]: engine, store and linker for one guest run.
//! - [`cache`]: compiled modules, cached and precompiled.

pub mod abi;
pub mod audit;
pub mod cache;
mod call;
pub mod cli;
pub mod filter;
pub mod p1;
pub mod pool;
pub mod resolve;
pub mod runner;
pub mod sock;
pub mod socket;
pub mod spec;
mod state;
pub mod sys;
pub mod table;

pub use runner::{linker, run, RunConfig};
pub use state::HostState;
