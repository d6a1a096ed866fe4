//! The client workloads: the client (Rust or C) runs natively and as a
//! guest against the native peer and times its own loop.

use wasock_bench::{parse_result, Workload};

use crate::peer::Peer;
use crate::proc::{pin, run_bounded};
use crate::row::{Row, Side};
use crate::{Config, Program};

/// The command line of one client run (without the pinning prefix).
pub fn client_argv(cfg: &Config, client: &Program, side: Side, peer: &Peer, w: Workload, ops: u64) -> Vec<String> {
    let ports = &peer.ports;
    let target = format!("127.0.0.1:{}", ports.of(w));
    let mut argv = Vec::new();
    match side {
        Side::Native => argv.push(client.native.display().to_string()),
        Side::Guest | Side::Alt => {
            argv.extend([
                cfg.wasock.display().to_string(),
                "run".into(),
                "--allow-connect".into(),
                format!("127.0.0.1:{}-{}", ports.lowest(), ports.highest()),
                // UDP binds 127.0.0.1:0 before it connects.
                "--allow-bind".into(),
                "127.0.0.1".into(),
                client.wasm.display().to_string(),
            ]);
        }
    }
    argv.extend([w.name().to_string(), target, ops.to_string()]);
    argv
}

pub fn scaled(cfg: &Config, ops: u64) -> u64 {
    ((ops as f64 * cfg.scale).round() as u64).max(1)
}

/// Whether `client` runs workload `w` (udp_batch is the C client's only;
/// the TLS workloads are neither's: tls.rs runs them).
pub fn runs(client: &Program, w: Workload) -> bool {
    !w.is_tls() && (client.lang != "Rust" || w.in_rust_client())
}

pub fn measure(cfg: &Config, peer: &Peer, client: &Program, w: Workload) -> Row {
    let ops = scaled(cfg, w.default_ops());
    let mut row = Row::of_workload(w, client.lang, ops);
    // Warm-up: the page cache, the peer's code paths and the CPU's frequency;
    // a failure there shows again in the measured runs.
    row.measure(cfg, cfg.warmup, |side| {
        let mut argv = pin(cfg);
        argv.extend(client_argv(cfg, client, side, peer, w, ops));
        run_client(cfg, &argv, w)
    });
    row
}

/// Runs a client's command line (pinning included) to its end; the figure
/// of its `RESULT` line for `w`, or why there is none.
pub fn run_client(cfg: &Config, argv: &[String], w: Workload) -> Result<f64, String> {
    let out = run_bounded(argv, cfg.timeout);
    parse_result(&out.stdout)
        .filter(|r| out.ok && r.workload == w.name())
        .map(|r| r.value)
        .ok_or_else(|| out.why("no RESULT line"))
}
