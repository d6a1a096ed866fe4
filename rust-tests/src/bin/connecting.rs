//! `TcpStream::connect_nonblocking`, the connect under `wasock::tokio` and
//! `wasock::mio`, without a runtime.
//!
//! Usage: `connecting ECHO_ADDR CLOSED_ADDR DENIED_ADDR`. Starts a connect to
//! each and prints how it started (`ADDR: in progress` or `ADDR: connected
//! at once`, or the error); then waits for the first to finish and echoes
//! `hello` over it, and for the second to fail with ConnectionRefused. The
//! third, which the pool does not grant, must fail at once with
//! PermissionDenied. Prints `connecting ok` at the end.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use wasock::net::{Connecting, TcpStream};
use wasock_rust_tests::{addr_arg, ensure, expect_err, say, Res};

fn main() -> Res {
    let echo = addr_arg(1, "echo address")?;
    let closed = addr_arg(2, "closed address")?;
    let denied = addr_arg(3, "denied address")?;

    let mut stream = start(echo)?.wait(Duration::from_secs(10))?;
    stream.set_nonblocking(false)?;
    stream.write_all(b"hello")?;
    let mut back = [0u8; 5];
    stream.read_exact(&mut back)?;
    ensure!(&back == b"hello", "echoed {back:?}");
    say(format!("{echo}: echoed hello"));

    expect_err(start(closed)?.wait(Duration::from_secs(10)), ErrorKind::ConnectionRefused, "wait on closed")?;
    expect_err(TcpStream::connect_nonblocking(&denied), ErrorKind::PermissionDenied, "connect to denied")?;
    say("connecting ok");
    Ok(())
}

/// Starts a connect to `addr` and says how it started.
fn start(addr: SocketAddr) -> std::io::Result<Connecting> {
    let c = TcpStream::connect_nonblocking(&addr)?;
    match &c {
        Connecting::Connected(_) => say(format!("{addr}: connected at once")),
        Connecting::InProgress { addr: a, .. } => say(format!("{a}: in progress")),
    }
    Ok(c)
}
