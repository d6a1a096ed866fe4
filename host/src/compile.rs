//! Compiling a module without leaving threads behind.
//!
//! wasmtime compiles a module's functions in parallel on rayon's global
//! pool, whose threads then stay for the life of the process, idle. A
//! process with more than one thread makes every socket system call dearer
//! (the kernel takes a reference on each fd it looks up, glibc switches
//! cancellation around blocking calls: `local_runtime.rs`), so a guest
//! whose module was just compiled would serve slower than one loaded from
//! the cache. [`compile`] runs the compilation on a pool of its own and
//! joins that pool's threads before it returns.

use std::thread::JoinHandle;
use wasmtime::{Engine, Module};

/// `Module::new`, in parallel on threads that are gone when it returns.
/// Should the pool not start (no thread to be had), wasmtime compiles it
/// as it would without this, on rayon's global pool.
pub fn compile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Module> {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    let pool = rayon_core::ThreadPoolBuilder::new()
        .thread_name(|i| format!("wasock-compile-{i}"))
        .spawn_handler(|thread| {
            let mut b = std::thread::Builder::new();
            if let Some(name) = thread.name() {
                b = b.name(name.to_owned());
            }
            workers.push(b.spawn(|| thread.run())?);
            Ok(())
        })
        .build();
    let module = match &pool {
        Ok(pool) => pool.install(|| Module::new(engine, wasm)),
        Err(_) => Module::new(engine, wasm),
    };
    // Dropping the pool tells its threads to finish; joining waits for them.
    drop(pool);
    for w in workers {
        let _ = w.join();
    }
    module
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of this process's threads.
    fn thread_names() -> Vec<String> {
        let tasks = std::fs::read_dir("/proc/self/task").unwrap();
        tasks.flatten().filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok()).collect()
    }

    #[test]
    fn compiling_leaves_no_thread_behind() {
        let engine = Engine::default();
        // Enough functions for wasmtime to compile them in parallel.
        let funcs: String = (0..64).map(|i| format!("(func (export \"f{i}\") (result i32) i32.const {i})")).collect();
        let wasm = wat::parse_str(format!("(module {funcs})")).unwrap();
        let module = compile(&engine, &wasm).unwrap();
        assert_eq!(module.exports().count(), 64);
        let left: Vec<String> = thread_names().into_iter().filter(|n| n.starts_with("wasock-compile")).collect();
        assert!(left.is_empty(), "compile threads left: {left:?}");
    }
}
