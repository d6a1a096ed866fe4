//! Harness for the end-to-end suites: run a guest module under the `wasock`
//! host with a set of pool rules, talk to it from native peers on loopback,
//! and read what it prints.
//!
//! The modules are built by `make guests` into `build/` (Rust guests in
//! `build/rust-tests/NAME.wasm`, C guests in `build/c-tests/NAME.wasm`) and
//! the host by `cargo build -p wasock-host`; `make test` does both before it
//! runs these suites. `WASOCK_BIN` and `WASOCK_BUILD_DIR` override the paths.

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The longest any single guest run may take before the harness kills it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Path of the `wasock` host binary: `WASOCK_BIN`, else the one cargo built
/// next to this test (`<target>/debug/deps/TEST` → `<target>/debug/wasock`),
/// which honours `CARGO_TARGET_DIR` and `--target-dir`.
pub fn host_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("WASOCK_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("tests run from <target>/<profile>/deps");
    let p = profile_dir.join("wasock");
    assert!(p.exists(), "{} is missing: run `make test` (it builds the host first)", p.display());
    p
}

/// Path of a guest module: `suite` is `rust-tests` or `c-tests`.
pub fn module(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::var_os("WASOCK_BUILD_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("build"));
    let p = dir.join(suite).join(format!("{name}.wasm"));
    assert!(p.exists(), "{} is missing: run `make guests` (or `make test`)", p.display());
    p
}

/// `c-tests/NAME.c` compiled natively with `cc` into `build/native/NAME`,
/// for the suites that hold a guest's output to Linux's. Compiled once per
/// test process, so tests running side by side never run a binary that
/// another is still writing.
pub fn native_c(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, bin)) = built.iter().find(|(n, _)| n == name) {
        return bin.clone();
    }
    let bin = compile_native(name);
    built.push((name.to_string(), bin.clone()));
    bin
}

fn compile_native(name: &str) -> PathBuf {
    let dir = workspace_root().join("build/native");
    std::fs::create_dir_all(&dir).expect("create build/native");
    let (src, bin) = (workspace_root().join(format!("c-tests/{name}.c")), dir.join(name));
    let out = Command::new("cc")
        .args(["-Wall", "-Wextra", "-Werror", "-O2", "-o"])
        .arg(&bin)
        .arg(&src)
        .output()
        .expect("run cc");
    assert!(out.status.success(), "cc {} failed:\n{}", src.display(), String::from_utf8_lossy(&out.stderr));
    bin
}

/// A port that was free on 127.0.0.1 a moment ago (for a guest server to bind).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port()
}

/// A port that was free for UDP on 127.0.0.1 a moment ago.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port()
}

/// A builder for one `wasock run` invocation.
pub struct Guest {
    module: PathBuf,
    host_args: Vec<String>,
    guest_args: Vec<String>,
    timeout: Duration,
}

impl Guest {
    /// A run of `build/SUITE/NAME.wasm`.
    pub fn new(suite: &str, name: &str) -> Guest {
        Guest { module: module(suite, name), host_args: Vec::new(), guest_args: Vec::new(), timeout: DEFAULT_TIMEOUT }
    }

    /// A run of the module at `path` (one built outside `build/`).
    pub fn at(path: PathBuf) -> Guest {
        Guest { module: path, host_args: Vec::new(), guest_args: Vec::new(), timeout: DEFAULT_TIMEOUT }
    }

    /// Adds a host option before the module, e.g. `.host_arg("--allow-connect").host_arg("127.0.0.1:80")`.
    pub fn host_arg(mut self, a: impl Into<String>) -> Guest {
        self.host_args.push(a.into());
        self
    }

    /// Adds `FLAG RULE`, e.g. `.allow("--allow-connect", &format!("127.0.0.1:{port}"))`.
    pub fn allow(self, flag: &str, rule: &str) -> Guest {
        self.host_arg(flag).host_arg(rule)
    }

    /// Adds an argument for the guest program (after the module).
    pub fn arg(mut self, a: impl ToString) -> Guest {
        self.guest_args.push(a.to_string());
        self
    }

