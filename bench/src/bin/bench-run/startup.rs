//! The start-up workloads: a small guest that makes one connection to the
//! peer's accept-and-close service and exits, timed from spawn to exit
//! (median of the runs), beside the same program built natively.
//!
//! - startup_cold: `wasock run --no-cache`, so the module is compiled;
//! - startup_cached: `wasock run --cache-dir DIR`, DIR filled by the
//!   warm-up run, so the compiled module is loaded from the cache.
//!
//! HOST-NOTES.md measured wasmtime 49's cached start-up of a one-connection
//! run on one CPU at 13.6 ms: the cached row's target. A `wasmtime run`
//! column would need a wasmtime CLI, which this machine does not have.

use crate::peer::Peer;
use crate::proc::{pin, run_bounded, TempDir};
use crate::row::{Row, Side, Target};
use crate::{Config, Program};

/// wasmtime 49's cached start-up, one connection, one CPU (HOST-NOTES.md).
const WASMTIME_CACHED_MS: f64 = 13.6;

pub fn startup(cfg: &Config, peer: &Peer, prog: &Program, rows: &mut Vec<Row>) {
    let cache = TempDir(std::env::temp_dir().join(format!("wasock-bench-cache-{}-{}", std::process::id(), prog.lang)));
    let target = format!("127.0.0.1:{}", peer.ports.close);
    let cases = [
        ("startup_cold", Target::None, "start-up, compiling the module (--no-cache), one connection"),
        (
            "startup_cached",
            Target::GuestAtMost(WASMTIME_CACHED_MS, "wasmtime 49 cached, HOST-NOTES.md"),
            "start-up from the module cache, one connection",
        ),
    ];
    for (name, goal, describe) in cases {
        if !cfg.wants(name) {
            continue;
        }
        let cache_args: Vec<String> = if name == "startup_cold" {
            vec!["--no-cache".into()]
        } else {
            vec!["--cache-dir".into(), cache.0.display().to_string()]
        };
        let mut row = Row::new(name, prog.lang, "ms", false).target(goal).describe(describe);
        // At least one warm-up: it fills the cache the cached row reads.
        row.measure(cfg, cfg.warmup.max(1), |side| {
            let mut argv = pin(cfg);
            match side {
                Side::Native => argv.push(prog.native.display().to_string()),
                Side::Guest | Side::Alt => {
                    argv.extend([cfg.wasock.display().to_string(), "run".into()]);
                    argv.extend(cache_args.iter().cloned());
                    argv.extend(["--allow-connect".into(), target.clone(), prog.wasm.display().to_string()]);
                }
            }
            argv.push(target.clone());
            let out = run_bounded(&argv, cfg.timeout);
            if out.ok {
                Ok(out.elapsed.as_secs_f64() * 1e3)
            } else {
                Err(out.why("failed"))
            }
        });
        rows.push(row);
    }
}
