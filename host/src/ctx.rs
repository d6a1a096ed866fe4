//! The embedding API: a [`WasockCtx`] for each guest, made by a
//! [`WasockCtxBuilder`], and [`add_to_linker`](crate::add_to_linker) for any store type.
//!
//! This is how `wasock run` uses the host, and how another wasmtime
//! embedder does:
//!
//! ```no_run
//! use wasmtime::{Engine, Linker, Module, Store};
//! use wasock_host::pool::{Pool, Right};
//! use wasock_host::WasockCtx;
//!
//! struct MyState {
//!     wasock: WasockCtx,
//! }
//!
//! # fn main() -> wasmtime::Result<()> {
//! let engine = Engine::default();
//! let mut linker = Linker::<MyState>::new(&engine);
//! wasock_host::add_to_linker(&mut linker, |s: &mut MyState| &mut s.wasock)?;
//! let pool = Pool::new("net").allow(Right::Connect, "127.0.0.1:8080").map_err(wasmtime::Error::msg)?;
//! let wasock = WasockCtx::builder().inherit_stdio().arg("client").pool(pool).build()?;
//! let mut store = Store::new(&engine, MyState { wasock });
//! let module = Module::from_file(&engine, "client.wasm")?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! instance.get_typed_func::<(), ()>(&mut store, "_start")?.call(&mut store, ())?;
//! # Ok(())
//! # }
//! ```
//!
//! [`add_to_linker`](crate::add_to_linker) defines all of `wasi_snapshot_preview1` (a router over
//! wasmtime-wasi's implementation, see [`crate::wasi_p1`]) and
//! `wasi_ephemeral_sock`. It replaces wasmtime-wasi's own
//! `wasmtime_wasi::p1::add_to_linker_sync`: both define
//! `wasi_snapshot_preview1`, so a linker takes one or the other.

use crate::audit::{DecisionHook, Hooks};
use crate::filter::PeerFilter;
use crate::pool::Pool;
use crate::process::{Guard, Process};
use crate::table::{Entry, FdTable};
use std::path::Path;
use std::sync::Arc;
use wasmtime::error::Context;
use wasmtime::{Memory, SharedMemory};
use wasmtime_wasi::cli::{StdinStream, StdoutStream};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// One guest's wasock state: its fd table (sockets, pools and the fds
/// wasmtime-wasi serves), wasmtime-wasi's preview-1 context, and where
/// pool decisions go. An embedder keeps it in its store's data and hands
/// [`add_to_linker`](crate::add_to_linker) a way to reach it.
///
/// Dropping the last context of a guest closes every socket it left open,
/// without lingering (see [`FdTable::prepare_exit`]).
pub struct WasockCtx {
    /// The fd table and wasmtime-wasi's context (which serves every fd that
    /// is not a socket or pool), shared by the guest's threads.
    pub(crate) process: Process,
    /// The guest's exported memory, found on the first host call and kept,
    /// so that calls do not search the exports by name each time.
    pub(crate) memory: Option<GuestMem>,
    /// The epoll set of this thread's event-loop waits (`p1::poll`).
    pub(crate) edge_set: crate::p1::LazyEdgeSet,
}

impl WasockCtx {
    /// A builder with nothing granted: no stdio, no arguments, no
    /// directories, no pools.
    pub fn builder() -> WasockCtxBuilder {
        WasockCtxBuilder::new()
    }

    /// How many socket numbers the guest holds now.
    pub fn open_sockets(&mut self) -> usize {
        self.process.table().open_sockets()
    }

    /// A context for a new thread of the same guest: the same fd table and
    /// wasmtime-wasi context (shared from now on), its own memory lookup.
    pub fn for_new_thread(&mut self) -> WasockCtx {
        WasockCtx { process: self.process.share(), memory: None, edge_set: Default::default() }
    }

    /// Closes every socket the guest holds, without lingering, now: for a
    /// guest ending while other threads may still hold the context (see
    /// [`FdTable::prepare_exit`]).
    pub fn prepare_exit(&mut self) {
        self.process.table().prepare_exit();
    }

    /// The fd table (locked if the guest has threads).
    #[inline]
    pub(crate) fn table(&mut self) -> Guard<'_, FdTable> {
        self.process.table()
    }

    /// Where pool decisions are reported.
    #[inline]
    pub(crate) fn hooks(&self) -> &Arc<Hooks> {
        self.process.hooks()
    }
}

/// Builds a [`WasockCtx`]. The guest's fds are numbered as the ABI says:
/// stdio 0-2, then the preopened directories in the order given, then the
/// pools in the order given (see `docs/abi.md`).
pub struct WasockCtxBuilder {
    wasi: WasiCtxBuilder,
    dirs: u32,
    dir_handles: Vec<Option<std::os::fd::OwnedFd>>,
    pools: Vec<Pool>,
    hooks: Vec<Arc<dyn DecisionHook>>,
    max_sockets: Option<usize>,
}

impl Default for WasockCtxBuilder {
    fn default() -> WasockCtxBuilder {
        WasockCtxBuilder::new()
    }
}

