//! The benchmark driver (native): `bench-run [OPTIONS]`, run from the
//! repository root (`make bench` does).
//!
//! Starts `bench-peer` pinned to one CPU, then measures every workload
//! family, each program natively and as a wasm guest under `wasock run`,
//! everything pinned to the same CPU, native and guest runs alternating,
//! `--runs` times each:
//! - client workloads (clients.rs): the Rust and C clients against the peer;
//! - server workloads (servers.rs): C, tokio and thread-per-connection
//!   servers driven by `bench-load` (thread_echo also on two CPUs, for its
//!   scaling);
//! - start-up (startup.rs): a one-connection program, spawn to exit;
//! - TLS (tls.rs): a TLS client natively, as a guest whose host runs TLS,
//!   and as a guest with TLS compiled in, against the peer's TLS service.
//!
//! Prints the table of medians and writes it, with the machine and every
//! single run, to `--out` (default bench/results.md). With strace installed
//! it also counts the client workloads' system calls per operation.

mod clients;
mod peer;
mod proc;
mod report;
mod row;
mod servers;
mod startup;
mod syscalls;
mod tls;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use wasock_bench::{Workload, WORKLOADS};

use crate::proc::{have, Cores};
use crate::report::{fmt_ratio, fmt_value};
use crate::row::{Row, Side};
use crate::syscalls::SyscallRow;

const USAGE: &str = "\
usage: bench-run [OPTIONS]   (from the repository root)
  --wasock PATH       the host (target/release/wasock)
  --peer PATH         native peer (target/bench/release/bench-peer)
  --load PATH         native load generator (target/bench/release/bench-load)
  --rust-native PATH  native Rust client (target/bench/release/bench-client)
  --rust-wasm PATH    Rust guest (target/bench/wasm32-wasip1/release/bench-client.wasm)
  --c-native PATH     native C client (build/bench/client)
  --c-wasm PATH       C guest (build/bench/client.wasm)
  --rust-dir DIR      the bench crate's target dir: DIR/release/NAME and
                      DIR/wasm32-wasip1/release/NAME.wasm for bench-startup,
                      bench-tokio-echo, bench-tls-client and bench-tls-host,
                      DIR/wasm32-wasip1-threads/release/NAME.wasm for
                      bench-thread-echo (target/bench)
  --c-dir DIR         DIR/NAME and DIR/NAME.wasm for http_server, echo_server
                      and startup (build/bench)
  --runs N            runs per cell, the table shows the median (3)
  --warmup N          unmeasured runs per side before a cell's runs (1)
  --cpu N             the CPU peer, clients and servers are pinned to (0); 'none' to not pin
  --cpus2 A,B         the two CPUs of the 2-CPU rows' server and load generator (0,1)
  --scale F           multiply every workload's operation count by F (1.0)
  --only LIST         comma-separated workloads or families (all): tcp_bulk, tcp_pingpong,
                      tcp_connect, udp_rr, hostcall, udp_batch, static_http (static_http_1k,
                      static_http_5m), echo_500, startup (startup_cold, startup_cached),
                      tokio_echo, tokio_idle, thread_echo (with thread_echo_2cpu
                      and the scaling row), thread_echo_2cpu, tls (tls_bulk,
                      tls_handshakes)
  --syscalls WHICH    strace accounting of the client workloads: rust, all or none (all)
  --timeout SECS      per client or load-generator run (120)
  --out PATH          the report (bench/results.md); '-' for none
  --findings PATH     hand-written notes appended to the report (bench/findings.md)";

/// The server and start-up workload names `--only` takes (besides the client workloads).
const OTHER_WORKLOADS: [&str; 10] = [
    "static_http_1k",
    "static_http_5m",
    "echo_500",
    "startup_cold",
    "startup_cached",
    "tokio_echo",
    "tokio_idle",
    "udp_batch",
    "thread_echo",
    "thread_echo_2cpu",
];

pub struct Config {
    pub wasock: PathBuf,
    pub peer: PathBuf,
    pub load: PathBuf,
    clients: Vec<Program>,
    rust_dir: PathBuf,
    c_dir: PathBuf,
    pub runs: usize,
    pub warmup: usize,
    pub cpu: Option<u32>,
    pub cpus2: [u32; 2],
    pub scale: f64,
    /// `--only`'s names; None for everything.
    only: Option<Vec<String>>,
    syscalls: String,
    pub timeout: Duration,
    out: Option<PathBuf>,
    pub findings: PathBuf,
}

