//! One guest run: engine, linker, store, and the fd table laid out as the
//! ABI says (stdio, preopened directories, then pools).

use crate::audit::{AuditFile, DecisionHook, Hooks, StderrLog};
use crate::cache::{self, ModuleCache};
use crate::filter::PeerFilter;
use crate::pool::Pool;
use crate::state::HostState;
use crate::table::{Entry, FdTable};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmtime::error::Context;
use wasmtime::{Engine, Linker, Module, Store, StoreLimitsBuilder};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// What `wasock run` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct RunConfig {
    pub module: PathBuf,
    /// Arguments after the module; the guest's `argv[0]` is the module path.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Preopened directories: (host path, guest path).
    pub dirs: Vec<(PathBuf, String)>,
    pub pools: Vec<Pool>,
    /// `--audit FILE`: every pool decision, one JSON object per line.
    pub audit: Option<PathBuf>,
    pub limits: Limits,
    /// Where compiled modules are cached (`None`: compile every time).
    pub cache_dir: Option<PathBuf>,
    /// Accept a precompiled module (`wasock compile`'s output).
    pub allow_precompiled: bool,
}

/// What one guest may consume.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Sockets open at once (`--max-sockets`); past it, `open` and `accept` answer `mfile`.
    /// `None`: [`Limits::default_sockets`].
    pub sockets: Option<usize>,
    /// Linear memory in bytes (`--max-memory`); growing past it fails as `memory.grow` does.
    pub memory: usize,
}

impl Limits {
    /// Sockets allowed by default: 4096, less if the host's own fd limit
    /// (raised to its hard limit at start) would not leave room for the
    /// host, wasmtime and the guest's files.
    pub fn default_sockets() -> usize {
        const HOST_RESERVE: usize = 256;
        let soft = crate::sys::raise_fd_limit();
        4096.min(soft.saturating_sub(HOST_RESERVE)).max(16)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { sockets: None, memory: DEFAULT_MAX_MEMORY }
    }
}

/// 1 GiB: far more than the guests this host serves need, far less than
/// the 4 GiB a wasm32 guest could otherwise make the host commit.
pub const DEFAULT_MAX_MEMORY: usize = 1 << 30;

/// How a run ended.
#[derive(Debug)]
pub enum Exit {
    /// The guest returned from `_start` (0) or called `proc_exit`.
    Code(i32),
    /// The guest trapped; the message says where.
    Trap(String),
}

/// A linker with every function a guest may import.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    crate::p1::add_to_linker(&mut linker)?;
    crate::sock::add_to_linker(&mut linker)?;
    Ok(linker)
}

fn state(cfg: &RunConfig, hooks: Arc<Hooks>) -> wasmtime::Result<HostState> {
    let mut b = WasiCtxBuilder::new();
    b.inherit_stdio();
    // Each host call blocks the guest anyway (a sync embedding that runs
    // wasmtime-wasi's futures to completion), so file work need not hop to
    // tokio's blocking pool and back: reads, opens and stats run on this
    // thread (bench/findings.md has the measurement).
    b.allow_blocking_current_thread(true);
    b.arg(cfg.module.to_string_lossy());
    b.args(&cfg.args);
    b.envs(&cfg.env);
    for (host, guest) in &cfg.dirs {
        b.preopened_dir(host, guest, FsPerms::ReadWrite)
            .with_context(|| format!("--dir {}: cannot open the directory", host.display()))?;
    }
    let max_sockets = cfg.limits.sockets.unwrap_or_else(Limits::default_sockets);
    let mut table = FdTable::with_socket_limit(max_sockets);
    // wasmtime-wasi numbers stdio 0-2 and the preopens after them, in order.
    for n in 0..3 + cfg.dirs.len() as u32 {
        table.insert(Entry::Wasi(n));
    }
    for pool in &cfg.pools {
        table.insert(Entry::Pool(Arc::new(pool.clone())));
    }
    let mut state = HostState::new(b.build_p1(), table);
    state.hooks = hooks;
    state.limits = StoreLimitsBuilder::new().memory_size(cfg.limits.memory).build();
    Ok(state)
}

