//! Connection errors: `connect_errors CLOSED_ADDR ECHO_ADDR`, run with
//! `--allow-connect '127.0.0.1:*' --allow-bind '127.0.0.1:*'`. A closed
//! port is ConnectionRefused (with connect and connect_timeout) and the
//! message names the address; connect_timeout to a live server works and
//! leaves the stream blocking, and to a listener whose queue is full it
//! fails with TimedOut on time; a zero timeout is InvalidInput; binding a
//! port twice is AddrInUse.

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use wasock::net::{TcpListener, TcpStream};
use wasock::{Family, SockType, Socket};
use wasock_rust_tests::{addr_arg, ensure, expect_err, say, Res};

fn main() -> Res {
    let closed = addr_arg(1, "closed port")?;
    let echo = addr_arg(2, "echo server")?;

    let e = expect_err(TcpStream::connect(closed), ErrorKind::ConnectionRefused, "connect")?;
    let msg = e.to_string();
    ensure!(msg.contains(&format!("connect to {closed}")) && msg.contains("refused"), "message: {msg}");
    expect_err(
        TcpStream::connect_timeout(&closed, Duration::from_secs(5)),
        ErrorKind::ConnectionRefused,
        "connect_timeout",
    )?;
    expect_err(TcpStream::connect_timeout(&echo, Duration::ZERO), ErrorKind::InvalidInput, "zero timeout")?;

    let mut s = TcpStream::connect_timeout(&echo, Duration::from_secs(5))?;
    ensure!(!s.socket().nonblocking()?, "connect_timeout left the stream non-blocking");
    ensure!(s.peer_addr()? == echo, "peer {}", s.peer_addr()?);
    s.write_all(b"timely")?;
    let mut back = [0u8; 6];
    s.read_exact(&mut back)?;
    ensure!(&back == b"timely", "echo after connect_timeout");

    // A listener with backlog 0 that never accepts: Linux queues one
    // connection and drops the SYNs of the next, so connecting hangs.
    let full = Socket::new(Family::Inet4, SockType::Stream)?;
    full.bind(&"127.0.0.1:0".parse()?)?;
    full.listen(0)?;
    let full_addr = full.local_addr()?;
    let timeout = Duration::from_millis(300);
    let mut queued = Vec::new();
    let mut timed_out = None;
    for _ in 0..4 {
        let start = Instant::now();
        match TcpStream::connect_timeout(&full_addr, timeout) {
            Ok(s) => queued.push(s),
            Err(e) if e.kind() == ErrorKind::TimedOut => {
                timed_out = Some((start.elapsed(), e));
                break;
            }
            Err(e) => return Err(format!("connect_timeout to a full queue: {e}").into()),
        }
    }
    let (elapsed, e) = timed_out.ok_or("a listener with a full queue kept accepting")?;
    say(format!("connect_timeout: TimedOut after {} ms ({e}) with {} queued", elapsed.as_millis(), queued.len()));
    ensure!(
        elapsed >= timeout * 3 / 4 && elapsed < Duration::from_secs(5),
        "connect_timeout took {elapsed:?} for {timeout:?}"
    );
    ensure!(e.to_string().contains(&full_addr.to_string()), "message: {e}");

    let first = TcpListener::bind("127.0.0.1:0")?;
    let taken = first.local_addr()?;
    // A second socket may not take a port that is listening (SO_REUSEADDR
    // does not allow that on Linux).
    let e = expect_err(TcpListener::bind(taken), ErrorKind::AddrInUse, "bind twice")?;
    ensure!(e.to_string().contains(&taken.to_string()), "message: {e}");
    say("connect_errors ok");
    Ok(())
}
