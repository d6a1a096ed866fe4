//! Linux is the oracle for reading files: `c-tests/files.c` is built
//! natively with `cc` and as a guest, runs on the same scratch directory
//! (preopened at its own path, so both get the same argument), and the two
//! must print the same lines. The host serves read-only opens of regular
//! files itself (`host/src/file.rs`) and wasmtime-wasi serves the rest; the
//! program goes through both, and through both at once on one file.
//!
//! What stays wasmtime-wasi's alone, where Linux differs (the sandbox's
//! refusals), is checked against wasmtime-wasi's own answers below.

use std::path::{Path, PathBuf};
use wasock_e2e::{host_binary, module, native_c, Run};

/// A fresh directory with `a.txt`, `link` (to it) and `sub/`, beside a
/// `secret` file outside it; removed when dropped.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let root = std::env::temp_dir().join(format!("wasock-e2e-files-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join("dir");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.txt"), b"0123456789").unwrap();
        std::os::unix::fs::symlink("a.txt", dir.join("link")).unwrap();
        std::fs::write(root.join("secret"), b"outside").unwrap();
        std::os::unix::fs::symlink("../secret", dir.join("out")).unwrap();
        Scratch { root }
    }

    fn dir(&self) -> PathBuf {
        self.root.join("dir")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn lines(run: Run, what: &str) -> Vec<String> {
    let out = run.run();
    assert!(out.status.success(), "{what} failed:\n{out}");
    out.lines().into_iter().map(str::to_string).collect()
}

fn guest(dir: &Path, module: PathBuf) -> Run {
    Run::new(host_binary()).arg("run").arg("--dir").arg(dir).arg(module).arg(dir)
}

/// Runs one section natively and as a guest, each on its own fresh
/// directory (a section may write), and requires the same lines.
fn agree(section: &str) {
    let (native_dir, guest_dir) = (Scratch::new(&format!("{section}-n")), Scratch::new(&format!("{section}-g")));
    let linux = lines(Run::new(native_c("files")).arg(native_dir.dir()).arg(section), "the native build");
    let wasock = lines(guest(&guest_dir.dir(), module("c-tests", "files")).arg(section), "the guest");
    assert_eq!(linux.last().map(String::as_str), Some("done"), "{linux:#?}");
    // The two directories differ only in their names, which nothing prints.
    assert_eq!(linux, wasock, "left: Linux, right: wasock");
}

/// read, readv, lseek, pread, dup's shared offset, FIONREAD and poll on a
/// file; write, pwrite and ftruncate refused on a read-only fd.
#[test]
fn reading_a_file_as_on_linux() {
    agree("reads");
}

/// stat against fstat, F_GETFL/F_SETFL, a symlink's target, futimens.
#[test]
fn stats_and_flags_as_on_linux() {
    agree("stats");
}

/// Missing files, O_NOFOLLOW, directories (wasmtime-wasi's), a file as a
/// directory, and a writable open (wasmtime-wasi's) beside a read-only one
/// (the host's) on the same file.
#[test]
fn what_the_host_does_not_open_itself_as_on_linux() {
    agree("others");
}

/// The sandbox (guest only: natively these paths open): a path out of the
/// directory, through `..` or a symlink, is refused as wasmtime-wasi
/// refuses it (`EPERM`, its answer before the host served any file), and
/// the file outside is never read.
#[test]
fn nothing_outside_the_preopen_opens() {
    let s = Scratch::new("escape");
    let got = lines(guest(&s.dir(), module("c-tests", "files")).arg("escape"), "the guest");
    assert_eq!(
        got,
        ["open ../secret: -1 EPERM", "open sub/../../secret: -1 EPERM", "open out (a symlink out): -1 EPERM", "done"]
    );
}