impl Config {
    /// Whether `--only` selects workload `name`: by its name, or by its
    /// family's (`startup` selects `startup_cold` and `startup_cached`).
    pub fn wants(&self, name: &str) -> bool {
        self.only.as_ref().is_none_or(|o| {
            o.iter().any(|w| name == w || name.strip_prefix(w.as_str()).is_some_and(|rest| rest.starts_with('_')))
        })
    }

    /// A Rust program of the bench crate, its guest built for `target`.
    fn rust_program(&self, name: &str, target: &str) -> Program {
        Program {
            lang: "Rust",
            native: self.rust_dir.join("release").join(name),
            wasm: self.rust_dir.join(target).join("release").join(format!("{name}.wasm")),
        }
    }

    fn c_program(&self, name: &str) -> Program {
        Program { lang: "C", native: self.c_dir.join(name), wasm: self.c_dir.join(format!("{name}.wasm")) }
    }
}

/// One program, built natively and for wasm.
pub struct Program {
    pub lang: &'static str,
    pub native: PathBuf,
    pub wasm: PathBuf,
}

impl Program {
    /// The builds that are missing, if any.
    fn absent(&self) -> Vec<String> {
        [&self.native, &self.wasm].into_iter().filter(|p| !p.exists()).map(|p| p.display().to_string()).collect()
    }
}

/// The guest targets of the bench crate's Rust programs.
const WASIP1: &str = "wasm32-wasip1";
const WASIP1_THREADS: &str = "wasm32-wasip1-threads";

/// `--cpus2`'s value: two different CPU numbers, comma-separated.
fn cpu_pair(v: &str) -> Option<[u32; 2]> {
    let (a, b) = v.split_once(',')?;
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a != b).then_some([a, b])
}

fn parse_args() -> Result<Config, String> {
    parse(std::env::args().skip(1))
}

/// The options after the program name.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
    let mut c = Config {
        wasock: "target/release/wasock".into(),
        peer: "target/bench/release/bench-peer".into(),
        load: "target/bench/release/bench-load".into(),
        clients: vec![
            Program {
                lang: "Rust",
                native: "target/bench/release/bench-client".into(),
                wasm: "target/bench/wasm32-wasip1/release/bench-client.wasm".into(),
            },
            Program { lang: "C", native: "build/bench/client".into(), wasm: "build/bench/client.wasm".into() },
        ],
        rust_dir: "target/bench".into(),
        c_dir: "build/bench".into(),
        runs: 3,
        warmup: 1,
        cpu: Some(0),
        cpus2: [0, 1],
        scale: 1.0,
        only: None,
        syscalls: "all".into(),
        timeout: Duration::from_secs(120),
        out: Some("bench/results.md".into()),
        findings: "bench/findings.md".into(),
    };
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let v = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = || format!("bad value for {flag}: {v}");
        match flag.as_str() {
            "--wasock" => c.wasock = v.into(),
            "--peer" => c.peer = v.into(),
            "--load" => c.load = v.into(),
            "--rust-native" => c.clients[0].native = v.into(),
            "--rust-wasm" => c.clients[0].wasm = v.into(),
            "--c-native" => c.clients[1].native = v.into(),
            "--c-wasm" => c.clients[1].wasm = v.into(),
            "--rust-dir" => c.rust_dir = v.into(),
            "--c-dir" => c.c_dir = v.into(),
            "--runs" => c.runs = v.parse().ok().filter(|&n| (1..=99).contains(&n)).ok_or_else(bad)?,
            "--warmup" => c.warmup = v.parse().ok().filter(|&n| n <= 9).ok_or_else(bad)?,
            "--cpu" if v == "none" => c.cpu = None,
            "--cpu" => c.cpu = Some(v.parse().map_err(|_| bad())?),
            "--cpus2" => c.cpus2 = cpu_pair(&v).ok_or_else(bad)?,
            "--scale" => c.scale = v.parse().ok().filter(|&f: &f64| f > 0.0 && f <= 100.0).ok_or_else(bad)?,
            "--only" => {
                let names: Vec<String> = v.split(',').map(|n| n.trim().to_string()).collect();
                let known = |n: &str| {
                    let all = WORKLOADS.iter().map(|w| w.name()).chain(OTHER_WORKLOADS);
                    all.clone().any(|w| w == n || w.strip_prefix(n).is_some_and(|r| r.starts_with('_')))
                };
                if let Some(n) = names.iter().find(|n| !known(n)) {
                    return Err(format!("no workload {n}"));
                }
                c.only = Some(names);
            }
            "--syscalls" if ["rust", "all", "none"].contains(&v.as_str()) => c.syscalls = v,
            "--timeout" => c.timeout = Duration::from_secs(v.parse().map_err(|_| bad())?),
            "--out" if v == "-" => c.out = None,
            "--out" => c.out = Some(v.into()),
            "--findings" => c.findings = v.into(),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(c)
}

fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("bench-run: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(cfg) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-run: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a finished row's one-line summary.
fn progress(row: &Row, t: Instant) {
    let alt = row.alt.as_ref().map_or_else(String::new, |a| {
        format!("  {} {}  guest/it {}", a.label, fmt_value(a.cell.median()), fmt_ratio(row.alt_ratio()))
    });
    println!(
        "  {:<4} {:<15} native {:>9}  guest {:>9}  {:<8}  ratio {}{alt}  ({:.1} s)",
        row.lang,
        row.name,
        fmt_value(row.native.median()),
        report::cell_text(row, Side::Guest),
        row.unit,
        fmt_ratio(row.ratio()),
        t.elapsed().as_secs_f64()
    );
}

/// Records that `prog` was not run because builds are missing; true if so.
fn skip_absent(prog: &Program, what: &str, missing: &mut Vec<String>) -> bool {
    let absent = prog.absent();
    if absent.is_empty() {
        return false;
    }
    eprintln!("bench-run: skipping the {} {what}: {} not built", prog.lang, absent.join(", "));
    missing.push(format!("the {} {what} was not run: {} not built", prog.lang, absent.join(", ")));
    true
}

fn run(mut cfg: Config) -> Result<(), String> {
    let started = Instant::now();
    if cfg.cpu.is_some() && !have("taskset") {
        eprintln!("bench-run: taskset not found (util-linux): running UNPINNED; round trips will swing");
        cfg.cpu = None;
    }
    let cfg = &cfg;
    for p in [&cfg.wasock, &cfg.peer, &cfg.load] {
        if !Path::new(p).exists() {
            return Err(format!("{} is missing: build it first (make bench builds everything)", p.display()));
        }
    }
    let pinning = match cfg.cpu {
        Some(c) => {
            let [a, b] = cfg.cpus2;
            let two = if cfg.wants(servers::THREAD_ECHO[1]) {
                format!(", but thread_echo_2cpu's server and load generator on CPUs {a} and {b} (`taskset -c {a},{b}`)")
            } else {
                String::new()
            };
            format!("peer, clients, servers and load generator pinned to CPU {c} (`taskset -c {c}` for all{two})")
        }
        None => "UNPINNED (no taskset): expect round-trip figures to swing several-fold".into(),
    };
    let peer = peer::start_peer(cfg)?;
    println!(
        "wasock bench: {pinning}; median of {} runs per cell; peer on 127.0.0.1 echo={} close={} udp={} udpb={}",
        cfg.runs, peer.ports.echo, peer.ports.close, peer.ports.udp, peer.ports.udp_batch
    );
    let server_ports = proc::Ports::from(peer.ports.highest() + 1);

    let mut rows: Vec<Row> = Vec::new();
    let mut missing = Vec::new();
    let client_workloads: Vec<Workload> = WORKLOADS.into_iter().filter(|w| cfg.wants(w.name())).collect();
    for client in &cfg.clients {
        if client_workloads.iter().any(|&w| clients::runs(client, w)) && skip_absent(client, "client", &mut missing) {
            continue;
        }
        for &w in client_workloads.iter().filter(|&&w| clients::runs(client, w)) {
            let t = Instant::now();
            rows.push(clients::measure(cfg, &peer, client, w));
            progress(rows.last().unwrap(), t);
        }
    }

    let mut family = |names: &[&str], prog: Program, f: &mut dyn FnMut(&Program, &mut Vec<Row>)| {
        if !names.iter().any(|n| cfg.wants(n)) || skip_absent(&prog, names[0], &mut missing) {
            return;
        }
        let (t, before) = (Instant::now(), rows.len());
        f(&prog, &mut rows);
        for row in &rows[before..] {
            progress(row, t);
        }
    };
    family(&["static_http_1k", "static_http_5m"], cfg.c_program("http_server"), &mut |p, rows| {
        if let Err(e) = servers::static_http(cfg, &server_ports, p, rows) {
            eprintln!("bench-run: static_http: {e}");
        }
    });
    let echo = |name, conns, rounds, describe| servers::Echo {
        name,
        conns,
        rounds,
        cores: Cores::One,
        threads_exit: false,
        describe,
    };
    family(&["echo_500"], cfg.c_program("echo_server"), &mut |p, rows| {
        let w = echo("echo_500", 500, 100, "poll() echo server, 500 busy connections");
        rows.extend(servers::echo(cfg, &server_ports, p, w))
    });
    family(&["tokio_echo"], cfg.rust_program("bench-tokio-echo", WASIP1), &mut |p, rows| {
        let w = echo("tokio_echo", 50, 400, "tokio echo server, 50 busy connections");
        rows.extend(servers::echo(cfg, &server_ports, p, w))
    });
    family(&servers::THREAD_ECHO, cfg.rust_program("bench-thread-echo", WASIP1_THREADS), &mut |p, rows| {
        servers::thread_echo(cfg, &server_ports, p, rows)
    });
    family(&["tokio_idle"], cfg.rust_program("bench-tokio-echo", WASIP1), &mut |p, rows| {
        rows.push(servers::tokio_idle(cfg, &server_ports, p))
    });
    for prog in [cfg.c_program("startup"), cfg.rust_program("bench-startup", WASIP1)] {
        family(&["startup_cold", "startup_cached"], prog, &mut |p, rows| startup::startup(cfg, &peer, p, rows));
    }
    let tls_workloads: Vec<Workload> = client_workloads.iter().copied().filter(|w| w.is_tls()).collect();
    let names: Vec<&str> = tls_workloads.iter().map(|w| w.name()).collect();
    family(&names, cfg.rust_program("bench-tls-client", WASIP1), &mut |p, rows| {
        let progs =
            tls::TlsPrograms { rustls: p, host: cfg.rust_dir.join(WASIP1).join("release").join("bench-tls-host.wasm") };
        rows.extend(tls_workloads.iter().map(|&w| tls::measure(cfg, &peer, &progs, w)))
    });

    let mut syscalls: Vec<SyscallRow> = Vec::new();
    if cfg.syscalls != "none" && client_workloads.iter().any(|w| !w.is_tls()) {
        if have("strace") {
            println!("  counting system calls per operation (strace -f -c, runs of N and 2N operations)...");
            for client in cfg.clients.iter().filter(|c| cfg.syscalls == "all" || c.lang == "Rust") {
                if !client.absent().is_empty() {
                    continue;
                }
                for &w in client_workloads.iter().filter(|&&w| clients::runs(client, w)) {
                    syscalls.push(SyscallRow::count(cfg, &peer, client, w));
                }
            }
        } else {
            eprintln!("bench-run: strace not found: no system-call counts (apt-get install strace)");
        }
    }
    drop(peer);

    println!("\n{}", report::console_table(&rows));
    println!(
        "  guest/native = guest speed / native speed (ns/call, ms, CPU ms/s: native / guest); * = short of target"
    );
    println!("  {pinning}; median of {} runs; {:.0} s in all", cfg.runs, started.elapsed().as_secs_f64());

    if let Some(out) = &cfg.out {
        let text = report::report(cfg, &pinning, &rows, &missing, &syscalls);
        std::fs::write(out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        println!("  written to {}", out.display());
    }
    if rows.iter().any(Row::failed) {
        return Err("some cells failed (see above)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(names: &[&str]) -> Config {
        parse(["--only".to_string(), names.join(",")].into_iter()).unwrap()
    }

    #[test]
    fn only_selects_by_name_or_family() {
        let c = only(&["startup", "udp_rr"]);
        assert!(c.wants("startup_cold") && c.wants("startup_cached") && c.wants("udp_rr"));
        // A family prefix needs the underscore: udp_rr does not select udp_batch.
        assert!(!c.wants("udp_batch") && !c.wants("static_http_1k"));
        assert!(only(&["static_http_1k"]).wants("static_http_1k"));
        assert!(!only(&["static_http_1k"]).wants("static_http_5m"));
        assert!(parse(["--only".to_string(), "nonesuch".to_string()].into_iter()).is_err());
        assert!(parse(std::iter::empty()).unwrap().wants("tokio_idle"));
        // thread_echo is a family: its 2-CPU row comes with it, not the other way round.
        let c = only(&["thread_echo"]);
        assert!(c.wants("thread_echo") && c.wants("thread_echo_2cpu"));
        let c = only(&["thread_echo_2cpu"]);
        assert!(c.wants("thread_echo_2cpu") && !c.wants("thread_echo"));
        let c = only(&["tls"]);
        assert!(c.wants("tls_bulk") && c.wants("tls_handshakes") && !c.wants("tcp_bulk"));
    }

    #[test]
    fn cpus2_takes_two_different_cpus() {
        assert_eq!(cpu_pair("0,1"), Some([0, 1]));
        assert_eq!(cpu_pair(" 2, 3"), Some([2, 3]));
        for bad in ["0", "1,1", "0,x", "0,1,2", ""] {
            assert_eq!(cpu_pair(bad), None, "{bad}");
        }
        let c = parse(["--cpus2".to_string(), "2,3".to_string()].into_iter()).unwrap();
        assert_eq!(c.cpus2, [2, 3]);
    }
}
