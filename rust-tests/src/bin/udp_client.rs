//! UDP client: `udp_client PEER` where PEER is a UDP echo server. Uses
//! `send_to`/`recv_from`, `peek_from`, then `connect`/`send`/`peek`/`recv`,
//! and checks sources and payloads.

use std::net::SocketAddr;

use wasock::net::UdpSocket;
use wasock_rust_tests::{addr_arg, ensure, pattern, say, Res};

fn main() -> Res {
    let peer = addr_arg(1, "UDP echo server")?;
    let local: SocketAddr = if peer.is_ipv4() { "127.0.0.1:0".parse()? } else { "[::1]:0".parse()? };
    let socket = UdpSocket::bind(local)?;
    say(format!("bound to {}", socket.local_addr()?));

    let mut buf = [0u8; 2048];
    for (i, len) in [1usize, 100, 1400].into_iter().enumerate() {
        let data = pattern(len, i as u8);
        ensure!(socket.send_to(&data, peer)? == len, "short send_to");
        let (n, peeked_from) = socket.peek_from(&mut buf)?;
        ensure!(n == len && peeked_from == peer, "peek_from: {n} bytes from {peeked_from}");
        let (n, from) = socket.recv_from(&mut buf)?;
        ensure!(from == peer, "datagram from {from}, expected {peer}");
        ensure!(buf[..n] == data[..], "datagram {i} ({len} bytes) came back different");
    }

    // Truncation: a datagram longer than the buffer is cut, not split.
    socket.send_to(&pattern(100, 9), peer)?;
    let mut small = [0u8; 10];
    let (n, _) = socket.recv_from(&mut small)?;
    ensure!(n == 10 && small[..] == pattern(100, 9)[..10], "truncated read gave {n}");

    socket.connect(peer)?;
    ensure!(socket.peer_addr()? == peer, "peer_addr after connect");
    socket.send(b"connected")?;
    let n = socket.peek(&mut buf)?;
    ensure!(&buf[..n] == b"connected", "peek after connect");
    let n = socket.recv(&mut buf)?;
    ensure!(&buf[..n] == b"connected", "recv after connect");
    say("udp_client ok");
    Ok(())
}
