//! The guests' view of the ABI must match the spec: every function the Rust
//! guest crate and the C library import from `wasi_ephemeral_sock` is in
//! `include/wasi_ephemeral_sock.spec` with the same signature.
//! (The host side is checked by `host/tests/spec.rs`.)

use std::collections::BTreeMap;
use std::path::Path;
use wasmtime::{Engine, ExternType, Module, ValType};

fn spec() -> BTreeMap<String, Vec<ValType>> {
    let fns = wasock_host::spec::parse(wasock_host::spec::SPEC).expect("spec parses");
    fns.into_iter().map(|f| (f.name.clone(), f.wasm_params())).collect()
}

fn same(a: &[ValType], b: &[ValType]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| ValType::eq(x, y))
}

/// Checks every `wasi_ephemeral_sock` import of the modules in `build/SUITE`;
/// returns how many distinct functions were seen.
fn check_suite(suite: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../build").join(suite);
    let spec = spec();
    let engine = Engine::default();
    let mut seen = std::collections::BTreeSet::new();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e} (run `make guests`)", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        let module = Module::from_file(&engine, &path).unwrap();
        for import in module.imports().filter(|i| i.module() == "wasi_ephemeral_sock") {
            let ExternType::Func(ty) = import.ty() else { panic!("{}: non-function import", path.display()) };
            let want = spec.get(import.name()).unwrap_or_else(|| {
                panic!("{} imports `{}`, which the spec does not list", path.display(), import.name())
            });
            let params: Vec<ValType> = ty.params().collect();
            let results: Vec<ValType> = ty.results().collect();
            assert!(
                same(&params, want) && results.len() == 1 && results[0].is_i32(),
                "{}: `{}` has {ty:?}, the spec says ({want:?}) -> i32",
                path.display(),
                import.name()
            );
            seen.insert(import.name().to_string());
        }
    }
    seen.len()
}

#[test]
fn rust_guest_imports_match_spec() {
    assert!(check_suite("rust-tests") > 10, "the Rust guests import too little of the ABI to be checked");
}

#[test]
fn c_library_imports_match_spec() {
    assert!(check_suite("c-tests") > 10, "the C guests import too little of the ABI to be checked");
}
