//! One `wasock run`: the command's use of the embedding API
//! ([`crate::WasockCtx`], [`crate::add_to_linker`]) with its own store type,
//! logs and module cache.

use crate::audit::{escape, escape_lines, AuditFile, StderrLog};
use crate::cache::{self, ModuleCache};
use crate::ctx::WasockCtx;
use crate::local_runtime::LocalRuntime;
use crate::pool::Pool;
use crate::threads::{self, ThreadExit, Threads, DEFAULT_MAX_THREADS};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmtime::error::Context;
use wasmtime::{Config, Engine, ExternType, Linker, Module, SharedMemory, Store, StoreLimits, StoreLimitsBuilder};
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
    /// Threads running at once besides the main one (`--max-threads`); 0
    /// refuses a module built for threads.
    pub threads: usize,
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
        Limits { sockets: None, memory: DEFAULT_MAX_MEMORY, threads: DEFAULT_MAX_THREADS }
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

/// What the command's store holds (one store per guest thread): the
/// thread's wasock context, its memory limits and the guest's thread
/// support, if it uses threads.
pub struct RunState {
    /// The thread's context.
    pub wasock: WasockCtx,
    /// `--max-memory` (wasmtime's `ResourceLimiter`).
    pub limits: StoreLimits,
    /// Spawning threads (a module built for threads only).
    pub threads: Option<Arc<Threads<RunState>>>,
}

/// The engine of every run: with wasm threads and shared memory, which
/// modules built for threads need (and which cost the others nothing).
pub fn engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.wasm_threads(true).shared_memory(true);
    // For profiling (bench/README.md): names the compiled wasm functions for `perf`.
    if std::env::var_os("WASOCK_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    Engine::new(&config)
}

/// A linker with every function a guest may import, over the command's store type.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<RunState>> {
    let mut linker = Linker::new(engine);
    crate::add_to_linker(&mut linker, |s: &mut RunState| &mut s.wasock)?;
    threads::add_to_linker(&mut linker, |s: &RunState| s.threads.as_ref(), |s: &mut RunState| &mut s.wasock)?;
    Ok(linker)
}

/// Thread support for a module built for threads: its shared memory in the
/// linker, and a [`Threads`] whose exit handler ends the process the way
/// `wasock` ends after the main thread (closing the logs first).
fn thread_support(
    store: &Store<RunState>,
    module: &Module,
    linker: &mut Linker<RunState>,
    cfg: &RunConfig,
    observers: &Observers,
) -> wasmtime::Result<Option<Arc<Threads<RunState>>>> {
    let engine = store.engine();
    let shared = threads::shared_memory(engine, module, cfg.limits.memory)?;
    if !threads::uses_threads(module) {
        if let Some(m) = shared {
            define_shared_memory(store, linker, module, m)?;
        }
        return Ok(None);
    }
    if cfg.limits.threads == 0 {
        wasmtime::bail!(
            "it uses threads (it imports `{}.{}`) but this run allows none (--max-threads 0)",
            threads::SPAWN_MODULE,
            threads::SPAWN_NAME
        );
    }
    let Some(memory) = shared else {
        wasmtime::bail!("it imports `{}.{}` but no shared memory", threads::SPAWN_MODULE, threads::SPAWN_NAME);
    };
    define_shared_memory(store, linker, module, memory)?;
    let memory_limit = cfg.limits.memory;
    let (log, audit, name) = (observers.log.clone(), observers.audit.clone(), cfg.module.display().to_string());
    let t = Threads::new(
        engine,
        module,
        cfg.limits.threads,
        move |wasock, threads| RunState {
            wasock,
            limits: StoreLimitsBuilder::new().memory_size(memory_limit).build(),
            threads: Some(threads),
        },
        |s: &mut RunState| &mut s.wasock,
        |s: &mut RunState| &mut s.limits,
        move |exit| {
            let code = match exit {
                ThreadExit::Code(c) => c,
                ThreadExit::Trap { tid, message } => {
                    eprintln!("wasock: {} trapped in thread {tid}: {}", escape(&name), escape_lines(&message));
                    TRAP_EXIT
                }
            };
            log.close();
            if let Some(a) = &audit {
                a.close();
            }
            std::process::exit(code.clamp(0, 255));
        },
    );
    t.set_linker(linker.clone());
    Ok(Some(t))
}

/// Exit status after a trap, as a native program that aborts.
pub const TRAP_EXIT: i32 = 134;

/// Defines `memory` under the name the module imports its shared memory by
/// (`env.memory` for wasi-threads modules). A shared memory belongs to the
/// engine, not to `store`, so every thread's store can use the definition.
fn define_shared_memory(
    store: &Store<RunState>,
    linker: &mut Linker<RunState>,
    module: &Module,
    memory: SharedMemory,
) -> wasmtime::Result<()> {
    let import = module.imports().find(|i| matches!(i.ty(), ExternType::Memory(m) if m.is_shared()));
    if let Some(i) = import {
        linker.define(store, i.module(), i.name(), memory)?;
    }
    Ok(())
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
        None => crate::compile::compile(engine, &bytes),
    }
}

/// `wasock compile`: writes `module`'s compiled form to `out`.
pub fn compile(module: &Path, out: &Path) -> wasmtime::Result<()> {
    let bytes = std::fs::read(module).with_context(|| format!("cannot read {}", module.display()))?;
    cache::compile_to_file(&engine()?, &bytes, out).with_context(|| format!("cannot compile {}", module.display()))
}

/// Compiles and runs the module to its end.
pub fn run(cfg: &RunConfig) -> wasmtime::Result<Exit> {
    let observers = Observers::open(cfg)?;
    let engine = engine()?;
    let module = load_module(&engine, cfg).with_context(|| format!("cannot load {}", cfg.module.display()))?;
    // A guest without threads keeps the process single-threaded (see
    // `local_runtime`); entered before the context is built, which makes
    // sure the runtime exists.
    let _own_runtime = match threads::uses_threads(&module) {
        false => Some(LocalRuntime::enter().context("cannot start the host's tokio runtime")?),
        true => None,
    };
    let wasock = context(cfg, &observers)?;
    let mut linker = linker(&engine)?;
    let limits = StoreLimitsBuilder::new().memory_size(cfg.limits.memory).build();
    let mut store = Store::new(&engine, RunState { wasock, limits, threads: None });
    store.limiter(|s| &mut s.limits);
    store.data_mut().threads = thread_support(&store, &module, &mut linker, cfg, &observers)
        .with_context(|| format!("cannot run {}", cfg.module.display()))?;
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
    // Close every socket (without lingering) before the logs' last lines
    // are written: other threads may still hold the fd table, so dropping
    // the store would not.
    store.data_mut().wasock.prepare_exit();
    drop(store);
    drop(observers);
    Ok(exit)
}
