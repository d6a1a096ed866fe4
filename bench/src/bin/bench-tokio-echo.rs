//! The tokio_echo / tokio_idle server: `bench-tokio-echo PORT`.
//!
//! A tokio echo server on the current_thread runtime, one task per
//! connection, on 127.0.0.1:PORT. Natively it listens with tokio's
//! `TcpListener`; on wasm32-wasip1 with `wasock::tokio::TcpListener` (tokio
//! cannot bind there), which hands tokio edge-triggered sockets as
//! `wasock::tokio::TcpStream` (tokio's stream, reading by tokio's Linux
//! rule). The rest is the same source. Prints `LISTENING port=PORT` once it listens, serves
//! until killed or until [`LIFETIME`] passes.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[cfg(not(target_os = "wasi"))]
use tokio::net::{TcpListener, TcpStream};
#[cfg(target_os = "wasi")]
use wasock::tokio::{TcpListener, TcpStream};

/// The server exits on its own after this long (the driver stops it sooner).
const LIFETIME: Duration = Duration::from_secs(600);

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(port) = std::env::args().nth(1).and_then(|p| p.parse::<u16>().ok()) else {
        eprintln!("usage: bench-tokio-echo PORT");
        return ExitCode::from(2);
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bench-tokio-echo: bind {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("LISTENING port={port}");
    tokio::select! {
        e = serve(listener) => {
            eprintln!("bench-tokio-echo: accept: {e}");
            ExitCode::FAILURE
        }
        _ = tokio::time::sleep(LIFETIME) => ExitCode::SUCCESS,
    }
}

/// Accepts until an error, each connection in its own task.
async fn serve(listener: TcpListener) -> std::io::Error {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(echo(stream));
            }
            Err(e) => return e,
        }
    }
}

/// Echoes until EOF or an error (the driver's clients end the connection).
/// No TCP_NODELAY, as in the C servers: tokio's stream cannot set options on
/// wasip1, and the clients' lockstep round trips never meet Nagle's delay.
async fn echo(mut stream: TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}
