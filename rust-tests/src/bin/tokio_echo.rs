//! A tokio echo server on `wasock::tokio`, current_thread runtime.
//!
//! Usage: `tokio_echo BIND_ADDR CLOSED_ADDR CONNECTIONS [tokio-accept]`. First connects to
//! CLOSED_ADDR (a loopback port nobody listens on) and checks the connect is
//! refused without ending the runtime; then serves CONNECTIONS connections
//! concurrently, each in its own task, and exits when all have ended.
//! Prints `accepted PEER` per connection, `closed PEER after N bytes` or
//! `failed PEER: KIND: MESSAGE` when it ends, `done` at the end.
//!
//! With `tokio-accept` it accepts with tokio's own `TcpListener` instead of
//! `wasock::tokio::TcpListener` (what `axum::serve` would do): the listener
//! is handed over edge-triggered, the accepted sockets as the host makes them.

use std::io::ErrorKind;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;
use wasock::tokio::TcpStream;
use wasock::SocketExt;
use wasock_rust_tests::{addr_arg, arg, ensure, say, Listener, Res};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Res {
    let bind = addr_arg(1, "bind address")?;
    let closed = addr_arg(2, "closed address")?;
    let connections: usize = arg(3, "connections")?.parse()?;

    let refused = wasock::tokio::connect(closed).await;
    ensure!(
        matches!(&refused, Err(e) if e.kind() == ErrorKind::ConnectionRefused),
        "connect to {closed}: expected ConnectionRefused, got {refused:?}"
    );
    // The runtime goes on after the refusal: its timers still fire.
    tokio::time::sleep(Duration::from_millis(1)).await;
    say(format!("refused: {}", refused.unwrap_err()));

    let listener = Listener::bind(bind, std::env::args().nth(4).as_deref() == Some("tokio-accept")).await?;
    say(format!("listening on {bind}"));
    let mut tasks = JoinSet::new();
    for _ in 0..connections {
        let (stream, peer) = listener.accept().await?;
        say(format!("accepted {peer}"));
        // The extension trait reaches what tokio's stream cannot on wasip1.
        say(format!("sock_ref peer {}", stream.sock_ref().peer_addr()?));
        tasks.spawn(async move {
            match echo(stream).await {
                Ok(n) => say(format!("closed {peer} after {n} bytes")),
                Err(e) => say(format!("failed {peer}: {:?}: {e}", e.kind())),
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r?;
    }
    say("done");
    Ok(())
}

/// Echoes until EOF; returns the bytes echoed.
async fn echo(mut stream: TcpStream) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(total);
        }
        stream.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}
