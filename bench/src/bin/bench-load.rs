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
//! connections first, then each of a few threads writes 64 B on each of its
//! connections and reads every echo back, round after round, so every
//! connection always has one message in flight. Only the loop is timed;
//! prints the `RESULT` line `bench-run` parses.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use wasock_bench::{named_result_line, MESSAGE};

const USAGE: &str = "usage: bench-load http_conn|http_get HOST:PORT PATH BYTES N | echo HOST:PORT CONNS ROUNDS";
/// Threads that drive the echo connections (the server runs on one CPU).
const ECHO_THREADS: usize = 4;
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

/// `conns` connections, `rounds` 64 B round trips on each, driven by
/// [`ECHO_THREADS`] threads; returns the seconds from the first write to
/// the last echo.
fn echo(addr: SocketAddr, conns: usize, rounds: u64) -> io::Result<f64> {
    let threads = ECHO_THREADS.min(conns);
    let mut groups: Vec<Vec<TcpStream>> = (0..threads).map(|_| Vec::new()).collect();
    for i in 0..conns {
        groups[i % threads].push(connect(addr)?);
    }
    // Everyone connected and waiting: the clock starts when all start.
    let barrier = Arc::new(Barrier::new(threads + 1));
    let workers: Vec<_> = groups
        .into_iter()
        .map(|mut group| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || -> io::Result<()> {
                barrier.wait();
                let mut msg = [0u8; MESSAGE];
                let mut back = [0u8; MESSAGE];
                for r in 0..rounds {
                    msg[0] = r as u8;
                    for s in &mut group {
                        s.write_all(&msg)?;
                    }
                    for s in &mut group {
                        s.read_exact(&mut back)?;
                        if back[0] != msg[0] {
                            return Err(bad("echo out of step".into()));
                        }
                    }
                }
                Ok(())
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for w in workers {
        w.join().map_err(|_| bad("an echo thread panicked".into()))??;
    }
    Ok(start.elapsed().as_secs_f64())
}
