//! Compiled modules: the cache `wasock run` keeps (`--cache-dir`,
//! `--no-cache`) and the files `wasock compile` writes. A cache hit is told
//! from a rebuild by the entry's inode: a hit leaves the file in place, a
//! rebuild renames a new one over it.

mod common;

use common::*;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

fn printer(word: &str) -> Guest {
    Guest::new(&format!(
        r#"
  (data (i32.const 1024) "{word}")
  (func $main (call $print (i32.const 1024) (i32.const {})) (call $nl))
"#,
        word.len()
    ))
}

fn cache_dir() -> PathBuf {
    let d = temp_path("cache");
    std::fs::create_dir(&d).unwrap();
    d
}

/// The one entry of a cache directory.
fn only_entry(dir: &Path) -> PathBuf {
    let entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

fn run_cached(g: Guest, dir: &Path) -> Finished {
    let out = g.flags(&["--cache-dir", &dir.to_string_lossy()]).run();
    out.assert_success();
    out
}

#[test]
fn a_module_compiles_once_and_is_reused() {
    let dir = cache_dir();
    assert_eq!(run_cached(printer("cached"), &dir).stdout.trim(), "cached");
    let entry = only_entry(&dir);
    let ino = std::fs::metadata(&entry).unwrap().ino();
    assert_eq!(run_cached(printer("cached"), &dir).stdout.trim(), "cached");
    assert_eq!(std::fs::metadata(&entry).unwrap().ino(), ino, "the second run used the entry");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_corrupt_entry_is_ignored_and_rebuilt() {
    let dir = cache_dir();
    run_cached(printer("fresh"), &dir);
    let entry = only_entry(&dir);
    for damage in [Damage::FlipLastByte, Damage::Truncate, Damage::Empty] {
        let mut bytes = std::fs::read(&entry).unwrap();
        match damage {
            Damage::FlipLastByte => *bytes.last_mut().unwrap() ^= 0x40,
            Damage::Truncate => bytes.truncate(bytes.len() / 2),
            Damage::Empty => bytes.clear(),
        }
        std::fs::write(&entry, &bytes).unwrap();
        assert_eq!(run_cached(printer("fresh"), &dir).stdout.trim(), "fresh", "{damage:?}");
        assert_ne!(std::fs::read(&entry).unwrap(), bytes, "{damage:?}: the entry was rebuilt");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[derive(Debug, Clone, Copy)]
enum Damage {
    FlipLastByte,
    Truncate,
    Empty,
}

#[test]
fn a_foreign_entry_is_never_trusted() {
    // A sound entry of module A, put where module B's entry would be.
    let (a, b) = (cache_dir(), cache_dir());
    run_cached(printer("module-a"), &a);
    run_cached(printer("module-b"), &b);
    let b_entry = only_entry(&b);
    std::fs::copy(only_entry(&a), &b_entry).unwrap();
    assert_eq!(run_cached(printer("module-b"), &b).stdout.trim(), "module-b");
    assert_ne!(std::fs::read(&b_entry).unwrap(), std::fs::read(only_entry(&a)).unwrap());
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

#[test]
fn no_cache_writes_nothing() {
    let dir = temp_path("cache");
    let out = printer("uncached").flags(&["--cache-dir", &dir.to_string_lossy(), "--no-cache"]).run();
    out.assert_success();
    assert!(!dir.exists(), "--no-cache created {}", dir.display());
}

#[test]
fn wasock_compile_output_runs_only_when_allowed() {
    let src = temp_path("wat");
    std::fs::write(
        &src,
        module(
            r#"
  (data (i32.const 1024) "precompiled")
  (func $main (call $print (i32.const 1024) (i32.const 11)) (call $nl))
"#,
        ),
    )
    .unwrap();
    let out_file = temp_path("cwasm");
    let (src_s, out_s) = (src.to_string_lossy().into_owned(), out_file.to_string_lossy().into_owned());
    wasock(&["compile", &src_s, "-o", &out_s]).assert_success();
    let ran = wasock(&["run", "--allow-precompiled", &out_s]);
    ran.assert_success();
    assert_eq!(ran.stdout.trim(), "precompiled");
    let refused = wasock(&["run", &out_s]);
    assert_eq!(refused.status.code(), Some(1), "{}", refused.stderr);
    assert!(refused.stderr.contains("--allow-precompiled"), "{}", refused.stderr);
    // A damaged file is an error, never run.
    let mut bytes = std::fs::read(&out_file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&out_file, &bytes).unwrap();
    let damaged = wasock(&["run", "--allow-precompiled", &out_s]);
    assert_eq!(damaged.status.code(), Some(1), "{}", damaged.stderr);
    assert!(damaged.stderr.contains("damaged"), "{}", damaged.stderr);
    let _ = std::fs::remove_file(src);
    let _ = std::fs::remove_file(out_file);
}
