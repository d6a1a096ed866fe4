//! The embedding API over guest memories of both kinds: a module built for
//! threads exports a *shared* memory, and both the host's own functions
//! (socket I/O, straight into guest memory) and the calls delegated to
//! wasmtime-wasi (`fd_write` to a pipe) must serve it as they serve a plain
//! one. The same WAT runs with `memory 1` and with `memory 1 1 shared`.

use wasmtime::{Config, Engine, Linker, Module, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::WasockCtx;

/// `go` makes a socketpair, sends "ping" on one end, receives it on the
/// other into fresh memory, writes what arrived to stdout with `fd_write`
/// and returns the number of bytes received (or a negative step number).
const GUEST: &str = r#"
(module
  (import "wasi_ephemeral_sock" "socketpair" (func $socketpair (param i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_sock" "send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_sock" "recv" (func $recv (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") MEMORY)
  (data (i32.const 64) "ping")
  (func (export "go") (result i32)
    ;; fds at 0 and 4; lengths at 8 and 12; the iovec for fd_write at 16.
    (if (call $socketpair (i32.const 6) (i32.const 0) (i32.const 4)) (then (return (i32.const -1))))
    (if (call $send (i32.load (i32.const 0)) (i32.const 64) (i32.const 4) (i32.const 0) (i32.const 8))
      (then (return (i32.const -2))))
    (if (call $recv (i32.load (i32.const 4)) (i32.const 128) (i32.const 16) (i32.const 0) (i32.const 12))
      (then (return (i32.const -3))))
    (i32.store (i32.const 16) (i32.const 128))
    (i32.store (i32.const 20) (i32.load (i32.const 12)))
    (if (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)) (then (return (i32.const -4))))
    (i32.load (i32.const 12))))
"#;

/// Runs `go` on the guest with `memory` as its memory declaration; returns
/// its result and what it wrote to stdout.
fn run(memory: &str) -> (i32, Vec<u8>) {
    let mut config = Config::new();
    config.wasm_threads(true).shared_memory(true);
    let engine = Engine::new(&config).expect("an engine with threads");
    let module = Module::new(&engine, GUEST.replace("MEMORY", memory)).expect("the module compiles");
    let mut linker: Linker<WasockCtx> = Linker::new(&engine);
    wasock_host::add_to_linker(&mut linker, |cx: &mut WasockCtx| cx).expect("the linker builds");
    let stdout = MemoryOutputPipe::new(4096);
    let ctx = WasockCtx::builder().stdout(stdout.clone()).build().expect("the context builds");
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module).expect("the module instantiates");
    let go = instance.get_typed_func::<(), i32>(&mut store, "go").expect("go is exported");
    let got = go.call(&mut store, ()).expect("go runs");
    assert_eq!(store.data_mut().open_sockets(), 2);
    drop(store);
    (got, stdout.contents().to_vec())
}

#[test]
fn plain_memory_is_served() {
    assert_eq!(run("1"), (4, b"ping".to_vec()));
}

#[test]
fn shared_memory_is_served() {
    assert_eq!(run("1 1 shared"), (4, b"ping".to_vec()));
}