impl WasockCtxBuilder {
    /// See [`WasockCtx::builder`].
    pub fn new() -> WasockCtxBuilder {
        let mut wasi = WasiCtxBuilder::new();
        // Each host call blocks the guest anyway (a sync embedding that runs
        // wasmtime-wasi's futures to completion), so file work need not hop to
        // tokio's blocking pool and back: reads, opens and stats run on the
        // calling thread (bench/findings.md has the measurement).
        wasi.allow_blocking_current_thread(true);
        WasockCtxBuilder {
            wasi,
            dirs: 0,
            dir_handles: Vec::new(),
            pools: Vec::new(),
            hooks: Vec::new(),
            max_sockets: None,
        }
    }

    /// The guest's stdin, stdout and stderr are the host's.
    pub fn inherit_stdio(mut self) -> Self {
        self.wasi.inherit_stdio();
        self
    }

    /// The guest's stdin (for example a `wasmtime_wasi::p2::pipe::MemoryInputPipe`).
    pub fn stdin(mut self, s: impl StdinStream + 'static) -> Self {
        self.wasi.stdin(s);
        self
    }

    /// The guest's stdout (for example a `wasmtime_wasi::p2::pipe::MemoryOutputPipe`).
    pub fn stdout(mut self, s: impl StdoutStream + 'static) -> Self {
        self.wasi.stdout(s);
        self
    }

    /// The guest's stderr.
    pub fn stderr(mut self, s: impl StdoutStream + 'static) -> Self {
        self.wasi.stderr(s);
        self
    }

    /// Appends one argument (the first is the guest's `argv[0]`).
    pub fn arg(mut self, a: impl AsRef<str>) -> Self {
        self.wasi.arg(a);
        self
    }

    /// Appends arguments.
    pub fn args(mut self, args: &[impl AsRef<str>]) -> Self {
        self.wasi.args(args);
        self
    }

    /// Sets one environment variable.
    pub fn env(mut self, k: impl AsRef<str>, v: impl AsRef<str>) -> Self {
        self.wasi.env(k, v);
        self
    }

    /// Preopens the host directory `host` as `guest`, read-write. Its fd
    /// follows stdio and the directories preopened before it.
    pub fn preopened_dir(mut self, host: impl AsRef<Path>, guest: &str) -> wasmtime::Result<Self> {
        let host = host.as_ref();
        self.wasi
            .preopened_dir(host, guest, FsPerms::ReadWrite)
            .with_context(|| format!("--dir {}: cannot open the directory", host.display()))?;
        // The host's own handle, for the regular files it serves itself
        // (`crate::file`); without one every open goes to wasmtime-wasi.
        self.dir_handles.push(crate::file::open_dir_handle(host).ok());
        self.dirs += 1;
        Ok(self)
    }

    /// Grants an address pool; its fd follows the directories and the
    /// pools granted before it.
    pub fn pool(mut self, p: Pool) -> Self {
        self.pools.push(p);
        self
    }

    /// Reports every pool decision (grants and denials) to `hook`, after
    /// the hooks added before it. `wasock run`'s stderr log and audit
    /// file are two such hooks.
    pub fn decision_hook(mut self, hook: Arc<dyn DecisionHook>) -> Self {
        self.hooks.push(hook);
        self
    }

    /// At most `n` socket numbers open at once; past it, `open`, `accept`,
    /// dups and socketpairs answer `mfile`. Default:
    /// [`crate::Limits::default_sockets`].
    pub fn max_sockets(mut self, n: usize) -> Self {
        self.max_sockets = Some(n);
        self
    }

    /// The context. Fails if a pool's accept rules do not fit in one kernel
    /// filter (see [`PeerFilter`]).
    pub fn build(mut self) -> wasmtime::Result<WasockCtx> {
        for pool in &self.pools {
            PeerFilter::for_pool(pool).map_err(|e| wasmtime::Error::msg(e.to_string()))?;
        }
        crate::local_runtime::prepare();
        let max_sockets = self.max_sockets.unwrap_or_else(crate::Limits::default_sockets);
        let mut table = FdTable::with_socket_limit(max_sockets);
        // wasmtime-wasi numbers stdio 0-2 and the preopens after them, in
        // order; the table mirrors that, then adds the pools.
        for n in 0..3 + self.dirs {
            table.insert(Entry::Wasi(n));
        }
        for (n, dir) in (3..).zip(self.dir_handles) {
            if let Some(dir) = dir {
                table.set_dir_handle(n, dir);
            }
        }
        for pool in self.pools {
            table.insert(Entry::Pool(Arc::new(pool)));
        }
        let process = Process::new(self.wasi.build_p1(), table, Arc::new(Hooks::new(self.hooks)));
        Ok(WasockCtx { process, memory: None, edge_set: Default::default() })
    }
}

/// The guest's exported memory: a plain linear memory, or a shared one (a
/// module built for threads). Found on the first host call and kept.
#[derive(Clone)]
pub(crate) enum GuestMem {
    Plain(Memory),
    Shared(SharedMemory),
}

/// How a host function reaches the [`WasockCtx`] in its store's data `T`:
/// a function such as `|s: &mut MyState| &mut s.wasock`.
pub trait CtxView<T>: Fn(&mut T) -> &mut WasockCtx + Send + Sync + Copy + 'static {}

impl<T, F> CtxView<T> for F where F: Fn(&mut T) -> &mut WasockCtx + Send + Sync + Copy + 'static {}
