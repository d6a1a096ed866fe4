//! Harness for the end-to-end suites: run a guest module under the `wasock`
//! host with a set of pool rules, talk to it from native peers on loopback,
//! and read what it prints.
//!
//! The modules are built by `make guests` into `build/` (Rust guests in
//! `build/rust-tests/NAME.wasm`, C guests in `build/c-tests/NAME.wasm`) and
//! the host by `cargo build -p wasock-host`; `make test` does both before it
//! runs these suites. `WASOCK_BIN` and `WASOCK_BUILD_DIR` override the paths.
//!
//! The process harness itself (starting the host, time limits, output,
//! native peers, `/proc`) is `wasock-testkit`, shared with the host's own
//! tests and re-exported here; this crate adds what is particular to the
//! end-to-end suites: finding built modules ([`module`], [`native_c`]) and
//! [`Guest`], a `wasock run` of one of them.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

pub use wasock_testkit::*;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Path of a guest module: `suite` is `rust-tests` or `c-tests`.
pub fn module(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::var_os("WASOCK_BUILD_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("build"));
    let p = dir.join(suite).join(format!("{name}.wasm"));
    assert!(p.exists(), "{} is missing: run `make guests` (or `make test`)", p.display());
    p
}

/// `c-tests/NAME.c` compiled natively with `cc -pthread` into
/// `build/native/NAME` (NAME may name a subdirectory, as `threads/x`), for
/// the suites that hold a guest's output to Linux's. Compiled once per
/// test process, so tests running side by side never run a binary that
/// another is still writing.
pub fn native_c(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, bin)) = built.iter().find(|(n, _)| n == name) {
        return bin.clone();
    }
    let bin = compile_native(name);
    built.push((name.to_string(), bin.clone()));
    bin
}

fn compile_native(name: &str) -> PathBuf {
    let dir = workspace_root().join("build/native");
    std::fs::create_dir_all(&dir).expect("create build/native");
    let (src, bin) = (workspace_root().join(format!("c-tests/{name}.c")), dir.join(name));
    if let Some(parent) = bin.parent() {
        std::fs::create_dir_all(parent).expect("create the binary's directory");
    }
    let out = Command::new("cc")
        .args(["-Wall", "-Wextra", "-Werror", "-O2", "-pthread", "-o"])
        .arg(&bin)
        .arg(&src)
        .output()
        .expect("run cc");
    assert!(out.status.success(), "cc {} failed:\n{}", src.display(), String::from_utf8_lossy(&out.stderr));
    bin
}

/// A builder for one `wasock run` invocation.
pub struct Guest {
    module: PathBuf,
    host_args: Vec<String>,
    guest_args: Vec<String>,
    timeout: Duration,
}

impl Guest {
    /// A run of `build/SUITE/NAME.wasm`.
    pub fn new(suite: &str, name: &str) -> Guest {
        Guest { module: module(suite, name), host_args: Vec::new(), guest_args: Vec::new(), timeout: DEFAULT_TIMEOUT }
    }

    /// A run of the module at `path` (one built outside `build/`).
    pub fn at(path: PathBuf) -> Guest {
        Guest { module: path, host_args: Vec::new(), guest_args: Vec::new(), timeout: DEFAULT_TIMEOUT }
    }

    /// Adds a host option before the module, e.g. `.host_arg("--allow-connect").host_arg("127.0.0.1:80")`.
    pub fn host_arg(mut self, a: impl Into<String>) -> Guest {
        self.host_args.push(a.into());
        self
    }

    /// Adds `FLAG RULE`, e.g. `.allow("--allow-connect", &format!("127.0.0.1:{port}"))`.
    pub fn allow(self, flag: &str, rule: &str) -> Guest {
        self.host_arg(flag).host_arg(rule)
    }

    /// Adds an argument for the guest program (after the module).
    pub fn arg(mut self, a: impl ToString) -> Guest {
        self.guest_args.push(a.to_string());
        self
    }

    /// Changes how long the run may take.
    pub fn timeout(mut self, t: Duration) -> Guest {
        self.timeout = t;
        self
    }

    /// Runs to completion (stdin stays an open pipe, written to by no one);
    /// kills the guest after the timeout.
    pub fn run(self) -> Finished {
        self.spawn().wait()
    }

    /// Starts the guest with piped stdin/stdout/stderr, for tests that talk to it while it runs.
    pub fn spawn(self) -> Running {
        Run::new(host_binary())
            .arg("run")
            .args(&self.host_args)
            .arg(&self.module)
            .args(&self.guest_args)
            .piped_stdin()
            .timeout(self.timeout)
            .spawn()
    }
}
