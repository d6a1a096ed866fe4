//! Child processes: bounded runs, timed runs, long-running servers, and
//! what the driver asks the machine (tools on PATH, command output).

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::Config;

/// The CPUs a run is pinned to: `--cpu`'s one (every row but the scaling
/// rows), or `--cpus2`'s two (the `_2cpu` rows' server and load generator).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cores {
    One,
    Two,
}

/// The `taskset -c CPU` prefix, or nothing when not pinning.
pub fn pin(cfg: &Config) -> Vec<String> {
    pin_to(cfg, Cores::One)
}

/// The `taskset -c CPU` or `taskset -c CPU,CPU` prefix, or nothing when not pinning.
pub fn pin_to(cfg: &Config, cores: Cores) -> Vec<String> {
    match (cfg.cpu, cores) {
        (None, _) => Vec::new(),
        (Some(cpu), Cores::One) => vec!["taskset".into(), "-c".into(), cpu.to_string()],
        (Some(_), Cores::Two) => vec!["taskset".into(), "-c".into(), format!("{},{}", cfg.cpus2[0], cfg.cpus2[1])],
    }
}

/// What one child process produced.
pub struct Output {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
    /// From spawn to exit (the process's whole life).
    pub elapsed: Duration,
}

impl Output {
    /// The last line of stderr, or `fallback`: why a run failed.
    pub fn why(&self, fallback: &str) -> String {
        self.stderr.trim().lines().last().unwrap_or(fallback).to_string()
    }
}

/// Reads a pipe to its end on a thread of its own.
fn drain(r: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut r) = r {
            let _ = r.read_to_string(&mut s);
        }
        s
    })
}

/// Kills a process by pid (the `Child` is on the waiting thread).
fn kill_pid(pid: u32) {
    let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
}

/// Runs `argv` to its end or the timeout (then kills it). The wait is a
/// blocking `wait` on a thread, so `elapsed` is exact to the exit.
pub fn run_bounded(argv: &[String], timeout: Duration) -> Output {
    let started = Instant::now();
    let child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Output {
                ok: false,
                stdout: String::new(),
                stderr: format!("cannot start {}: {e}", argv[0]),
                elapsed: started.elapsed(),
            }
        }
    };
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let st = child.wait();
        let _ = tx.send((st, Instant::now()));
    });
    let (status, elapsed) = match rx.recv_timeout(timeout) {
        Ok((st, at)) => (st.ok(), at - started),
        Err(_) => {
            kill_pid(pid);
            let _ = rx.recv();
            (None, started.elapsed())
        }
    };
    let stdout = out.join().unwrap_or_default();
    let mut stderr = err.join().unwrap_or_default();
    if status.is_none() {
        stderr.push_str(&format!("\n(killed after {} s)", timeout.as_secs()));
    }
    Output { ok: status.is_some_and(|s| s.success()), stdout, stderr, elapsed }
}

/// A long-running server: started, waited for until it prints its
/// `LISTENING` line, killed and reaped when dropped.
pub struct Server {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `argv` and waits (at most `timeout`) for its `LISTENING` line.
    pub fn start(argv: &[String], timeout: Duration) -> Result<Server, String> {
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", argv.join(" ")))?;
        // Both are piped, so both are there.
        let (Some(stdout), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("no pipes to the server".into());
        };
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            // Keep reading after the line, so the server never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("LISTENING") {
                    let _ = tx.send(());
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        let server = Server { child, stderr };
        match rx.recv_timeout(timeout) {
            Ok(()) => Ok(server),
            Err(_) => {
                Err(format!("{} did not listen within {} s: {}", argv.join(" "), timeout.as_secs(), server.why()))
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last line the server wrote to stderr, for error messages.
    pub fn why(&self) -> String {
        let s = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        s.trim().lines().last().unwrap_or("no message").to_string()
    }

    /// CPU time the process has used, all its threads, in nanoseconds: the
    /// sum of each thread's first /proc/PID/task/TID/schedstat field (time on
    /// a CPU, ns), which is much finer than /proc/PID/stat's clock ticks.
    /// Threads that have exited are not counted: see [`Server::group_cpu_ns`].
    pub fn cpu_ns(&self) -> Result<u64, String> {
        let dir = format!("/proc/{}/task", self.pid());
        let mut total = 0;
        for task in std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))?.flatten() {
            let text = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            total += text.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        }
        Ok(total)
    }

    /// CPU time of the whole thread group in nanoseconds, threads that have
    /// exited included (a thread-per-connection server's, once the load has
    /// closed its connections): utime + stime of /proc/PID/stat, so only to
    /// a clock tick (10 ms).
    pub fn group_cpu_ns(&self) -> Result<u64, String> {
        let path = format!("/proc/{}/stat", self.pid());
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        // The fields after the command name, which may hold spaces: state is
        // field 3, utime 14, stime 15.
        let fields: Vec<&str> = text.rsplit_once(')').map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
        let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
        let ticks = field(11).zip(field(12)).map(|(u, s)| u + s).ok_or_else(|| format!("{path}: no utime/stime"))?;
        // SAFETY: sysconf has no preconditions.
        let hz = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap_or(0);
        if hz == 0 {
            return Err("sysconf(_SC_CLK_TCK) failed".into());
        }
        Ok(ticks * 1_000_000_000 / hz)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory of the driver's own, removed on drop.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Hands out ports for the servers, below the ephemeral range, a fresh one
/// per server so no run meets the TIME_WAIT of the one before.
pub struct Ports {
    next: Mutex<u16>,
}

impl Ports {
    pub fn from(first: u16) -> Ports {
        Ports { next: Mutex::new(first) }
    }

    /// The next port in 20000-29999 that is free to bind now.
    pub fn take(&self) -> Result<u16, String> {
        let mut next = self.next.lock().map_err(|_| "port lock poisoned")?;
        for _ in 0..10_000 {
            let port = *next;
            *next = if port >= 29_999 { 20_000 } else { port + 1 };
            if TcpListener::bind(("127.0.0.1", port)).is_ok() {
                return Ok(port);
            }
        }
        Err("no free port in 20000-29999".into())
    }
}

/// Output of a command, trimmed, or `unknown`.
pub fn command_output(argv: &[&str]) -> String {
    Command::new(argv[0])
        .args(&argv[1..])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

pub fn cpu_model() -> String {
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

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
