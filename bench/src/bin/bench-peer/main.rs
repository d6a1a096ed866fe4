//! The native peer every client talks to:
//! `bench-peer [--first-port N] [--last-port M] [--lifetime SECS] [--watch-stdin] [--tls-ca FILE]`.
//!
//! It binds five services on 127.0.0.1, each on the first free port from
//! `--first-port` on (default 20000, never above `--last-port`, default
//! 29999, so they stay below the kernel's ephemeral range), prints
//!
//! ```text
//! PORTS echo=20000 close=20001 udp=20002 udpb=20003 tls=20004
//! ```
//!
//! and serves until the lifetime (default an hour) runs out or, with
//! `--watch-stdin`, until its stdin closes (the driver holds it open, so the
//! peer never outlives the driver):
//! - echo (TCP): every byte back, one thread per connection, TCP_NODELAY;
//! - close (TCP): accepts and closes at once, so the server closes first and
//!   TIME_WAIT stays on this side, not on the client's ephemeral ports;
//! - udp: every datagram back to its sender;
//! - udpb: the same a batch at a time: `recvmmsg` of up to 64 datagrams
//!   (waiting for the first only), then one `sendmmsg` of them all back, so
//!   the udp_batch client's batches stay batches on the peer's side too;
//! - tls (TCP): the TLS workloads' server (tls.rs), its CA written to
//!   `--tls-ca` (default: bench-peer-PID-ca.pem in the temp directory)
//!   before the PORTS line.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

mod tls;

mod mmsg {
    //! The batched UDP echo: libc's recvmmsg/sendmmsg (std has neither).

    use std::io;
    use std::mem::{size_of, zeroed};
    use std::net::UdpSocket;
    use std::os::fd::AsRawFd;
    use std::ptr::null_mut;

    /// Datagrams per recvmmsg at most.
    const BATCH: usize = 64;
    /// Bytes per datagram at most (the clients send 64).
    const DGRAM: usize = 2048;

    /// Echoes every datagram to its sender, a batch at a time, until an error.
    pub fn echo_batches(sock: &UdpSocket) -> io::Result<()> {
        let fd = sock.as_raw_fd();
        let mut bufs = vec![[0u8; DGRAM]; BATCH];
        // SAFETY: all-zero iovec, sockaddr_storage and mmsghdr are valid values.
        let mut iovs: Vec<libc::iovec> = vec![unsafe { zeroed() }; BATCH];
        let mut names: Vec<libc::sockaddr_storage> = vec![unsafe { zeroed() }; BATCH];
        let mut msgs: Vec<libc::mmsghdr> = vec![unsafe { zeroed() }; BATCH];
        loop {
            for k in 0..BATCH {
                iovs[k] = libc::iovec { iov_base: bufs[k].as_mut_ptr().cast(), iov_len: DGRAM };
                let h = &mut msgs[k].msg_hdr;
                h.msg_name = (&mut names[k] as *mut libc::sockaddr_storage).cast();
                h.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
                h.msg_iov = &mut iovs[k];
                h.msg_iovlen = 1;
            }
            // SAFETY: msgs, their iovecs, buffers and names live across the call.
            let n = unsafe { libc::recvmmsg(fd, msgs.as_mut_ptr(), BATCH as u32, libc::MSG_WAITFORONE, null_mut()) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            let n = n as usize;
            // Each reply: the bytes received, to the address it came from
            // (recvmmsg left it and its length in msg_name/msg_namelen).
            for k in 0..n {
                iovs[k].iov_len = msgs[k].msg_len as usize;
            }
            let mut sent = 0;
            while sent < n {
                // SAFETY: as above; messages [sent, n) are filled in.
                let r = unsafe { libc::sendmmsg(fd, msgs.as_mut_ptr().add(sent), (n - sent) as u32, 0) };
                if r < 0 {
                    let e = io::Error::last_os_error();
                    if e.kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    // A full socket buffer or a vanished client: drop the rest.
                    eprintln!("bench-peer: udpb send: {e}");
                    break;
                }
                sent += r as usize;
            }
        }
    }
}

/// The echo buffer: larger than a bulk chunk, so one read can take it all.
const ECHO_BUF: usize = 256 * 1024;

fn main() -> ExitCode {
    let mut first = 20_000u16;
    let mut last = 29_999u16;
    let mut lifetime = 3_600u64;
    let mut watch_stdin = false;
    let mut ca_file = std::env::temp_dir().join(format!("bench-peer-{}-ca.pem", std::process::id()));
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--watch-stdin" {
            watch_stdin = true;
            continue;
        }
        if a == "--tls-ca" {
            if let Some(f) = args.next() {
                ca_file = PathBuf::from(f);
                continue;
            }
        }
        let v = args.next().and_then(|v| v.parse::<u64>().ok());
        match (a.as_str(), v) {
            ("--first-port", Some(v)) if (1..=65_535).contains(&v) => first = v as u16,
            ("--last-port", Some(v)) if (1..=65_535).contains(&v) => last = v as u16,
            ("--lifetime", Some(v)) => lifetime = v,
            _ => {
                eprintln!(
                    "usage: bench-peer [--first-port N] [--last-port M] [--lifetime SECS] [--watch-stdin] [--tls-ca FILE]"
                );
                return ExitCode::from(2);
            }
        }
    }
    match serve(first, last, lifetime, watch_stdin, &ca_file) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-peer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(first: u16, last: u16, lifetime: u64, watch_stdin: bool, ca_file: &Path) -> io::Result<()> {
    let mut ports = first..=last;
    let echo = bind_first(&mut ports, TcpListener::bind)?;
    let close = bind_first(&mut ports, TcpListener::bind)?;
    let udp = bind_first(&mut ports, UdpSocket::bind)?;
    let udpb = bind_first(&mut ports, UdpSocket::bind)?;
    let tls = bind_first(&mut ports, TcpListener::bind)?;
    let tls_port = tls.local_addr()?.port();
    tls::start(tls, ca_file)?;
    println!(
        "PORTS echo={} close={} udp={} udpb={} tls={tls_port}",
        echo.local_addr()?.port(),
        close.local_addr()?.port(),
        udp.local_addr()?.port(),
        udpb.local_addr()?.port()
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
    thread::spawn(move || {
        if let Err(e) = mmsg::echo_batches(&udpb) {
            eprintln!("bench-peer: udpb: {e}");
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
