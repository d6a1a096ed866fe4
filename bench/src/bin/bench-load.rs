//! The native load generator for the server workloads:
//!
//! ```text
//! bench-load http_conn HOST:PORT PATH BYTES N   N GETs, each on a new connection
//! bench-load http_get  HOST:PORT PATH BYTES N   the same, figure MB/s of body
//! bench-load echo      HOST:PORT CONNS ROUNDS    CONNS connections, ROUNDS 64 B round trips each
//! ```
//!
//! Every request is `Connection: close` and read to the server's EOF; the
//! status must be 200 and the body BYTES long. `echo` opens all CONNS
//! connections first, then writes 64 B on each and, whenever an echo is
//! complete, the next 64 B on that connection, so every connection always
//! has one message in flight (one thread, epoll). Only the loop is timed;
//! prints the `RESULT` line `bench-run` parses.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use wasock_bench::{named_result_line, MESSAGE};

const USAGE: &str = "usage: bench-load http_conn|http_get HOST:PORT PATH BYTES N | echo HOST:PORT CONNS ROUNDS";
/// No single read may wait longer than this: a stuck server fails the run.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| args.get(i).and_then(|v| v.parse::<u64>().ok()).filter(|&n| n > 0);
    let addr = args.get(1).and_then(|a| a.parse::<SocketAddr>().ok());
    let result = match (args.first().map(String::as_str), addr) {
        (Some(w @ ("http_conn" | "http_get")), Some(addr)) => match (args.get(2), num(3), num(4)) {
            (Some(path), Some(bytes), Some(n)) => http(addr, path, bytes, n).map(|secs| {
                let value = if w == "http_conn" { n as f64 / secs } else { (n * bytes) as f64 / 1e6 / secs };
                named_result_line(w, n, secs, value, if w == "http_conn" { "conn/s" } else { "MB/s" })
            }),
            _ => return usage(),
        },
        (Some("echo"), Some(addr)) => match (num(2), num(3)) {
            (Some(conns), Some(rounds)) => echo(addr, conns as usize, rounds).map(|secs| {
                let rts = conns * rounds;
                named_result_line("echo", rts, secs, rts as f64 / secs, "rt/s")
            }),
            _ => return usage(),
        },
        _ => return usage(),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-load {}: {e}", args[0]);
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(READ_TIMEOUT))?;
    Ok(s)
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// `n` GETs of `path`, one connection each; returns the seconds they took.
fn http(addr: SocketAddr, path: &str, bytes: u64, n: u64) -> io::Result<f64> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut buf = vec![0u8; 256 * 1024];
    let start = Instant::now();
    for _ in 0..n {
        let mut s = connect(addr)?;
        s.write_all(request.as_bytes())?;
        let body = read_response(&mut s, &mut buf)?;
        if body != bytes {
            return Err(bad(format!("{path}: got {body} body bytes, expected {bytes}")));
        }
    }
    Ok(start.elapsed().as_secs_f64())
}

/// Reads one response to EOF; checks the status is 200, returns the body's length.
fn read_response(s: &mut TcpStream, buf: &mut [u8]) -> io::Result<u64> {
    let mut head = Vec::new();
    let mut body = 0u64;
    loop {
        let n = s.read(buf)?;
        if n == 0 {
            break;
        }
        if body == 0 && !head.ends_with(b"\r\n\r\n") {
            head.extend_from_slice(&buf[..n]);
            if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                body = (head.len() - end - 4) as u64;
                head.truncate(end + 4);
            }
        } else {
            body += n as u64;
        }
    }
    if !head.starts_with(b"HTTP/1.1 200 ") {
        let line = String::from_utf8_lossy(&head[..head.len().min(40)]).into_owned();
        return Err(bad(format!("expected HTTP/1.1 200, got {line:?}")));
    }
    Ok(body)
}

/// `conns` connections, `rounds` 64 B round trips on each, driven by one
/// thread with epoll: every connection has one message in flight from the
/// start; when its echo is complete the next goes out. One thread and
/// non-blocking sockets, so the generator itself sleeps only when no echo is
/// ready (a thread per group of blocking sockets would context-switch on
/// almost every read and swamp the server's share of the one CPU).
/// Returns the seconds from the first write to the last echo.
fn echo(addr: SocketAddr, conns: usize, rounds: u64) -> io::Result<f64> {
    let mut streams = Vec::with_capacity(conns);
    for _ in 0..conns {
        let s = connect(addr)?;
        s.set_nonblocking(true)?;
        streams.push(s);
    }
    let ep = epoll::Epoll::new()?;
    for (i, s) in streams.iter().enumerate() {
        ep.add(s, i as u64)?;
    }
    // Per connection: the current echo, its bytes received, round trips done.
    let mut back = vec![[0u8; MESSAGE]; conns];
    let mut got = vec![0usize; conns];
    let mut done = vec![0u64; conns];
    let mut left = conns;
    let mut msg = [0u8; MESSAGE];
    let start = Instant::now();
    for s in &mut streams {
        s.write_all(&msg)?;
    }
    let mut ready = Vec::new();
    while left > 0 {
        ep.wait(&mut ready, READ_TIMEOUT)?;
        if ready.is_empty() {
            return Err(bad(format!("no echo for {} s", READ_TIMEOUT.as_secs())));
        }
        for &i in &ready {
            let i = i as usize;
            let s = &mut streams[i];
            match s.read(&mut back[i][got[i]..]) {
                Ok(0) => return Err(bad("the server closed a connection".into())),
                Ok(n) => got[i] += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
            if got[i] < MESSAGE {
                continue;
            }
            if back[i][0] != done[i] as u8 {
                return Err(bad("echo out of step".into()));
            }
            got[i] = 0;
            done[i] += 1;
            if done[i] == rounds {
                left -= 1;
            } else {
                msg[0] = done[i] as u8;
                // 64 B into an empty socket buffer: never short.
                s.write_all(&msg)?;
            }
        }
    }
    Ok(start.elapsed().as_secs_f64())
}

mod epoll {
    //! A level-triggered epoll set (std has none): just what `echo` needs.

    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Duration;

    pub struct Epoll(OwnedFd);

    impl Epoll {
        pub fn new() -> io::Result<Epoll> {
            // SAFETY: no pointers; a new fd or -1.
            let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: fd is a new descriptor nobody else owns.
            Ok(Epoll(unsafe { OwnedFd::from_raw_fd(fd) }))
        }

        /// Watches `s` for reading; its events carry `token`.
        pub fn add(&self, s: &impl AsRawFd, token: u64) -> io::Result<()> {
            let mut ev = libc::epoll_event { events: libc::EPOLLIN as u32, u64: token };
            // SAFETY: ev lives across the call.
            if unsafe { libc::epoll_ctl(self.0.as_raw_fd(), libc::EPOLL_CTL_ADD, s.as_raw_fd(), &mut ev) } < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }

        /// Waits up to `timeout` for readable sockets; their tokens go to `ready`.
        pub fn wait(&self, ready: &mut Vec<u64>, timeout: Duration) -> io::Result<()> {
            let mut evs = [libc::epoll_event { events: 0, u64: 0 }; 256];
            ready.clear();
            loop {
                // SAFETY: evs has room for the 256 events asked for.
                let n = unsafe {
                    libc::epoll_wait(self.0.as_raw_fd(), evs.as_mut_ptr(), evs.len() as i32, timeout.as_millis() as i32)
                };
                if n < 0 {
                    let e = io::Error::last_os_error();
                    if e.kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return Err(e);
                }
                ready.extend(evs[..n as usize].iter().map(|e| e.u64));
                return Ok(());
            }
        }
    }
}
