//! The server workloads: the server (C or Rust) runs natively and as a
//! guest, a fresh process per run, pinned; the native load generator
//! `bench-load`, pinned to the same CPU, drives it and times its loop.
//!
//! - static_http: `bench/c/http_server.c` serving a temp directory (the
//!   guest gets it with `--dir`): connections/s for a 1 KiB file with
//!   `Connection: close`, MB/s downloading a 5 MB file;
//! - echo_500: `bench/c/echo_server.c`, 500 connections busy at once;
//! - tokio_echo: `bench-tokio-echo`, 50 connections busy at once;
//! - thread_echo: `bench-thread-echo` (a thread per connection), 50
//!   connections busy at once, on one CPU and (`thread_echo_2cpu`) on two;
//! - tokio_idle: the same server holding 50 idle connections: its CPU time
//!   over an idle window.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use wasock_bench::{parse_result, MESSAGE};

use crate::clients::scaled;
use crate::proc::{pin_to, run_bounded, Cores, Ports, Server};
use crate::row::{Row, Side, Target};
use crate::{Config, Program};

/// The small file for the connection rate, the large one for throughput.
const SMALL_FILE: (&str, u64) = ("/small.bin", 1024);
const LARGE_FILE: (&str, u64) = ("/large.bin", 5_000_000);
/// How long the driver waits for a server to listen (a cold guest compiles first).
const LISTEN_TIMEOUT: Duration = Duration::from_secs(60);
/// tokio_idle: connections held open, and the window their CPU is measured over.
const IDLE_CONNS: usize = 50;
const IDLE_WINDOW: Duration = Duration::from_secs(2);

/// Where a server run happens: the CPUs of the server and its load
/// generator, and the directory the server is given (static_http's).
#[derive(Clone, Copy)]
struct Setup<'a> {
    cores: Cores,
    dir: Option<&'a Path>,
    /// The server's threads exit during a run (one per connection): its CPU
    /// time is then the thread group's, which counts them, to a clock tick.
    threads_exit: bool,
}

const ONE_CPU: Setup = Setup { cores: Cores::One, dir: None, threads_exit: false };

/// The command line of a server run: the native build, or the wasm build
/// under `wasock run` granted its port (and `dir`, preopened as itself).
fn server_argv(cfg: &Config, prog: &Program, side: Side, port: u16, setup: Setup, args: &[String]) -> Vec<String> {
    let mut argv = pin_to(cfg, setup.cores);
    match side {
        Side::Native => argv.push(prog.native.display().to_string()),
        Side::Guest | Side::Alt => {
            argv.extend([cfg.wasock.display().to_string(), "run".into()]);
            argv.extend(["--allow-bind".into(), format!("127.0.0.1:{port}")]);
            if let Some(d) = setup.dir {
                argv.extend(["--dir".into(), d.display().to_string()]);
            }
            argv.push(prog.wasm.display().to_string());
        }
    }
    argv.extend(args.iter().cloned());
    argv
}

/// Starts the server on a fresh port, runs `body` against it, stops it.
fn with_server<T>(
    cfg: &Config,
    ports: &Ports,
    prog: &Program,
    side: Side,
    setup: Setup,
    body: impl FnOnce(&Server, u16) -> Result<T, String>,
) -> Result<T, String> {
    let port = ports.take()?;
    let mut args = vec![port.to_string()];
    args.extend(setup.dir.map(|d| d.display().to_string()));
    let server = Server::start(&server_argv(cfg, prog, side, port, setup, &args), LISTEN_TIMEOUT)?;
    body(&server, port).map_err(|e| format!("{e} (server: {})", server.why()))
}

/// One `bench-load` run against a fresh server, both pinned to the CPUs
/// of `setup`, `args(port)` the load's arguments. Returns the load's figure and the server's CPU time per
/// operation in µs (its threads' schedstat time on CPU over the load run).
fn load(
    cfg: &Config,
    ports: &Ports,
    prog: &Program,
    side: Side,
    setup: Setup,
    args: impl FnOnce(u16) -> Vec<String>,
) -> Result<(f64, f64), String> {
    with_server(cfg, ports, prog, side, setup, |srv, port| {
        let mut argv = pin_to(cfg, setup.cores);
        argv.push(cfg.load.display().to_string());
        argv.extend(args(port));
        let cpu_ns = || if setup.threads_exit { srv.group_cpu_ns() } else { srv.cpu_ns() };
        let before = cpu_ns()?;
        let out = run_bounded(&argv, cfg.timeout);
        let cpu = cpu_ns()?.saturating_sub(before);
        let r = parse_result(&out.stdout).filter(|_| out.ok).ok_or_else(|| out.why("no RESULT line"))?;
        Ok((r.value, cpu as f64 / 1e3 / r.ops.max(1) as f64))
    })
}

/// The row of the server's CPU per operation beside a throughput row: it
/// has no target of its own (the aim is the throughput's), but it hardly
/// moves when other processes share the CPU, which the throughput does.
fn cpu_row(of: &Row, per: &'static str) -> Row {
    Row::new(&format!("{}_cpu", of.name), of.lang, per, false)
        .ops(of.ops)
        .describe(&format!("{}: server CPU per operation", of.describe))
}

/// A temp directory with the two files static_http serves; removed on drop.
struct Files(PathBuf);

