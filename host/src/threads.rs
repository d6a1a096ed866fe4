//! wasi-threads: `wasi.thread-spawn` and the shared memory it needs.
//!
//! A module built for threads (`wasm32-wasip1-threads`, or C with
//! `wasock-cc -pthread`) imports a shared `env.memory` and
//! `wasi.thread-spawn(start_arg) -> tid`, and exports
//! `wasi_thread_start(tid, start_arg)`. Each spawned thread is an OS thread
//! with its own [`wasmtime::Store`] and its own instance of the module,
//! over the one shared memory; its [`WasockCtx`] shares the guest's fd
//! table and wasmtime-wasi context with every other thread
//! ([`WasockCtx::for_new_thread`], `process.rs`), so a socket accepted in
//! one thread is used in another and a call blocking in one never stalls
//! the others.
//!
//! wasmtime 48 has no wasi-threads crate to build on (`wasmtime-wasi-threads`
//! ended at 46 with `wasi-common`, whose preview-1 context it needs), so this
//! is written here on wasmtime's own `SharedMemory` and `Config::wasm_threads`.
//!
//! - A spawn beyond the cap (`--max-threads`) answers a negative tid, which
//!   the C library turns into `EAGAIN` from `pthread_create` and Rust's std
//!   into an error from `thread::spawn`, never a hang.
//! - `proc_exit` or a trap in any thread ends the whole guest: its sockets
//!   are closed and [`Threads`]'s exit handler runs (`wasock run` prints a
//!   trap as it does for the main thread and exits with the guest's
//!   status); the other threads end with the process.
//! - A module that imports `thread-spawn` run with no thread support (a cap
//!   of 0) is refused before it starts, with an error that says why.

use crate::ctx::{CtxView, WasockCtx};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use wasmtime::{Caller, Engine, ExternType, Linker, Module, ResourceLimiter, SharedMemory, Store};
use wasmtime_wasi::I32Exit;

/// The import a threaded module declares.
pub const SPAWN_MODULE: &str = "wasi";
/// Its name.
pub const SPAWN_NAME: &str = "thread-spawn";
/// Threads a guest may have running at once unless told otherwise.
pub const DEFAULT_MAX_THREADS: usize = 64;
/// The largest thread id.
const MAX_TID: u32 = (1 << 29) - 1;
/// Host stack of each guest thread: room for wasmtime's own frames under
/// the guest's (wasmtime bounds the guest's stack itself).
const THREAD_STACK: usize = 8 << 20;

/// How a guest thread ended the guest.
#[derive(Debug)]
pub enum ThreadExit {
    /// A thread called `proc_exit`.
    Code(i32),
    /// A thread trapped; the message says where (guest-controlled text:
    /// escape it before printing).
    Trap {
        /// The thread's id.
        tid: u32,
        /// wasmtime's report.
        message: String,
    },
}

/// Whether `module` was built for threads (it imports `wasi.thread-spawn`).
pub fn uses_threads(module: &Module) -> bool {
    module.imports().any(|i| i.module() == SPAWN_MODULE && i.name() == SPAWN_NAME)
}

/// The shared memory a threaded module imports (`env.memory`), created with
/// the module's own limits; an error if its maximum exceeds `max_bytes`.
pub fn shared_memory(engine: &Engine, module: &Module, max_bytes: usize) -> wasmtime::Result<Option<SharedMemory>> {
    for import in module.imports() {
        if let ExternType::Memory(ty) = import.ty() {
            if !ty.is_shared() {
                continue;
            }
            let page = ty.page_size();
            let max = ty.maximum().unwrap_or(u64::MAX).saturating_mul(page);
            if max > max_bytes as u64 {
                wasmtime::bail!(
                    "its shared memory may grow to {max} bytes, more than --max-memory allows ({max_bytes}); \
                     link it with a smaller --max-memory or raise the limit"
                );
            }
            return Ok(Some(SharedMemory::new(engine, ty)?));
        }
    }
    Ok(None)
}

/// What spawning a thread needs, shared by every thread of one guest.
pub struct Threads<T: 'static> {
    engine: Engine,
    module: Module,
    /// The linker every thread instantiates with, set once it is complete
    /// (it holds `thread-spawn` itself, which needs this value).
    linker: OnceLock<Linker<T>>,
    max: usize,
    running: AtomicUsize,
    next_tid: AtomicU32,
    /// Makes a thread's store data from its context.
    make: Box<dyn Fn(WasockCtx, Arc<Threads<T>>) -> T + Send + Sync>,
    /// Finds the context in a thread's store data.
    ctx: Box<dyn Fn(&mut T) -> &mut WasockCtx + Send + Sync>,
    /// Finds the store's resource limits in it, as the main thread's store has them.
    limiter: fn(&mut T) -> &mut dyn ResourceLimiter,
    /// Called when a thread ends the guest (`proc_exit`, a trap).
    on_exit: Box<dyn Fn(ThreadExit) + Send + Sync>,
}

