//! The TLS client of tls_client.rs on tokio: `wasock::tokio::connect_tls`
//! (a non-blocking connect_name, awaiting writability, then the pending
//! error), then plaintext through a `tokio::net::TcpStream`.
//!
//! Usage: `tokio_tls_client NAME PORT [MSG]`. Prints the lines tls_client
//! prints (`reply: ...`, `version: ...`, ...; `error: ENAME` and exit 1 on
//! failure). The read to EOF runs under a 10 s `tokio::time::timeout`,
//! which fails as `error: TimedOut`.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wasock::SockRef;
use wasock_rust_tests::{arg, print_tls_session, tls_exit, Res, TLS_MESSAGE};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Res {
    let name = arg(1, "server name")?;
    let port: u16 = arg(2, "port")?.parse()?;
    let msg = arg(3, "message").unwrap_or_else(|_| TLS_MESSAGE.to_string());
    tls_exit(run(&name, port, &msg).await)
}

async fn run(name: &str, port: u16, msg: &str) -> io::Result<()> {
    let mut stream = wasock::tokio::connect_tls(name, port).await?;
    stream.write_all(msg.as_bytes()).await?;
    stream.shutdown().await?;
    let mut reply = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut reply))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    print_tls_session(&SockRef::from(&stream), &reply)
}
