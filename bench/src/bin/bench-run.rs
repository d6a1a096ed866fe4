//! The benchmark driver (native): `bench-run [OPTIONS]`, run from the
//! repository root (`make bench` does).
//!
//! Starts `bench-peer` pinned to one CPU, then for every client (Rust, C)
//! and workload runs the native client and the same client as a wasm guest
//! under `wasock run`, both pinned to the same CPU as the peer, alternating
//! native and guest, `--runs` times each. Prints the table of medians and
//! writes it, with the machine and every single run, to `--out`
//! (default bench/results.md). With strace installed it also counts the
//! system calls per operation of one native and one guest run per workload.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use wasock_bench::{median, parse_result, Workload, WORKLOADS};

const USAGE: &str = "\
usage: bench-run [OPTIONS]   (from the repository root)
  --wasock PATH       the host (target/release/wasock)
  --peer PATH         native peer (target/bench/release/bench-peer)
  --rust-native PATH  native Rust client (target/bench/release/bench-client)
  --rust-wasm PATH    Rust guest (target/bench/wasm32-wasip1/release/bench-client.wasm)
  --c-native PATH     native C client (build/bench/client)
  --c-wasm PATH       C guest (build/bench/client.wasm)
  --runs N            runs per cell, the table shows the median (3)
  --warmup N          unmeasured runs per side before a cell's runs (1)
  --cpu N             the CPU peer and clients are pinned to (0); 'none' to not pin
  --scale F           multiply every workload's operation count by F (1.0)
  --only LIST         comma-separated workloads (all)
  --syscalls WHICH    strace accounting: rust, all or none (all)
  --timeout SECS      per client run (120)
  --out PATH          the report (bench/results.md); '-' for none
  --findings PATH     hand-written notes appended to the report (bench/findings.md)";

struct Config {
    wasock: PathBuf,
    peer: PathBuf,
    clients: Vec<Client>,
    runs: usize,
    warmup: usize,
    cpu: Option<u32>,
    scale: f64,
    workloads: Vec<Workload>,
    syscalls: String,
    timeout: Duration,
    out: Option<PathBuf>,
    findings: PathBuf,
}

/// One client program, built natively and for wasm.
struct Client {
    lang: &'static str,
    native: PathBuf,
    wasm: PathBuf,
}

