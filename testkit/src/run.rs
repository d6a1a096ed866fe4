//! Starting a process (in practice `wasock`), bounding its time and capturing
//! its output.
//!
//! Stdout is read by a thread, one line at a time, into a channel: a test
//! can wait for a line while the process runs ([`Running::next_line`]), and
//! at the end [`Finished::stdout`] holds every byte printed, in order (the
//! lines already taken included), so both styles of test see the same text.

use std::ffi::OsStr;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a run may take unless [`Run::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Path of the `wasock` host binary for a suite outside the host package:
/// `WASOCK_BIN`, else the one cargo built next to the running test
/// (`<target>/<profile>/deps/TEST` → `<target>/<profile>/wasock`), which
/// honours `CARGO_TARGET_DIR` and `--target-dir`. (The host's own tests use
/// cargo's `CARGO_BIN_EXE_wasock` instead, which names the same file.)
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

/// One invocation to start: the program, its arguments, stdin, a time limit.
pub struct Run {
    command: Command,
    stdin: bool,
    timeout: Duration,
    owned_file: Option<PathBuf>,
}

impl Run {
    /// A run of `program` with no arguments, stdin from `/dev/null` and
    /// [`DEFAULT_TIMEOUT`].
    pub fn new(program: impl AsRef<OsStr>) -> Run {
        Run { command: Command::new(program), stdin: false, timeout: DEFAULT_TIMEOUT, owned_file: None }
    }

    /// Adds one argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Run {
        self.command.arg(a);
        self
    }

    /// Adds arguments.
    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Run {
        self.command.args(args);
        self
    }

    /// Gives the process a stdin pipe ([`Running::stdin`]) instead of `/dev/null`.
    pub fn piped_stdin(mut self) -> Run {
        self.stdin = true;
        self
    }

    /// How long the run may take before it is killed and the test fails.
    pub fn timeout(mut self, t: Duration) -> Run {
        self.timeout = t;
        self
    }

    /// A file that belongs to this run (a module written for it): removed
    /// when the run ends, however it ends.
    pub fn owns_file(mut self, path: PathBuf) -> Run {
        self.owned_file = Some(path);
        self
    }

    /// Starts the process.
    pub fn spawn(mut self) -> Running {
        let stdin = if self.stdin { Stdio::piped() } else { Stdio::null() };
        let mut child = self
            .command
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", self.command.get_program()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        let out_reader = thread::spawn(move || pump_lines(stdout, tx));
        let mut stderr = child.stderr.take().expect("piped stderr");
        let err_reader = thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        });
        Running {
            child,
            lines,
            taken: String::new(),
            out_reader: Some(out_reader),
            err_reader: Some(err_reader),
            timeout: self.timeout,
            deadline: Instant::now() + self.timeout,
            owned_file: self.owned_file.take(),
        }
    }

    /// Runs to the end (see [`Running::wait`]).
    pub fn run(self) -> Finished {
        self.spawn().wait()
    }
}

/// Sends each line of `stdout` as it comes, with its line end, until EOF.
fn pump_lines(stdout: impl Read, tx: mpsc::Sender<String>) {
    let mut r = BufReader::new(stdout);
    loop {
        let mut line = Vec::new();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if tx.send(String::from_utf8_lossy(&line).into_owned()).is_err() {
                    break;
                }
            }
        }
    }
}

/// A process that is running.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// The stdout text that [`Running::next_line`] has handed out so far.
    taken: String,
    out_reader: Option<JoinHandle<()>>,
    err_reader: Option<JoinHandle<String>>,
    timeout: Duration,
    deadline: Instant,
    owned_file: Option<PathBuf>,
}

impl Running {
    /// The process's stdin pipe (`None` unless started with
    /// [`Run::piped_stdin`], or once taken); `take()` it to send EOF.
    pub fn stdin(&mut self) -> &mut Option<ChildStdin> {
        &mut self.child.stdin
    }

    /// Writes all of `bytes` to the stdin pipe.
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        let pipe = self.child.stdin.as_mut().expect("started with a stdin pipe");
        pipe.write_all(bytes).and_then(|()| pipe.flush()).expect("write to the process's stdin");
    }

    /// Closes the stdin pipe: the process reads EOF once it has read what was written.
    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// The process id, to look at `/proc/PID` while it runs.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's threads now (see [`crate::thread_names`]).
    pub fn thread_names(&self) -> Vec<String> {
        crate::thread_names(self.pid())
    }

    /// The process's CPU time so far (see [`crate::cpu_time`]).
    pub fn cpu_time(&self) -> Duration {
        crate::cpu_time(self.pid())
    }

    /// Waits for the next line on stdout (without its line end); panics,
    /// killing the process, at the deadline or at EOF.
    pub fn next_line(&mut self) -> String {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => {
                self.taken.push_str(&line);
                let line = line.strip_suffix('\n').unwrap_or(&line);
                line.strip_suffix('\r').unwrap_or(line).to_string()
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
            if let Some(rest) = self.next_line().strip_prefix(prefix) {
                return rest.trim().to_string();
            }
        }
    }

    /// Waits for `listening on ADDR` or `listening on PORT` (the convention
    /// of guest servers; a bare port is on 127.0.0.1) and returns the address.
    pub fn listening_addr(&mut self) -> SocketAddr {
        let rest = self.expect_line("listening on ");
        rest.parse().unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::LOCALHOST, rest.parse().expect("port"))))
    }

    /// Waits for the process to exit and collects its output; panics,
    /// killing it, if it runs past the time limit. Stdin stays open until
    /// the process has exited (close it first for a guest that reads to EOF).
    pub fn wait(mut self) -> Finished {
        while self.child.try_wait().expect("try_wait").is_none() {
            if Instant::now() >= self.deadline {
                let _ = self.child.kill();
                let f = self.finish();
                panic!("the run took longer than {:?} and was killed:\n{f}", self.timeout);
            }
            thread::sleep(Duration::from_millis(5));
        }
        self.finish()
    }

    /// Reaps the process and gathers everything it printed.
    fn finish(&mut self) -> Finished {
        self.close_stdin();
        let status = self.child.wait().expect("wait");
        if let Some(r) = self.out_reader.take() {
            let _ = r.join();
        }
        let mut stdout = std::mem::take(&mut self.taken);
        stdout.extend(self.lines.try_iter());
        let stderr = self.err_reader.take().and_then(|r| r.join().ok()).unwrap_or_default();
        self.remove_owned_file();
        Finished { status, stdout, stderr }
    }

    fn remove_owned_file(&mut self) {
        if let Some(p) = self.owned_file.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Drop for Running {
    /// A run not waited for (the test failed first) is killed.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        self.remove_owned_file();
    }
}

/// How a run ended and what it printed.
#[derive(Debug)]
pub struct Finished {
    /// The exit status (`code()` is `None` when a signal ended it).
    pub status: ExitStatus,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
}

impl Finished {
    /// Panics, showing the output, unless the process exited with status 0.
    #[track_caller]
    pub fn assert_success(&self) -> &Finished {
        assert!(self.status.success(), "guest failed:\n{self}");
        self
    }

    /// Panics, showing the output, unless the process exited with `code`.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Finished {
        assert_eq!(self.status.code(), Some(code), "unexpected exit status:\n{self}");
        self
    }

    /// The stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Whether stdout contains `s`.
    pub fn stdout_has(&self, s: &str) -> bool {
        self.stdout.contains(s)
    }
}

impl fmt::Display for Finished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status: {}\n--- stdout\n{}\n--- stderr\n{}", self.status, self.stdout, self.stderr)
    }
}
