//! A tokio client on `wasock::tokio`: names through the pool, a large
//! echo exchange with reading and writing in one task, and a timer that
//! fires beside a socket with nothing to read.
//!
//! Usage: `tokio_client ECHO_PORT SILENT_ADDR BYTES`. Connects to
//! `localhost:ECHO_PORT` (resolved through the pool), sends BYTES bytes
//! while reading their echo, then connects to SILENT_ADDR (a server that
//! never writes) and checks that a 300 ms `timeout` on a read elapses.
//! Prints `echoed N bytes` and `timed out after MS ms`. Between the two it
//! resolves `localhost:ECHO_PORT` through std's `ToSocketAddrs` trait on
//! `wasock::net::Pooled` (prints `std trait resolved ADDRS`), and it reaches
//! SILENT_ADDR through `wasock::net::StdAddrs`, as generic std code would.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wasock::net::{Pooled, StdAddrs};
use wasock_rust_tests::{addr_arg, arg, ensure, say, Res};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Res {
    let echo_port: u16 = arg(1, "echo port")?.parse()?;
    let silent = addr_arg(2, "silent server address")?;
    let len: usize = arg(3, "bytes")?.parse()?;

    let mut echo = wasock::tokio::connect(("localhost", echo_port)).await?;
    let sent: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
    let (mut rd, mut wr) = echo.split();
    let write = async {
        wr.write_all(&sent).await?;
        wr.shutdown().await
    };
    let mut back = Vec::with_capacity(len);
    let (w, r) = tokio::join!(write, rd.read_to_end(&mut back));
    w?;
    r?;
    ensure!(back == sent, "{} bytes came back, not the {len} sent", back.len());
    say(format!("echoed {len} bytes"));

    // std's trait with wasock's resolution: the name goes to the pool.
    let resolved: Vec<SocketAddr> = std_trait_addrs(Pooled::new(("localhost", echo_port)))?;
    ensure!(resolved.contains(&SocketAddr::from(([127, 0, 0, 1], echo_port))), "localhost gave {resolved:?}");
    say(format!("std trait resolved {resolved:?}"));

    let mut quiet = wasock::tokio::connect(StdAddrs(silent)).await?;
    let start = Instant::now();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_millis(300), quiet.read(&mut buf)).await;
    let waited = start.elapsed();
    ensure!(read.is_err(), "the silent server sent something: {read:?}");
    ensure!(waited >= Duration::from_millis(300), "the timeout fired early, after {waited:?}");
    say(format!("timed out after {} ms", waited.as_millis()));
    Ok(())
}

/// What code generic over std's trait does with an address.
fn std_trait_addrs(addr: impl std::net::ToSocketAddrs) -> std::io::Result<Vec<SocketAddr>> {
    Ok(addr.to_socket_addrs()?.collect())
}