    /// Changes how long the run may take.
    pub fn timeout(mut self, t: Duration) -> Guest {
        self.timeout = t;
        self
    }

    fn command(&self) -> Command {
        let mut c = Command::new(host_binary());
        c.arg("run").args(&self.host_args).arg(&self.module).args(&self.guest_args);
        c
    }

    /// Runs to completion with no stdin; kills the guest after the timeout.
    pub fn run(self) -> Finished {
        let child = self.spawn();
        child.wait()
    }

    /// Starts the guest with piped stdin/stdout/stderr, for tests that talk to it while it runs.
    pub fn spawn(self) -> Running {
        let mut child = self
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start the wasock host");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = thread::spawn(move || pump_lines(stdout, tx));
        let stderr = child.stderr.take().unwrap();
        let err_reader = thread::spawn(move || {
            let mut s = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut s);
            s
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
            reader: Some(reader),
            err_reader: Some(err_reader),
            deadline: Instant::now() + self.timeout,
        }
    }
}

fn pump_lines(stdout: ChildStdout, tx: mpsc::Sender<String>) {
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if tx.send(line).is_err() {
            break;
        }
    }
}

/// A guest that is running.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    reader: Option<thread::JoinHandle<()>>,
    err_reader: Option<thread::JoinHandle<String>>,
    deadline: Instant,
}

impl Running {
    /// The guest's stdin (for example to write to it, or drop it for EOF).
    pub fn stdin(&mut self) -> &mut Option<std::process::ChildStdin> {
        &mut self.child.stdin
    }

    /// Waits for the next line the guest prints on stdout; panics at the deadline or at EOF.
    pub fn next_line(&mut self) -> String {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(l) => {
                self.seen.push(l.clone());
                l
            }
            Err(e) => {
                let _ = self.child.kill();
                let f = self.finish();
                panic!("no line from the guest ({e:?}); so far:\n{f}");
            }
        }
    }

    /// Waits for a line starting with `prefix` and returns the rest of it, trimmed.
    pub fn expect_line(&mut self, prefix: &str) -> String {
        loop {
            let l = self.next_line();
            if let Some(rest) = l.strip_prefix(prefix) {
                return rest.trim().to_string();
            }
        }
    }

    /// Waits for `listening on PORT` (the convention of guest servers) and returns the address.
    pub fn listening_addr(&mut self) -> SocketAddr {
        let rest = self.expect_line("listening on ");
        rest.parse().unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::LOCALHOST, rest.parse().expect("port"))))
    }

    /// Waits for the guest to exit (killing it at the deadline) and collects its output.
    pub fn wait(mut self) -> Finished {
        loop {
            match self.child.try_wait().expect("wait") {
                Some(_) => break,
                None if Instant::now() >= self.deadline => {
                    let _ = self.child.kill();
                    let f = self.finish();
                    panic!("guest did not finish in time:\n{f}");
                }
                None => thread::sleep(Duration::from_millis(10)),
            }
        }
        self.finish()
    }

    fn finish(&mut self) -> Finished {
        let status = self.child.wait().expect("wait");
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let mut stdout_lines = std::mem::take(&mut self.seen);
        stdout_lines.extend(self.lines.try_iter());
        let stderr = self.err_reader.take().map(|r| r.join().unwrap_or_default()).unwrap_or_default();
        Finished { status, stdout: stdout_lines.join("\n"), stderr }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a finished guest left behind.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// Panics with the guest's output unless it exited with status 0.
    pub fn assert_success(&self) -> &Finished {
        assert!(self.status.success(), "guest failed:\n{self}");
        self
    }

    /// Whether stdout contains `s`.
    pub fn stdout_has(&self, s: &str) -> bool {
        self.stdout.contains(s)
    }
}

impl std::fmt::Display for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "status: {}\n--- stdout\n{}\n--- stderr\n{}", self.status, self.stdout, self.stderr)
    }
}

/// Spawns a native TCP echo server on `addr` that serves connections until the
/// test process ends; returns its bound address.
pub fn native_tcp_echo(addr: &str) -> SocketAddr {
    let l = TcpListener::bind(addr).expect("bind native echo");
    let a = l.local_addr().unwrap();
    thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            thread::spawn(move || {
                let mut r = s.try_clone().unwrap();
                let _ = std::io::copy(&mut r, &mut s);
            });
        }
    });
    a
}

