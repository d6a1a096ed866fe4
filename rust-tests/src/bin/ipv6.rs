//! IPv6 loopback: `ipv6 TCP_ECHO UDP_ECHO`, both on `[::1]`. Echoes over
//! TCP and UDP, then runs a v6-only listener and connects to it from the
//! same program.

use std::io::{Read, Write};

use wasock::net::{TcpListener, TcpStream, UdpSocket};
use wasock::{Family, SockType, Socket};
use wasock_rust_tests::{addr_arg, ensure, pattern, say, Res};

fn main() -> Res {
    let tcp = addr_arg(1, "TCP echo on [::1]")?;
    let udp = addr_arg(2, "UDP echo on [::1]")?;

    let mut stream = TcpStream::connect(tcp)?;
    ensure!(stream.local_addr()?.is_ipv6(), "local address not IPv6");
    ensure!(stream.peer_addr()? == tcp, "peer_addr {}", stream.peer_addr()?);
    let data = pattern(10_000, 6);
    stream.write_all(&data)?;
    let mut back = vec![0u8; data.len()];
    stream.read_exact(&mut back)?;
    ensure!(back == data, "TCP echo over IPv6 differs");
    say("tcp over ::1 ok");

    let socket = UdpSocket::bind("[::1]:0")?;
    socket.send_to(b"six", udp)?;
    let mut buf = [0u8; 16];
    let (n, from) = socket.recv_from(&mut buf)?;
    ensure!(&buf[..n] == b"six" && from == udp, "udp echo: {:?} from {from}", &buf[..n]);
    say("udp over ::1 ok");

    let sock = Socket::new(Family::Inet6, SockType::Stream)?;
    sock.set_only_v6(true)?;
    ensure!(sock.only_v6()?, "only_v6 did not stick");
    sock.bind(&"[::1]:0".parse()?)?;
    sock.listen(8)?;
    let listener = TcpListener::from(sock);
    ensure!(listener.only_v6()?, "only_v6 on the listener");
    let addr = listener.local_addr()?;
    let mut client = TcpStream::connect(addr)?;
    let (mut server, peer) = listener.accept()?;
    ensure!(peer == client.local_addr()?, "accept says {peer}, client is {}", client.local_addr()?);
    client.write_all(b"v6")?;
    let mut got = [0u8; 2];
    server.read_exact(&mut got)?;
    ensure!(&got == b"v6", "v6 self-connection got {got:?}");
    say("ipv6 ok");
    Ok(())
}
