//! The thread_echo server: `bench-thread-echo PORT`.
//!
//! A blocking echo server on 127.0.0.1:PORT with one `std::thread` per
//! accepted connection; the main thread only accepts. Natively it uses
//! `std::net`; built for wasm32-wasip1-threads it uses `wasock::net` (std
//! cannot bind on wasip1), and each guest thread is a host thread under
//! `wasock run`, so a thread blocked in `read` never stalls another. The
//! rest is the same source. Prints `LISTENING port=PORT` once it listens,
//! serves until killed or until [`LIFETIME`] passes.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

#[cfg(not(target_os = "wasi"))]
use std::net::{TcpListener, TcpStream};
#[cfg(target_os = "wasi")]
use wasock::net::{TcpListener, TcpStream};

/// The server exits on its own after this long (the driver stops it sooner).
const LIFETIME: Duration = Duration::from_secs(600);

fn main() -> ExitCode {
    let Some(port) = std::env::args().nth(1).and_then(|p| p.parse::<u16>().ok()) else {
        eprintln!("usage: bench-thread-echo PORT");
        return ExitCode::from(2);
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bench-thread-echo: bind {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The main thread blocks in accept, so the lifetime is a thread's: its
    // exit ends every other thread too (in the guest as natively).
    let watchdog = thread::Builder::new().name("lifetime".into()).spawn(|| {
        thread::sleep(LIFETIME);
        std::process::exit(0)
    });
    if let Err(e) = watchdog {
        eprintln!("bench-thread-echo: spawn the lifetime thread: {e}");
        return ExitCode::FAILURE;
    }
    println!("LISTENING port={port}");
    let e = serve(&listener);
    eprintln!("bench-thread-echo: {e}");
    ExitCode::FAILURE
}

/// Accepts until an error, each connection on a thread of its own.
fn serve(listener: &TcpListener) -> io::Error {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => return e,
        };
        // A failed spawn (the guest's --max-threads) is an error of the
        // server, not of one connection: the run must fail, not hang.
        if let Err(e) = thread::Builder::new().spawn(move || echo(stream)) {
            return e;
        }
    }
}

/// Echoes until EOF or an error (the driver's clients end the connection).
/// No TCP_NODELAY, as in the other servers: the clients' lockstep round
/// trips never meet Nagle's delay.
fn echo(mut stream: TcpStream) {
    // On the heap: a guest thread's stack is part of the linear memory.
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}