/// A TCP server that accepts connections and never sends anything; the
/// connections stay open until the test process ends.
pub fn native_silent_server() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
        }
    });
    addr
}

/// Spawns a native UDP echo server on `addr`; returns its bound address.
pub fn native_udp_echo(addr: &str) -> SocketAddr {
    let s = UdpSocket::bind(addr).expect("bind native udp echo");
    let a = s.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok((n, from)) = s.recv_from(&mut buf) {
            let _ = s.send_to(&buf[..n], from);
        }
    });
    a
}

// --- hardening helpers (e2e/tests/faults.rs, e2e/tests/load.rs) -----------------

impl Running {
    /// The host process's id, to look at `/proc/PID/fd` while the guest runs.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The host process's CPU time so far (user + system), from
    /// /proc/PID/stat: what an idle guest must not use up (async_guests.rs,
    /// http_guests.rs).
    pub fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // USER_HZ, the unit of these fields, is 100 on Linux.
        Duration::from_millis(ticks * 10)
    }
}

/// The open fds of a process (`"self"` or a pid): number -> what it points
/// to (`socket:[INODE]`, `pipe:[INODE]`, a path), from `/proc/PID/fd`.
pub fn open_fds(pid: &str) -> std::collections::BTreeMap<u32, String> {
    let dir = format!("/proc/{pid}/fd");
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {dir}: {e}")).flatten() {
        let Some(n) = e.file_name().to_str().and_then(|n| n.parse().ok()) else { continue };
        // An fd closed between the listing and the readlink is simply gone.
        if let Ok(target) = std::fs::read_link(e.path()) {
            let target = target.to_string_lossy().into_owned();
            // Not the directory handle this listing itself holds.
            if !(target.starts_with("/proc/") && target.ends_with("/fd")) {
                out.insert(n, target);
            }
        }
    }
    out
}

/// The soft limit on open files of this process (`ulimit -n`), from `/proc/self/limits`.
pub fn fd_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line.split_whitespace().nth(3)?;
    if soft == "unlimited" {
        return Some(u64::MAX);
    }
    soft.parse().ok()
}

mod libc_min {
    //! The two socket calls std does not offer, declared by hand (Linux
    //! values) so the suites need no extra dependency.
    pub const SOL_SOCKET: i32 = 1;
    pub const SO_LINGER: i32 = 13;
    #[repr(C)]
    pub struct Linger {
        pub l_onoff: i32,
        pub l_linger: i32,
    }
    extern "C" {
        pub fn setsockopt(fd: i32, level: i32, name: i32, value: *const core::ffi::c_void, len: u32) -> i32;
        pub fn listen(fd: i32, backlog: i32) -> i32;
    }
}

/// Sets `SO_LINGER` to on with 0 seconds: closing the socket then resets the
/// connection (the peer reads `ECONNRESET`) instead of ending it with FIN.
pub fn set_linger_zero(s: &impl std::os::fd::AsRawFd) -> std::io::Result<()> {
    let l = libc_min::Linger { l_onoff: 1, l_linger: 0 };
    let len = std::mem::size_of::<libc_min::Linger>() as u32;
    // SAFETY: a valid fd and a valid `struct linger` of `len` bytes.
    let r = unsafe {
        libc_min::setsockopt(
            s.as_raw_fd(),
            libc_min::SOL_SOCKET,
            libc_min::SO_LINGER,
            (&l as *const libc_min::Linger).cast(),
            len,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Changes the backlog of a listening socket (`listen` again, as Linux allows).
pub fn set_backlog(l: &TcpListener, backlog: i32) -> std::io::Result<()> {
    // SAFETY: a valid listening socket.
    if unsafe { libc_min::listen(std::os::fd::AsRawFd::as_raw_fd(l), backlog) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Prints one figure for `make reliability` (`scripts/reliability.sh` collects these lines).
pub fn reliability(key: &str, value: impl std::fmt::Display) {
    println!("RELIABILITY: {key}={value}");
}
