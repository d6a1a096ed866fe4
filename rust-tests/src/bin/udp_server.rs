//! UDP server: `udp_server BIND_ADDR COUNT`. Prints `listening on ADDR`,
//! then answers COUNT datagrams with the payload reversed, sent back to the
//! source with `send_to`, and exits.

use wasock::net::UdpSocket;
use wasock_rust_tests::{arg, say, Res};

fn main() -> Res {
    let bind = arg(1, "bind address")?;
    let count: usize = arg(2, "datagrams to answer")?.parse()?;
    let socket = UdpSocket::bind(bind.as_str())?;
    say(format!("listening on {}", socket.local_addr()?));
    let mut buf = [0u8; 65536];
    for i in 0..count {
        let (n, from) = socket.recv_from(&mut buf)?;
        let reply: Vec<u8> = buf[..n].iter().rev().copied().collect();
        socket.send_to(&reply, from)?;
        say(format!("datagram {i}: {n} bytes from {from}"));
    }
    say("udp_server done");
    Ok(())
}
