//! The native peer every client talks to:
//! `bench-peer [--first-port N] [--last-port M] [--lifetime SECS] [--watch-stdin]`.
//!
//! It binds three services on 127.0.0.1, each on the first free port from
//! `--first-port` on (default 20000, never above `--last-port`, default
//! 29999, so they stay below the kernel's ephemeral range), prints
//!
//! ```text
//! PORTS echo=20000 close=20001 udp=20002
//! ```
//!
//! and serves until the lifetime (default an hour) runs out or, with
//! `--watch-stdin`, until its stdin closes (the driver holds it open, so the
//! peer never outlives the driver):
//! - echo (TCP): every byte back, one thread per connection, TCP_NODELAY;
//! - close (TCP): accepts and closes at once, so the server closes first and
//!   TIME_WAIT stays on this side, not on the client's ephemeral ports;
//! - udp: every datagram back to its sender.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

/// The echo buffer: larger than a bulk chunk, so one read can take it all.
const ECHO_BUF: usize = 256 * 1024;

fn main() -> ExitCode {
    let mut first = 20_000u16;
    let mut last = 29_999u16;
    let mut lifetime = 3_600u64;
    let mut watch_stdin = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--watch-stdin" {
            watch_stdin = true;
            continue;
        }
        let v = args.next().and_then(|v| v.parse::<u64>().ok());
        match (a.as_str(), v) {
            ("--first-port", Some(v)) if (1..=65_535).contains(&v) => first = v as u16,
            ("--last-port", Some(v)) if (1..=65_535).contains(&v) => last = v as u16,
            ("--lifetime", Some(v)) => lifetime = v,
            _ => {
                eprintln!("usage: bench-peer [--first-port N] [--last-port M] [--lifetime SECS] [--watch-stdin]");
                return ExitCode::from(2);
            }
        }
    }
    match serve(first, last, lifetime, watch_stdin) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-peer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(first: u16, last: u16, lifetime: u64, watch_stdin: bool) -> io::Result<()> {
    let mut ports = first..=last;
    let echo = bind_first(&mut ports, TcpListener::bind)?;
    let close = bind_first(&mut ports, TcpListener::bind)?;
    let udp = bind_first(&mut ports, UdpSocket::bind)?;
    println!(
        "PORTS echo={} close={} udp={}",
        echo.local_addr()?.port(),
        close.local_addr()?.port(),
        udp.local_addr()?.port()
    );
    io::stdout().flush()?;

    thread::spawn(move || {
        for conn in echo.incoming() {
            match conn {
                Ok(c) => {
                    thread::spawn(move || {
                        if let Err(e) = echo_conn(c) {
                            eprintln!("bench-peer: echo: {e}");
                        }
                    });
                }
                Err(e) => eprintln!("bench-peer: echo accept: {e}"),
            }
        }
    });
    thread::spawn(move || {
        for conn in close.incoming() {
            match conn {
                // Dropping the stream closes it: the server closes first.
                Ok(c) => drop(c),
                Err(e) => eprintln!("bench-peer: close accept: {e}"),
            }
        }
    });
    thread::spawn(move || {
        let mut buf = vec![0u8; 65_536];
        loop {
            match udp.recv_from(&mut buf) {
                Ok((n, from)) => {
                    if let Err(e) = udp.send_to(&buf[..n], from) {
                        eprintln!("bench-peer: udp send: {e}");
                    }
                }
                Err(e) => eprintln!("bench-peer: udp recv: {e}"),
            }
        }
    });
    if watch_stdin {
        thread::spawn(|| {
            let mut sink = [0u8; 64];
            while matches!(io::stdin().read(&mut sink), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    thread::sleep(Duration::from_secs(lifetime));
    eprintln!("bench-peer: lifetime of {lifetime} s over, exiting");
    Ok(())
}

/// Binds the first port of `ports` that is free, consuming the ones tried.
fn bind_first<T>(ports: &mut impl Iterator<Item = u16>, bind: impl Fn(SocketAddr) -> io::Result<T>) -> io::Result<T> {
    let mut last_err = None;
    for port in ports.by_ref() {
        match bind(SocketAddr::from(([127, 0, 0, 1], port))) {
            Ok(s) => return Ok(s),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::new(io::ErrorKind::AddrInUse, "no port left in the range")))
}

/// Echoes until the client shuts its side down.
fn echo_conn(mut c: TcpStream) -> io::Result<()> {
    c.set_nodelay(true)?;
    let mut buf = vec![0u8; ECHO_BUF];
    loop {
        let n = c.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        c.write_all(&buf[..n])?;
    }
}