fn parse_args() -> Result<Config, String> {
    let mut c = Config {
        wasock: "target/release/wasock".into(),
        peer: "target/bench/release/bench-peer".into(),
        clients: vec![
            Client {
                lang: "Rust",
                native: "target/bench/release/bench-client".into(),
                wasm: "target/bench/wasm32-wasip1/release/bench-client.wasm".into(),
            },
            Client { lang: "C", native: "build/bench/client".into(), wasm: "build/bench/client.wasm".into() },
        ],
        runs: 3,
        warmup: 1,
        cpu: Some(0),
        scale: 1.0,
        workloads: WORKLOADS.to_vec(),
        syscalls: "all".into(),
        timeout: Duration::from_secs(120),
        out: Some("bench/results.md".into()),
        findings: "bench/findings.md".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let v = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = || format!("bad value for {flag}: {v}");
        match flag.as_str() {
            "--wasock" => c.wasock = v.into(),
            "--peer" => c.peer = v.into(),
            "--rust-native" => c.clients[0].native = v.into(),
            "--rust-wasm" => c.clients[0].wasm = v.into(),
            "--c-native" => c.clients[1].native = v.into(),
            "--c-wasm" => c.clients[1].wasm = v.into(),
            "--runs" => c.runs = v.parse().ok().filter(|&n| (1..=99).contains(&n)).ok_or_else(bad)?,
            "--warmup" => c.warmup = v.parse().ok().filter(|&n| n <= 9).ok_or_else(bad)?,
            "--cpu" if v == "none" => c.cpu = None,
            "--cpu" => c.cpu = Some(v.parse().map_err(|_| bad())?),
            "--scale" => c.scale = v.parse().ok().filter(|&f: &f64| f > 0.0 && f <= 100.0).ok_or_else(bad)?,
            "--only" => {
                c.workloads = v
                    .split(',')
                    .map(|n| Workload::from_name(n.trim()).ok_or_else(|| format!("no workload {n}")))
                    .collect::<Result<_, _>>()?
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

/// The peer's ports, as it announced them.
struct Ports {
    echo: u16,
    close: u16,
    udp: u16,
}

impl Ports {
    fn of(&self, w: Workload) -> u16 {
        match w.service() {
            wasock_bench::Service::Echo => self.echo,
            wasock_bench::Service::Close => self.close,
            wasock_bench::Service::Udp => self.udp,
        }
    }
}

/// The running peer; dropping it closes its stdin (it exits) and reaps it.
struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    ports: Ports,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stdin = None; // closing its stdin tells the peer to exit
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `taskset -c CPU` prefix, or nothing when not pinning.
fn pin(cfg: &Config) -> Vec<String> {
    match cfg.cpu {
        Some(cpu) => vec!["taskset".into(), "-c".into(), cpu.to_string()],
        None => Vec::new(),
    }
}

fn start_peer(cfg: &Config) -> Result<Peer, String> {
    // Start somewhere in 20000-29000 so parallel runs on one machine rarely
    // collide; the peer walks up from there to the first free ports.
    let first = 20_000 + (std::process::id() % 9_000) as u16;
    let mut argv = pin(cfg);
    argv.push(cfg.peer.display().to_string());
    argv.extend([
        "--first-port".into(),
        first.to_string(),
        "--last-port".into(),
        "29999".into(),
        "--watch-stdin".into(),
    ]);
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", argv.join(" ")))?;
    let stdin = child.stdin.take();
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no peer stdout")?;
    BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("peer: {e}"))?;
    let port = |key: &str| -> Option<u16> {
        line.split_whitespace().find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
    };
    let ports = match (port("echo"), port("close"), port("udp")) {
        (Some(echo), Some(close), Some(udp)) => Ports { echo, close, udp },
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the peer did not announce its ports (said {line:?})"));
        }
    };
    Ok(Peer { child, stdin, ports })
}

/// What one child process produced.
struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs `argv` to its end or the timeout (then kills it).
fn run_bounded(argv: &[String], timeout: Duration) -> Output {
    let child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return Output { ok: false, stdout: String::new(), stderr: format!("cannot start {}: {e}", argv[0]) },
    };
    let drain = |r: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut r) = r {
                let _ = r.read_to_string(&mut s);
            }
            s
        })
    };
    let out = drain(child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let err = drain(child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let mut stderr = err.join().unwrap_or_default();
    if status.is_none() {
        stderr.push_str(&format!("\n(killed after {} s)", timeout.as_secs()));
    }
    Output { ok: status.is_some_and(|s| s.success()), stdout, stderr }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Side {
    Native,
    Guest,
}

/// The command line of one client run (without the pinning prefix).
fn client_argv(cfg: &Config, client: &Client, side: Side, ports: &Ports, w: Workload, ops: u64) -> Vec<String> {
    let target = format!("127.0.0.1:{}", ports.of(w));
    let mut argv = Vec::new();
    match side {
        Side::Native => argv.push(client.native.display().to_string()),
        Side::Guest => {
            let lo = ports.echo.min(ports.close).min(ports.udp);
            let hi = ports.echo.max(ports.close).max(ports.udp);
            argv.extend([
                cfg.wasock.display().to_string(),
                "run".into(),
                "--allow-connect".into(),
                format!("127.0.0.1:{lo}-{hi}"),
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

/// The outcome of one cell's runs.
#[derive(Default)]
struct Cell {
    values: Vec<f64>,
    errors: Vec<String>,
}

impl Cell {
    fn median(&self) -> Option<f64> {
        median(&self.values)
    }
}

/// One table row: a client and a workload.
struct Row {
    lang: &'static str,
    workload: Workload,
    ops: u64,
    native: Cell,
    guest: Cell,
}

impl Row {
    /// Guest speed over native speed (for ns per call, native ns over guest ns).
    fn ratio(&self) -> Option<f64> {
        let (n, g) = (self.native.median()?, self.guest.median()?);
        if n <= 0.0 || g <= 0.0 {
            return None;
        }
        Some(if self.workload.higher_is_better() { g / n } else { n / g })
    }
}

fn scaled(cfg: &Config, w: Workload) -> u64 {
    ((w.default_ops() as f64 * cfg.scale).round() as u64).max(1)
}

fn measure(cfg: &Config, peer: &Peer, client: &Client, w: Workload) -> Row {
    let ops = scaled(cfg, w);
    let mut row = Row { lang: client.lang, workload: w, ops, native: Cell::default(), guest: Cell::default() };
    // Unmeasured: warms the page cache, the peer's code paths and the CPU's
    // frequency; a failure here shows again in the measured runs.
    for _ in 0..cfg.warmup {
        for side in [Side::Native, Side::Guest] {
            let mut argv = pin(cfg);
            argv.extend(client_argv(cfg, client, side, &peer.ports, w, ops));
            run_bounded(&argv, cfg.timeout);
        }
    }
    for rep in 0..cfg.runs {
        // Alternate which side goes first, so a drift in the machine's
        // speed does not always favour the same side.
        let order = if rep % 2 == 0 { [Side::Native, Side::Guest] } else { [Side::Guest, Side::Native] };
        for side in order {
            let mut argv = pin(cfg);
            argv.extend(client_argv(cfg, client, side, &peer.ports, w, ops));
            let out = run_bounded(&argv, cfg.timeout);
            let cell = if side == Side::Native { &mut row.native } else { &mut row.guest };
            match parse_result(&out.stdout).filter(|r| out.ok && r.workload == w.name()) {
                Some(r) => cell.values.push(r.value),
                None => {
                    let why = out.stderr.trim().lines().last().unwrap_or("no RESULT line").to_string();
                    eprintln!("  {} {w} {side:?} run {} failed: {why}", client.lang, rep + 1);
                    cell.errors.push(why);
                }
            }
        }
    }
    row
}

/// Formats a figure with precision to suit its size.
fn fmt_value(v: Option<f64>) -> String {
    match v {
        None => "failed".into(),
        Some(v) if v >= 1000.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".into(), |r| format!("{r:.2}"))
}

fn main_table(rows: &[Row]) -> String {
    let mut t = String::from(
        "| workload | client | unit | native | guest | guest/native | target |\n|---|---|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let target = r.workload.target().map_or_else(|| "-".into(), |t| format!("≥ {t:.2}"));
        let mark = match (r.ratio(), r.workload.target()) {
            (Some(x), Some(t)) if x < t => " (short)",
            _ => "",
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {}{} | {} |",
            r.workload,
            r.lang,
            r.workload.unit(),
            fmt_value(r.native.median()),
            fmt_value(r.guest.median()),
            fmt_ratio(r.ratio()),
            mark,
            target
        );
    }
    t
}

/// The table as aligned plain text for the terminal.
fn console_table(rows: &[Row]) -> String {
    let mut lines = vec![["workload", "client", "unit", "native", "guest", "guest/native", "target"].map(String::from)];
    for r in rows {
        let short = matches!((r.ratio(), r.workload.target()), (Some(x), Some(t)) if x < t);
        lines.push([
            r.workload.name().into(),
            r.lang.into(),
            r.workload.unit().into(),
            fmt_value(r.native.median()),
            fmt_value(r.guest.median()),
            format!("{}{}", fmt_ratio(r.ratio()), if short { " *" } else { "" }),
            r.workload.target().map_or_else(|| "-".into(), |t| format!(">={t:.2}")),
        ]);
    }
    let widths: Vec<usize> = (0..7).map(|i| lines.iter().map(|l| l[i].len()).max().unwrap_or(0)).collect();
    let mut s = String::new();
    for l in &lines {
        let cells: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(i, c)| if i < 3 { format!("{c:<w$}", w = widths[i]) } else { format!("{c:>w$}", w = widths[i]) })
            .collect();
        let _ = writeln!(s, "  {}", cells.join("  "));
    }
    s
}

/// Output of a command, trimmed, or `unknown`.
fn command_output(argv: &[&str]) -> String {
    Command::new(argv[0])
        .args(&argv[1..])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// System calls per operation: strace counts of a run with `n` and one with
/// `2n` operations, differenced, so start-up (module compilation, the
/// connect before the timed loop) cancels out.
type PerOp = BTreeMap<String, f64>;

fn strace_counts(argv: &[String], timeout: Duration) -> Result<BTreeMap<String, f64>, String> {
    let file = std::env::temp_dir().join(format!("wasock-bench-strace-{}.txt", std::process::id()));
    let mut full = vec!["strace".to_string(), "-f".into(), "-c".into(), "-U".into(), "calls,name".into(), "-o".into()];
    full.push(file.display().to_string());
    full.extend(argv.iter().cloned());
    let out = run_bounded(&full, timeout);
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    if !out.ok {
        return Err(out.stderr.trim().lines().last().unwrap_or("strace run failed").to_string());
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
fn strace_ops(w: Workload) -> u64 {
    match w {
        Workload::TcpBulk => 1_024,
        Workload::TcpPingPong | Workload::UdpRoundTrip => 4_000,
        Workload::TcpConnect => 1_000,
        Workload::HostCall => 40_000,
    }
}

/// The per-syscall minimum of two traced runs of `ops` operations: the
/// guest's module compilation adds a varying number of futex, mprotect and
/// sched_yield calls, and the smaller count is the one nearer the loop's own.
fn min_counts(
    cfg: &Config,
    peer: &Peer,
    client: &Client,
    side: Side,
    w: Workload,
    ops: u64,
) -> Result<BTreeMap<String, f64>, String> {
    let argv = client_argv(cfg, client, side, &peer.ports, w, ops);
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

fn per_op(cfg: &Config, peer: &Peer, client: &Client, side: Side, w: Workload) -> Result<PerOp, String> {
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

/// System calls per operation of one client and workload, native and guest.
struct SyscallRow {
    lang: &'static str,
    workload: Workload,
    native: Result<PerOp, String>,
    guest: Result<PerOp, String>,
}

fn fmt_per_op(p: &Result<PerOp, String>) -> String {
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

fn run(mut cfg: Config) -> Result<(), String> {
    let started = Instant::now();
    if cfg.cpu.is_some() && !have("taskset") {
        eprintln!("bench-run: taskset not found (util-linux): running UNPINNED; round trips will swing");
        cfg.cpu = None;
    }
    let cfg = &cfg;
    for p in [&cfg.wasock, &cfg.peer] {
        if !p.exists() {
            return Err(format!("{} is missing: build it first (make bench builds everything)", p.display()));
        }
    }
    let pinning = match cfg.cpu {
        Some(c) => format!("peer and client pinned to CPU {c} (`taskset -c {c}` for both)"),
        None => "UNPINNED (no taskset): expect round-trip figures to swing several-fold".into(),
    };
    let peer = start_peer(cfg)?;
    println!(
        "wasock bench: {pinning}; median of {} runs per cell; peer on 127.0.0.1 echo={} close={} udp={}",
        cfg.runs, peer.ports.echo, peer.ports.close, peer.ports.udp
    );

    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for client in &cfg.clients {
        let absent: Vec<_> = [&client.native, &client.wasm].into_iter().filter(|p| !p.exists()).collect();
        if !absent.is_empty() {
            let names: Vec<_> = absent.iter().map(|p| p.display().to_string()).collect();
            eprintln!("bench-run: skipping the {} client: {} not built", client.lang, names.join(", "));
            missing.push(format!("the {} client was not run: {} not built", client.lang, names.join(", ")));
            continue;
        }
        for &w in &cfg.workloads {
            let t = Instant::now();
            let row = measure(cfg, &peer, client, w);
            println!(
                "  {:<4} {:<13} native {:>9}  guest {:>9}  {:<7}  ratio {}  ({:.1} s)",
                client.lang,
                w.name(),
                fmt_value(row.native.median()),
                fmt_value(row.guest.median()),
                w.unit(),
                fmt_ratio(row.ratio()),
                t.elapsed().as_secs_f64()
            );
            rows.push(row);
        }
    }

    let mut syscalls: Vec<SyscallRow> = Vec::new();
    if cfg.syscalls != "none" {
        if have("strace") {
            println!("  counting system calls per operation (strace -f -c, runs of N and 2N operations)...");
            for client in cfg.clients.iter().filter(|c| cfg.syscalls == "all" || c.lang == "Rust") {
                if !client.native.exists() || !client.wasm.exists() {
                    continue;
                }
                for &w in &cfg.workloads {
                    let n = per_op(cfg, &peer, client, Side::Native, w);
                    let g = per_op(cfg, &peer, client, Side::Guest, w);
                    syscalls.push(SyscallRow { lang: client.lang, workload: w, native: n, guest: g });
                }
            }
        } else {
            eprintln!("bench-run: strace not found: no system-call counts (apt-get install strace)");
        }
    }
    drop(peer);

    println!("\n{}", console_table(&rows));
    println!("  guest/native = guest speed / native speed (ns/call: native ns / guest ns); * = short of target");
    println!("  {pinning}; median of {} runs; {:.0} s in all", cfg.runs, started.elapsed().as_secs_f64());

    if let Some(out) = &cfg.out {
        let report = report(cfg, &pinning, &rows, &missing, &syscalls);
        std::fs::write(out, report).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        println!("  written to {}", out.display());
    }
    if rows.iter().any(|r| r.native.values.is_empty() || r.guest.values.is_empty()) {
        return Err("some cells failed (see above)".into());
    }
    Ok(())
}

fn report(cfg: &Config, pinning: &str, rows: &[Row], missing: &[String], syscalls: &[SyscallRow]) -> String {
    let mut r = String::new();
    let date = command_output(&["date", "-u", "+%Y-%m-%d %H:%M UTC"]);
    let _ = writeln!(r, "# wasock benchmark results\n");
    let _ = writeln!(r, "Written by `make bench` (bench/src/bin/bench-run.rs); how to read it: bench/README.md.\n");
    let _ = writeln!(r, "- date: {date}");
    let _ = writeln!(
        r,
        "- machine: {} CPUs (`nproc`), {} (/proc/cpuinfo), kernel {} (`uname -r`)",
        command_output(&["nproc"]),
        cpu_model(),
        command_output(&["uname", "-r"])
    );
    let _ = writeln!(r, "- toolchain: {}", command_output(&["rustc", "--version"]));
    let _ = writeln!(
        r,
        "- host: `{}` (release), wasock commit {}",
        cfg.wasock.display(),
        command_output(&["git", "describe", "--always", "--dirty"])
    );
    let _ = writeln!(r, "- pinning: {pinning}");
    let _ = writeln!(
        r,
        "- each cell: median of {} runs after {} unmeasured warm-up run(s) per side, native and guest runs alternating; \
         each run a fresh process timing only its loop{}",
        cfg.runs,
        cfg.warmup,
        if cfg.scale == 1.0 { String::new() } else { format!("; operation counts scaled by {}", cfg.scale) }
    );
    let _ = writeln!(r);
    r.push_str(&main_table(rows));
    let _ = writeln!(
        r,
        "\nguest/native is guest speed over native speed (for ns/call: native ns over guest ns): 1.00 is parity, \
         higher is better. \"native\" is the same client program built for x86_64 Linux; \"guest\" is it built for \
         wasm32-wasip1 and run by `wasock run`.\n"
    );

    let _ = writeln!(r, "## Short of target\n");
    let mut short = 0;
    for row in rows {
        match (row.ratio(), row.workload.target()) {
            (Some(x), Some(t)) if x < t => {
                short += 1;
                let _ = writeln!(
                    r,
                    "- {} {}: {:.2} of native, target {:.2} ({} {} native, {} guest).",
                    row.lang,
                    row.workload.describe(),
                    x,
                    t,
                    fmt_value(row.native.median()),
                    row.workload.unit(),
                    fmt_value(row.guest.median())
                );
            }
            (None, _) => {
                short += 1;
                let errs: Vec<_> = row.native.errors.iter().chain(&row.guest.errors).cloned().collect();
                let _ = writeln!(r, "- {} {}: no ratio, runs failed: {}", row.lang, row.workload, errs.join("; "));
            }
            _ => {}
        }
    }
    for m in missing {
        short += 1;
        let _ = writeln!(r, "- {m}.");
    }
    if short == 0 {
        let _ = writeln!(r, "Every figure meets its target.");
    }

    let _ = writeln!(r, "\n## Every run\n");
    let _ = writeln!(r, "| workload | client | ops per run | native runs | guest runs |\n|---|---|---:|---|---|");
    for row in rows {
        let list = |c: &Cell| {
            let mut v: Vec<String> = c.values.iter().map(|&x| fmt_value(Some(x))).collect();
            v.extend(c.errors.iter().map(|_| "failed".to_string()));
            v.join(", ")
        };
        let _ = writeln!(
            r,
            "| {} | {} | {} | {} | {} |",
            row.workload,
            row.lang,
            row.ops,
            list(&row.native),
            list(&row.guest)
        );
    }

    if !syscalls.is_empty() {
        let _ = writeln!(r, "\n## System calls per operation\n");
        let _ = writeln!(
            r,
            "Counted with `strace -f -c` over the client process (for the guest: the whole `wasock run` process), \
             unpinned, as the difference between runs of N and of 2N operations divided by N (each the per-call \
             minimum of two runs), so start-up cancels out; calls under 0.05 per operation are left out. An operation is a 64 KiB chunk written and \
             read back, a round trip, a connection or a getter call.\n"
        );
        let _ = writeln!(r, "| workload | client | N | native | guest (wasock) |\n|---|---|---:|---|---|");
        for s in syscalls {
            let _ = writeln!(
                r,
                "| {} | {} | {} | {} | {} |",
                s.workload,
                s.lang,
                strace_ops(s.workload),
                fmt_per_op(&s.native),
                fmt_per_op(&s.guest)
            );
        }
    }

    if let Ok(notes) = std::fs::read_to_string(&cfg.findings) {
        let _ = writeln!(r, "\n{}", notes.trim_end());
    }
    r
}
