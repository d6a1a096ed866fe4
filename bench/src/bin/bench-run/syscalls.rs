//! System calls per operation of the client workloads: strace counts of a
//! run with N and one with 2N operations, differenced, so start-up (module
//! compilation, the connect before the timed loop) cancels out.

use std::collections::BTreeMap;
use std::time::Duration;

use wasock_bench::Workload;

use crate::clients::client_argv;
use crate::peer::Peer;
use crate::proc::run_bounded;
use crate::row::Side;
use crate::{Config, Program};

pub type PerOp = BTreeMap<String, f64>;

/// System calls per operation of one client and workload, native and guest.
pub struct SyscallRow {
    pub lang: &'static str,
    pub workload: Workload,
    pub native: Result<PerOp, String>,
    pub guest: Result<PerOp, String>,
}

impl SyscallRow {
    pub fn count(cfg: &Config, peer: &Peer, client: &Program, w: Workload) -> SyscallRow {
        SyscallRow {
            lang: client.lang,
            workload: w,
            native: per_op(cfg, peer, client, Side::Native, w),
            guest: per_op(cfg, peer, client, Side::Guest, w),
        }
    }
}

fn strace_counts(argv: &[String], timeout: Duration) -> Result<BTreeMap<String, f64>, String> {
    let file = std::env::temp_dir().join(format!("wasock-bench-strace-{}.txt", std::process::id()));
    let mut full = vec!["strace".to_string(), "-f".into(), "-c".into(), "-U".into(), "calls,name".into(), "-o".into()];
    full.push(file.display().to_string());
    full.extend(argv.iter().cloned());
    let out = run_bounded(&full, timeout);
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    if !out.ok {
        return Err(out.why("strace run failed"));
    }
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        if let (Some(n), Some(name), None) = (it.next(), it.next(), it.next()) {
            if let Ok(n) = n.parse::<f64>() {
                if name != "total" {
                    counts.insert(name.to_string(), n);
                }
            }
        }
    }
    Ok(counts)
}

/// How many operations the strace runs do (the smaller of the pair).
pub fn strace_ops(w: Workload) -> u64 {
    match w {
        Workload::TcpBulk => 1_024,
        Workload::TcpPingPong | Workload::UdpRoundTrip => 4_000,
        Workload::TcpConnect => 1_000,
        Workload::HostCall => 40_000,
        Workload::UdpBatch => 500,
        // MiB and handshakes; the TLS clients are not traced today.
        Workload::TlsBulk => 16,
        Workload::TlsHandshakes => 100,
    }
}

/// The per-syscall minimum of two traced runs of `ops` operations: the
/// guest's module compilation adds a varying number of futex, mprotect and
/// sched_yield calls, and the smaller count is the one nearer the loop's own.
fn min_counts(
    cfg: &Config,
    peer: &Peer,
    client: &Program,
    side: Side,
    w: Workload,
    ops: u64,
) -> Result<BTreeMap<String, f64>, String> {
    let argv = client_argv(cfg, client, side, peer, w, ops);
    let a = strace_counts(&argv, cfg.timeout)?;
    let b = strace_counts(&argv, cfg.timeout)?;
    Ok(a.keys()
        .chain(b.keys())
        .map(|k| {
            let m = a.get(k).copied().unwrap_or(0.0).min(b.get(k).copied().unwrap_or(0.0));
            (k.clone(), m)
        })
        .collect())
}

fn per_op(cfg: &Config, peer: &Peer, client: &Program, side: Side, w: Workload) -> Result<PerOp, String> {
    let n = strace_ops(w);
    let a = min_counts(cfg, peer, client, side, w, n)?;
    let b = min_counts(cfg, peer, client, side, w, 2 * n)?;
    let mut out = PerOp::new();
    for (name, cb) in &b {
        let d = (cb - a.get(name).copied().unwrap_or(0.0)) / n as f64;
        // Below this it is start-up noise (thread wake-ups, allocator).
        if d >= 0.05 {
            out.insert(name.clone(), d);
        }
    }
    Ok(out)
}

pub fn fmt_per_op(p: &Result<PerOp, String>) -> String {
    match p {
        Err(e) => format!("failed: {e}"),
        Ok(m) if m.is_empty() => "none".into(),
        Ok(m) => {
            let mut v: Vec<_> = m.iter().collect();
            v.sort_by(|x, y| y.1.total_cmp(x.1).then(x.0.cmp(y.0)));
            v.iter().map(|(n, c)| format!("{n} {c:.2}")).collect::<Vec<_>>().join(", ")
        }
    }
}