impl Files {
    fn create() -> Result<Files, String> {
        let dir = std::env::temp_dir().join(format!("wasock-bench-www-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, size) in [SMALL_FILE, LARGE_FILE] {
            let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let path = dir.join(&name[1..]);
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(Files(dir))
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn static_http(cfg: &Config, ports: &Ports, http: &Program, rows: &mut Vec<Row>) -> Result<(), String> {
    let files = Files::create()?;
    let cases = [
        ("static_http_1k", "conn/s", SMALL_FILE, 4_000, "static HTTP/1.1, 1 KiB file, Connection: close"),
        ("static_http_5m", "MB/s", LARGE_FILE, 150, "static HTTP/1.1, 5 MB file downloads"),
    ];
    for (name, unit, (path, size), n, describe) in cases {
        if !cfg.wants(name) {
            continue;
        }
        let n = scaled(cfg, n);
        let mut row = Row::new(name, http.lang, unit, true).target(Target::Ratio(0.90)).ops(n).describe(describe);
        let kind = if unit == "conn/s" { "http_conn" } else { "http_get" };
        let mut cpu = cpu_row(&row, if unit == "conn/s" { "CPU µs/conn" } else { "CPU µs/file" });
        row.measure_with(Some(&mut cpu), cfg, cfg.warmup, |side| {
            load(cfg, ports, http, side, Setup { dir: Some(&files.0), ..ONE_CPU }, |port| {
                vec![kind.into(), format!("127.0.0.1:{port}"), path.into(), size.to_string(), n.to_string()]
            })
        });
        rows.extend([row, cpu]);
    }
    Ok(())
}

/// An echo workload: `conns` connections, `rounds` round trips each, the
/// server and the load on `cores`.
pub struct Echo<'a> {
    pub name: &'a str,
    pub conns: u64,
    pub rounds: u64,
    pub cores: Cores,
    /// A thread per connection (see [`Setup::threads_exit`]).
    pub threads_exit: bool,
    pub describe: &'a str,
}

/// An echo server driven by `bench-load echo`: its round trips/s row and
/// its CPU per round trip row.
pub fn echo(cfg: &Config, ports: &Ports, server: &Program, w: Echo) -> [Row; 2] {
    let Echo { name, conns, rounds, cores, threads_exit, describe } = w;
    let rounds = scaled(cfg, rounds);
    let mut row =
        Row::new(name, server.lang, "rt/s", true).target(Target::Ratio(0.90)).ops(conns * rounds).describe(describe);
    let mut cpu = cpu_row(&row, "CPU µs/rt");
    row.measure_with(Some(&mut cpu), cfg, cfg.warmup, |side| {
        load(cfg, ports, server, side, Setup { cores, dir: None, threads_exit }, |port| {
            vec!["echo".into(), format!("127.0.0.1:{port}"), conns.to_string(), rounds.to_string()]
        })
    });
    [row, cpu]
}

/// thread_echo's rows: on one CPU, on two, and the scaling between them.
pub const THREAD_ECHO: [&str; 2] = ["thread_echo", "thread_echo_2cpu"];

/// The thread-per-connection server on `--cpu` and on `--cpus2` (server
/// and load generator alike: its threads can then run beside the load),
/// and, when both ran, how each side's throughput scales from one to two.
pub fn thread_echo(cfg: &Config, ports: &Ports, server: &Program, rows: &mut Vec<Row>) {
    let mut measured: Vec<[Row; 2]> = Vec::new();
    for (name, cores, describe) in [
        (THREAD_ECHO[0], Cores::One, "thread-per-connection echo server, 50 busy connections"),
        (THREAD_ECHO[1], Cores::Two, "thread-per-connection echo server, 50 busy connections, 2 CPUs"),
    ] {
        if cfg.wants(name) {
            let w = Echo { name, conns: 50, rounds: 1000, cores, threads_exit: true, describe };
            measured.push(echo(cfg, ports, server, w));
        }
    }
    // The aim is that the guest scales as native does.
    let scaling = match &measured[..] {
        [[one, _], [two, _]] => Some(Row::scaling("thread_echo_scaling", one, two, Target::Ratio(0.90))),
        _ => None,
    };
    rows.extend(measured.into_iter().flatten());
    rows.extend(scaling);
}

/// tokio_idle: the server's CPU milliseconds per second while it holds
/// [`IDLE_CONNS`] open connections that send nothing.
pub fn tokio_idle(cfg: &Config, ports: &Ports, server: &Program) -> Row {
    let mut row = Row::new("tokio_idle", server.lang, "CPU ms/s", false)
        .target(Target::GuestAtMost(1.0, "about zero"))
        .ops(IDLE_CONNS as u64)
        .describe("tokio server holding 50 idle connections, CPU per second");
    // Nothing to warm: the window is idle by design.
    row.measure(cfg, 0, |side| {
        with_server(cfg, ports, server, side, ONE_CPU, |srv, port| {
            let mut conns = Vec::new();
            let mut buf = [0u8; MESSAGE];
            // One echo on each, so every connection is accepted and its task
            // is parked in a read before the window opens.
            for _ in 0..IDLE_CONNS {
                let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
                s.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
                s.write_all(&buf).and_then(|_| s.read_exact(&mut buf)).map_err(|e| format!("echo: {e}"))?;
                conns.push(s);
            }
            thread::sleep(Duration::from_millis(100));
            let (t0, c0) = (Instant::now(), srv.cpu_ns()?);
            thread::sleep(IDLE_WINDOW);
            let (c1, secs) = (srv.cpu_ns()?, t0.elapsed().as_secs_f64());
            Ok(c1.saturating_sub(c0) as f64 / 1e6 / secs)
        })
    });
    row
}
