//! Read timeouts: `read_timeout ADDR MILLIS` where ADDR is a TCP server that
//! accepts and stays silent. A read must fail with WouldBlock (or TimedOut)
//! after about MILLIS; prints `timed out after N ms`. Also checks the
//! getters, the zero-duration error and a UDP receive timeout.

use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

use wasock::net::{TcpStream, UdpSocket};
use wasock_rust_tests::{addr_arg, arg, ensure, say, Res};

fn timed_out(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

fn main() -> Res {
    let addr = addr_arg(1, "silent server")?;
    let ms: u64 = arg(2, "timeout in ms")?.parse()?;
    let timeout = Duration::from_millis(ms);
    let mut stream = TcpStream::connect(addr)?;

    ensure!(stream.read_timeout()?.is_none(), "a fresh stream has a read timeout");
    let zero = stream.set_read_timeout(Some(Duration::ZERO));
    ensure!(matches!(&zero, Err(e) if e.kind() == ErrorKind::InvalidInput), "zero timeout gave {zero:?}");
    stream.set_read_timeout(Some(timeout))?;
    let got = stream.read_timeout()?;
    ensure!(got == Some(timeout), "read_timeout() = {got:?}, set {timeout:?}");
    stream.set_write_timeout(Some(Duration::from_secs(3)))?;
    ensure!(stream.write_timeout()? == Some(Duration::from_secs(3)), "write_timeout() = {:?}", stream.write_timeout()?);

    let start = Instant::now();
    let r = stream.read(&mut [0u8; 16]);
    let elapsed = start.elapsed();
    match r {
        Err(e) if timed_out(e.kind()) => say(format!("read: {:?} ({e})", e.kind())),
        other => return Err(format!("read gave {other:?}, expected a timeout").into()),
    }
    say(format!("timed out after {} ms", elapsed.as_millis()));
    ensure!(
        elapsed >= timeout * 3 / 4 && elapsed < Duration::from_secs(5),
        "timeout took {elapsed:?}, set {timeout:?}"
    );

    stream.set_read_timeout(None)?;
    ensure!(stream.read_timeout()?.is_none(), "timeout not cleared");

    // The same on a UDP socket nobody sends to.
    let udp = UdpSocket::bind("127.0.0.1:0")?;
    udp.set_read_timeout(Some(timeout))?;
    let start = Instant::now();
    let r = udp.recv_from(&mut [0u8; 16]);
    let elapsed = start.elapsed();
    ensure!(matches!(&r, Err(e) if timed_out(e.kind())), "udp recv_from gave {r:?}");
    ensure!(elapsed >= timeout * 3 / 4 && elapsed < Duration::from_secs(5), "udp timeout took {elapsed:?}");
    say(format!("udp timed out after {} ms", elapsed.as_millis()));
    say("read_timeout ok");
    Ok(())
}
