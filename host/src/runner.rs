//! One `wasock run`: the command's use of the embedding API
//! ([`crate::WasockCtx`], [`crate::add_to_linker`]) with its own store type,
//! logs and module cache.

use crate::audit::{AuditFile, StderrLog};
use crate::cache::{self, ModuleCache};
use crate::ctx::WasockCtx;
use crate::pool::Pool;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmtime::error::Context;
use wasmtime::{Engine, Linker, Module, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::I32Exit;

/// What `wasock run` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct RunConfig {
    /// The module to run (`.wasm`, `.wat`, or with `allow_precompiled` a
    /// precompiled one).
    pub module: PathBuf,
    /// Arguments after the module; the guest's `argv[0]` is the module path.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Preopened directories: (host path, guest path).
    pub dirs: Vec<(PathBuf, String)>,
    /// The address pools, in fd order.
    pub pools: Vec<Pool>,
    /// `--audit FILE`: every pool decision, one JSON object per line.
    pub audit: Option<PathBuf>,
    /// What the guest may consume.
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

/// What the command's store holds: the guest's wasock context and its
/// memory limits.
pub struct RunState {
    /// The guest's context.
    pub wasock: WasockCtx,
    /// `--max-memory` (wasmtime's `ResourceLimiter`).
    pub limits: StoreLimits,
}

/// A linker with every function a guest may import, over the command's store type.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<RunState>> {
    let mut linker = Linker::new(engine);
    crate::add_to_linker(&mut linker, |s: &mut RunState| &mut s.wasock)?;
    Ok(linker)
}

/// The guest's context as the command line describes it.
fn context(cfg: &RunConfig, observers: &Observers) -> wasmtime::Result<WasockCtx> {
    let mut b = WasockCtx::builder()
        .inherit_stdio()
        .arg(cfg.module.to_string_lossy())
        .args(&cfg.args)
        .max_sockets(cfg.limits.sockets.unwrap_or_else(Limits::default_sockets))
        .decision_hook(observers.log.clone());
    if let Some(a) = &observers.audit {
        b = b.decision_hook(a.clone());
    }
    for (k, v) in &cfg.env {
        b = b.env(k, v);
    }
    for (host, guest) in &cfg.dirs {
        b = b.preopened_dir(host, guest)?;
    }
    for pool in &cfg.pools {
        b = b.pool(pool.clone());
    }
    b.build()
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
    let observers = Observers::open(cfg)?;
    let wasock = context(cfg, &observers)?;
    let engine = Engine::default();
    let module = load_module(&engine, cfg).with_context(|| format!("cannot load {}", cfg.module.display()))?;
    let linker = linker(&engine)?;
    let limits = StoreLimitsBuilder::new().memory_size(cfg.limits.memory).build();
    let mut store = Store::new(&engine, RunState { wasock, limits });
    store.limiter(|s| &mut s.limits);
    let instance = linker
        .instantiate(&mut store, &module)
        .with_context(|| format!("cannot instantiate {}", cfg.module.display()))?;
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
    // Dropping the store closes every socket (without lingering, see
    // `WasockCtx`'s drop) before the logs' last lines are written.
    drop(store);
    drop(observers);
    Ok(exit)
}
