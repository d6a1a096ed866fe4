//! Non-blocking mode: `nonblocking PEER` where PEER is a TCP server that
//! accepts and, later, sends `ping`. With nothing pending, accept, read and
//! recv_from must fail with WouldBlock at once. Then the program prints
//! `listening on ADDR` and polls until a client connects to its listener
//! (it answers `pong`) and the peer's `ping` arrives.

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use wasock::net::{TcpListener, TcpStream, UdpSocket};
use wasock_rust_tests::{addr_arg, ensure, expect_err, say, Res};

fn main() -> Res {
    let peer = addr_arg(1, "peer that sends ping")?;

    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    ensure!(listener.socket().nonblocking()?, "listener not non-blocking");
    let start = Instant::now();
    expect_err(listener.accept(), ErrorKind::WouldBlock, "accept with nobody")?;
    ensure!(start.elapsed() < Duration::from_secs(1), "accept blocked");

    let mut stream = TcpStream::connect(peer)?;
    stream.set_nonblocking(true)?;
    let start = Instant::now();
    expect_err(stream.read(&mut [0u8; 8]), ErrorKind::WouldBlock, "read with no data")?;
    expect_err(stream.peek(&mut [0u8; 8]), ErrorKind::WouldBlock, "peek with no data")?;
    ensure!(start.elapsed() < Duration::from_secs(1), "read blocked");

    let udp = UdpSocket::bind("127.0.0.1:0")?;
    udp.set_nonblocking(true)?;
    expect_err(udp.recv_from(&mut [0u8; 8]), ErrorKind::WouldBlock, "recv_from with no datagram")?;

    say(format!("listening on {}", listener.local_addr()?));

    let deadline = Instant::now() + Duration::from_secs(30);
    let mut accepted = None;
    let mut ping = Vec::new();
    while accepted.is_none() || ping.len() < 4 {
        ensure!(Instant::now() < deadline, "gave up waiting (accepted: {}, ping: {ping:?})", accepted.is_some());
        if accepted.is_none() {
            match listener.accept() {
                Ok((s, from)) => {
                    say(format!("accepted {from}"));
                    accepted = Some(s);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut buf = [0u8; 8];
        match stream.read(&mut buf) {
            Ok(0) => return Err("peer closed before ping".into()),
            Ok(n) => ping.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    ensure!(ping == b"ping", "peer sent {ping:?}");

    // An accepted stream is blocking, whatever its listener is.
    let mut conn = accepted.unwrap();
    ensure!(!conn.socket().nonblocking()?, "accepted stream is non-blocking");
    conn.write_all(b"pong")?;
    // Writes on a non-blocking stream with room in the buffer just work.
    stream.write_all(b"done")?;
    say("nonblocking ok");
    Ok(())
}
