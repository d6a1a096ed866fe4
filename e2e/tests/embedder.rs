//! The host as a library: an embedder with a store type of its own runs a
//! real guest (`rust-tests/src/bin/echo_client.rs`, built by `make guests`)
//! through `wasock_host::add_to_linker` and a `WasockCtx`, with its own
//! stdout pipe and its own pool-decision hook, as another wasmtime program
//! would (the second user of the API after `wasock run`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_e2e::{module, native_tcp_echo};
use wasock_host::audit::{Decision, DecisionHook};
use wasock_host::pool::{Pool, Right};
use wasock_host::WasockCtx;

/// The embedder's store data: wasock's context beside its own state.
struct Embedder {
    wasock: WasockCtx,
    /// Something of the embedder's own, reachable from the same store.
    runs: u32,
}

/// Keeps every decision as one line: "granted connect 127.0.0.1:PORT".
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl DecisionHook for Recorder {
    fn decided(&self, d: &Decision<'_>) {
        let verdict = if d.granted() { "granted" } else { "denied" };
        self.0.lock().unwrap().push(format!("{verdict} {} {}", d.op.name(), d.target));
    }
}

/// Runs `echo_client ADDR` with `pool`; returns the exit code (0, or what
/// the guest passed to `proc_exit`), its stdout and the decisions.
fn run_echo_client(target: SocketAddr, pool: Pool) -> (i32, String, Vec<String>) {
    let engine = Engine::default();
    let mut linker: Linker<Embedder> = Linker::new(&engine);
    wasock_host::add_to_linker(&mut linker, |e: &mut Embedder| &mut e.wasock).expect("the linker builds");
    let stdout = MemoryOutputPipe::new(1 << 20);
    let recorder = Arc::new(Recorder::default());
    let wasock = WasockCtx::builder()
        .stdout(stdout.clone())
        .arg("echo_client")
        .arg(target.to_string())
        .pool(pool)
        .decision_hook(recorder.clone())
        .build()
        .expect("the context builds");
    let mut store = Store::new(&engine, Embedder { wasock, runs: 0 });
    store.data_mut().runs += 1;
    let module = Module::from_file(&engine, module("rust-tests", "echo_client")).expect("the guest compiles");
    let instance = linker.instantiate(&mut store, &module).expect("the guest instantiates");
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").expect("a command module");
    let code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => e.downcast_ref::<wasmtime_wasi::I32Exit>().map(|x| x.0).unwrap_or_else(|| panic!("trap: {e:?}")),
    };
    assert_eq!(store.data().runs, 1);
    drop(store);
    let out = String::from_utf8_lossy(&stdout.contents()).into_owned();
    let decisions = recorder.0.lock().unwrap().clone();
    (code, out, decisions)
}

#[test]
fn an_embedder_runs_a_guest_with_a_pool() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let pool = Pool::new("default").allow(Right::Connect, &echo.to_string()).unwrap();
    let (code, out, decisions) = run_echo_client(echo, pool);
    assert_eq!(code, 0, "stdout: {out}");
    assert!(out.contains("echo_client ok: "), "stdout: {out}");
    assert!(decisions.contains(&format!("granted connect {echo}")), "{decisions:?}");
}

#[test]
fn an_embedders_pool_denies_and_its_hook_hears() {
    let echo = native_tcp_echo("127.0.0.1:0");
    // Another port only: the guest's connect is refused by the pool.
    let pool = Pool::new("default").allow(Right::Connect, &format!("127.0.0.1:{}", echo.port() ^ 1)).unwrap();
    let (code, out, decisions) = run_echo_client(echo, pool);
    assert_ne!(code, 0, "the guest cannot connect: {out}");
    assert_eq!(decisions, vec![format!("denied connect {echo}")]);
}
