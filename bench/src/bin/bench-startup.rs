//! The start-up guest (Rust): `bench-startup HOST:PORT` makes one TCP
//! connection to the peer's accept-and-close service, waits for its EOF and
//! exits 0. `bench-run` times the whole process, spawn to exit. The same
//! source natively (std::net) and as a guest (wasock::net).

use std::io::Read;
use std::net::SocketAddr;
use std::process::ExitCode;

#[cfg(not(target_os = "wasi"))]
use std::net::TcpStream;
#[cfg(target_os = "wasi")]
use wasock::net::TcpStream;

fn main() -> ExitCode {
    let Some(addr) = std::env::args().nth(1).and_then(|a| a.parse::<SocketAddr>().ok()) else {
        eprintln!("usage: bench-startup HOST:PORT");
        return ExitCode::from(2);
    };
    let mut byte = [0u8; 1];
    match TcpStream::connect(addr).and_then(|mut s| s.read(&mut byte)) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => {
            eprintln!("bench-startup: expected the server's EOF");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("bench-startup: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
