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
    // The options real servers set on every connection (keepalive timing,
    // user timeout, type of service), through the crate's methods.
    s.set_keepalive_time(Duration::from_secs(30))?;
    s.set_keepalive_interval(Duration::from_secs(5))?;
    s.set_keepalive_retries(3)?;
    ensure!(s.keepalive_time()? == Duration::from_secs(30), "keepalive_time {:?}", s.keepalive_time()?);
    ensure!(s.keepalive_interval()? == Duration::from_secs(5), "keepalive_interval");
    ensure!(s.keepalive_retries()? == 3, "keepalive_retries {}", s.keepalive_retries()?);
    expect_err(s.set_keepalive_time(Duration::ZERO), ErrorKind::InvalidInput, "keepalive_time 0 (Linux: EINVAL)")?;
    s.set_tcp_user_timeout(Some(Duration::from_millis(5000)))?;
    ensure!(s.tcp_user_timeout()? == Some(Duration::from_millis(5000)), "tcp_user_timeout");
    s.set_tcp_user_timeout(None)?;
    ensure!(s.tcp_user_timeout()?.is_none(), "tcp_user_timeout off");
    s.set_tos(0x28)?;
    ensure!(s.tos()? == 0x28, "tos {:#x}", s.tos()?);
    s.set_tcp_congestion(b"reno")?;
    ensure!(s.tcp_congestion()? == b"reno", "tcp_congestion {:?}", s.tcp_congestion()?);
    expect_err(s.set_tcp_congestion(b"no_such_algorithm"), ErrorKind::NotFound, "an unknown congestion control")?;
    s.set_quickack(true)?;
    ensure!(s.mss()? > 0, "mss {}", s.mss()?);
    // Any option of the spec through the raw pair; a boolean is 0 or 1.
    use wasock::sys::opt;
    s.set_raw_option(opt::TCP_KEEPCNT, &4i32.to_le_bytes())?;
    let mut b = [0u8; 8];
    ensure!(s.raw_option(opt::TCP_KEEPCNT, &mut b)? == 4 && b[..4] == 4i32.to_le_bytes(), "raw keepcnt");
    expect_err(s.set_raw_option(opt::TCP_NODELAY, &2u32.to_le_bytes()), ErrorKind::InvalidInput, "bool 2")?;
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
    // IPV6_TCLASS and IPV6_UNICAST_HOPS, picked by the socket's family.
    v6.set_tos(0x48)?;
    ensure!(v6.tos()? == 0x48, "tclass {:#x}", v6.tos()?);
    v6.set_ttl(9)?;
    ensure!(v6.ttl()? == 9, "unicast hops");
    expect_err(
        Socket::new(Family::Inet4, SockType::Datagram)?.set_keepalive_retries(3),
        ErrorKind::Other,
        "a TCP option on a UDP socket",
    )
    .and_then(|e| {
        ensure!(Errno::of(&e) == Some(Errno::NOPROTOOPT), "errno {:?}", Errno::of(&e));
        Ok(())
    })?;

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
