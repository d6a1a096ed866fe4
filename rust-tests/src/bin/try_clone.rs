//! `try_clone` through the host's `fd_dup`: `try_clone` (no arguments; the
//! guest needs bind and connect on 127.0.0.1). A clone is another fd for
//! the same socket: data written through one is read through the other's
//! peer, the socket lives while either handle does, options are shared.
//! Last, what std's own `try_clone` does on wasip1 with a wasock socket.

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::os::fd::AsRawFd;

use wasock::net::{TcpListener, TcpStream, UdpSocket};
use wasock_rust_tests::{ensure, say, Res};

fn main() -> Res {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let listener2 = listener.try_clone()?;
    ensure!(listener2.as_raw_fd() != listener.as_raw_fd(), "a clone has its own fd");
    ensure!(listener2.local_addr()? == listener.local_addr()?, "the clone is the same listener");
    let client = TcpStream::connect(listener.local_addr()?)?;
    // Accepted through the clone: it is the same socket.
    let (mut server, _) = listener2.accept()?;
    drop(listener);
    drop(listener2);

    let mut clone = client.try_clone()?;
    clone.write_all(b"through the clone")?;
    let mut buf = [0u8; 17];
    server.read_exact(&mut buf)?;
    ensure!(&buf == b"through the clone", "server read {buf:?}");
    drop(client);
    clone.write_all(b"!")?;
    server.read_exact(&mut buf[..1])?;
    ensure!(buf[0] == b'!', "the clone outlives the original");
    clone.set_nonblocking(true)?;
    let again = clone.try_clone()?;
    ensure!(again.socket().nonblocking()?, "non-blocking mode is the socket's, shared by its clones");
    drop(again);
    clone.shutdown(Shutdown::Write)?;
    ensure!(server.read(&mut buf)? == 0, "EOF after the shutdown");
    drop(clone);
    say("tcp try_clone ok");

    let a = UdpSocket::bind("127.0.0.1:0")?;
    let b = a.try_clone()?;
    let peer = UdpSocket::bind("127.0.0.1:0")?;
    b.send_to(b"dgram", peer.local_addr()?)?;
    let (n, from) = peer.recv_from(&mut buf)?;
    ensure!(n == 5 && from == a.local_addr()?, "the datagram came from the original's address");
    a.set_broadcast(true)?;
    ensure!(b.broadcast()?, "options are the socket's");
    say("udp try_clone ok");

    // std on wasip1 implements no duplicate: its try_clone is hard-wired
    // to Unsupported, whatever the fd is. wasock's types clone; convert
    // back to them to clone a std socket.
    let l = TcpListener::bind("127.0.0.1:0")?;
    let std_stream: std::net::TcpStream = TcpStream::connect(l.local_addr()?)?.into();
    match std_stream.try_clone() {
        Err(e) if e.kind() == ErrorKind::Unsupported => say("std try_clone: Unsupported"),
        Err(e) => say(format!("std try_clone: error {e}")),
        Ok(_) => say("std try_clone: ok"),
    }
    say("try_clone ok");
    Ok(())
}