/// The stderr log and, if asked for, the audit file; closed (flushed, with
/// a bounded wait) when the run ends.
struct Observers {
    log: Arc<StderrLog>,
    audit: Option<Arc<AuditFile>>,
}

impl Observers {
    fn open(cfg: &RunConfig) -> wasmtime::Result<Observers> {
        let log = Arc::new(StderrLog::new().context("cannot start the log writer")?);
        let audit = match &cfg.audit {
            Some(path) => Some(Arc::new(
                AuditFile::open(path).with_context(|| format!("--audit {}: cannot open the file", path.display()))?,
            )),
            None => None,
        };
        Ok(Observers { log, audit })
    }

    fn hooks(&self) -> Arc<Hooks> {
        let mut hooks: Vec<Arc<dyn DecisionHook>> = vec![self.log.clone()];
        if let Some(a) = &self.audit {
            hooks.push(a.clone());
        }
        Arc::new(Hooks::new(hooks))
    }
}

impl Drop for Observers {
    fn drop(&mut self) {
        self.log.close();
        if let Some(a) = &self.audit {
            a.close();
        }
    }
}

/// The module to run: a precompiled file (if allowed), or `.wasm`/`.wat`
/// compiled through the cache.
fn load_module(engine: &Engine, cfg: &RunConfig) -> wasmtime::Result<Module> {
    let bytes = std::fs::read(&cfg.module)?;
    if cache::is_precompiled(&bytes) {
        if !cfg.allow_precompiled {
            wasmtime::bail!(
                "it is a precompiled module: run it with --allow-precompiled (only files you compiled yourself)"
            );
        }
        return cache::load_precompiled(engine, &bytes, &cfg.module);
    }
    match &cfg.cache_dir {
        Some(dir) => ModuleCache::new(dir.clone()).load(engine, &bytes),
        None => Module::new(engine, &bytes),
    }
}

/// `wasock compile`: writes `module`'s compiled form to `out`.
pub fn compile(module: &Path, out: &Path) -> wasmtime::Result<()> {
    let bytes = std::fs::read(module).with_context(|| format!("cannot read {}", module.display()))?;
    cache::compile_to_file(&Engine::default(), &bytes, out)
        .with_context(|| format!("cannot compile {}", module.display()))
}

/// Compiles and runs the module to its end.
pub fn run(cfg: &RunConfig) -> wasmtime::Result<Exit> {
    for pool in &cfg.pools {
        PeerFilter::for_pool(pool).map_err(|e| wasmtime::Error::msg(e.to_string()))?;
    }
    let observers = Observers::open(cfg)?;
    // wasmtime-wasi builds its tokio runtime on first use and panics if it
    // cannot (no fd left for its epoll): build it now, before the guest can
    // use up the fds.
    crate::call::block(async {});
    let engine = Engine::default();
    let module = load_module(&engine, cfg).with_context(|| format!("cannot load {}", cfg.module.display()))?;
    let linker = linker(&engine)?;
    let mut store = Store::new(&engine, state(cfg, observers.hooks())?);
    store.limiter(|s| &mut s.limits);
    let instance = linker
        .instantiate(&mut store, &module)
        .with_context(|| format!("cannot instantiate {}", cfg.module.display()))?;
    store.data_mut().memory = instance.get_memory(&mut store, "memory");
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .with_context(|| format!("{} is not a command module (no `_start`)", cfg.module.display()))?;
    let exit = match start.call(&mut store, ()) {
        Ok(()) => Exit::Code(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Exit::Code(exit.0),
            None => Exit::Trap(format!("{e:?}")),
        },
    };
    // Close every socket (without lingering) before the logs' last lines are written.
    store.data().table.prepare_exit();
    drop(store);
    drop(observers);
    Ok(exit)
}
