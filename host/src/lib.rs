//! The wasock host: runs `wasm32-wasip1` modules on wasmtime with all of
//! `wasi_snapshot_preview1` (a router over wasmtime-wasi) plus the
//! `wasi_ephemeral_sock` import module, where sockets are ordinary guest
//! fds and the only network a guest can reach is what its address pools
//! grant.
//!
//! **Embedding.** A wasmtime embedder builds a [`WasockCtx`] per guest with
//! [`WasockCtx::builder`] (stdio, arguments, preopened directories, pools,
//! limits, decision hooks), keeps it in its store's data, and calls
//! [`add_to_linker`] with a way to reach it: see [`ctx`]. `wasock run`
//! ([`runner`]) is the first user of that API.
//!
//! **Layers** (docs/architecture.md has the picture), each importing only
//! those below it:
//! - import modules: `p1` (the preview-1 router, `poll_oneoff`) and `sock`
//!   (`wasi_ephemeral_sock`) decode their ABI and call down;
//! - `ops`: the fd operations both share (close, renumber, dup, accept,
//!   shutdown, the check-then-operate I/O steps);
//! - `wasi_p1`: the one door into wasmtime-wasi's generated preview-1
//!   functions (and why the version is pinned);
//! - `table` (the guest's one fd table), `socket` (a socket: its
//!   transport, pool checks, readiness), [`pool`] (with [`tls`], the
//!   rustls configurations of its TLS rules), [`filter`] (accept rules
//!   as a kernel filter), [`audit`] (decision hooks), `resolve`, `sys`;
//! - [`abi`]: every wire format (records, flags, checked guest memory).
#![deny(missing_docs)]

pub mod abi;
pub mod audit;
pub mod cache;
mod call;
pub mod cli;
mod compile;
pub mod ctx;
mod file;
pub mod filter;
mod linker;
mod local_runtime;
mod ops;
mod p1;
pub mod pool;
mod process;
mod resolve;
pub mod runner;
mod sock;
mod socket;
pub mod spec;
mod sys;
mod table;
pub mod threads;
pub mod tls;
mod wasi_p1;

pub use ctx::{CtxView, WasockCtx, WasockCtxBuilder};
pub use linker::add_to_linker;
pub use pool::Pool;
pub use runner::{run, Exit, Limits, RunConfig};

/// The import modules' names.
pub mod modules {
    pub use crate::p1::MODULE as PREVIEW1;
    pub use crate::sock::MODULE as SOCK;
}

/// Internals this crate's own integration tests and fuzzers reach into
/// (the fd table, a socket, the system calls, the option table, name
/// lookup). Not part of the public API: it may change in any release.
#[doc(hidden)]
pub mod testing {
    pub use crate::socket::{Kind, Socket};
    pub use crate::table::{Entry, FdTable};

    /// Runs `f` on the context's fd table, to set up states no guest call
    /// sequence reaches quickly (sockets already open at known numbers).
    pub fn with_table<R>(ctx: &mut crate::WasockCtx, f: impl FnOnce(&mut FdTable) -> R) -> R {
        f(&mut ctx.table())
    }

    /// Name lookup.
    pub mod resolve {
        pub use crate::resolve::*;
    }

    /// The socket option table.
    pub mod sockopt {
        pub use crate::sock::sockopt::*;
    }

    /// The system calls of the I/O path.
    pub mod sys {
        pub use crate::sys::*;
    }
}
