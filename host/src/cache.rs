//! Compiled modules: a cache in the user's cache directory, and the
//! precompiled files `wasock compile` writes.
//!
//! Compiling a module is most of a short guest's start-up (tens of
//! milliseconds for a small C guest, more for Rust). `wasock run` keeps each
//! compiled module under a key made of the module's bytes, the wasmtime
//! version and the engine's compatibility hash, so a module compiles once
//! per engine configuration.
//!
//! Deserializing compiled code is trusting it (`Module::deserialize` is
//! `unsafe`), so nothing read back is taken on faith: every file is a
//! [`Container`] naming its key and the SHA-256 of its payload, and a cache
//! entry whose magic, key or checksum does not match (corrupt, truncated,
//! copied from another module or another wasmtime) is ignored and rebuilt.
//! wasmtime checks its own version and configuration on top. A precompiled
//! file given to `wasock run` is accepted only with `--allow-precompiled`,
//! as wasmtime does: run only files you compiled yourself.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use wasmtime::error::Context;
use wasmtime::{Engine, Module};

/// The cache is trimmed to this size, least recently used entries first.
const CACHE_BYTES: u64 = 512 << 20;

/// The first bytes of a wasock compiled-module file.
const MAGIC: &[u8; 8] = b"WASOCKC1";
const HEADER: usize = MAGIC.len() + 32 + 32;

/// A compiled module as stored: `MAGIC`, the key, the payload's SHA-256, the payload.
struct Container<'a> {
    key: [u8; 32],
    payload: &'a [u8],
}

impl<'a> Container<'a> {
    fn encode(key: &[u8; 32], payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(key);
        out.extend_from_slice(&Sha256::digest(payload));
        out.extend_from_slice(payload);
        out
    }

    /// The container in `bytes`, if its magic and checksum hold.
    fn decode(bytes: &'a [u8]) -> Option<Container<'a>> {
        if bytes.len() < HEADER || &bytes[..MAGIC.len()] != MAGIC {
            return None;
        }
        let key: [u8; 32] = bytes[8..40].try_into().ok()?;
        let payload = &bytes[HEADER..];
        (Sha256::digest(payload).as_slice() == &bytes[40..72]).then_some(Container { key, payload })
    }

    /// The compiled module, which wasmtime checks against `engine` too.
    fn module(&self, engine: &Engine) -> wasmtime::Result<Module> {
        // SAFETY: the payload is what `Module::serialize` wrote (its checksum
        // matches the one written beside it), and wasmtime refuses payloads
        // of another version or configuration.
        unsafe { Module::deserialize(engine, self.payload) }
    }
}

/// The engine's identity for compiled code: wasmtime's version and its
/// compatibility hash (target, tunables, features).
fn engine_id(engine: &Engine) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    engine.precompile_compatibility_hash().hash(&mut h);
    h.finish()
}

fn key(engine: &Engine, wasm: &[u8]) -> [u8; 32] {
    let mut d = Sha256::new();
    d.update(engine_id(engine).to_le_bytes());
    d.update(wasm);
    d.finalize().into()
}

/// Whether `bytes` are a wasock compiled-module file (well-formed or not).
pub fn is_precompiled(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// The compiled form of `wasm` for `engine`, as `wasock compile` writes it.
pub fn compile_to_file(engine: &Engine, wasm: &[u8], out: &Path) -> wasmtime::Result<()> {
    let module = crate::compile::compile(engine, wasm)?;
    let bytes = Container::encode(&key(engine, wasm), &module.serialize()?);
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))
}

/// Loads a file `wasock compile` wrote.
pub fn load_precompiled(engine: &Engine, bytes: &[u8], path: &Path) -> wasmtime::Result<Module> {
    let c = Container::decode(bytes)
        .ok_or_else(|| wasmtime::Error::msg(format!("{} is a damaged precompiled module", path.display())))?;
    c.module(engine)
        .with_context(|| format!("{} was compiled by another wasock or for another machine", path.display()))
}

/// The module cache: one file per compiled module in a directory.
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: PathBuf) -> ModuleCache {
        ModuleCache { dir }
    }

    /// `$XDG_CACHE_HOME/wasock`, else `$HOME/.cache/wasock`; `None` if neither is set.
    pub fn default_dir() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("wasock"))
    }

    fn entry(&self, key: &[u8; 32]) -> PathBuf {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}.cwasm"))
    }

    /// The compiled `wasm`: from the cache when a sound entry is there,
    /// else compiled now and stored (a cache that cannot be written is
    /// simply not used).
    pub fn load(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Module> {
        let key = key(engine, wasm);
        let path = self.entry(&key);
        if let Ok(bytes) = std::fs::read(&path) {
            let cached = Container::decode(&bytes).filter(|c| c.key == key).and_then(|c| c.module(engine).ok());
            if let Some(module) = cached {
                // Recently used, for the trimming in `store`.
                let _ =
                    std::fs::File::options().append(true).open(&path).and_then(|f| f.set_modified(SystemTime::now()));
                return Ok(module);
            }
        }
        let module = crate::compile::compile(engine, wasm)?;
        if let Ok(payload) = module.serialize() {
            self.store(&path, &Container::encode(&key, &payload));
        }
        Ok(module)
    }

    /// Writes an entry atomically (a temporary file renamed over it), so a
    /// reader never sees half of one.
    fn store(&self, path: &Path, bytes: &[u8]) {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        self.trim();
    }

    /// Removes the least recently used entries while the cache is over [`CACHE_BYTES`].
    fn trim(&self) {
        let Ok(dir) = std::fs::read_dir(&self.dir) else { return };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = dir
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                Some((m.modified().ok()?, m.len(), e.path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        entries.sort();
        for (_, len, path) in entries {
            if total <= CACHE_BYTES {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_check_magic_and_checksum() {
        let key = [7u8; 32];
        let bytes = Container::encode(&key, b"payload");
        let c = Container::decode(&bytes).unwrap();
        assert_eq!((c.key, c.payload), (key, &b"payload"[..]));
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(Container::decode(&flipped).is_none());
        assert!(Container::decode(&bytes[..HEADER - 1]).is_none());
        assert!(Container::decode(b"\0asm\x01\0\0\0").is_none());
        assert!(is_precompiled(&bytes) && !is_precompiled(b"\0asm"));
    }
}
