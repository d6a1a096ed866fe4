//! One workload, run once: `bench-client WORKLOAD HOST:PORT [OPS]`.
//!
//! The same source is the native client (std::net) and the wasm guest
//! (wasock::net, run under `wasock run`). Only the timed loop is measured:
//! connecting first, printing after. Prints one `RESULT ...` line.

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[cfg(not(target_os = "wasi"))]
use std::net::{TcpStream, UdpSocket};
#[cfg(target_os = "wasi")]
use wasock::net::{TcpStream, UdpSocket};

use wasock_bench::{result_line, Workload, BULK_CHUNK, MESSAGE, UDP_MAX_LOST, UDP_TIMEOUT_MS};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench-client tcp_bulk|tcp_pingpong|tcp_connect|udp_rr|hostcall HOST:PORT [OPS]";
    let (Some(w), Some(addr)) =
        (args.first().and_then(|n| Workload::from_name(n)), args.get(1).and_then(|a| a.parse::<SocketAddr>().ok()))
    else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let ops = match args.get(2).map(|n| n.parse::<u64>()) {
        None => w.default_ops(),
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match run(w, addr, ops) {
        Ok(secs) => {
            println!("{}", result_line(w, ops, secs));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-client {w}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `ops` operations of `w` against `addr`; returns the seconds the
/// timed loop took.
fn run(w: Workload, addr: SocketAddr, ops: u64) -> io::Result<f64> {
    match w {
        Workload::TcpBulk => tcp_bulk(addr, ops),
        Workload::TcpPingPong => tcp_pingpong(addr, ops),
        Workload::TcpConnect => tcp_connect(addr, ops),
        Workload::UdpRoundTrip => udp_rr(addr, ops),
        Workload::HostCall => hostcall(addr, ops),
        Workload::UdpBatch => {
            Err(io::Error::new(io::ErrorKind::Unsupported, "udp_batch is the C client's (std has no sendmmsg)"))
        }
        Workload::TlsBulk | Workload::TlsHandshakes => {
            Err(io::Error::new(io::ErrorKind::Unsupported, "the TLS workloads are bench-tls-client's"))
        }
    }
}

const PAGE: usize = 4096;

/// The first `BULK_CHUNK` bytes of `mem` that start on a page boundary.
fn page_aligned(mem: &mut [u8]) -> &mut [u8] {
    let skip = mem.as_ptr().align_offset(PAGE);
    &mut mem[skip..skip + BULK_CHUNK]
}

fn broken(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// `chunks` x 64 KiB: write a chunk, read it back, repeat. At most one
/// chunk is in flight, less than either socket buffer, so neither side can
/// block the other for good.
fn tcp_bulk(addr: SocketAddr, chunks: u64) -> io::Result<f64> {
    let mut s = TcpStream::connect(addr)?;
    // Page-aligned buffers, so natively and in the guest the kernel copies
    // between identically aligned addresses (where malloc puts a 64 KiB
    // block differs between glibc and the guest's allocator).
    let mut out_mem = vec![0u8; BULK_CHUNK + PAGE];
    let mut back_mem = vec![0u8; BULK_CHUNK + PAGE];
    let out = page_aligned(&mut out_mem);
    for (i, b) in out.iter_mut().enumerate() {
        *b = (i % 251) as u8;
    }
    let out = &*out;
    let back = page_aligned(&mut back_mem);
    let start = Instant::now();
    for _ in 0..chunks {
        s.write_all(out)?;
        s.read_exact(back)?;
    }
    let secs = start.elapsed().as_secs_f64();
    // A cheap check that the echo really was the data (first and last bytes).
    if back[1] != out[1] || back[BULK_CHUNK - 1] != out[BULK_CHUNK - 1] {
        return Err(broken("echo differs from what was sent"));
    }
    s.shutdown(Shutdown::Write)?;
    Ok(secs)
}

/// `n` round trips of 64 bytes on one connection with TCP_NODELAY.
fn tcp_pingpong(addr: SocketAddr, n: u64) -> io::Result<f64> {
    let mut s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    let mut msg = [0u8; MESSAGE];
    let mut back = [0u8; MESSAGE];
    let start = Instant::now();
    for i in 0..n {
        msg[0] = i as u8;
        s.write_all(&msg)?;
        s.read_exact(&mut back)?;
        if back[0] != msg[0] {
            return Err(broken("ping-pong reply out of step"));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    s.shutdown(Shutdown::Write)?;
    Ok(secs)
}

/// `n` connections to the accept-and-close peer: connect, read until the
/// server's EOF (the server closes first, so TIME_WAIT stays on its side),
/// close.
fn tcp_connect(addr: SocketAddr, n: u64) -> io::Result<f64> {
    let mut byte = [0u8; 1];
    let start = Instant::now();
    for _ in 0..n {
        let mut s = TcpStream::connect(addr)?;
        if s.read(&mut byte)? != 0 {
            return Err(broken("the accept-and-close peer sent data"));
        }
        drop(s);
    }
    Ok(start.elapsed().as_secs_f64())
}

/// `n` 64-byte datagram round trips on a connected UDP socket. A datagram
/// lost on loopback (rare) is sent again, up to a bound.
fn udp_rr(addr: SocketAddr, n: u64) -> io::Result<f64> {
    let s = UdpSocket::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    s.connect(addr)?;
    s.set_read_timeout(Some(Duration::from_millis(UDP_TIMEOUT_MS)))?;
    let mut msg = [0u8; MESSAGE];
    let mut back = [0u8; MESSAGE];
    let mut lost = 0;
    let start = Instant::now();
    let mut i = 0;
    while i < n {
        msg[..8].copy_from_slice(&i.to_le_bytes());
        s.send(&msg)?;
        loop {
            match s.recv(&mut back) {
                Ok(got) if got == MESSAGE && back[..8] == msg[..8] => break,
                // A late echo of an earlier, resent datagram: wait on.
                Ok(_) => {}
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    lost += 1;
                    if lost > UDP_MAX_LOST {
                        return Err(io::Error::new(e.kind(), format!("{lost} datagrams lost")));
                    }
                    s.send(&msg)?;
                }
                Err(e) => return Err(e),
            }
        }
        i += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    if lost > 0 {
        eprintln!("bench-client udp_rr: {lost} datagrams resent");
    }
    Ok(secs)
}

/// `n` calls of the TCP_NODELAY getter: natively one `getsockopt`, in the
/// guest one `get_nodelay` host call (which makes the same `getsockopt`).
fn hostcall(addr: SocketAddr, n: u64) -> io::Result<f64> {
    let s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    let mut on = 0u64;
    let start = Instant::now();
    for _ in 0..n {
        on += u64::from(black_box(&s).nodelay()?);
    }
    let secs = start.elapsed().as_secs_f64();
    if black_box(on) != n {
        return Err(broken("nodelay() did not report the option set"));
    }
    s.shutdown(Shutdown::Write)?;
    Ok(secs)
}