impl<T: Send + 'static> Threads<T> {
    /// Thread support for `module`: at most `max` threads besides the main
    /// one; `make` builds a new thread's store data around its context,
    /// `ctx` finds the context in it, `limiter` its resource limits, and
    /// `on_exit` ends the guest (after its sockets are closed).
    pub fn new(
        engine: &Engine,
        module: &Module,
        max: usize,
        make: impl Fn(WasockCtx, Arc<Threads<T>>) -> T + Send + Sync + 'static,
        ctx: impl CtxView<T>,
        limiter: fn(&mut T) -> &mut dyn ResourceLimiter,
        on_exit: impl Fn(ThreadExit) + Send + Sync + 'static,
    ) -> Arc<Threads<T>> {
        Arc::new(Threads {
            engine: engine.clone(),
            module: module.clone(),
            linker: OnceLock::new(),
            max,
            running: AtomicUsize::new(0),
            next_tid: AtomicU32::new(0),
            make: Box::new(make),
            ctx: Box::new(ctx),
            limiter,
            on_exit: Box::new(on_exit),
        })
    }

    /// Hands over the complete linker the threads instantiate with.
    pub fn set_linker(&self, linker: Linker<T>) {
        let _ = self.linker.set(linker);
    }

    /// Spawns a thread that runs `wasi_thread_start(tid, start_arg)` in a
    /// new instance; its tid, or a negative number when it cannot start.
    fn spawn(self: &Arc<Self>, ctx: WasockCtx, start_arg: i32) -> i32 {
        let Some(linker) = self.linker.get() else { return -1 };
        if self.running.fetch_add(1, Ordering::SeqCst) >= self.max {
            self.running.fetch_sub(1, Ordering::SeqCst);
            return -1;
        }
        // Thread ids are 1..=MAX_TID (wasi-threads: positive, and the top
        // bits are the C library's); after 2^29 spawns they wrap round to 1,
        // never to 0 or a negative number, whatever a guest spawns.
        let tid = self.next_tid.fetch_add(1, Ordering::SeqCst) % MAX_TID + 1;
        let data = (self.make)(ctx, self.clone());
        let (this, linker) = (self.clone(), linker.clone());
        let started = std::thread::Builder::new().name(format!("wasock-thread-{tid}")).stack_size(THREAD_STACK).spawn(
            move || {
                let outcome = this.run(&linker, data, tid, start_arg);
                this.running.fetch_sub(1, Ordering::SeqCst);
                if let Some(exit) = outcome {
                    (this.on_exit)(exit);
                }
            },
        );
        match started {
            Ok(_) => tid as i32,
            Err(_) => {
                self.running.fetch_sub(1, Ordering::SeqCst);
                -1
            }
        }
    }

    /// Runs one thread to its end; `Some` when it ends the whole guest.
    fn run(&self, linker: &Linker<T>, data: T, tid: u32, start_arg: i32) -> Option<ThreadExit> {
        let mut store = Store::new(&self.engine, data);
        store.limiter(self.limiter);
        let result = linker.instantiate(&mut store, &self.module).and_then(|instance| {
            instance
                .get_typed_func::<(i32, i32), ()>(&mut store, "wasi_thread_start")?
                .call(&mut store, (tid as i32, start_arg))
        });
        let exit = match result {
            Ok(()) => return None,
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(exit) => ThreadExit::Code(exit.0),
                None => ThreadExit::Trap { tid, message: format!("{e:?}") },
            },
        };
        (self.ctx)(store.data_mut()).prepare_exit();
        Some(exit)
    }
}

/// Defines `wasi.thread-spawn` in `linker`: `threads` finds the guest's
/// [`Threads`] in the store data (`None`: this guest may not spawn, the
/// call answers -1) and `get` its context.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    threads: impl Fn(&T) -> Option<&Arc<Threads<T>>> + Send + Sync + Copy + 'static,
    get: impl CtxView<T>,
) -> wasmtime::Result<()> {
    linker.func_wrap(SPAWN_MODULE, SPAWN_NAME, move |mut c: Caller<'_, T>, start_arg: i32| -> i32 {
        let Some(t) = threads(c.data()).cloned() else { return -1 };
        let child = get(c.data_mut()).for_new_thread();
        t.spawn(child, start_arg)
    })?;
    Ok(())
}
