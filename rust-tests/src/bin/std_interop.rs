//! Interop with std: `std_interop ECHO_ADDR`. Converts a wasock stream to
//! `std::net::TcpStream` and uses std's own write_all, BufReader::read_line,
//! set_nonblocking and shutdown on it; converts back for addresses. Then
//! converts a listener, prints `listening on ADDR`, accepts with std's
//! `TcpListener::accept`, reads a line and answers it upper-cased.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, OwnedFd};

use wasock::net::{TcpListener, TcpStream, UdpSocket};
use wasock_rust_tests::{addr_arg, ensure, expect_err, say, Res};

fn main() -> Res {
    let echo = addr_arg(1, "echo server")?;

    let ours = TcpStream::connect(echo)?;
    let fd = ours.as_raw_fd();
    let std_stream: std::net::TcpStream = ours.into();
    ensure!(std_stream.as_raw_fd() == fd, "fd changed in the conversion");

    (&std_stream).write_all(b"hello from std\n")?;
    let mut reader = BufReader::new(&std_stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    ensure!(line == "hello from std\n", "read_line gave {line:?}");
    say("std write_all + BufReader::read_line ok");

    std_stream.set_nonblocking(true)?;
    expect_err((&std_stream).read(&mut [0u8; 4]), ErrorKind::WouldBlock, "std read in non-blocking mode")?;
    std_stream.set_nonblocking(false)?;

    // Back to wasock for what std on wasip1 cannot do.
    let ours = TcpStream::from(std_stream);
    ensure!(ours.peer_addr()? == echo, "peer_addr after round trip");
    ensure!(!ours.socket().nonblocking()?, "std's set_nonblocking(false) did not stick");
    ours.set_nodelay(true)?;

    // And through OwnedFd.
    let owned = OwnedFd::from(ours);
    let std_stream = std::net::TcpStream::from(owned);
    std_stream.shutdown(Shutdown::Write)?;
    let mut rest = Vec::new();
    (&std_stream).read_to_end(&mut rest)?;
    ensure!(rest.is_empty(), "data after std shutdown: {rest:?}");
    say("std shutdown + EOF ok");
    drop(std_stream);

    // A listener handed to std: std's accept is p1 `sock_accept`.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let local = listener.local_addr()?;
    let std_listener: std::net::TcpListener = listener.into();
    say(format!("listening on {local}"));
    let (conn, _) = std_listener.accept()?;
    let mut line = String::new();
    BufReader::new(&conn).read_line(&mut line)?;
    (&conn).write_all(line.to_uppercase().as_bytes())?;
    say(format!("std accept served {:?}", line.trim_end()));
    // std cannot give the peer address on wasip1; wasock can.
    let conn = TcpStream::from(conn);
    ensure!(conn.peer_addr()?.ip().is_loopback(), "accepted peer not on loopback");
    ensure!(conn.local_addr()? == local, "accepted local address");

    // UDP: std can hold the fd; wasock does the work.
    let udp = UdpSocket::bind("127.0.0.1:0")?;
    let udp_local = udp.local_addr()?;
    let std_udp: std::net::UdpSocket = udp.into();
    let udp = UdpSocket::from(std_udp);
    ensure!(udp.local_addr()? == udp_local, "udp round trip");
    say("std_interop ok");
    Ok(())
}
