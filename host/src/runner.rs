//! One guest run: engine, linker, store, and the fd table laid out as the
//! ABI says (stdio, preopened directories, then pools).

use crate::pool::Pool;
use crate::state::HostState;
use crate::table::{Entry, FdTable};
use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::error::Context;
use wasmtime::{Engine, Linker, Module, Store};
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
}

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

fn state(cfg: &RunConfig) -> wasmtime::Result<HostState> {
    let mut b = WasiCtxBuilder::new();
    b.inherit_stdio();
    b.arg(cfg.module.to_string_lossy());
    b.args(&cfg.args);
    b.envs(&cfg.env);
    for (host, guest) in &cfg.dirs {
        b.preopened_dir(host, guest, FsPerms::ReadWrite)
            .with_context(|| format!("--dir {}: cannot open the directory", host.display()))?;
    }
    let mut table = FdTable::default();
    // wasmtime-wasi numbers stdio 0-2 and the preopens after them, in order.
    for n in 0..3 + cfg.dirs.len() as u32 {
        table.insert(Entry::Wasi(n));
    }
    for pool in &cfg.pools {
        table.insert(Entry::Pool(Arc::new(pool.clone())));
    }
    Ok(HostState { wasi: b.build_p1(), table, memory: None })
}

/// Compiles and runs the module to its end.
pub fn run(cfg: &RunConfig) -> wasmtime::Result<Exit> {
    let engine = Engine::default();
    let module =
        Module::from_file(&engine, &cfg.module).with_context(|| format!("cannot load {}", cfg.module.display()))?;
    let linker = linker(&engine)?;
    let mut store = Store::new(&engine, state(cfg)?);
    let instance = linker
        .instantiate(&mut store, &module)
        .with_context(|| format!("cannot instantiate {}", cfg.module.display()))?;
    store.data_mut().memory = instance.get_memory(&mut store, "memory");
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .with_context(|| format!("{} is not a command module (no `_start`)", cfg.module.display()))?;
    Ok(match start.call(&mut store, ()) {
        Ok(()) => Exit::Code(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Exit::Code(exit.0),
            None => Exit::Trap(format!("{e:?}")),
        },
    })
}
