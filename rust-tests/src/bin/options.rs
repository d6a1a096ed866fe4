//! Socket options: `options ECHO_ADDR`, run with `--allow-connect
//! ECHO_ADDR --allow-bind '127.0.0.1:*' --allow-bind '[::1/128]:*'
//! --allow-accept 239.0.0.0/8`. Sets and reads back every option of the
//! spec on TCP and UDP sockets.

use std::io::ErrorKind;
use std::net::Ipv4Addr;
use std::time::Duration;

use wasock::net::{TcpStream, UdpSocket};
use wasock::{Errno, Family, SockType, Socket};
use wasock_rust_tests::{addr_arg, ensure, expect_err, say, Res};

fn main() -> Res {
    let echo = addr_arg(1, "TCP echo server")?;

    let stream = TcpStream::connect(echo)?;
    let s = stream.socket();
    for on in [true, false] {
        stream.set_nodelay(on)?;
        ensure!(stream.nodelay()? == on, "nodelay {on}");
        s.set_keepalive(on)?;
        ensure!(s.keepalive()? == on, "keepalive {on}");
    }
    stream.set_ttl(42)?;
    ensure!(stream.ttl()? == 42, "ttl {}", stream.ttl()?);
    stream.set_linger(Some(Duration::from_secs(5)))?;
    ensure!(stream.linger()? == Some(Duration::from_secs(5)), "linger {:?}", stream.linger()?);
    stream.set_linger(None)?;
    ensure!(stream.linger()?.is_none(), "linger off");
    s.set_recv_buffer_size(64 * 1024)?;
    s.set_send_buffer_size(64 * 1024)?;
    let (r, w) = (s.recv_buffer_size()?, s.send_buffer_size()?);
    say(format!("buffer sizes: recv {r}, send {w}"));
    ensure!(r >= 64 * 1024 && w >= 64 * 1024, "buffer sizes {r}/{w}");
    ensure!(stream.take_error()?.is_none(), "pending error on a healthy stream");
    ensure!(s.sock_type()? == SockType::Stream, "sock_type");
    ensure!(!s.nonblocking()?, "fresh stream is non-blocking");
    // try_clone works now (the host's fd_dup); rust-tests/src/bin/try_clone.rs tests it.
    drop(stream.try_clone()?);

    let sock = Socket::new(Family::Inet4, SockType::Stream)?;
    sock.set_reuse_address(true)?;
    ensure!(sock.reuse_address()?, "reuse_address");
    sock.set_reuse_port(true)?;
    ensure!(sock.reuse_port()?, "reuse_port");
    let e = expect_err(sock.peer_addr(), ErrorKind::NotConnected, "peer_addr unconnected")?;
    ensure!(Errno::of(&e) == Some(Errno::NOTCONN), "errno {:?}", Errno::of(&e));

    let v6 = Socket::new(Family::Inet6, SockType::Datagram)?;
    for on in [true, false] {
        v6.set_only_v6(on)?;
        ensure!(v6.only_v6()? == on, "only_v6 {on}");
    }

    let udp = UdpSocket::bind("127.0.0.1:0")?;
    ensure!(udp.socket().sock_type()? == SockType::Datagram, "udp sock_type");
    for on in [true, false] {
        udp.set_broadcast(on)?;
        ensure!(udp.broadcast()? == on, "broadcast {on}");
        udp.set_multicast_loop_v4(on)?;
        ensure!(udp.multicast_loop_v4()? == on, "multicast_loop {on}");
    }
    udp.set_multicast_ttl_v4(5)?;
    ensure!(udp.multicast_ttl_v4()? == 5, "multicast_ttl {}", udp.multicast_ttl_v4()?);
    udp.set_ttl(17)?;
    ensure!(udp.ttl()? == 17, "udp ttl");
    udp.set_write_timeout(Some(Duration::from_millis(1500)))?;
    ensure!(udp.write_timeout()? == Some(Duration::from_millis(1500)), "udp write timeout");

    // Groups outside the pool are refused by the host; granted ones reach
    // the kernel, which may lack a multicast route in a container.
    expect_err(
        udp.join_multicast_v4(&Ipv4Addr::new(224, 0, 0, 251), &Ipv4Addr::UNSPECIFIED),
        ErrorKind::PermissionDenied,
        "join a group outside the pool",
    )?;
    let group = Ipv4Addr::new(239, 1, 2, 3);
    match udp.join_multicast_v4(&group, &Ipv4Addr::UNSPECIFIED) {
        Ok(()) => {
            udp.leave_multicast_v4(&group, &Ipv4Addr::UNSPECIFIED)?;
            say("multicast join/leave ok");
        }
        Err(e) if e.kind() != ErrorKind::PermissionDenied => {
            say(format!("multicast join not possible here: {e}"));
        }
        Err(e) => return Err(format!("granted group refused: {e}").into()),
    }
    say("options ok");
    Ok(())
}
