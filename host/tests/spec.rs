//! The host registers exactly the functions of `include/wasi_ephemeral_sock.spec`
//! with the spec's signatures, and all of preview 1 with wasmtime-wasi's.

use std::collections::BTreeMap;
use wasmtime::{Engine, Extern, Linker, Module, Store};
use wasock_host::spec::{parse, SPEC};
use wasock_host::WasockCtx;

/// (params, results) of a core function type, as text.
type Sig = (Vec<String>, Vec<String>);

/// A store type of the test's own, as an embedder would have.
struct State {
    wasock: WasockCtx,
}

fn state() -> State {
    State { wasock: WasockCtx::builder().build().expect("an empty context builds") }
}

/// The host's linker over the test's store type.
fn linker(engine: &Engine) -> Linker<State> {
    let mut linker = Linker::new(engine);
    wasock_host::add_to_linker(&mut linker, |s: &mut State| &mut s.wasock).expect("the linker builds");
    linker
}

/// Every function `linker` defines in `module`, with its signature.
fn registered<T: 'static>(linker: &Linker<T>, store: &mut Store<T>, module: &str) -> BTreeMap<String, Sig> {
    let items: Vec<(String, Extern)> =
        linker.iter(&mut *store).filter(|(m, _, _)| *m == module).map(|(_, n, e)| (n.to_string(), e)).collect();
    items
        .into_iter()
        .map(|(name, e)| {
            let Extern::Func(f) = e else { panic!("{module}::{name} is not a function") };
            let ty = f.ty(&*store);
            let params = ty.params().map(|t| t.to_string()).collect();
            let results = ty.results().map(|t| t.to_string()).collect();
            (name, (params, results))
        })
        .collect()
}

/// Compares two function lists, reporting every difference at once.
fn assert_same(
    module: &str,
    want_name: &str,
    want: &BTreeMap<String, Sig>,
    got_name: &str,
    got: &BTreeMap<String, Sig>,
) {
    let mut problems = Vec::new();
    for (name, sig) in want {
        match got.get(name) {
            None => problems.push(format!("{module}::{name}: in {want_name}, not registered by {got_name}")),
            Some(g) if g != sig => {
                problems.push(format!("{module}::{name}: {want_name} says {sig:?}, {got_name} has {g:?}"))
            }
            Some(_) => {}
        }
    }
    for name in got.keys().filter(|n| !want.contains_key(*n)) {
        problems.push(format!("{module}::{name}: registered by {got_name}, not in {want_name}"));
    }
    assert!(problems.is_empty(), "(params, results) mismatches:\n{}", problems.join("\n"));
}

#[test]
fn spec_matches_linker() {
    let spec = parse(SPEC).expect("the spec parses");
    let engine = Engine::default();
    let linker = linker(&engine);
    let mut store = Store::new(&engine, state());
    let host = registered(&linker, &mut store, "wasi_ephemeral_sock");

    let want: BTreeMap<String, Sig> = spec
        .iter()
        .map(|f| (f.name.clone(), (f.wasm_params().iter().map(|t| t.to_string()).collect(), vec!["i32".to_string()])))
        .collect();
    assert_eq!(want.len(), spec.len(), "the spec names a function twice");

    assert_same("wasi_ephemeral_sock", "the spec", &want, "the host", &host);
}

/// The same, seen from a guest: a module importing every spec function with
/// its spec signature instantiates; a non-spec name or a wrong signature does not.
#[test]
fn spec_imports_instantiate() {
    let spec = parse(SPEC).expect("the spec parses");
    let engine = Engine::default();
    let linker = linker(&engine);
    let imports: String = spec
        .iter()
        .map(|f| {
            let params: Vec<String> = f.wasm_params().iter().map(|t| t.to_string()).collect();
            format!(
                "(import \"wasi_ephemeral_sock\" \"{}\" (func (param {}) (result i32)))\n",
                f.name,
                params.join(" ")
            )
        })
        .collect();
    let instantiate = |wat: String| {
        let module = Module::new(&engine, wat).expect("the test module compiles");
        let mut store = Store::new(&engine, state());
        linker.instantiate(&mut store, &module).map(|_| ())
    };
    instantiate(format!("(module {imports} (memory (export \"memory\") 1))")).expect("every spec import links");

    let e = instantiate(
        "(module (import \"wasi_ephemeral_sock\" \"no_such_function\" (func (param i32) (result i32))))".into(),
    )
    .expect_err("a name outside the spec must not link");
    assert!(format!("{e:?}").contains("no_such_function"), "{e:?}");
    let e = instantiate(
        "(module (import \"wasi_ephemeral_sock\" \"open\" (func (param i32 i32 i32) (result i32))))".into(),
    )
    .expect_err("a wrong signature must not link");
    assert!(format!("{e:?}").contains("open"), "{e:?}");
}

/// The router registers every preview-1 function, each with the signature
/// wasmtime-wasi itself gives it, and nothing else in that module.
#[test]
fn preview1_matches_wasmtime_wasi() {
    let engine = Engine::default();
    let linker = linker(&engine);
    let mut store = Store::new(&engine, state());
    let ours = registered(&linker, &mut store, "wasi_snapshot_preview1");

    let mut reference: Linker<wasmtime_wasi::p1::WasiP1Ctx> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut reference, |cx| cx).expect("wasmtime-wasi links");
    let mut ref_store = Store::new(&engine, wasmtime_wasi::WasiCtxBuilder::new().build_p1());
    let theirs = registered(&reference, &mut ref_store, "wasi_snapshot_preview1");

    assert!(theirs.len() >= 45, "wasmtime-wasi registers all of preview 1: {}", theirs.len());
    assert_same("wasi_snapshot_preview1", "wasmtime-wasi", &theirs, "the host", &ours);
}
